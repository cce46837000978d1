package ingest

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/moneytrail/moneytrail/ingest/camt"
	"github.com/moneytrail/moneytrail/ingest/csvprofile"
	"github.com/moneytrail/moneytrail/ingest/mt940"
	"github.com/moneytrail/moneytrail/ingest/mto"
	"github.com/moneytrail/moneytrail/ingest/ofx"
	"github.com/moneytrail/moneytrail/ingest/xlsx"
	"github.com/moneytrail/moneytrail/internal/canon"
)

// Statement and money-transfer formats.
const (
	FormatCamt       = "camt"
	FormatMT940      = "mt940"
	FormatOFX        = "ofx"
	FormatXLSX       = "xlsx"
	FormatMTO        = "mto"
	FormatRemittance = "remittance"
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
	case ofx.Detect(head):
		return FormatOFX
	case mto.DetectApp(head) != "":
		return FormatRemittance
	}
	switch xlsx.Sniff(head) {
	case "xlsx", "xls", "encrypted", "ole2":
		// A workbook: the xlsx reader recognises the profile from the whole file, or says
		// clearly what the file is (a legacy .xls, an encrypted workbook).
		return FormatXLSX
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
	case FormatXLSX:
		prof := opt.Profile
		if prof == "" {
			n, ok := xlsx.Detect(data)
			if !ok {
				switch xlsx.Sniff(data) {
				case "xls", "ole2":
					return parsed{}, fmt.Errorf("%w: a legacy Excel 97-2003 workbook (.xls), which moneytrail does not read: open it in a spreadsheet program and save it as an Excel Workbook (.xlsx)", xlsx.ErrNotXLSX)
				case "encrypted":
					return parsed{}, fmt.Errorf("%w: an encrypted (password-protected) workbook: save an unprotected copy first", xlsx.ErrNotXLSX)
				}
				return parsed{}, fmt.Errorf("no built-in XLSX profile recognises this workbook; say --profile (built-in: %v) or a YAML profile with format: xlsx", xlsx.Builtins())
			}
			prof = n
		}
		p, err := xlsx.Resolve(prof)
		if err != nil {
			return parsed{}, err
		}
		b, err := xlsx.Read(data, p, xlsx.Options{FileName: name, Account: opt.Account})
		if err != nil {
			return parsed{}, err
		}
		return parsed{batch: b, profile: p.Name}, nil
	case FormatCamt:
		r, err := camt.Parse(data, camt.Options{FileName: name, Account: opt.Account})
		if err != nil {
			return parsed{}, err
		}
		return parsed{batch: r.Batch, recs: fromPeriods(r.Batch, r.Periods)}, nil
	case FormatMT940:
		r, err := mt940.Parse(data, mt940.Options{FileName: name, Account: opt.Account})
		if err != nil {
			return parsed{}, err
		}
		for _, n := range r.Notes {
			r.Batch.Notes = append(r.Batch.Notes, canon.Note{Kind: "file", Text: n})
		}
		return parsed{batch: r.Batch, recs: fromPeriods(r.Batch, r.Periods)}, nil
	case FormatOFX:
		r, err := ofx.Parse(data, ofx.Options{FileName: name, Account: opt.Account})
		if err != nil {
			return parsed{}, err
		}
		return parsed{batch: r.Batch, recs: fromPeriods(r.Batch, r.Periods), profile: "ofx " + r.Version}, nil
	case FormatMTO:
		if opt.Profile == "" {
			return parsed{}, fmt.Errorf("--format mto needs --profile (built-in: %v) or a profile YAML file", mto.Builtins())
		}
		p, err := mto.Resolve(opt.Profile)
		if err != nil {
			return parsed{}, err
		}
		r, err := mto.Parse(data, p, mto.Options{FileName: name, Operator: opt.Operator})
		if err != nil {
			return parsed{}, err
		}
		return parsed{batch: r.Batch, profile: r.Layout}, nil
	case FormatRemittance:
		r, err := mto.ParseApp(data, mto.Options{FileName: name, Account: opt.Account})
		if err != nil {
			return parsed{}, err
		}
		return parsed{batch: r.Batch, recs: fromPeriods(r.Batch, r.Periods), profile: r.Layout}, nil
	}
	return parsed{}, fmt.Errorf("unknown format %q (formats: auto, %v)", format, Formats())
}

func fromPeriods(b canon.Batch, ps []canon.Period) []Reconciliation {
	recs := make([]Reconciliation, len(ps))
	for i, p := range ps {
		recs[i] = fromPeriod(b, p)
	}
	return recs
}

// fromPeriod turns a reader's own statement check into the stored form.
func fromPeriod(b canon.Batch, p canon.Period) Reconciliation {
	r := Reconciliation{Opening: p.Opening, Closing: p.Closing, Computed: p.Computed, Difference: p.Difference,
		Credits: p.Credits, Debits: p.Debits, Entries: p.Entries, Quarantined: p.Quarantined, Notes: p.Notes,
		QuarantinedCredits: p.QuarantinedCredits, QuarantinedDebits: p.QuarantinedDebits}
	if p.ImpliedOpening.Valid {
		r.Notes = append(append([]string{}, r.Notes...), "implied opening balance (closing - credits + debits): "+p.ImpliedOpening.Decimal.String())
	}
	if p.Statement >= 0 && p.Statement < len(b.Statements) {
		s := b.Statements[p.Statement]
		r.Account, r.Currency, r.PeriodStart, r.PeriodEnd = s.Account, s.Currency, s.PeriodStart, s.PeriodEnd
	}
	if p.Opening.Valid && p.Closing.Valid {
		ok := p.Reconciled
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
