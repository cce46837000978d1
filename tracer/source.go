package tracer

import (
	"fmt"
	"io"
)

// Batch is a run of transactions in replay order, stored column by column so that a caller
// holding Arrow record batches (for example from DuckDB) can hand over their value slices
// without copying. All non-nil columns must have the same length. The engine does not keep a
// reference to a batch after Apply returns, so the caller may reuse its buffers.
type Batch struct {
	// Txn is the caller's key for each transaction (for example a dense row index into its
	// txn_id table). Seeds and flows refer to transactions by this key.
	Txn []int64
	// From and To are dense account indexes into Config.Accounts: money moves From -> To.
	From, To []int32
	// Cents is the amount in minor units; it must be > 0.
	Cents []int64
	// At is the booking time in any monotonic unit (for example Unix microseconds). It may be
	// nil when the caller has already ordered and bounded the stream; when present, the engine
	// rejects a stream that goes backwards in time and honours Config.AsOf.
	At []int64
	// Label, when non-nil, is the inflow label (0 <= label < Config.Labels) of the money a
	// transaction brings in when its payer is an exit, or -1 for clean money. It is read
	// only for payments by exits.
	Label []int32
}

// Len returns the number of transactions in the batch.
func (b *Batch) Len() int { return len(b.Txn) }

func (b *Batch) validate() error {
	n := len(b.Txn)
	if len(b.From) != n || len(b.To) != n || len(b.Cents) != n || (b.At != nil && len(b.At) != n) ||
		(b.Label != nil && len(b.Label) != n) {
		return fmt.Errorf("tracer: batch columns of unequal length: txn %d, from %d, to %d, cents %d, at %d, label %d",
			n, len(b.From), len(b.To), len(b.Cents), len(b.At), len(b.Label))
	}
	return nil
}

// Source is a time-ordered stream of transaction batches, ordered by (booked_at, seq) by
// its producer. Next returns the next batch, or io.EOF once the stream is exhausted. The
// returned batch is only read until the following call to Next.
type Source interface {
	Next() (*Batch, error)
}

// Txn is one transaction in row form, for tests and small callers; see Batch for the columns.
type Txn struct {
	Txn      int64
	From, To int32
	Cents    int64
	At       int64
}

// SliceSource is a Source over an in-memory slice of transactions, delivered in batches of
// BatchSize rows (all at once when BatchSize <= 0). Times are delivered when WithTimes is set.
type SliceSource struct {
	Txns      []Txn
	BatchSize int
	WithTimes bool

	pos   int
	batch Batch
}

// Next returns the next batch of the slice, or io.EOF at its end.
func (s *SliceSource) Next() (*Batch, error) {
	if s.pos >= len(s.Txns) {
		return nil, io.EOF
	}
	n := len(s.Txns) - s.pos
	if s.BatchSize > 0 && n > s.BatchSize {
		n = s.BatchSize
	}
	b := &s.batch
	b.Txn, b.From, b.To, b.Cents = b.Txn[:0], b.From[:0], b.To[:0], b.Cents[:0]
	b.At = b.At[:0]
	for _, t := range s.Txns[s.pos : s.pos+n] {
		b.Txn = append(b.Txn, t.Txn)
		b.From = append(b.From, t.From)
		b.To = append(b.To, t.To)
		b.Cents = append(b.Cents, t.Cents)
		if s.WithTimes {
			b.At = append(b.At, t.At)
		}
	}
	if !s.WithTimes {
		b.At = nil
	}
	s.pos += n
	return b, nil
}
