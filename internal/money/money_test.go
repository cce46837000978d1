package money

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestParse(t *testing.T) {
	eu := Notation{Decimal: ',', Thousands: '.'}
	ch := Notation{Decimal: '.', Thousands: '\''}
	cases := []struct {
		in   string
		n    Notation
		want string
		err  error
	}{
		{"1234.56", Dot, "1234.56", nil},
		{" -12.5 ", Dot, "-12.5", nil},
		{"+50,00", eu, "50", nil},
		{"-337,49", eu, "-337.49", nil},
		{"1.234.567,89", eu, "1234567.89", nil},
		{"1'234.50", ch, "1234.5", nil},
		{"12,34-", eu, "-12.34", nil},
		{"(100.00)", Dot, "-100", nil},
		{"0.000001", Dot, "0.000001", nil},
		{".5", Dot, "0.5", nil},
		{"5.", Dot, "5", nil},
		{"1.2345678", Dot, "", ErrPrecision},
		{"", Dot, "", ErrSyntax},
		{"12a", Dot, "", ErrSyntax},
		{"1,5", Dot, "", ErrSyntax},
		{"1.5.0", Dot, "", ErrSyntax},
		{"€12", Dot, "", ErrSyntax},
		{".", Dot, "", ErrSyntax},
		{",5", eu, "0.5", nil},
		{".100,00", eu, "", ErrSyntax},
	}
	for _, c := range cases {
		got, err := Parse(c.in, c.n)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("Parse(%q) err = %v, want %v", c.in, err, c.err)
			}
			continue
		}
		if err != nil || !got.Equal(decimal.RequireFromString(c.want)) {
			t.Errorf("Parse(%q) = %s, %v; want %s", c.in, got, err, c.want)
		}
	}
}

func TestToMinor(t *testing.T) {
	if v, err := ToMinor(decimal.RequireFromString("12.34"), 2); err != nil || v != 1234 {
		t.Errorf("12.34 -> %d, %v", v, err)
	}
	if _, err := ToMinor(decimal.RequireFromString("12.345"), 2); err == nil {
		t.Error("12.345 to cents did not fail")
	}
	if _, err := ToMinor(decimal.RequireFromString("99999999999999999999"), 2); err == nil {
		t.Error("overflow did not fail")
	}
	if got := FromMinor(-5, 2).String(); got != "-0.05" {
		t.Errorf("FromMinor = %s", got)
	}
}

func TestSplitLargestRemainder(t *testing.T) {
	cases := []struct {
		total   int64
		weights []int64
		want    []int64
	}{
		{1, []int64{1, 1, 1}, []int64{1, 0, 0}},      // tie: the older lot
		{2, []int64{1, 1, 1}, []int64{1, 1, 0}},      // ties in order
		{100, []int64{1, 1, 1}, []int64{34, 33, 33}}, // 33.33 each
		{60000, []int64{100000, 200000}, []int64{20000, 40000}},
		{10, []int64{3, 7}, []int64{3, 7}},
		{7, []int64{0, 5, 0}, []int64{0, 7, 0}},
		{5, []int64{1, 2}, []int64{2, 3}}, // 1.67/3.33: the larger remainder first
		{0, []int64{0, 0}, []int64{0, 0}},
	}
	for _, c := range cases {
		got, err := Split(c.total, c.weights)
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("Split(%d, %v) = %v, want %v", c.total, c.weights, got, c.want)
				break
			}
		}
	}
	if _, err := Split(1, []int64{0, 0}); err == nil {
		t.Error("split over zero weights did not fail")
	}
	if _, err := Split(1, []int64{-1, 2}); err == nil {
		t.Error("negative weight did not fail")
	}
}

// TestSplitConserves checks on random inputs that the parts sum to the whole and each part is
// within one unit of its exact share.
func TestSplitConserves(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		n := 1 + rng.IntN(8)
		w := make([]int64, n)
		var sum int64
		for i := range w {
			w[i] = rng.Int64N(1_000_000_000)
			sum += w[i]
		}
		if sum == 0 {
			continue
		}
		total := rng.Int64N(1 << 40)
		parts, err := Split(total, w)
		if err != nil {
			t.Fatal(err)
		}
		var got int64
		for i, p := range parts {
			got += p
			exact := decimal.NewFromInt(total).Mul(decimal.NewFromInt(w[i])).Div(decimal.NewFromInt(sum))
			if d := decimal.NewFromInt(p).Sub(exact).Abs(); d.GreaterThanOrEqual(decimal.NewFromInt(1)) {
				t.Fatalf("part %d of Split(%d, %v) = %d, exact %s", i, total, w, p, exact)
			}
		}
		if got != total {
			t.Fatalf("Split(%d, %v) sums to %d", total, w, got)
		}
	}
}

// Bounded work (issue 19.4): a 5 MiB digit run is refused before it is parsed (it used to
// take minutes in big.Int), the error names the limit and quotes a short excerpt only.
func TestParseBounds(t *testing.T) {
	huge := strings.Repeat("9", 5<<20)
	for _, tc := range []struct {
		in, limit string
	}{
		{huge, "money.MaxText"},
		{huge + ",00", "money.MaxText"},
		{strings.Repeat("1", 39), "money.MaxDigits"},
		{"1" + strings.Repeat("0", 32) + ".5", ""},
		{strings.Repeat("0", 30) + "1.5", ""},
	} {
		_, err := Parse(tc.in, Dot)
		if tc.limit == "" {
			if err != nil {
				t.Errorf("%d-byte amount: %v", len(tc.in), err)
			}
			continue
		}
		if !errors.Is(err, ErrRange) || !strings.Contains(err.Error(), tc.limit) || len(err.Error()) > 200 {
			t.Errorf("%d-byte amount: %.300v, want ErrRange naming %s in under 200 bytes", len(tc.in), err, tc.limit)
		}
	}
}

// FuzzParse feeds arbitrary text to Parse in each notation: it never panics, an accepted
// amount has at most Scale decimals and MaxDigits digits and reads back from its own plain
// text unchanged, and an error quotes at most a short excerpt.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"1.234,56", "-0,01", "(12.50)", "1 000 000.00", "24187,50-", "+.5", "1'234.5", "12,3x", strings.Repeat("9", 70)} {
		f.Add(s)
	}
	notations := []Notation{Dot, {Decimal: ','}, {Decimal: ',', Thousands: '.'}, {Decimal: '.', Thousands: ','}, {Decimal: '.', Thousands: ' '}, {Decimal: '.', Thousands: '\''}}
	f.Fuzz(func(t *testing.T, s string) {
		for _, n := range notations {
			d, err := Parse(s, n)
			if err != nil {
				if len(err.Error()) > 300 {
					t.Fatalf("error of %d bytes", len(err.Error()))
				}
				continue
			}
			if -d.Exponent() > Scale || len(d.Coefficient().String()) > MaxDigits+Scale {
				t.Fatalf("%q in %+v gave %s", s, n, d)
			}
			back, err := Parse(d.String(), Dot)
			if err != nil || !back.Equal(d) {
				t.Fatalf("%q: %s does not read back: %v %v", s, d, back, err)
			}
		}
	})
}
