package match

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func day(d int) time.Time { return time.Date(2024, 3, d, 0, 0, 0, 0, time.UTC) }

// debit and credit build the two kinds of side between statement accounts A and B; the
// source is 1 for A's export and 2 for B's.
func debit(id string, d int, amount string) side {
	return side{ID: id, Source: 1, Day: day(d), From: acctA, To: acctB, Amount: decimal.RequireFromString(amount), Currency: "EUR", Debit: true}
}

func credit(id string, d int, amount string) side {
	return side{ID: id, Source: 2, Day: day(d), From: acctA, To: acctB, Amount: decimal.RequireFromString(amount), Currency: "EUR", Credit: true}
}

var testUniverse = universe{
	statement: map[string]bool{acctA: true, acctB: true},
	holderKey: map[string]string{acctA: "marko petrovic", acctB: "ana horvat"},
	byKey:     map[string][]string{"marko petrovic": {acctA}, "ana horvat": {acctB}},
}

func pairIDs(sides []side, edges []edge) []string {
	var out []string
	for _, e := range edges {
		out = append(out, fmt.Sprintf("%s=%s %s %d", sides[e.d].ID, sides[e.c].ID, e.rule, e.score))
	}
	return out
}

func TestPairUp(t *testing.T) {
	p := params{days: 3, fee: Tolerance{Value: decimal.NewFromInt(2), Percent: true}, fx: Tolerance{Value: decimal.NewFromInt(3), Percent: true}}
	with := func(s side, f func(*side)) side { f(&s); return s }
	for _, tc := range []struct {
		name  string
		sides []side
		pairs []string
		amb   int
	}{
		{"repeated amounts pair by date", []side{debit("d1", 1, "100"), debit("d2", 2, "100"), credit("c1", 1, "100"), credit("c2", 2, "100")},
			[]string{"d1=c1 amount 9000", "d2=c2 amount 9000"}, 0},
		{"two equal debits for one credit stay undecided", []side{debit("d1", 1, "100"), debit("d2", 1, "100"), credit("c1", 1, "100"), credit("c2", 2, "99")},
			nil, 4},
		{"the exact amount beats the one less a fee", []side{debit("d1", 1, "100"), credit("c1", 1, "99"), credit("c2", 1, "100")},
			[]string{"d1=c2 amount 9000"}, 0},
		{"more received than sent", []side{debit("d1", 1, "100"), credit("c1", 1, "100.01")}, nil, 0},
		{"different UETRs", []side{with(debit("d1", 1, "100"), func(s *side) { s.UETR = "u1" }), with(credit("c1", 1, "100"), func(s *side) { s.UETR = "u2" })}, nil, 0},
		{"different EndToEndIds", []side{with(debit("d1", 1, "100"), func(s *side) { s.EndToEnd = "E1" }), with(credit("c1", 1, "100"), func(s *side) { s.EndToEnd = "E2" })}, nil, 0},
		{"NOTPROVIDED is no id", []side{with(debit("d1", 1, "100"), func(s *side) { s.EndToEnd = "E1" }), with(credit("c1", 1, "100"), func(s *side) { s.EndToEnd = "NOTPROVIDED" })},
			[]string{"d1=c1 amount 9000"}, 0},
		{"one UETR shared by three is never guessed", []side{with(debit("d1", 1, "100"), func(s *side) { s.UETR = "u" }),
			with(credit("c1", 1, "100"), func(s *side) { s.UETR = "u" }), with(credit("c2", 1, "100"), func(s *side) { s.UETR = "U" })}, nil, 2},
		{"same export", []side{debit("d1", 1, "100"), with(credit("c1", 1, "100"), func(s *side) { s.Source = 1 })}, nil, 0},
		{"received amount stated by the sender (EUR sent, RSD received)", []side{
			with(debit("d1", 1, "1000"), func(s *side) {
				s.Received, s.ReceivedCcy = decimal.NewNullDecimal(decimal.RequireFromString("117150")), "RSD"
			}),
			with(credit("c1", 2, "117000"), func(s *side) { s.Currency = "RSD" })},
			[]string{"d1=c1 amount_fx 7600"}, 0},
		{"other currency without rates", []side{debit("d1", 1, "1000"), with(credit("c1", 1, "961"), func(s *side) { s.Currency = "CHF" })}, nil, 0},
		{"payer named only", []side{debit("d1", 1, "100"), with(credit("c1", 1, "100"), func(s *side) { s.From = "external:name:marko petrovic" })},
			[]string{"d1=c1 amount 8000"}, 0},
		{"payee named only", []side{with(debit("d1", 1, "100"), func(s *side) { s.To = "external:name:ana horvat" }), credit("c1", 1, "100")},
			[]string{"d1=c1 amount 8000"}, 0},
		{"a name of someone else", []side{debit("d1", 1, "100"), with(credit("c1", 1, "100"), func(s *side) { s.From = "external:name:jovan jovanovic" })}, nil, 0},
		{"both named only", []side{with(debit("d1", 1, "100"), func(s *side) { s.To = "external:name:ana horvat" }),
			with(credit("c1", 1, "100"), func(s *side) { s.From = "external:name:marko petrovic" })}, nil, 0},
		{"another payer", []side{debit("d1", 1, "100"), with(credit("c1", 1, "100"), func(s *side) { s.From = acctY })}, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pairs, amb := pairUp(tc.sides, testUniverse, p)
			if got := pairIDs(tc.sides, pairs); !slices.Equal(got, tc.pairs) {
				t.Errorf("pairs %v, want %v", got, tc.pairs)
			}
			if len(amb) != tc.amb {
				t.Errorf("ambiguous %v, want %d", pairIDs(tc.sides, amb), tc.amb)
			}
		})
	}
}

