package tracer

import (
	"math/bits"
	"slices"
)

// shares holds one amount per origin, in order of first arrival, for the proportional
// methods. Zero shares are dropped, so the order is that of the origins' current presence.
// A long list (a hub that receives from many origins) keeps an index from origin to
// position, so that a credit costs the size of the credit, not of the list.
type shares struct {
	s     []lot
	total int64
	idx   map[Origin]int32
}

// indexFrom is the list length from which shares keep an index (a variable for tests).
var indexFrom = 48

func (sh *shares) reindex() {
	if len(sh.s) < indexFrom/2 {
		sh.idx = nil
		return
	}
	if sh.idx == nil {
		sh.idx = make(map[Origin]int32, len(sh.s))
	} else {
		clear(sh.idx)
	}
	for i, l := range sh.s {
		sh.idx[l.origin] = int32(i)
	}
}

// splitter holds the reusable buffers of a largest-remainder split.
type splitter struct {
	q, rem []int64
	idx    []int32
	pos    []int32 // per origin: index in the receiving share list, or -1
}

func newSplitter(origins int) *splitter {
	sp := &splitter{pos: make([]int32, origins)}
	for i := range sp.pos {
		sp.pos[i] = -1
	}
	return sp
}

// split divides total over the shares' amounts (which sum to sum > 0) by the
// largest-remainder rule, ties to the lower index, leaving the parts in sp.q. It computes
// the same parts as money.SplitInto without allocating.
func (sp *splitter) split(total int64, w []lot, sum int64) []int64 {
	n := len(w)
	sp.q = slices.Grow(sp.q[:0], n)[:n]
	sp.rem = slices.Grow(sp.rem[:0], n)[:n]
	q, rem := sp.q, sp.rem
	left := total
	for i := range w {
		hi, lo := bits.Mul64(uint64(total), uint64(w[i].cents))
		qq, rr := bits.Div64(hi, lo, uint64(sum))
		q[i], rem[i] = int64(qq), int64(rr)
		left -= int64(qq)
	}
	if left == 0 {
		return q
	}
	idx := sp.idx[:0]
	for i, r := range rem {
		if r > 0 {
			idx = append(idx, int32(i))
		}
	}
	slices.SortFunc(idx, func(a, b int32) int {
		if rem[a] != rem[b] {
			if rem[a] > rem[b] {
				return -1
			}
			return 1
		}
		return int(a - b)
	})
	for _, i := range idx[:left] {
		q[i]++
	}
	sp.idx = idx
	return q
}

// take removes c cents (0 < c <= total) from the shares in proportion, appending the parts
// to out in share order.
func (sh *shares) take(c int64, sp *splitter, out []lot) []lot {
	if c >= sh.total {
		for _, l := range sh.s {
			out = appendPart(out, l)
		}
		sh.s, sh.total = sh.s[:0], 0
		// A drained hub keeps its (emptied) index: it is usually refilled by as many
		// origins, and rebuilding the map is most of the cost of a pass-through.
		clear(sh.idx)
		return out
	}
	q := sp.split(c, sh.s, sh.total)
	keep := sh.s[:0]
	for i, l := range sh.s {
		if q[i] > 0 {
			out = appendPart(out, lot{l.origin, q[i]})
			l.cents -= q[i]
		}
		if l.cents > 0 {
			keep = append(keep, l)
		}
	}
	removed := len(sh.s) != len(keep)
	sh.s = keep
	sh.total -= c
	if removed && sh.idx != nil {
		sh.reindex()
	}
	return out
}

// add merges parts into the shares: an origin already present grows, a new one is appended.
func (sh *shares) add(parts []lot, sp *splitter) {
	if sh.idx != nil {
		for _, p := range parts {
			sh.total += p.cents
			if i, ok := sh.idx[p.origin]; ok {
				sh.s[i].cents += p.cents
				continue
			}
			sh.idx[p.origin] = int32(len(sh.s))
			sh.s = append(sh.s, p)
		}
		return
	}
	defer func() {
		if len(sh.s) >= indexFrom {
			sh.reindex()
		}
	}()
	if len(sh.s)*len(parts) <= 64 {
	next:
		for _, p := range parts {
			sh.total += p.cents
			for i := range sh.s {
				if sh.s[i].origin == p.origin {
					sh.s[i].cents += p.cents
					continue next
				}
			}
			sh.s = append(sh.s, p)
		}
		return
	}
	pos := sp.pos
	for i, l := range sh.s {
		pos[l.origin] = int32(i)
	}
	for _, p := range parts {
		sh.total += p.cents
		if i := pos[p.origin]; i >= 0 {
			sh.s[i].cents += p.cents
			continue
		}
		pos[p.origin] = int32(len(sh.s))
		sh.s = append(sh.s, p)
	}
	for _, l := range sh.s {
		pos[l.origin] = -1
	}
}
