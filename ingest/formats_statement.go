package ingest

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/shopspring/decimal"

	"github.com/moneytrail/moneytrail/ingest/camt"
	"github.com/moneytrail/moneytrail/ingest/csvprofile"
	"github.com/moneytrail/moneytrail/ingest/mt940"
	"github.com/moneytrail/moneytrail/internal/canon"
)

// Statement formats.
const (
	FormatCamt  = "camt"
	FormatMT940 = "mt940"
)

// detectStatement asks the statement readers whether they claim a file: camt by its ISO 20022
// namespace, MT940 by its tags, bank CSV only when the header matches a built-in profile's
// signature exactly.
func detectStatement(head []byte) string {
	switch {
	case camt.Detect(head):
		return FormatCamt
	case mt940.Detect(head):
		return FormatMT940
	}
	if _, ok := csvprofile.Detect(head); ok {
		return FormatCSV
	}
	return ""
}

// readStatement runs a statement reader.
func readStatement(format string, data []byte, path string, opt Options) (parsed, error) {
	name := filepath.Base(path)
	switch format {
	case FormatCSV:
		prof := opt.Profile
		if prof == "" {
			n, ok := csvprofile.Detect(data)
			if !ok {
				return parsed{}, fmt.Errorf("no built-in profile recognises this file; say --profile (built-in: %v) or a profile YAML file", csvprofile.Builtins())
			}
			prof = n
		}
		p, err := csvprofile.Resolve(prof)
		if err != nil {
			return parsed{}, err
		}
		r, err := csvprofile.Decode(data, p, csvprofile.Options{FileName: name, Account: opt.Account})
		if err != nil {
			return parsed{}, err
		}
		for _, s := range r.Skipped {
			r.Batch.Notes = append(r.Batch.Notes, canon.Note{Record: s.Line, Kind: s.Kind, Text: s.Reason, Raw: s.Raw})
		}
		return parsed{batch: r.Batch, profile: p.Name}, nil
	case FormatCamt:
		r, err := camt.Parse(data, camt.Options{FileName: name, Account: opt.Account})
		if err != nil {
			return parsed{}, err
		}
		recs := make([]Reconciliation, len(r.Periods))
		for i, p := range r.Periods {
			recs[i] = fromPeriod(r.Batch, p.Statement, p.Opening, p.Closing, p.Computed, p.Difference, p.Credits, p.Debits,
				p.Reconciled, p.Entries, p.Quarantined, p.Notes)
		}
		return parsed{batch: r.Batch, recs: recs}, nil
	case FormatMT940:
		r, err := mt940.Parse(data, mt940.Options{FileName: name, Account: opt.Account})
		if err != nil {
			return parsed{}, err
		}
		recs := make([]Reconciliation, len(r.Periods))
		for i, p := range r.Periods {
			recs[i] = fromPeriod(r.Batch, p.Statement, p.Opening, p.Closing, p.Computed, p.Difference, p.Credits, p.Debits,
				p.Reconciled, p.Entries, p.Quarantined, p.Notes)
		}
		for _, n := range r.Notes {
			r.Batch.Notes = append(r.Batch.Notes, canon.Note{Kind: "file", Text: n})
		}
		return parsed{batch: r.Batch, recs: recs}, nil
	}
	return parsed{}, fmt.Errorf("unknown format %q (formats: auto, %v)", format, Formats())
}

// fromPeriod turns a reader's own statement check into the stored form.
func fromPeriod(b canon.Batch, stmt int, opening, closing, computed, diff decimal.NullDecimal, credits, debits decimal.Decimal,
	reconciled bool, entries, quarantined int, notes []string) Reconciliation {
	r := Reconciliation{Opening: opening, Closing: closing, Computed: computed, Difference: diff, Credits: credits,
		Debits: debits, Entries: entries, Quarantined: quarantined, Notes: notes}
	if stmt >= 0 && stmt < len(b.Statements) {
		s := b.Statements[stmt]
		r.Account, r.Currency, r.PeriodStart, r.PeriodEnd = s.Account, s.Currency, s.PeriodStart, s.PeriodEnd
	}
	if opening.Valid && closing.Valid {
		ok := reconciled
		r.Reconciled = &ok
	}
	if r.PeriodStart.IsZero() || r.PeriodEnd.IsZero() {
		var first, last time.Time
		for _, t := range b.Txns {
			if t.From != r.Account && t.To != r.Account {
				continue
			}
			if first.IsZero() || t.BookedAt.Before(first) {
				first = t.BookedAt
			}
			if t.BookedAt.After(last) {
				last = t.BookedAt
			}
		}
		if r.PeriodStart.IsZero() {
			r.PeriodStart = first
		}
		if r.PeriodEnd.IsZero() {
			r.PeriodEnd = last
		}
	}
	return r
}
