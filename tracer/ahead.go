package tracer

import "unsafe"

// Loading ahead.
//
// The state a transaction reads (per-account heads, and the lots an account keeps in a block
// of the slab) lies anywhere in memory far larger than the caches, so nearly every
// transaction would wait for memory several times in turn. The passes over a batch therefore
// ask the processor, some rows ahead, to load what those rows will read (prefetch): heads two
// blocks of gatherRows rows ahead, and the lots behind them one block ahead, once the heads
// are in cache to say where the lots are. A prefetch does not wait for its line, so the
// processor goes on replaying meanwhile. Replaying the 5M AMLworld-shaped rows of the trace
// benchmark in memory, prorata took 0.74-0.78 s against 0.86-0.98 s with loads that were
// waited for (a tight loop of them per block, as before), and fifo 0.23-0.24 s against
// 0.27-0.28. Whatever has moved between the prefetch and the use (a block grown into a
// larger one) only costs a miss later: prefetching never changes a result and never faults.
// Go has no prefetch of its own: amd64 and arm64 have a few lines of assembly, and other
// architectures replay without loading ahead.

// addr is the address of x, for prefetch.
func addr[T any](x *T) uintptr { return uintptr(unsafe.Pointer(x)) }

// ahead collects the addresses a pass prefetches (see prefetch), reused from block to block.
type ahead struct{ addrs []uintptr }

// rows prefetches, for the transactions of ts from lo on (gatherRows of them, or fewer at the
// end), the heads of their accounts in st, or with deep set what lies behind them.
func (h *ahead) rows(ts []txnCtx, lo int, st store, deep bool) {
	if lo >= len(ts) {
		return
	}
	h.addrs = st.ahead(ts[lo:min(lo+gatherRows, len(ts))], deep, h.addrs[:0])
	prefetch(h.addrs)
}

// batch prefetches, for the rows of b from lo on (gatherRows of them, or fewer at the end),
// what get appends for their accounts; the account indexes are not checked yet, and it skips
// those outside 0..na-1 (Prepare reports them).
func (h *ahead) batch(b *Batch, lo int, na uint32, get func(a int32, out []uintptr) []uintptr) {
	if lo >= len(b.From) {
		return
	}
	out := h.addrs[:0]
	for j := lo; j < min(lo+gatherRows, len(b.From)); j++ {
		if f, t := uint32(b.From[j]), uint32(b.To[j]); f < na && t < na {
			out = get(int32(f), out)
			out = get(int32(t), out)
		}
	}
	prefetch(out)
	h.addrs = out
}

// appendAhead appends, for both accounts of every transaction of ts, the heads (with deep set,
// the lines) of q and of sh, either of which may be nil: the loop of the stores' ahead
// methods, calling the parts' methods directly (through function values, fifo's replay took
// 13% longer).
func appendAhead(out []uintptr, ts []txnCtx, deep bool, q *queues, sh *shareStore) []uintptr {
	switch {
	case q != nil && deep:
		for _, t := range ts {
			out = q.lines(t.to, q.lines(t.from, out))
		}
	case q != nil:
		for _, t := range ts {
			out = q.heads(t.to, q.heads(t.from, out))
		}
	}
	if sh == nil {
		return out
	}
	if !deep {
		for _, t := range ts {
			out = sh.heads(t.to, sh.heads(t.from, out))
		}
		return out
	}
	for _, t := range ts {
		out = sh.lines(t.to, sh.lines(t.from, out))
	}
	return out
}
