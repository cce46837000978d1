package tracer

import (
	"math/bits"
	"slices"
)

// shareStore holds, for every account, one amount per origin in order of first arrival, for
// the proportional methods. Zero shares are dropped, so the order is that of the origins'
// current presence.
//
// Each account has a 16-byte head; a single share, the usual case, sits in the head itself,
// so that a transaction touching the account reads one cache line. Longer lists live in a
// block (see blockPool). A long list (a hub that receives from many origins) also keeps an
// index from origin to position, so that a credit costs the size of the credit, not of the
// list.
type shareStore struct {
	h    []shareHead
	meta []uint8 // per account: the block's class (0: none, the head holds the list) and hubBit
	held int     // shares of all accounts
	blockPool
	hubs map[int32]map[Origin]int32
}

// shareHead is an account's list: total is the sum of its n shares. With no block, n <= 1
// and ref is the origin of the single share (whose amount is total); otherwise ref is the
// offset of the block.
type shareHead struct {
	total int64
	ref   uint32
	n     uint32
}

const (
	hubBit    = 0x80
	classMask = 0x7f
)

// indexFrom is the list length from which shares keep an index (a variable for tests).
var indexFrom = 48

func newShareStore(accounts int) *shareStore {
	return &shareStore{h: make([]shareHead, accounts), meta: make([]uint8, accounts)}
}

// drop returns account a's block to the pool; the head must then hold the list.
func (st *shareStore) drop(a int32) {
	st.release(st.meta[a]&classMask, st.h[a].ref)
	st.meta[a] = 0
}

// list returns the shares of account a, in order. A list held in the head is copied to one.
func (st *shareStore) list(a int32, one *[1]lot) []lot {
	h := &st.h[a]
	if st.meta[a] == 0 {
		if h.n == 0 {
			return nil
		}
		one[0] = lot{Origin(h.ref), h.total}
		return one[:]
	}
	return st.block(h.ref, h.n)
}

// take removes c cents (0 < c <= total) from account a's shares in proportion, appending the
// parts to out in share order.
func (st *shareStore) take(a int32, c int64, sp *splitter, out []lot) []lot {
	h := &st.h[a]
	m := st.meta[a]
	if m == 0 {
		// One share: c <= total means it is there.
		out = appendPart(out, lot{Origin(h.ref), c})
		h.total -= c
		if h.total == 0 {
			h.n = 0
			st.held--
		}
		return out
	}
	s := st.block(h.ref, h.n)
	if c >= h.total {
		for _, l := range s {
			out = appendPart(out, l)
		}
		st.held -= len(s)
		h.n, h.total = 0, 0
		if m&hubBit != 0 {
			// A drained hub keeps its block and its (emptied) index: it is usually refilled
			// by as many origins, and rebuilding the map is most of the cost of a
			// pass-through.
			clear(st.hubs[a])
		} else {
			st.drop(a)
		}
		return out
	}
	q := sp.split(c, s, h.total)
	keep := s[:0]
	for i, l := range s {
		if q[i] > 0 {
			out = appendPart(out, lot{l.origin, q[i]})
			l.cents -= q[i]
		}
		if l.cents > 0 {
			keep = append(keep, l)
		}
	}
	h.total -= c
	if len(keep) == len(s) {
		return out
	}
	st.held -= len(s) - len(keep)
	h.n = uint32(len(keep))
	if m&hubBit != 0 {
		if len(keep) >= indexFrom/2 {
			st.reindex(a)
			return out
		}
		delete(st.hubs, a)
		st.meta[a] &^= hubBit
	}
	if len(keep) == 1 {
		o := keep[0].origin
		st.drop(a)
		h.ref = uint32(o)
	}
	return out
}

// reindex rebuilds the origin index of hub a.
func (st *shareStore) reindex(a int32) {
	idx := st.hubs[a]
	clear(idx)
	h := &st.h[a]
	for i, l := range st.block(h.ref, h.n) {
		idx[l.origin] = int32(i)
	}
}

// add merges parts into account a's shares: an origin already present grows, a new one is
// appended.
func (st *shareStore) add(a int32, parts []lot, sp *splitter) {
	h := &st.h[a]
	if st.meta[a] == 0 {
		for i, p := range parts {
			switch {
			case h.n == 0:
				h.ref, h.n = uint32(p.origin), 1
				st.held++
			case Origin(h.ref) != p.origin:
				st.spill(a, uint32(len(parts)-i))
				st.addBlock(a, parts[i:], sp)
				return
			}
			h.total += p.cents
		}
		return
	}
	st.addBlock(a, parts, sp)
}

