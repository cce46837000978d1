package ledger

import (
	"encoding/csv"
	"io"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Row is one transaction as the ledger format writes it.
type Row struct {
	TxnID     string
	BookedAt  time.Time
	From, To  string
	Amount    decimal.Decimal
	Currency  string
	Channel   string
	Reference string
}

// Writer writes ledger CSV with the full header (channel and reference included).
type Writer struct {
	w      *csv.Writer
	header bool
}

// NewWriter returns a Writer on w. Call Flush when done and check its error.
func NewWriter(w io.Writer) *Writer { return &Writer{w: csv.NewWriter(w)} }

// Write writes one row (and the header before the first).
func (w *Writer) Write(r Row) error {
	if !w.header {
		w.header = true
		if err := w.w.Write(append(append([]string{}, Header...), Optional...)); err != nil {
			return err
		}
	}
	return w.w.Write([]string{r.TxnID, FormatTime(r.BookedAt), r.From, r.To, FormatAmount(r.Amount), r.Currency, r.Channel, r.Reference})
}

// FormatAmount writes an amount with a dot and at least two decimals, more only where the
// amount has them ("12.50", "0.125").
func FormatAmount(d decimal.Decimal) string {
	places := int32(2)
	if e := -d.Exponent(); e > places {
		n := d.String()
		_, frac, _ := strings.Cut(n, ".")
		places = max(places, int32(len(frac)))
	}
	return d.StringFixed(places)
}

// Flush writes buffered data and returns any write error.
func (w *Writer) Flush() error {
	if !w.header {
		w.header = true
		if err := w.w.Write(append(append([]string{}, Header...), Optional...)); err != nil {
			return err
		}
	}
	w.w.Flush()
	return w.w.Error()
}

// FormatTime writes a date when t is midnight, else a date-time to the second (or finer when
// the time has fractions).
func FormatTime(t time.Time) string {
	t = t.UTC()
	switch {
	case t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0:
		return t.Format("2006-01-02")
	case t.Nanosecond() == 0:
		return t.Format("2006-01-02T15:04:05")
	}
	return t.Format("2006-01-02T15:04:05.999999999")
}
