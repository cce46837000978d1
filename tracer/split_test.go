package tracer

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/moneytrail/moneytrail/internal/money"
)

func TestSplitEdgeCases(t *testing.T) {
	tests := []struct {
		name    string
		total   int64
		weights []int64
		want    []int64
	}{
		{"one cent over three equal origins goes to the oldest", 1, []int64{1, 1, 1}, []int64{1, 0, 0}},
		{"two cents over three equal origins go to the two oldest", 2, []int64{5, 5, 5}, []int64{1, 1, 0}},
		{"largest remainder beats age", 1, []int64{1, 2}, []int64{0, 1}},
		{"exact shares need no rounding", 600, []int64{1000, 2000}, []int64{200, 400}},
		{"whole balance", 30, []int64{10, 20}, []int64{10, 20}},
		{"exact share beside tied remainders: the cent goes to the oldest tie", 2, []int64{1, 1, 1, 1, 4}, []int64{1, 0, 0, 0, 1}},
		{"tiny share may lose its only cent", 1, []int64{1, 3}, []int64{0, 1}},
		{"large amounts do not overflow", 9_000_000_000_000_000, []int64{9_000_000_000_000_000, 1}, []int64{8_999_999_999_999_999, 1}},
		{"part of a large balance", 4_611_686_018_427_387_903, []int64{3_074_457_345_618_258_602, 3_074_457_345_618_258_603, 3_074_457_345_618_258_602}, []int64{1_537_228_672_809_129_301, 1_537_228_672_809_129_301, 1_537_228_672_809_129_301}},
	}
	sp := newSplitter(1)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := make([]lot, len(tt.weights))
			var sum int64
			for i, x := range tt.weights {
				w[i] = lot{Origin(i), x}
				sum += x
			}
			got := sp.split(tt.total, w, sum)
			if !slices.Equal(got, tt.want) {
				t.Errorf("split(%d, %v) = %v, want %v", tt.total, tt.weights, got, tt.want)
			}
			ref, err := money.Split(tt.total, tt.weights)
			if err != nil || !slices.Equal(ref, tt.want) {
				t.Errorf("money.Split(%d, %v) = %v, %v; want %v", tt.total, tt.weights, ref, err, tt.want)
			}
		})
	}
}

// TestSplitMatchesMoney checks the allocation-free split against money.SplitInto, the
// project's reference implementation of the largest-remainder rule, on random inputs.
func TestSplitMatchesMoney(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sp := newSplitter(1)
	for range 20000 {
		n := 1 + rng.IntN(12)
		if rng.IntN(3) == 0 {
			n = 1 + rng.IntN(60) // more than 16 cents left over to hand out
		}
		weights := make([]int64, n)
		w := make([]lot, n)
		var sum int64
		for i := range weights {
			weights[i] = rng.Int64N(20)
			if rng.IntN(4) == 0 {
				weights[i] = rng.Int64N(1 << 40)
			}
			if n <= 3 && rng.IntN(3) == 0 {
				// Near the int64 range: the products need all 128 bits.
				weights[i] = rng.Int64N(1 << 61)
			}
			w[i] = lot{0, weights[i]}
			sum += weights[i]
		}
		if sum == 0 {
			continue
		}
		total := rng.Int64N(sum + 1)
		want, err := money.Split(total, weights)
		if err != nil {
			t.Fatal(err)
		}
		if got := sp.split(total, w, sum); !slices.Equal(got, want) {
			t.Fatalf("split(%d, %v) = %v, money.Split = %v", total, weights, got, want)
		}
	}
}

// TestProRataCentTie takes one cent from an account holding three seeds of 1.00 each, in
// arrival order S1, S2, S3: the shares tie, so the cent comes from the oldest, S1.
func TestProRataCentTie(t *testing.T) {
	s := newScenario()
	k1 := s.seed("external:a", "X", 100, 0)
	k2 := s.seed("external:b", "X", 100, 0)
	k3 := s.seed("external:c", "X", 100, 0)
	s.pay("X", "cash:out", 1)
	rep := s.run(t, ProRata, LIBR)
	for _, m := range []Method{ProRata, LIBR} {
		got := []int64{
			s.at(rep, m, "X", seedOrigin(t, rep, k1)), s.at(rep, m, "X", seedOrigin(t, rep, k2)),
			s.at(rep, m, "X", seedOrigin(t, rep, k3)), s.at(rep, m, "cash:out", seedOrigin(t, rep, k1)),
		}
		if want := []int64{99, 100, 100, 1}; !slices.Equal(got, want) {
			t.Errorf("%s: X holds S1/S2/S3 and the exit S1 = %v, want %v", m, got, want)
		}
	}
}