// spill moves account a's single share from its head to a new block with room for more.
func (st *shareStore) spill(a int32, more uint32) {
	h := &st.h[a]
	class := uint8(1)
	for blockLen(class) < 1+int(more) && class < maxClass {
		class++
	}
	off := st.alloc(class)
	st.block(off, 1)[0] = lot{Origin(h.ref), h.total}
	h.ref = off
	st.meta[a] = class
}

// push appends l to account a's block, moving the list to a larger block when it is full.
func (st *shareStore) push(a int32, l lot) {
	h := &st.h[a]
	class := st.meta[a] & classMask
	if int(h.n) == blockLen(class) {
		if class == maxClass {
			panic("tracer: share list too long")
		}
		off := st.alloc(class + 1)
		copy(st.block(off, h.n), st.block(h.ref, h.n))
		st.release(class, h.ref)
		h.ref = off
		st.meta[a]++
	}
	h.n++
	st.held++
	st.block(h.ref, h.n)[h.n-1] = l
}

// addBlock is add for a list held in a block.
func (st *shareStore) addBlock(a int32, parts []lot, sp *splitter) {
	h := &st.h[a]
	if st.meta[a]&hubBit != 0 {
		idx := st.hubs[a]
		for _, p := range parts {
			h.total += p.cents
			if i, ok := idx[p.origin]; ok {
				st.block(h.ref, h.n)[i].cents += p.cents
				continue
			}
			idx[p.origin] = int32(h.n)
			st.push(a, p)
		}
		return
	}
	if int(h.n)*len(parts) <= 64 {
	next:
		for _, p := range parts {
			h.total += p.cents
			s := st.block(h.ref, h.n)
			for i := range s {
				if s[i].origin == p.origin {
					s[i].cents += p.cents
					continue next
				}
			}
			st.push(a, p)
		}
	} else {
		pos := sp.pos
		for i, l := range st.block(h.ref, h.n) {
			pos[l.origin] = int32(i)
		}
		for _, p := range parts {
			h.total += p.cents
			if i := pos[p.origin]; i >= 0 {
				st.block(h.ref, h.n)[i].cents += p.cents
				continue
			}
			pos[p.origin] = int32(h.n)
			st.push(a, p)
		}
		for _, l := range st.block(h.ref, h.n) {
			pos[l.origin] = -1
		}
	}
	if int(h.n) >= indexFrom {
		if st.hubs == nil {
			st.hubs = make(map[int32]map[Origin]int32)
		}
		st.hubs[a] = make(map[Origin]int32, h.n)
		st.meta[a] |= hubBit
		st.reindex(a)
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
	if total < sum {
		// Part of a balance, the usual case: one division instead of one per share.
		// m = floor(total*2^64/sum) fits in 64 bits (total < sum). For a share w <= sum <
		// 2^63, floor(m*w/2^64) is the exact part floor(total*w/sum) or one less (m falls
		// short of total*2^64/sum by less than 1, so m*w/2^64 falls short of total*w/sum
		// by less than 1); the remainder total*w - part*sum is then below 2*sum < 2^64,
		// so 64-bit arithmetic that wraps gets it exactly, and one comparison corrects both.
		t, s := uint64(total), uint64(sum)
		m, _ := bits.Div64(t, 0, s)
		for i := range w {
			x := uint64(w[i].cents)
			qq, _ := bits.Mul64(m, x)
			rr := t*x - qq*s
			if rr >= s {
				qq, rr = qq+1, rr-s
			}
			q[i], rem[i] = int64(qq), int64(rr)
			left -= int64(qq)
		}
	} else {
		for i := range w {
			hi, lo := bits.Mul64(uint64(total), uint64(w[i].cents))
			qq, rr := bits.Div64(hi, lo, uint64(sum))
			q[i], rem[i] = int64(qq), int64(rr)
			left -= int64(qq)
		}
	}
	switch {
	case left == 0:
		return q
	case left == 1:
		// The largest remainder, the first of equals.
		best, br := 0, int64(0)
		for i, r := range rem {
			if r > br {
				best, br = i, r
			}
		}
		q[best]++
		return q
	}
	idx := sp.idx[:0]
	if left <= 16 {
		// The left largest remainders, kept in order (larger first, then lower index) by
		// insertion: every newcomer has the highest index so far, so it goes after its equals
		// and displaces the last only by a larger remainder.
		for i, r := range rem {
			if r == 0 || len(idx) == int(left) && r <= rem[idx[left-1]] {
				continue
			}
			if len(idx) == int(left) {
				idx = idx[:left-1]
			}
			k := len(idx)
			idx = append(idx, int32(i))
			for k > 0 && rem[idx[k-1]] < r {
				idx[k] = idx[k-1]
				k--
			}
			idx[k] = int32(i)
		}
		for _, i := range idx {
			q[i]++
		}
		sp.idx = idx
		return q
	}
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
