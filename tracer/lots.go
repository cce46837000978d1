package tracer

// lot is an amount of one origin: a lot held by an account, or a part taken by a debit.
type lot struct {
	origin Origin
	cents  int64
}

// queues holds, for every account, lots in arrival order, for the methods that spend them in
// order: fifo, lifo, and the untainted (libr) or both kinds (tainted-first) of lots.
//
// Each account has a 16-byte head; a single lot, the usual case (an account whose money is
// all of one origin), sits in the head itself, so that a transaction touching the account
// reads one cache line. More lots live in a block (see blockPool), the live ones at
// block[x : x+n]. Taking from the front advances x; a push into a full block moves the lots
// to its front when at least half of it is dead, or else to a block twice the size, so each
// lot is copied O(1) times amortised. A block that falls to one lot goes back to the pool.
type queues struct {
	h    []queueHead
	meta []uint8 // per account: the block's class, 0 when the head holds the lots
	held int     // live lots of all accounts
	blockPool
}

// queueHead is an account's lots. Without a block, x is the cents of the single lot (0: no
// lot) and ref its origin; with one, x is the index of the oldest live lot in the block, ref
// the block's offset and n the number of live lots (at least 2).
type queueHead struct {
	x   int64
	ref uint32
	n   uint32
}

func newQueues(accounts int) *queues {
	return &queues{h: make([]queueHead, accounts), meta: make([]uint8, accounts)}
}

// size is the number of live lots of account a.
func (q *queues) size(a int32) int {
	if q.meta[a] == 0 {
		if q.h[a].x > 0 {
			return 1
		}
		return 0
	}
	return int(q.h[a].n)
}

// live returns the live lots of account a, which has a block.
func (q *queues) live(a int32) []lot {
	h := &q.h[a]
	return q.block(h.ref, uint32(h.x)+h.n)[h.x:]
}

// each calls f for every live lot of account a, oldest first.
func (q *queues) each(a int32, f func(Origin, int64)) {
	if q.meta[a] == 0 {
		if h := &q.h[a]; h.x > 0 {
			f(Origin(h.ref), h.x)
		}
		return
	}
	for _, l := range q.live(a) {
		f(l.origin, l.cents)
	}
}

// push appends l to account a's lots as the newest, merging it into the newest lot when the
// origin matches (adjacent lots of one origin are indistinguishable to every method).
func (q *queues) push(a int32, l lot) {
	h := &q.h[a]
	if q.meta[a] == 0 {
		switch {
		case h.x == 0:
			h.x, h.ref = l.cents, uint32(l.origin)
			q.held++
			return
		case Origin(h.ref) == l.origin:
			h.x += l.cents
			return
		}
		q.held++
		off := q.alloc(1)
		b := q.block(off, 2)
		b[0], b[1] = lot{Origin(h.ref), h.x}, l
		h.x, h.ref, h.n = 0, off, 2
		q.meta[a] = 1
		return
	}
	start, end := uint32(h.x), uint32(h.x)+h.n
	if b := q.block(h.ref, end); b[end-1].origin == l.origin {
		b[end-1].cents += l.cents
		return
	}
	if class := q.meta[a]; int(end) == blockLen(class) {
		if int(start) >= blockLen(class)/2 {
			b := q.block(h.ref, end)
			copy(b, b[start:])
		} else {
			if class == maxClass {
				panic("tracer: lot queue too long")
			}
			off := q.alloc(class + 1)
			copy(q.block(off, h.n), q.block(h.ref, end)[start:])
			q.release(class, h.ref)
			h.ref = off
			q.meta[a] = class + 1
		}
		h.x, end = 0, h.n
	}
	q.block(h.ref, end+1)[end] = l
	h.n++
	q.held++
}

// takeFront takes up to c cents from account a's oldest lots, appending them to out; it
// returns out and the cents it could not take.
func (q *queues) takeFront(a int32, c int64, out []lot) ([]lot, int64) {
	return q.take(a, c, out, false)
}

// takeBack takes up to c cents from account a's newest lots, appending them to out; it
// returns out and the cents it could not take.
func (q *queues) takeBack(a int32, c int64, out []lot) ([]lot, int64) {
	return q.take(a, c, out, true)
}

// take takes up to c cents from account a's lots, newest first or oldest first, appending
// them to out; it returns out and the cents it could not take.
func (q *queues) take(a int32, c int64, out []lot, newest bool) ([]lot, int64) {
	h := &q.h[a]
	if q.meta[a] == 0 {
		return q.takeOne(h, c, out)
	}
	start, n := uint32(h.x), h.n
	b := q.block(h.ref, start+n)
	for c > 0 && n > 0 {
		i := start
		if newest {
			i = start + n - 1
		}
		l := &b[i]
		if l.cents <= c {
			out = appendPart(out, *l)
			c -= l.cents
			n--
			if !newest {
				start++
			}
			continue
		}
		out = appendPart(out, lot{l.origin, c})
		l.cents -= c
		c = 0
	}
	q.held -= int(h.n - n)
	h.x, h.n = int64(start), n
	q.settle(a)
	return out, c
}

// takeOne takes up to c cents from the lot held in head h.
func (q *queues) takeOne(h *queueHead, c int64, out []lot) ([]lot, int64) {
	if c <= 0 || h.x == 0 {
		return out, c
	}
	x := min(c, h.x)
	h.x -= x
	if h.x == 0 {
		q.held--
	}
	return appendPart(out, lot{Origin(h.ref), x}), c - x
}

// settle returns account a's block to the pool once at most one lot is left in it.
func (q *queues) settle(a int32) {
	h := &q.h[a]
	if h.n > 1 {
		return
	}
	var l lot
	if h.n == 1 {
		l = q.block(h.ref, uint32(h.x)+1)[h.x]
	}
	q.release(q.meta[a], h.ref)
	q.meta[a] = 0
	h.x, h.ref, h.n = l.cents, uint32(l.origin), 0
}

// appendPart appends l to parts, merging it into the last part when the origin matches.
func appendPart(parts []lot, l lot) []lot {
	if n := len(parts); n > 0 && parts[n-1].origin == l.origin {
		parts[n-1].cents += l.cents
		return parts
	}
	return append(parts, l)
}
