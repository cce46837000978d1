package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/moneytrail/moneytrail/internal/canon"
)

// Reconciliation is the check of one statement period: opening + credits - debits = closing.
type Reconciliation struct {
	Account          string
	Currency         string
	PeriodStart      time.Time
	PeriodEnd        time.Time
	Opening, Closing decimal.NullDecimal
	Credits, Debits  decimal.Decimal
	Computed         decimal.NullDecimal
	Difference       decimal.NullDecimal
	Entries          int
	// Quarantined counts the statement's entries that went to quarantine, when the reader
	// knows (their amounts are missing from Credits and Debits).
	Quarantined int
	// QuarantinedCredits and QuarantinedDebits sum the quarantined entries whose side and
	// amount the reader could still read: with them, what the file itself says can be
	// checked against what was loaded.
	QuarantinedCredits, QuarantinedDebits decimal.Decimal
	Notes                                 []string
	// Reconciled is nil when the statement gives no opening or closing balance.
	Reconciled *bool
}

// Reconcile computes the check for every statement of a batch. Booked (not pending) entries of
// the statement account count; where one file holds several statements of the same account,
// each takes the entries booked inside its period. A file that is a statement of one account
// but states no balances still gets a row (credits, debits and period), unreconciled.
func Reconcile(b canon.Batch) []Reconciliation {
	stmts := b.Statements
	if len(stmts) == 0 && b.StatementAccount != "" {
		stmts = []canon.Statement{{Account: b.StatementAccount}}
	}
	perAccount := map[string]int{}
	for _, s := range stmts {
		perAccount[s.Account]++
	}
	out := make([]Reconciliation, 0, len(stmts))
	for _, s := range stmts {
		r := Reconciliation{Account: s.Account, Currency: s.Currency, PeriodStart: s.PeriodStart, PeriodEnd: s.PeriodEnd,
			Opening: s.Opening, Closing: s.Closing}
		byPeriod := perAccount[s.Account] > 1 && !s.PeriodStart.IsZero() && !s.PeriodEnd.IsZero()
		var first, last time.Time
		for _, t := range b.Txns {
			if t.Pending || t.From == t.To || (t.From != s.Account && t.To != s.Account) {
				continue
			}
			if byPeriod && (t.BookedAt.Before(s.PeriodStart) || t.BookedAt.After(s.PeriodEnd.Add(24*time.Hour-time.Nanosecond))) {
				continue
			}
			if t.To == s.Account {
				r.Credits = r.Credits.Add(t.Amount)
			} else {
				r.Debits = r.Debits.Add(t.Amount)
			}
			r.Entries++
			if first.IsZero() || t.BookedAt.Before(first) {
				first = t.BookedAt
			}
			if t.BookedAt.After(last) {
				last = t.BookedAt
			}
			if r.Currency == "" {
				r.Currency = t.Currency
			}
		}
		if r.PeriodStart.IsZero() {
			r.PeriodStart = first
		}
		if r.PeriodEnd.IsZero() {
			r.PeriodEnd = last
		}
		if s.Opening.Valid {
			c := s.Opening.Decimal.Add(r.Credits).Sub(r.Debits)
			r.Computed = decimal.NullDecimal{Decimal: c, Valid: true}
			if s.Closing.Valid {
				d := s.Closing.Decimal.Sub(c)
				r.Difference = decimal.NullDecimal{Decimal: d, Valid: true}
				ok := d.IsZero()
				r.Reconciled = &ok
			}
		}
		out = append(out, r)
	}
	return out
}

func storeStatements(ctx context.Context, tx *sql.Tx, sid int64, recs []Reconciliation) error {
	for i, r := range recs {
		var rec any
		if r.Reconciled != nil {
			rec = *r.Reconciled
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO statements VALUES (?, ?, ?, ?, CAST(? AS DATE), CAST(? AS DATE),
			CAST(? AS DECIMAL(38,6)), CAST(? AS DECIMAL(38,6)), CAST(? AS DECIMAL(38,6)), CAST(? AS DECIMAL(38,6)),
			CAST(? AS DECIMAL(38,6)), CAST(? AS DECIMAL(38,6)), ?, ?, ?, ?)`,
			sid, i+1, r.Account, nullStr(r.Currency), dateOrNil(r.PeriodStart), dateOrNil(r.PeriodEnd),
			nullDec(r.Opening), r.Credits.String(), r.Debits.String(), nullDec(r.Closing), nullDec(r.Computed),
			nullDec(r.Difference), r.Entries, r.Quarantined, rec, nullStr(strings.Join(r.Notes, "; ")))
		if err != nil {
			return fmt.Errorf("store statement %d of source %d: %w", i+1, sid, err)
		}
	}
	return nil
}

func dateOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format("2006-01-02")
}
