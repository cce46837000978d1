package xlsx_test

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/moneytrail/moneytrail/ingest/xlsx"
)

// Example reads a small OTP Bank workbook (built here with excelize) with the built-in
// profile Detect picks: the amount cell stored as -15500.5 is read exactly, the hidden
// row is reported, not loaded, and the row without a booking date is quarantined.
func Example() {
	f := excelize.NewFile()
	sheet := "Tranzakciók"
	_ = f.SetSheetName("Sheet1", sheet)
	rows := [][]any{
		{"Tranzakció dátuma", "Könyvelés dátuma", "Megnevezés", "Be/Ki", "Partner neve", "Partner számlaszáma",
			"Kategória", "Közlemény", "Számla neve", "Számlaszám", "Összeg", "Pénznem"},
		{"2024-01-07 18:45:00", "2024-01-07", "VÁSÁRLÁS KÁRTYÁVAL", "K", "MOL", "", "", "Tankolás", "Számla", "11773016-12345678", -15500.5, "HUF"},
		{"2024-01-08 09:00:00", "2024-01-08", "JÓVÁÍRÁS", "J", "Kovács János", "11600006-00000000-87654321", "", "Bér", "Számla", "11773016-12345678", 450000, "HUF"},
		{"2024-01-09 10:00:00", "2024-01-09", "VÁSÁRLÁS KÁRTYÁVAL", "K", "Rejtett", "", "", "", "Számla", "11773016-12345678", -7777, "HUF"},
		{"2024-01-10 00:00:00", "", "FÜGGŐ TÉTEL", "K", "Pending", "", "", "", "Számla", "11773016-12345678", -999, "HUF"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		_ = f.SetSheetRow(sheet, cell, &r)
	}
	_ = f.SetRowVisible(sheet, 4, false)
	var buf bytes.Buffer
	_, _ = f.WriteTo(&buf)

	name, ok := xlsx.Detect(buf.Bytes())
	fmt.Println("profile:", name, ok)
	p, err := xlsx.Builtin(name)
	if err != nil {
		fmt.Println(err)
		return
	}
	batch, err := xlsx.Read(buf.Bytes(), p, xlsx.Options{FileName: "szamlatortenet.xlsx"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range batch.Txns {
		fmt.Printf("row %d %s %s -> %s %s %s %s\n", t.Record, t.BookedAt.Format("2006-01-02 15:04"),
			t.From, t.To, t.Amount.StringFixed(2), t.Currency, t.Channel)
	}
	for _, e := range batch.Errors {
		fmt.Printf("quarantined row %d, field %s: %s\n", e.Record, e.Field, e.Reason)
	}
	for _, n := range batch.Notes {
		fmt.Printf("note row %d (%s): %s\n", n.Record, n.Kind, n.Text)
	}
	// Output:
	// profile: otp-hu-xlsx true
	// row 2 2024-01-07 18:45 acct::11773016-12345678 -> external:name:mol 15500.50 HUF card
	// row 3 2024-01-08 09:00 acct::11600006-00000000-87654321 -> acct::11773016-12345678 450000.00 HUF transfer
	// quarantined row 5, field booked_at: pending, no booking date (column "Könyvelés dátuma" is "")
	// note row 4 (hidden): the row is hidden in the sheet (skip_hidden_rows)
}
