package casetrace

import (
	"fmt"

	"github.com/moneytrail/moneytrail/tracer"
)

// chunkRows is the capacity of one chunk of held columns: chunks never move once filled, so
// holding N transactions costs N x 32 bytes and no copying as the stream grows.
const chunkRows = 1 << 16

// heldColumns are the replay columns of every replayable transaction (amounts in
// micro-units, see centsExpr), in replay order, held in memory so that the reachable scope
// and the replay read the case once.
type heldColumns struct {
	chunks []tracer.Batch
	rows   int64
}

func (h *heldColumns) add(b *tracer.Batch) {
	for i := 0; i < b.Len(); {
		if len(h.chunks) == 0 || h.chunks[len(h.chunks)-1].Len() == chunkRows {
			h.chunks = append(h.chunks, tracer.Batch{
				Txn: make([]int64, 0, chunkRows), From: make([]int32, 0, chunkRows), To: make([]int32, 0, chunkRows),
				Cents: make([]int64, 0, chunkRows), At: make([]int64, 0, chunkRows),
			})
		}
		c := &h.chunks[len(h.chunks)-1]
		n := min(b.Len()-i, chunkRows-c.Len())
		c.Txn, c.From, c.To = append(c.Txn, b.Txn[i:i+n]...), append(c.From, b.From[i:i+n]...), append(c.To, b.To[i:i+n]...)
		c.Cents, c.At = append(c.Cents, b.Cents[i:i+n]...), append(c.At, b.At[i:i+n]...)
		h.rows += int64(n)
		i += n
	}
}

// readColumns reads the replay columns of every replayable transaction once, in replay
// order: the same query as the read floor.
func (t *run) readColumns() (*heldColumns, error) {
	h := &heldColumns{}
	cents := t.centsExpr()
	err := scanBatches(t.ctx, t.conn, t.streamQuery(cents, t.replayFilter(false)), func(b *tracer.Batch) error {
		h.add(b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read transactions: %w", err)
	}
	return h, nil
}

// reach marks in reached the accounts that money from the seeds can reach, in one pass over
// the held columns from the first seed on (see computeScope).
func (t *run) reach(h *heldColumns, reached []bool) error {
	accts := t.out.accounts
	seedTo := make(map[int64]bool, len(t.out.seeds))
	first := t.out.seeds[0].at
	for _, s := range t.out.seeds {
		seedTo[s.key] = true
		first = min(first, s.at)
	}
	for ci := range h.chunks {
		c := &h.chunks[ci]
		if n := c.Len(); n > 0 && c.At[n-1] < first {
			continue
		}
		for i, k := range c.Txn {
			from, to := c.From[i], c.To[i]
			if from < 0 || to < 0 {
				return fmt.Errorf("transaction row %d names an account missing from the accounts table", k)
			}
			if reached[to] || accts[to].exitKind || c.At[i] < first {
				continue
			}
			if (reached[from] && !accts[from].exitKind) || seedTo[k] {
				reached[to] = true
			}
		}
	}
	return nil
}

// feed hands the held transactions that touch the scope to fn in batches, in replay order.
func (t *run) feed(h *heldColumns, fn func(*tracer.Batch) error) error {
	if t.scopeAll {
		for ci := range h.chunks {
			if err := fn(&h.chunks[ci]); err != nil {
				return err
			}
		}
		return nil
	}
	in := t.inScope
	var b tracer.Batch
	for ci := range h.chunks {
		c := &h.chunks[ci]
		b.Txn, b.From, b.To, b.Cents, b.At = b.Txn[:0], b.From[:0], b.To[:0], b.Cents[:0], b.At[:0]
		for i, f := range c.From {
			if to := c.To[i]; in[f] || in[to] {
				b.Txn, b.From, b.To = append(b.Txn, c.Txn[i]), append(b.From, f), append(b.To, to)
				b.Cents, b.At = append(b.Cents, c.Cents[i]), append(b.At, c.At[i])
			}
		}
		if b.Len() > 0 {
			if err := fn(&b); err != nil {
				return err
			}
		}
	}
	return nil
}

// centsBuf converts batches of micro-unit amounts into the engine's cents.
type centsBuf struct {
	b       tracer.Batch
	subCent int64 // amounts with fractions of a cent
}

// toCents returns b with its amounts rounded from micro-units to cents, half away from zero
// (as DuckDB rounds a DECIMAL cast to an integer), leaving out the transactions that round
// to 0 cents. It counts the amounts with fractions of a cent. The result is valid until the
// next call.
func (cb *centsBuf) toCents(b *tracer.Batch) *tracer.Batch {
	out := &cb.b
	out.Cents = out.Cents[:0]
	zero := false
	for _, m := range b.Cents {
		if m%10_000 != 0 {
			cb.subCent++
		}
		c := (m + 5_000) / 10_000 // amounts are positive
		zero = zero || c <= 0
		out.Cents = append(out.Cents, c)
	}
	if !zero {
		out.Txn, out.From, out.To, out.At, out.Label = b.Txn, b.From, b.To, b.At, b.Label
		return out
	}
	cents := out.Cents
	out.Txn, out.From, out.To, out.At, out.Cents = nil, nil, nil, nil, nil
	out.Label = nil
	for i, c := range cents {
		if c <= 0 {
			continue
		}
		out.Txn, out.From, out.To, out.Cents = append(out.Txn, b.Txn[i]), append(out.From, b.From[i]), append(out.To, b.To[i]), append(out.Cents, c)
		if b.At != nil {
			out.At = append(out.At, b.At[i])
		}
		if b.Label != nil {
			out.Label = append(out.Label, b.Label[i])
		}
	}
	return out
}
