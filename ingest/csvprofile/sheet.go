package csvprofile

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/moneytrail/moneytrail/internal/canon"
)

// Cell is one spreadsheet cell as a sheet reader (package ingest/xlsx) hands it to
// DecodeRows. Text is what the text rules (references, names, patterns) see; a number or
// date cell also carries its typed value, which the amount and date columns use instead
// of parsing Text with the profile's number notation and date layouts.
type Cell struct {
	// Text is the cell as text: a string cell's text, a number cell's exact decimal
	// ("1234.5", never float-formatted), a date cell's date ("2024-01-31" or
	// "2024-01-31 09:15:00").
	Text string
	// Number is a number cell's exact value, as stored in the file.
	Number decimal.NullDecimal
	// Time is the cell's value read as an Excel date (serial number, or an ISO 8601 date
	// cell); zero when it is not one.
	Time time.Time
	// IsDate says the cell is a date: its number format is a date or time format, or it
	// is an ISO 8601 date cell. Only then (or with the profile's serial_dates) is Time used.
	IsDate bool
}

// Row is one spreadsheet row, split into cells.
type Row struct {
	// Line is the row number as the spreadsheet shows it (1-based); it becomes the
	// record number of the row's transaction, quarantined record or skip.
	Line int
	// Cells are the row's cells from column A on; trailing empty cells may be left out.
	Cells []Cell
	// Hidden says the sheet hides the row.
	Hidden bool
}

// rowText is a row's cells joined with a tab, trailing empty cells left out: what
// header_pattern and preamble rules match, and the raw text of a quarantined row.
func rowText(cells []Cell, render func(Cell) string) string {
	n := len(cells)
	for n > 0 && strings.TrimSpace(cells[n-1].Text) == "" {
		n--
	}
	parts := make([]string, n)
	for i, c := range cells[:n] {
		parts[i] = render(c)
	}
	return strings.Join(parts, "\t")
}

// DecodeRows reads rows already split into cells (a worksheet, in row order, empty rows
// left out) with an XLSX profile (format: xlsx): the rows before the header (HeaderRow,
// or the first row matching HeaderPattern) are the preamble, the rows after it the data.
// Each data row becomes a transaction, a quarantined record or a skip, exactly as in
// Decode; rows with fewer cells than the header read the missing cells as empty. With
// SkipHiddenRows, hidden data rows are reported as skips of kind "hidden"; otherwise they
// are loaded and a note in Batch.Notes lists them. The error contract is Decode's.
func DecodeRows(rows []Row, p *Profile, opt Options) (Result, error) {
	pl, err := compile(p)
	if err != nil {
		return Result{}, err
	}
	if p.Format != "xlsx" {
		return Result{}, fmt.Errorf("%w %q: DecodeRows needs a profile with format: xlsx", ErrProfile, p.Name)
	}
	rd := newReader(pl, opt)
	if err := rd.runRows(rows); err != nil {
		return Result{}, err
	}
	return Result{Batch: rd.batch, Skipped: rd.skipped}, nil
}

func (rd *reader) runRows(rows []Row) error {
	pl, p := rd.pl, rd.pl.p
	rd.utf8 = true
	hdr := -1
	for i, r := range rows {
		switch {
		case pl.headerRE != nil:
			if pl.headerRE.MatchString(rowText(r.Cells, textOf)) {
				hdr = i
			}
		case r.Line == max(p.HeaderRow, 1):
			hdr = i
		case r.Line > max(p.HeaderRow, 1):
			hdr = -2
		}
		if hdr != -1 {
			break
		}
	}
	if hdr < 0 {
		if pl.headerRE != nil {
			return rd.fail(0, "header_pattern", fmt.Errorf("%w: no row matches %q", ErrLayout, p.HeaderPattern))
		}
		return rd.fail(max(p.HeaderRow, 1), "header_row", fmt.Errorf("%w: header row %d is empty", ErrLayout, max(p.HeaderRow, 1)))
	}
	var pre []preambleLine
	for _, r := range rows[:hdr] {
		pre = append(pre, preambleLine{r.Line, rowText(r.Cells, rd.preambleText)})
	}
	if err := rd.applyPreamble(pre); err != nil {
		return err
	}
	h := rows[hdr]
	n := len(h.Cells)
	for n > 0 && strings.TrimSpace(h.Cells[n-1].Text) == "" {
		n--
	}
	header := make([]string, n)
	for i, c := range h.Cells[:n] {
		header[i] = strings.TrimSpace(c.Text)
	}
	rd.width = n
	recs := make([]record, 0, len(rows)-hdr-1)
	var hidden []string
	for _, r := range rows[hdr+1:] {
		rec := record{line: r.Line, lines: 1, sheet: true, cells: r.Cells, hidden: r.Hidden,
			raw: rowText(r.Cells, textOf)}
		for _, c := range r.Cells {
			rec.fields = append(rec.fields, c.Text)
		}
		if r.Hidden && !p.SkipHiddenRows && !blankCells(r.Cells) {
			hidden = append(hidden, strconv.Itoa(r.Line))
		}
		recs = append(recs, rec)
	}
	if err := rd.body(header, h.Line, recs); err != nil {
		return err
	}
	if len(hidden) > 0 {
		rd.batch.Notes = append(rd.batch.Notes, canon.Note{Kind: "hidden_rows",
			Text: fmt.Sprintf("rows %s are hidden in the sheet and were read like the others (the profile does not set skip_hidden_rows)", strings.Join(hidden, ", "))})
	}
	return nil
}

func textOf(c Cell) string { return c.Text }

func blankCells(cells []Cell) bool {
	for _, c := range cells {
		if strings.TrimSpace(c.Text) != "" {
			return false
		}
	}
	return true
}

// preambleText renders a preamble cell for the preamble rules, which read amounts in the
// profile's notation and dates in its layouts: a number cell is written with the
// profile's decimal separator, a date cell in the first date layout.
func (rd *reader) preambleText(c Cell) string {
	switch {
	case c.IsDate && !c.Time.IsZero():
		return c.Time.Format(rd.pl.p.DateLayouts[0])
	case c.Number.Valid:
		s := c.Number.Decimal.String()
		if rd.pl.notation.Decimal != '.' {
			s = strings.Replace(s, ".", string(rune(rd.pl.notation.Decimal)), 1)
		}
		return s
	}
	return c.Text
}
