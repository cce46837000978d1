package tracer

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestQueues checks the lot queues, with their lot held in the head, against plain slices of
// lots on random pushes and takes from either end over a few accounts (so that blocks move
// between accounts through the pool of blocks): the same parts taken, the same lots left, in order.
func TestQueues(t *testing.T) {
	const accounts = 4
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 3))
		q := newQueues(accounts)
		model := make([][]lot, accounts)
		origins := 3 + rng.IntN(30)
		for step := range 400 {
			a := int32(rng.IntN(accounts))
			if rng.IntN(2) == 0 {
				for range 1 + rng.IntN(8) {
					l := lot{Origin(rng.IntN(origins)), int64(1 + rng.IntN(9))}
					q.push(a, l)
					if n := len(model[a]); n > 0 && model[a][n-1].origin == l.origin {
						model[a][n-1].cents += l.cents
					} else {
						model[a] = append(model[a], l)
					}
				}
			} else {
				c := int64(rng.IntN(40))
				back := rng.IntN(2) == 0
				var got, want []lot
				var left, wantLeft int64
				if back {
					got, left = q.takeBack(a, c, nil)
				} else {
					got, left = q.takeFront(a, c, nil)
				}
				want, model[a], wantLeft = modelTake(model[a], c, back)
				if !reflect.DeepEqual(got, want) || left != wantLeft {
					t.Fatalf("seed %d step %d: take %d (back %v) from %d gave %v, %d left; want %v, %d", seed, step, c, back, a, got, left, want, wantLeft)
				}
			}
			var live []lot
			q.each(a, func(o Origin, c int64) { live = append(live, lot{o, c}) })
			if !reflect.DeepEqual(live, model[a]) && !(len(live) == 0 && len(model[a]) == 0) || q.size(a) != len(model[a]) {
				t.Fatalf("seed %d step %d: account %d holds %v (size %d), want %v", seed, step, a, live, q.size(a), model[a])
			}
			held := 0
			for _, m := range model {
				held += len(m)
			}
			if q.held != held {
				t.Fatalf("seed %d step %d: the queues count %d lots, the model holds %d", seed, step, q.held, held)
			}
		}
	}
}

// modelTake takes c cents from the front (or back) of lots, merging adjacent parts of one
// origin, and returns the parts, the lots left and the cents it could not take.
func modelTake(lots []lot, c int64, back bool) ([]lot, []lot, int64) {
	var parts []lot
	for c > 0 && len(lots) > 0 {
		i := 0
		if back {
			i = len(lots) - 1
		}
		x := min(c, lots[i].cents)
		parts = appendPart(parts, lot{lots[i].origin, x})
		lots[i].cents -= x
		c -= x
		if lots[i].cents == 0 {
			if back {
				lots = lots[:i]
			} else {
				lots = lots[1:]
			}
		}
	}
	return parts, append([]lot(nil), lots...), c
}
