package tracer

// lot is an amount of one origin: a lot held by an account, or a part taken by a debit.
type lot struct {
	origin Origin
	cents  int64
}

// deque holds an account's lots in arrival order. A single lot, the usual case (an account
// whose money is all of one origin), sits in the deque itself (one, oneOrigin), so that a
// transaction touching the account reads one cache line, not two; otherwise the live lots are
// buf[head:]. Taking from the front advances head; the slack is reclaimed when the deque
// empties or when a push finds at least half the buffer dead, so each lot is copied O(1)
// times amortised and a steady stream allocates nothing.
type deque struct {
	buf       []lot
	one       int64 // cents of the inline lot; 0 when there is none (then buf holds the lots)
	oneOrigin Origin
	head      int32
}

// size is the number of live lots.
func (d *deque) size() int {
	if d.one > 0 {
		return 1
	}
	return len(d.buf) - int(d.head)
}

// touch loads the oldest lot held apart, if any (see prefetchRows).
func (d *deque) touch() int64 {
	if int(d.head) < len(d.buf) {
		return d.buf[d.head].cents
	}
	return 0
}

// each calls f for every live lot, oldest first.
func (d *deque) each(f func(Origin, int64)) {
	if d.one > 0 {
		f(d.oneOrigin, d.one)
		return
	}
	for _, l := range d.buf[d.head:] {
		f(l.origin, l.cents)
	}
}

// push appends l as the newest lot, merging it into the newest lot when the origin matches
// (adjacent lots of one origin are indistinguishable to every method).
func (d *deque) push(l lot) {
	if d.one > 0 {
		if d.oneOrigin == l.origin {
			d.one += l.cents
			return
		}
		d.buf, d.head = append(d.buf[:0], lot{d.oneOrigin, d.one}, l), 0
		d.one = 0
		return
	}
	n := len(d.buf)
	if n == int(d.head) {
		d.buf, d.head = d.buf[:0], 0
		d.one, d.oneOrigin = l.cents, l.origin
		return
	}
	if d.buf[n-1].origin == l.origin {
		d.buf[n-1].cents += l.cents
		return
	}
	if d.head > 0 && int(d.head) >= n/2 {
		live := copy(d.buf, d.buf[d.head:])
		d.buf = d.buf[:live]
		d.head = 0
	}
	d.buf = append(d.buf, l)
}

// takeOne takes up to c cents from the inline lot.
func (d *deque) takeOne(c int64, out []lot) ([]lot, int64) {
	if c <= 0 {
		return out, c
	}
	x := min(c, d.one)
	d.one -= x
	return appendPart(out, lot{d.oneOrigin, x}), c - x
}

// takeFront takes up to c cents from the oldest lots, appending them to out; it returns
// out and the cents it could not take.
func (d *deque) takeFront(c int64, out []lot) ([]lot, int64) {
	if d.one > 0 {
		return d.takeOne(c, out)
	}
	for c > 0 && int(d.head) < len(d.buf) {
		l := &d.buf[d.head]
		if l.cents <= c {
			out = appendPart(out, *l)
			c -= l.cents
			d.head++
			continue
		}
		out = appendPart(out, lot{l.origin, c})
		l.cents -= c
		c = 0
	}
	if int(d.head) == len(d.buf) {
		d.buf, d.head = d.buf[:0], 0
	}
	return out, c
}

// takeBack takes up to c cents from the newest lots, appending them to out; it returns out
// and the cents it could not take.
func (d *deque) takeBack(c int64, out []lot) ([]lot, int64) {
	if d.one > 0 {
		return d.takeOne(c, out)
	}
	for c > 0 && len(d.buf) > int(d.head) {
		l := &d.buf[len(d.buf)-1]
		if l.cents <= c {
			out = appendPart(out, *l)
			c -= l.cents
			d.buf = d.buf[:len(d.buf)-1]
			continue
		}
		out = appendPart(out, lot{l.origin, c})
		l.cents -= c
		c = 0
	}
	if int(d.head) == len(d.buf) {
		d.buf, d.head = d.buf[:0], 0
	}
	return out, c
}

// appendPart appends l to parts, merging it into the last part when the origin matches.
func appendPart(parts []lot, l lot) []lot {
	if n := len(parts); n > 0 && parts[n-1].origin == l.origin {
		parts[n-1].cents += l.cents
		return parts
	}
	return append(parts, l)
}