// TestPairUpOrderFree: the pairs do not depend on the order the sides are looked at.
func TestPairUpOrderFree(t *testing.T) {
	var sides []side
	for i := range 40 {
		d := 1 + i%7
		amt := fmt.Sprintf("%d.00", 100+(i%5)*10)
		sides = append(sides, debit(fmt.Sprintf("d%02d", i), d, amt))
		if i%3 != 0 {
			sides = append(sides, credit(fmt.Sprintf("c%02d", i), d+i%2, amt))
		}
	}
	p := params{days: 3, fee: Tolerance{Value: decimal.NewFromInt(2), Percent: true}}
	want := pairs(sides, p)
	if len(want) == 0 {
		t.Fatal("no pairs to compare")
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		s := slices.Clone(sides)
		r.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
		if got := pairs(s, p); !slices.Equal(got, want) {
			t.Fatalf("shuffled sides gave\n%v\nwant\n%v", got, want)
		}
	}
}

func pairs(sides []side, p params) []string {
	ps, amb := pairUp(sides, testUniverse, p)
	out := pairIDs(sides, ps)
	for _, a := range pairIDs(sides, amb) {
		out = append(out, "?"+a)
	}
	slices.Sort(out)
	return out
}

func TestKeep(t *testing.T) {
	a, b := debit("a", 1, "1"), credit("b", 1, "1")
	if k, _ := keep(&b, &a); k.ID != "a" {
		t.Errorf("kept %s, want the first ingested", k.ID)
	}
	a.Source, b.Source = 2, 1
	b.From = "external:name:marko petrovic"
	if k, _ := keep(&a, &b); k.ID != "a" {
		t.Errorf("kept %s, want the side that names both accounts", k.ID)
	}
}

func TestParseTolerance(t *testing.T) {
	for in, want := range map[string]string{"2%": "2%", " 0.5 % ": "0.5%", "5.00": "5", "0": "0", "-1": "error", "x%": "error", "%": "error", "101%": "error"} {
		tol, err := ParseTolerance(in)
		got := tol.String()
		if err != nil {
			got = "error"
		}
		if got != want {
			t.Errorf("ParseTolerance(%q) = %s (%v), want %s", in, got, err, want)
		}
	}
	tol, _ := ParseTolerance("2%")
	if got := tol.Allow(decimal.RequireFromString("1000.00")); !got.Equal(decimal.NewFromInt(20)) {
		t.Errorf("2%% of 1000 = %s", got)
	}
}

func TestParseWindow(t *testing.T) {
	for in, want := range map[string]int{"3d": 3, "0d": 0, "72h": 3, "47h": 1, "0": 0, "-1d": -1, "3 days": -1} {
		w, err := ParseWindow(in)
		got := windowDays(w)
		if err != nil {
			got = -1
		}
		if got != want {
			t.Errorf("ParseWindow(%q) = %d days (%v), want %d", in, got, err, want)
		}
	}
}

func TestMoney(t *testing.T) {
	for in, want := range map[string]string{"1200.000000": "1200.00", "430.5": "430.50", "0.125": "0.125", "-7.79": "-7.79"} {
		if got := money(decimal.RequireFromString(in)); got != want {
			t.Errorf("money(%s) = %s, want %s", in, got, want)
		}
	}
}
