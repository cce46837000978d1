package csvprofile

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

const sheetProfile = `
name: sheet-de
format: xlsx
header_row: 2
preamble:
  - pattern: '^Saldo\t(?P<closing>\S+)$'
account: {source: option}
date_layouts: ["02.01.2006"]
number: {decimal: ",", thousands: "."}
amount: {model: signed, column: Betrag}
currency: EUR
columns: {booked_at: Datum, reference: Text}
`

func txt(s string) Cell { return Cell{Text: s} }

func num(s string) Cell {
	return Cell{Text: s, Number: decimal.NullDecimal{Decimal: decimal.RequireFromString(s), Valid: true}}
}

func TestDecodeRowsTypedCells(t *testing.T) {
	day := time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)
	rows := []Row{
		{Line: 1, Cells: []Cell{txt("Saldo"), num("1234.5")}},
		{Line: 2, Cells: []Cell{txt("Datum"), txt("Betrag"), txt("Text")}},
		// A number cell under a "," notation: 1234.5, not 12345.
		{Line: 3, Cells: []Cell{txt("31.01.2024"), num("1234.5")}},
		// A date cell and an amount as text in the profile's notation.
		{Line: 5, Cells: []Cell{{Text: "2024-01-31", Time: day, IsDate: true}, txt("-1.000,25"), txt("x")}},
		// A number (no date format) in the date column.
		{Line: 6, Cells: []Cell{{Text: "45322", Number: decimal.NullDecimal{Decimal: decimal.NewFromInt(45322), Valid: true}, Time: day}, num("1")}},
		// Extra non-empty cell beyond the header; trailing empty cells are fine.
		{Line: 7, Cells: []Cell{txt("31.01.2024"), num("2"), txt(""), txt("extra")}},
		{Line: 8, Cells: []Cell{txt("31.01.2024"), num("3"), txt(""), txt(" ")}},
		{Line: 9, Cells: []Cell{txt(" "), txt("")}, Hidden: true},
	}
	r, err := DecodeRows(rows, mustParse(t, sheetProfile), Options{Account: ownIBAN})
	if err != nil {
		t.Fatal(err)
	}
	b := r.Batch
	if len(b.Txns) != 3 || b.Txns[0].Record != 3 || !b.Txns[0].Amount.Equal(decimal.RequireFromString("1234.5")) ||
		b.Txns[1].Record != 5 || !b.Txns[1].BookedAt.Equal(day) || !b.Txns[1].Amount.Equal(decimal.RequireFromString("1000.25")) ||
		b.Txns[2].Record != 8 {
		t.Errorf("txns %+v", b.Txns)
	}
	if len(b.Errors) != 2 || b.Errors[0].Record != 6 || !strings.Contains(b.Errors[0].Reason, "serial_dates") ||
		b.Errors[1].Record != 7 || b.Errors[1].Reason != "row has 4 fields, header has 3" || b.Errors[1].Raw != "31.01.2024\t2\t\textra" {
		t.Errorf("errors %+v", b.Errors)
	}
	if len(r.Skipped) != 1 || r.Skipped[0].Line != 9 || r.Skipped[0].Kind != "empty" {
		t.Errorf("skipped %+v", r.Skipped)
	}
	if len(b.Statements) != 1 || !b.Statements[0].Closing.Decimal.Equal(decimal.RequireFromString("1234.5")) {
		t.Errorf("closing balance from a preamble number cell: %+v", b.Statements)
	}
	// With serial_dates the number in the date column is a date.
	r, err = DecodeRows(rows, mustParse(t, sheetProfile+"serial_dates: true\n"), Options{Account: ownIBAN})
	if err != nil || len(r.Batch.Txns) != 4 || r.Batch.Txns[2].Record != 6 {
		t.Errorf("serial_dates: %v %+v", err, r.Batch.Txns)
	}
}

func TestDecodeRowsHeader(t *testing.T) {
	p := mustParse(t, sheetProfile)
	_, err := DecodeRows([]Row{{Line: 1, Cells: []Cell{txt("Datum")}}, {Line: 3, Cells: []Cell{txt("x")}}}, p, Options{Account: ownIBAN})
	if !errors.Is(err, ErrLayout) || !strings.Contains(err.Error(), "header row 2 is empty") {
		t.Errorf("missing header row: %v", err)
	}
	_, err = DecodeRows([]Row{{Line: 2, Cells: []Cell{txt("Datum"), txt("Wert")}}}, p, Options{Account: ownIBAN})
	if !errors.Is(err, ErrLayout) || !strings.Contains(err.Error(), `column "Betrag" is not in the header`) {
		t.Errorf("missing column: %v", err)
	}
	pp := mustParse(t, strings.Replace(sheetProfile, "header_row: 2", `header_pattern: '^Datum\tBetrag'`, 1))
	r, err := DecodeRows([]Row{{Line: 4, Cells: []Cell{txt("Datum"), txt("Betrag"), txt("Text")}}, {Line: 5, Cells: []Cell{txt("31.01.2024"), num("1")}}}, pp, Options{Account: ownIBAN})
	if err != nil || len(r.Batch.Txns) != 1 || r.Batch.Txns[0].Record != 5 {
		t.Errorf("header_pattern: %v %+v", err, r.Batch)
	}
}

func TestFormatMismatch(t *testing.T) {
	if _, err := Decode([]byte("Datum;Betrag\n"), mustParse(t, sheetProfile), Options{Account: ownIBAN}); !errors.Is(err, ErrProfile) {
		t.Errorf("Decode with an xlsx profile: %v", err)
	}
	if _, err := DecodeRows(nil, mustParse(t, testProfile), Options{Account: ownIBAN}); !errors.Is(err, ErrProfile) {
		t.Errorf("DecodeRows with a CSV profile: %v", err)
	}
	for field, y := range map[string]string{
		"sheet":            testProfile + "sheet: x\n",
		"header_row":       testProfile + "header_row: 2\n",
		"skip_hidden_rows": testProfile + "skip_hidden_rows: true\n",
		"serial_dates":     testProfile + "serial_dates: true\n",
		"encoding":         sheetProfile + "encoding: utf-8\n",
		"no_header":        sheetProfile + "no_header: true\n",
	} {
		if _, err := Parse([]byte(y)); !errors.Is(err, ErrProfile) || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: %v", field, err)
		}
	}
}

// Of several bad column references, the first in the profile reference's order is reported,
// every time (they were checked in map order).
func TestBadColumnsReportedInOrder(t *testing.T) {
	y := strings.Replace(testProfile, "  value_date: Valuta\n", "  value_date: \"#0\"\n  end_to_end: \"#x\"\n  balance_after: \"#-1\"\n", 1)
	for range 20 {
		_, err := Parse([]byte(y))
		if !errors.Is(err, ErrProfile) || !strings.Contains(err.Error(), "columns.value_date") {
			t.Fatalf("Parse: %v, want the error of columns.value_date", err)
		}
	}
}
