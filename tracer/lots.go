package tracer

// lot is an amount of one origin: a lot held by an account, or a part taken by a debit.
type lot struct {
	origin Origin
	cents  int64
}

// deque holds an account's lots in arrival order: live lots are buf[head:]. Taking from the
// front advances head; the slack is reclaimed when the deque empties or when a push finds
// at least half the buffer dead, so each lot is copied O(1) times amortised and a steady
// stream allocates nothing.
type deque struct {
	buf  []lot
	head int
}

// push appends l as the newest lot, merging it into the newest lot when the origin matches
// (adjacent lots of one origin are indistinguishable to every method).
func (d *deque) push(l lot) {
	n := len(d.buf)
	if n > d.head && d.buf[n-1].origin == l.origin {
		d.buf[n-1].cents += l.cents
		return
	}
	if d.head > 0 && d.head >= n/2 {
		live := copy(d.buf, d.buf[d.head:])
		d.buf = d.buf[:live]
		d.head = 0
	}
	d.buf = append(d.buf, l)
}

// takeFront takes up to c cents from the oldest lots, appending them to out; it returns
// out and the cents it could not take.
func (d *deque) takeFront(c int64, out []lot) ([]lot, int64) {
	for c > 0 && d.head < len(d.buf) {
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
	if d.head == len(d.buf) {
		d.buf, d.head = d.buf[:0], 0
	}
	return out, c
}

// takeBack takes up to c cents from the newest lots, appending them to out; it returns out
// and the cents it could not take.
func (d *deque) takeBack(c int64, out []lot) ([]lot, int64) {
	for c > 0 && len(d.buf) > d.head {
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
	if d.head == len(d.buf) {
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
