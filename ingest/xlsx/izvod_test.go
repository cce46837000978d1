package xlsx

import (
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/moneytrail/moneytrail/internal/canon"
)

// izvodWorkbook builds a statement in the izvod-xlsx layout: opening 1.000,00, a transfer
// in of 2.500,00 with an end-to-end reference, a cash deposit of 950,00, an ATM
// withdrawal of 300,00, a card payment of 45,90 and a fee of 3,50 (booking dates as Excel
// serials 45384..45412 = 2024-04-02..2024-04-30): closing
// 1000 + 2500 + 950 - 300 - 45.90 - 3.50 = 4.100,60.
func izvodWorkbook(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	const s = "Izvod"
	must(f.SetSheetName("Sheet1", s))
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(err)
	str := func(cell, v string) { t.Helper(); must(f.SetCellStr(s, cell, v)) }
	num := func(cell, v string, style int) {
		t.Helper()
		must(f.SetCellDefault(s, cell, v))
		if style != 0 {
			must(f.SetCellStyle(s, cell, cell, style))
		}
	}
	str("A1", "IZVOD PO RAČUNU br. 2")
	for i, kv := range [][2]string{{"Banka:", "Banca Intesa a.d. Beograd"}, {"Vlasnik računa:", "Milica Nikolić"},
		{"IBAN:", "RS35260005601001611379"}, {"Valuta računa:", "EUR"}, {"Period:", "01.04.2024 - 30.04.2024"},
		{"Početno stanje:", "1.000,00"}, {"Krajnje stanje:", "4.100,60"}} {
		str("A"+strconv.Itoa(i+2), kv[0])
		str("B"+strconv.Itoa(i+2), kv[1])
	}
	header := []string{"Datum knjiženja", "Datum valute", "Vrsta transakcije", "Opis", "Naziv platioca/primaoca",
		"Račun platioca/primaoca", "BIC", "Referenca", "Broj naloga", "Valuta", "Zaduženje", "Odobrenje", "Stanje"}
	must(f.SetSheetRow(s, "A10", &header))
	rows := []struct {
		serial, value, kind, text, name, iban, bic, e2e, ref, debit, credit, bal string
	}{
		{"45384", "02.04.2024", "Priliv", "pozajmica", "Luka Horvat", "SI56191000000123438", "LJBASI2X", "E2E240402001", "BIB1", "", "2500.00", "3500.00"},
		{"45385", "03.04.2024", "Uplata gotovine", "Uplata gotovine, uplatilac Marko Jovanović", "", "", "", "", "BIB2", "", "950", "4450"},
		{"45386", "04.04.2024", "Isplata gotovine", "ATM Knez Mihailova", "", "", "", "", "BIB3", "300", "", "4150"},
		{"45387", "05.04.2024", "Platna kartica", "POS", "Maxi", "", "", "", "BIB4", "45.9", "", "4104.1"},
		{"45412", "30.04.2024", "Naknada", "Naknada za vođenje računa", "", "", "", "", "BIB5", "3.50", "", "4100.60"},
	}
	for i, r := range rows {
		row := strconv.Itoa(11 + i)
		num("A"+row, r.serial, dateStyle)
		for j, v := range []string{r.value, r.kind, r.text, r.name, r.iban, r.bic, r.e2e, r.ref, "EUR"} {
			if v != "" {
				cell, _ := excelize.CoordinatesToCellName(j+2, 11+i)
				str(cell, v)
			}
		}
		if r.debit != "" {
			num("K"+row, r.debit, 0)
		}
		if r.credit != "" {
			num("L"+row, r.credit, 0)
		}
		num("M"+row, r.bal, 0)
	}
	var buf strings.Builder
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return []byte(buf.String())
}

func TestIzvodProfile(t *testing.T) {
	data := izvodWorkbook(t)
	if name, ok := Detect(data); !ok || name != "izvod-xlsx" {
		t.Errorf("Detect = %q, %v", name, ok)
	}
	p, err := Builtin("izvod-xlsx")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Read(data, p, Options{FileName: "izvod.xlsx"})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Errors) != 0 || b.StatementAccount != "RS35260005601001611379" {
		t.Fatalf("errors %v, statement account %q", b.Errors, b.StatementAccount)
	}
	type row struct{ rec, day, from, to, amount, channel, e2e, src, bal string }
	want := []row{
		{"11", "2024-04-02", "SI56191000000123438", "RS35260005601001611379", "2500", "transfer", "E2E240402001", "RS35260005601001611379:BIB1", "3500"},
		{"12", "2024-04-03", "cash:RS35260005601001611379", "RS35260005601001611379", "950", "cash_deposit", "", "RS35260005601001611379:BIB2", "4450"},
		{"13", "2024-04-04", "RS35260005601001611379", "cash:RS35260005601001611379", "300", "cash_withdrawal", "", "RS35260005601001611379:BIB3", "4150"},
		{"14", "2024-04-05", "RS35260005601001611379", "external:name:maxi", "45.9", "card", "", "RS35260005601001611379:BIB4", "4104.1"},
		{"15", "2024-04-30", "RS35260005601001611379", "external:unknown", "3.5", "fee", "", "RS35260005601001611379:BIB5", "4100.6"},
	}
	if len(b.Txns) != len(want) {
		t.Fatalf("%d txns: %+v", len(b.Txns), b.Txns)
	}
	for i, x := range b.Txns {
		got := row{strconv.Itoa(x.Record), x.BookedAt.Format("2006-01-02"), x.From, x.To, x.Amount.String(), x.Channel, x.EndToEnd,
			x.SourceID, x.BalanceAfter.Decimal.String()}
		if got != want[i] || x.Currency != "EUR" {
			t.Errorf("txn %d = %+v %s, want %+v", i, got, x.Currency, want[i])
		}
	}
	if len(b.Statements) != 1 {
		t.Fatalf("statements %+v", b.Statements)
	}
	st := b.Statements[0]
	if st.Opening.Decimal.String() != "1000" || st.Closing.Decimal.String() != "4100.6" ||
		st.PeriodStart.Format("2006-01-02") != "2024-04-01" || st.PeriodEnd.Format("2006-01-02") != "2024-04-30" {
		t.Errorf("statement %+v", st)
	}
	var holder canon.Account
	for _, a := range b.Accounts {
		if a.ID == b.StatementAccount {
			holder = a
		}
	}
	if holder.HolderName != "Milica Nikolić" || holder.Currency != "EUR" || !holder.Statement {
		t.Errorf("statement account %+v", holder)
	}
}
