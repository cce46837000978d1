package tracer

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestDeque checks the deque, with its inline lot, against a plain slice of lots on random
// pushes and takes from either end: the same parts taken, the same lots left, in order.
func TestDeque(t *testing.T) {
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 3))
		var d deque
		var model []lot
		for step := range 200 {
			if rng.IntN(2) == 0 {
				l := lot{Origin(rng.IntN(3)), int64(1 + rng.IntN(9))}
				d.push(l)
				if n := len(model); n > 0 && model[n-1].origin == l.origin {
					model[n-1].cents += l.cents
				} else {
					model = append(model, l)
				}
			} else {
				c := int64(rng.IntN(15))
				back := rng.IntN(2) == 0
				var got, want []lot
				var left, wantLeft int64
				if back {
					got, left = d.takeBack(c, nil)
				} else {
					got, left = d.takeFront(c, nil)
				}
				want, model, wantLeft = modelTake(model, c, back)
				if !reflect.DeepEqual(got, want) || left != wantLeft {
					t.Fatalf("seed %d step %d: take %d (back %v) gave %v, %d left; want %v, %d", seed, step, c, back, got, left, want, wantLeft)
				}
			}
			var live []lot
			d.each(func(o Origin, c int64) { live = append(live, lot{o, c}) })
			if !reflect.DeepEqual(live, model) && !(len(live) == 0 && len(model) == 0) || d.size() != len(model) {
				t.Fatalf("seed %d step %d: deque holds %v (size %d), want %v", seed, step, live, d.size(), model)
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
