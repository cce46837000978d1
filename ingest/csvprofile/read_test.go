package csvprofile

import (
	"errors"
	"strings"
	"testing"

	"github.com/moneytrail/moneytrail/internal/canon"
)

// testProfile is a small German-style layout used by the unit tests.
const testProfile = `
name: test-de
encoding: utf-8
delimiter: ";"
account: {source: option}
date_layouts: ["02.01.2006", "02.01.06"]
number: {decimal: ",", thousands: "."}
amount: {model: signed, column: Betrag}
currency: EUR
columns:
  booked_at: Buchung
  value_date: Valuta
  reference: Zweck
  source_id: Id
counterparty:
  name: Name
  iban: IBAN
pending: {columns: Status, pattern: '^vorgemerkt$'}
channels:
  - {channel: cash_withdrawal, direction: debit, columns: Zweck, pattern: '(?i)bargeld|geldautomat'}
`

const testHeader = "Buchung;Valuta;Betrag;Name;IBAN;Zweck;Status;Id\n"

const ownIBAN = "DE89370400440532013000"

func mustParse(t testing.TB, y string) *Profile {
	t.Helper()
	p, err := Parse([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func readTest(t *testing.T, body string) Result {
	t.Helper()
	r, err := Decode([]byte(testHeader+body), mustParse(t, testProfile), Options{FileName: "t.csv", Account: ownIBAN})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestReadDirectionAndFields(t *testing.T) {
	r := readTest(t, "01.03.2024;02.03.2024;1.234,56;Anna;de44 5001 0517 5407 3249 31;Miete;;A1\n"+
		"03.03.2024;;-50,00;;;Bargeld Geldautomat;;A2\n")
	b := r.Batch
	if len(b.Txns) != 2 || len(b.Errors) != 0 {
		t.Fatalf("txns %d errors %+v", len(b.Txns), b.Errors)
	}
	c := b.Txns[0]
	if c.From != "DE44500105175407324931" || c.To != ownIBAN || c.Amount.String() != "1234.56" || c.Record != 2 {
		t.Errorf("credit: %+v", c)
	}
	if c.ValueDate.Format("2006-01-02") != "2024-03-02" || c.SourceID != ownIBAN+":A1" || c.Reference != "Miete" {
		t.Errorf("credit fields: %+v", c)
	}
	d := b.Txns[1]
	if d.From != ownIBAN || d.To != "cash:"+ownIBAN || d.Channel != canon.ChannelCashWithdrawal || d.Amount.String() != "50" {
		t.Errorf("debit: %+v", d)
	}
	if b.Accounts[0].ID != ownIBAN || !b.Accounts[0].Statement {
		t.Errorf("statement account: %+v", b.Accounts[0])
	}
}

// A counterparty IBAN failing mod-97 (check digits 32 where 31 is right) loads the row, keeps
// the counterparty as written and records a warning on its line.
func TestBadCounterpartyIBANLoads(t *testing.T) {
	b := readTest(t, "01.03.2024;;1,00;A;DE44 5001 0517 5407 3249 32;x;;\n").Batch
	if len(b.Txns) != 1 || len(b.Errors) != 0 {
		t.Fatalf("txns %d errors %+v", len(b.Txns), b.Errors)
	}
	if x := b.Txns[0]; x.From != "external:unverified-iban:DE44500105175407324932" || x.To != ownIBAN || x.Amount.String() != "1" {
		t.Errorf("txn %+v", x)
	}
	if len(b.Notes) != 1 || b.Notes[0].Kind != canon.NoteWarning || b.Notes[0].Record != 2 ||
		!strings.HasPrefix(b.Notes[0].Text, `field counterparty_iban: column "IBAN": invalid IBAN`) || !strings.Contains(b.Notes[0].Text, "mod-97") {
		t.Errorf("notes %+v", b.Notes)
	}
	for _, a := range b.Accounts {
		if a.ID == b.Txns[0].From && (a.Kind != canon.KindExternal || a.IBAN != "") {
			t.Errorf("unverified account %+v", a)
		}
	}
}

// TestBadInput checks that each bad row is quarantined with its line and field, and that
// the rows around it are loaded.
func TestBadInput(t *testing.T) {
	ok := "01.03.2024;;10,00;A;;x;;\n"
	tests := []struct {
		name   string
		row    string
		field  string
		reason string
	}{
		{"garbage amount", "01.03.2024;;12,3x;A;;x;;\n", "amount", `column "Betrag": "12,3x" is not an amount`},
		{"garbage date", "32.13.2024;;1,00;A;;x;;\n", "booked_at", `column "Buchung": "32.13.2024" is not a date`},
		{"bad value date", "01.03.2024;yesterday;1,00;A;;x;;\n", "value_date", `"yesterday" is not a date`},
		{"short row", "01.03.2024;;1,00\n", "", "row has 3 fields, header has 8"},
		{"long row", "01.03.2024;;1,00;A;;x;;;extra\n", "", "row has 9 fields, header has 8"},
		{"pending without date", "Vormerkung;;1,00;A;;x;vorgemerkt;\n", "booked_at", "pending, no booking date"},
		{"invalid UTF-8", "01.03.2024;;1,00;M\xfcller;;x;;\n", "", "invalid UTF-8"},
		{"missing opening quote", "01.03.2024;;1,00;A\";;x;;\n", "Name", "quote character in an unquoted field"},
		{"placeholder date", "11.11.1111;;1,00;A;;x;;\n", "booked_at", "year 1111"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := readTest(t, ok+tc.row+ok).Batch
			if len(b.Txns) != 2 || len(b.Errors) != 1 {
				t.Fatalf("txns %d, errors %+v", len(b.Txns), b.Errors)
			}
			e := b.Errors[0]
			if e.Record != 3 || e.Field != tc.field || !strings.Contains(e.Reason, tc.reason) {
				t.Errorf("got line %d field %q reason %q; want line 3 field %q reason containing %q", e.Record, e.Field, e.Reason, tc.field, tc.reason)
			}
			if b.Txns[1].Record != 4 {
				t.Errorf("row after the bad one has line %d, want 4", b.Txns[1].Record)
			}
			if strings.ContainsRune(e.Raw, '\n') || e.Raw == "" {
				t.Errorf("raw %q", e.Raw)
			}
		})
	}
}

func TestTruncatedFile(t *testing.T) {
	b := readTest(t, "01.03.2024;;10,00;A;;x;;\n02.03.2024;;5,00;B;;\"cut off in the mid").Batch
	if len(b.Txns) != 1 || len(b.Errors) != 1 || b.Errors[0].Record != 3 || !strings.Contains(b.Errors[0].Reason, "file ends inside the quoted field") {
		t.Fatalf("txns %d errors %+v", len(b.Txns), b.Errors)
	}
}

func TestPendingAndZero(t *testing.T) {
	r := readTest(t, "01.03.2024;;-7,50;A;;x;vorgemerkt;\n01.03.2024;;0,00;A;;Mitteilung;;\n")
	if len(r.Batch.Txns) != 1 || !r.Batch.Txns[0].Pending {
		t.Errorf("pending row: %+v", r.Batch.Txns)
	}
	if len(r.Skipped) != 1 || r.Skipped[0].Kind != "zero_amount" || r.Skipped[0].Line != 3 {
		t.Errorf("zero row: %+v", r.Skipped)
	}
	if r.Batch.Records != 1 {
		t.Errorf("Records %d, want 1 (skipped rows are not records)", r.Batch.Records)
	}
}

func TestDuplicateSourceID(t *testing.T) {
	b := readTest(t, "01.03.2024;;1,00;A;;x;;K7\n02.03.2024;;2,00;A;;x;;K7\n").Batch
	if len(b.Errors) != 1 || b.Errors[0].Field != "source_id" || !strings.Contains(b.Errors[0].Reason, "line 2") {
		t.Errorf("errors %+v", b.Errors)
	}
}

func TestCRLFAndEmbeddedNewlines(t *testing.T) {
	body := "01.03.2024;;1,00;A;;\"two\r\nlines\";;\r\n\r\n02.03.2024;;2,00;A;;x;;\r\n"
	b := readTest(t, body).Batch
	if len(b.Txns) != 2 || b.Txns[0].Record != 2 || b.Txns[1].Record != 5 || b.Txns[0].Reference != "two\nlines" {
		t.Errorf("%+v", b.Txns)
	}
}

func TestWindows1250(t *testing.T) {
	p := mustParse(t, strings.Replace(testProfile, "encoding: utf-8", "encoding: windows-1250", 1))
	// "Dvořák" and "Šťastný" in Windows-1250.
	data := []byte(testHeader + "01.03.2024;;1,00;Dvo\xf8\xe1k \x8a\x9dastn\xfd;;x;;\n")
	b, err := Read(data, p, Options{Account: ownIBAN})
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Txns[0].Counterparty; got != "Dvořák Šťastný" {
		t.Errorf("counterparty %q", got)
	}
	if b.Accounts[1].ID != "external:name:dvorak stastny" {
		t.Errorf("counterparty account %+v", b.Accounts[1])
	}
}

func TestCP852(t *testing.T) {
	p := mustParse(t, strings.Replace(testProfile, "encoding: utf-8", "encoding: cp852", 1))
	b, err := Read([]byte(testHeader+"01.03.2024;;1,00;\xa6\xa7;;x;;\n"), p, Options{Account: ownIBAN})
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Txns[0].Counterparty; got != "Žž" {
		t.Errorf("counterparty %q", got)
	}
}

func TestWrongEncodingDeclared(t *testing.T) {
	p := mustParse(t, strings.Replace(testProfile, "encoding: utf-8", "encoding: windows-1252", 1))
	_, err := Read([]byte(testHeader+"01.03.2024;;1,00;Müller;;x;;\n"), p, Options{Account: ownIBAN})
	var fe *FileError
	if !errors.Is(err, ErrEncoding) || !errors.As(err, &fe) || fe.Field != "encoding" {
		t.Errorf("err = %v", err)
	}
	_, err = Read(append([]byte("\xef\xbb\xbf"), testHeader...), p, Options{Account: ownIBAN})
	if !errors.Is(err, ErrEncoding) {
		t.Errorf("BOM: err = %v", err)
	}
}

func TestFallbackEncoding(t *testing.T) {
	p := mustParse(t, strings.Replace(testProfile, "encoding: utf-8", "encoding: utf-8\nfallback_encoding: windows-1252", 1))
	for _, tc := range []struct{ in, want string }{
		{"M\xfcller", "Müller"}, // no UTF-8 at all: CP1252
		{"Müller", "Müller"},    // valid UTF-8
	} {
		b, err := Read([]byte(testHeader+"01.03.2024;;1,00;"+tc.in+";;x;;\n"), p, Options{Account: ownIBAN})
		if err != nil || b.Txns[0].Counterparty != tc.want {
			t.Errorf("%q: %v %+v", tc.in, err, b.Txns)
		}
	}
	// Mixed: valid UTF-8 on one line, a stray byte on another: the stray line is quarantined.
	b, err := Read([]byte(testHeader+"01.03.2024;;1,00;Müller;;x;;\n01.03.2024;;1,00;M\xfcller;;x;;\n"), p, Options{Account: ownIBAN})
	if err != nil || len(b.Txns) != 1 || len(b.Errors) != 1 || b.Errors[0].Record != 3 {
		t.Errorf("mixed: %v %+v", err, b.Errors)
	}
}

func TestFileErrors(t *testing.T) {
	p := mustParse(t, testProfile)
	tests := []struct {
		name string
		data string
		opt  Options
		is   error
		want string
	}{
		{"no account", testHeader, Options{FileName: "x.csv"}, ErrNoAccount, "x.csv: field account:"},
		{"bad --account", testHeader, Options{Account: "DE89370400440532013001"}, canon.ErrIBAN, "mod-97"},
		{"not an account id", testHeader, Options{Account: "12345"}, nil, "neither a valid IBAN"},
		{"missing column", "Buchung;Valuta;Amount;Name;IBAN;Zweck;Status;Id\n", Options{Account: ownIBAN, FileName: "y.csv"}, ErrLayout, `y.csv:1: field amount.column: file does not match the profile: column "Betrag" is not in the header`},
		{"empty file", "", Options{Account: ownIBAN}, ErrLayout, "no header line"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read([]byte(tc.data), p, tc.opt)
			if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %v containing %q", err, tc.is, tc.want)
			}
		})
	}
}

func TestStatementAccountFromFile(t *testing.T) {
	y := strings.Replace(testProfile, "account: {source: option}", "account: {source: column, column: Konto}", 1)
	p := mustParse(t, y)
	h := "Konto;" + testHeader
	data := h + "DE89 3704 0044 0532 0130 00;01.03.2024;;1,00;A;;x;;\n;01.03.2024;;2,00;A;;x;;\nDE44500105175407324931;01.03.2024;;3,00;A;;x;;\n"
	b, err := Read([]byte(data), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if b.StatementAccount != ownIBAN || len(b.Txns) != 2 || len(b.Errors) != 1 || b.Errors[0].Field != "account" || b.Errors[0].Record != 4 {
		t.Errorf("stmt %q txns %d errors %+v", b.StatementAccount, len(b.Txns), b.Errors)
	}
	// A file account that is not a valid IBAN is refused unless --account is given.
	bad := strings.Replace(data, "DE89 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 01", 1)
	if _, err := Read([]byte(bad), p, Options{}); !errors.Is(err, ErrNoAccount) || !strings.Contains(err.Error(), "--account") {
		t.Errorf("bad file account: %v", err)
	}
}

func TestAmountModels(t *testing.T) {
	dc := `
name: dc
delimiter: ","
account: {source: fixed, value: "acct:b:1"}
date_layouts: ["2006-01-02"]
amount: {model: debit_credit, debit: Out, credit: In}
currency: EUR
columns: {booked_at: Date}
`
	b, err := Read([]byte("Date,Out,In\n2024-01-01,5.00,\n2024-01-02,,7\n2024-01-03,-2,\n2024-01-04,1,1\n2024-01-05,,\n"), mustParse(t, dc), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := signedSum(b).String(); got != "0" || len(b.Txns) != 3 {
		t.Errorf("sum %s txns %d", got, len(b.Txns))
	}
	if len(b.Errors) != 2 || !strings.Contains(b.Errors[0].Reason, "both debit") || !strings.Contains(b.Errors[1].Reason, "no amount") {
		t.Errorf("errors %+v", b.Errors)
	}
	ind := strings.Replace(dc, "amount: {model: debit_credit, debit: Out, credit: In}",
		"amount: {model: indicator, column: Amt, indicator: DC, credit_values: [C], debit_values: [D]}\nnumber: {strip: [\"EUR \"]}", 1)
	b, err = Read([]byte("Date,Amt,DC\n2024-01-01,EUR 5.00,D\n2024-01-02,2,C\n2024-01-03,-2,D\n2024-01-04,3,X\n"), mustParse(t, ind), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := signedSum(b).String(); got != "-3" || len(b.Errors) != 2 || b.Errors[1].Field != "amount_indicator" {
		t.Errorf("sum %s errors %+v", got, b.Errors)
	}
}

// A file cut inside its last row (issue 19.3) must not load a shortened amount: "10,00" cut
// to "1" or "10,0" is quarantined, as is a shortened last field of any kind; the whole row
// and a file without a final line break whose last row has the shape of the others load.
func TestTruncatedLastRow(t *testing.T) {
	p := mustParse(t, strings.Replace(testProfile, "  source_id: Id\n", "", 1))
	const header = "Buchung;Valuta;Name;IBAN;Zweck;Status;Betrag\n"
	rows := "01.03.2024;;A;;x;;12,50\n02.03.2024;;B;;y;;7,25\n"
	cases := []struct {
		name, last string
		loaded     int
		reason     string
	}{
		{"whole, with line break", "03.03.2024;;C;;z;;10,00\n", 3, ""},
		{"whole, no line break", "03.03.2024;;C;;z;;10,00", 3, ""},
		{"cut to 1", "03.03.2024;;C;;z;;1", 2, "shorter than that field of every loaded row"},
		{"cut to 10,0", "03.03.2024;;C;;z;;10,0", 2, "has 1 decimal digits where every loaded row has at least 2"},
		{"cut to 10,", "03.03.2024;;C;;z;;10,", 2, ""},
		{"cut before the field", "03.03.2024;;C;;z;;", 2, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Decode([]byte(header+rows+tc.last), p, Options{FileName: "t.csv", Account: ownIBAN})
			if err != nil {
				t.Fatal(err)
			}
			b := r.Batch
			if len(b.Txns) != tc.loaded || len(b.Txns)+len(b.Errors) != 3 || b.Records != 3 {
				t.Fatalf("loaded %d, errors %+v, records %d", len(b.Txns), b.Errors, b.Records)
			}
			if tc.loaded == 3 {
				if got := b.Txns[2].Amount.String(); got != "10" {
					t.Errorf("last amount %s, want 10", got)
				}
				return
			}
			if e := b.Errors[0]; e.Record != 4 || !strings.Contains(e.Reason, tc.reason) {
				t.Errorf("quarantined %+v, want line 4 with %q", e, tc.reason)
			}
		})
	}
}

// Data rows moved above the header (issue 19.3) are quarantined, not skipped as preamble;
// preamble text that is no transaction row stays preamble.
func TestDataRowsAboveTheHeader(t *testing.T) {
	p := mustParse(t, testProfile+"header_pattern: '^Buchung;'\n")
	in := "Kontoauszug März\n01.03.2024;;10,00;A;;x;;A1\n" + testHeader + "02.03.2024;;5,00;B;;y;;A2\n"
	r, err := Decode([]byte(in), p, Options{FileName: "t.csv", Account: ownIBAN})
	if err != nil {
		t.Fatal(err)
	}
	b := r.Batch
	if len(b.Txns) != 1 || len(b.Errors) != 1 || b.Records != 2 {
		t.Fatalf("txns %d errors %+v records %d", len(b.Txns), b.Errors, b.Records)
	}
	if e := b.Errors[0]; e.Record != 2 || !strings.Contains(e.Reason, "above the header (line 3)") {
		t.Errorf("error %+v", e)
	}
}

// Bounded work (issue 19.4): a 5 MiB digit run as an amount and a 5 MiB row are quarantined
// at once, their reasons naming the limit and quoting an excerpt only.
func TestHugeFields(t *testing.T) {
	digits := strings.Repeat("9", 5<<20)
	for name, tc := range map[string]struct{ row, limit string }{
		"amount of 60 digits": {"01.03.2024;;" + strings.Repeat("9", 60) + ";A;;x;;\n", "MaxDigits"},
		"5 MiB row":           {"01.03.2024;;" + digits + ";A;;x;;\n", "MaxRecord"},
	} {
		b := readTest(t, "01.03.2024;;1,00;A;;x;;\n"+tc.row).Batch
		if len(b.Txns) != 1 || len(b.Errors) != 1 {
			t.Fatalf("%s: txns %d errors %d", name, len(b.Txns), len(b.Errors))
		}
		e := b.Errors[0]
		if !strings.Contains(e.Reason, tc.limit) || len(e.Reason) > 300 || len(e.Raw) > 8<<10 {
			t.Errorf("%s: reason %.300q (%d bytes), raw %d bytes", name, e.Reason, len(e.Reason), len(e.Raw))
		}
	}
}
