package tracer

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// modelShares is the plain form of one account's shares that shareStore must match: a list
// in order of first arrival, zero shares dropped.
type modelShares []lot

func (m *modelShares) add(parts []lot) {
	at := make(map[Origin]int, len(*m))
	for i, l := range *m {
		at[l.origin] = i
	}
	for _, p := range parts {
		if i, ok := at[p.origin]; ok {
			(*m)[i].cents += p.cents
			continue
		}
		at[p.origin] = len(*m)
		*m = append(*m, p)
	}
}

func (m *modelShares) take(c int64, sp *splitter, out []lot) []lot {
	var sum int64
	for _, l := range *m {
		sum += l.cents
	}
	q := sp.split(c, *m, sum)
	keep := (*m)[:0]
	for i, l := range *m {
		if q[i] > 0 {
			out = appendPart(out, lot{l.origin, q[i]})
			l.cents -= q[i]
		}
		if l.cents > 0 {
			keep = append(keep, l)
		}
	}
	*m = keep
	return out
}

// TestShareStoreMatchesModel runs random credits and debits, some of them with many origins
// so that lists move between the head, blocks of every size (beyond 65,536 shares too) and the hub
// index, and requires the store to hold exactly the model's lists and to take exactly the
// model's parts.
func TestShareStoreMatchesModel(t *testing.T) {
	const accounts, origins = 6, 80_000
	var bigBlocks, hubs, spilled int
	for seed := range uint64(6) {
		rng := rand.New(rand.NewPCG(seed, 7))
		st := newShareStore(accounts)
		sp, spModel := newSplitter(origins), newSplitter(origins)
		model := make([]modelShares, accounts)
		var one [1]lot
		check := func(step int, what string, a int32) {
			t.Helper()
			{
				got := st.list(a, &one)
				var total int64
				for _, l := range got {
					total += l.cents
				}
				if !slices.Equal(got, []lot(model[a])) && !(len(got) == 0 && len(model[a]) == 0) || total != st.h[a].total {
					t.Fatalf("seed %d step %d (%s): account %d holds %v (total %d), want %v", seed, step, what, a, got, st.h[a].total, model[a])
				}
			}
			held := 0
			for _, m := range model {
				held += len(m)
			}
			if st.held != held {
				t.Fatalf("seed %d step %d (%s): the store counts %d shares, the model holds %d", seed, step, what, st.held, held)
			}
		}
		for step := range 3000 {
			a := int32(rng.IntN(accounts))
			if rng.IntN(2) == 0 || st.h[a].total == 0 {
				var parts []lot
				n := 1 + rng.IntN(3)
				if rng.IntN(200) == 0 {
					n = rng.IntN(70_000)
				}
				span := 1 + rng.IntN(origins-1)
				if rng.IntN(4) == 0 {
					span = 4
				}
				for range n {
					parts = append(parts, lot{Origin(rng.IntN(span)), 1 + rng.Int64N(1000)})
				}
				st.add(a, parts, sp)
				model[a].add(parts)
				check(step, "add", a)
				continue
			}
			c := 1 + rng.Int64N(st.h[a].total)
			if rng.IntN(5) == 0 || st.h[a].n > 1000 && rng.IntN(2) == 0 {
				c = st.h[a].total
			}
			got := st.take(a, c, sp, nil)
			want := model[a].take(c, spModel, nil)
			if !slices.Equal(got, want) {
				t.Fatalf("seed %d step %d: take %d from account %d gave %v, want %v", seed, step, c, a, got, want)
			}
			check(step, "take", a)
			if st.meta[a]&hubBit != 0 {
				hubs++
			}
			if st.meta[a] == 0 && st.h[a].n == 1 {
				spilled++
			}
		}
		for a := range int32(accounts) {
			check(-1, "end", a)
		}
		for _, b := range st.blocks {
			if len(b) > 1<<16 {
				bigBlocks++
			}
		}
	}
	if bigBlocks == 0 || hubs == 0 || spilled == 0 {
		t.Errorf("the test missed a case: %d blocks beyond 65,536 shares, %d debits from a hub, %d debits leaving one share in the head", bigBlocks, hubs, spilled)
	}
}
