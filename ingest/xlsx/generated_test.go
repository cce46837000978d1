package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/moneytrail/moneytrail/ingest/csvprofile"
	"github.com/moneytrail/moneytrail/internal/canon"
)

// testProfile reads the workbook built by testWorkbook.
const testProfile = `
name: test-xlsx
format: xlsx
sheet: Umsätze
header_row: 3
skip_hidden_rows: true
preamble:
  - pattern: '^Konto\t(?P<account>\S+)$'
account: {source: preamble}
date_layouts: ["02.01.2006"]
time_layouts: ["02.01.2006 15:04"]
number: {decimal: ",", thousands: "."}
amount: {model: signed, column: Betrag}
currency: EUR
columns:
  booked_at: Datum
  value_date: Valuta
  reference: Text
  source_id: Id
counterparty: {name: Name}
pending: {columns: Status, pattern: '^vorgemerkt$'}
`

const ownIBAN = "DE89370400440532013000"

func mustProfile(t testing.TB, y string) *csvprofile.Profile {
	t.Helper()
	p, err := csvprofile.Parse([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// testWorkbook builds a workbook covering the cases the reader must get right; each
// row's expected fate is in the comment beside it.
func testWorkbook(t testing.TB) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "Info"))
	_, err := f.NewSheet("Umsätze")
	must(err)
	const s = "Umsätze"
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14}) // built-in m/d/yy
	must(err)
	custom := "dd.mm.yyyy hh:mm"
	dateTimeStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &custom})
	must(err)
	money := "#,##0.00 \"EUR\""
	moneyStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &money})
	must(err)
	set := func(cell string, v any) { t.Helper(); must(f.SetCellValue(s, cell, v)) }
	set("A1", "Konto")
	set("B1", ownIBAN)
	// Row 2 is empty.
	for i, h := range []string{"Datum", "Valuta", "Betrag", "Name", "Text", "Status", "Id"} {
		c, _ := excelize.CoordinatesToCellName(i+1, 3)
		set(c, h)
	}
	// Row 4: serial date (date format), text value date, number 1234.5 -> loaded, 1234.50.
	set("A4", 45292)
	must(f.SetCellStyle(s, "A4", "A4", dateStyle))
	set("B4", "02.01.2024")
	set("C4", 1234.5)
	must(f.SetCellStyle(s, "C4", "C4", moneyStyle))
	set("D4", "Anna")
	set("E4", "Miete")
	set("G4", 1)
	// Row 5: text date, amount as text in the profile's notation -> loaded, debit 1234.56.
	set("A5", "03.01.2024")
	set("C5", "-1.234,56")
	set("D5", "Shop")
	set("G5", "A-2")
	// Row 6: hidden -> skipped as "hidden".
	set("A6", 45293)
	must(f.SetCellStyle(s, "A6", "A6", dateStyle))
	set("C6", -10)
	set("D6", "Hidden")
	must(f.SetRowVisible(s, 6, false))
	// Row 7: pending with a date -> loaded, Pending.
	set("A7", "04.01.2024")
	set("C7", -5)
	set("F7", "vorgemerkt")
	// Row 8: garbage amount -> quarantined, field amount, column Betrag.
	set("A8", "04.01.2024")
	set("C8", "12x")
	// Row 9: date-time serial in a custom date format -> 2024-01-04 12:00.
	set("A9", 45295.5)
	must(f.SetCellStyle(s, "A9", "A9", dateTimeStyle))
	set("C9", 7)
	// Row 10: a binary float artefact as Excel writes it (patched in below) -> read as
	// 1234.57, with a precision note.
	set("A10", "05.01.2024")
	set("C10", 0.25)
	// Row 11: a serial date without a date format -> quarantined, field booked_at.
	set("A11", 45300)
	set("C11", 1)
	// Row 12: zero amount -> skipped as "zero_amount".
	set("A12", "06.01.2024")
	set("C12", 0)
	// Row 13: pending without a date -> quarantined.
	set("A13", "")
	set("C13", -3)
	set("F13", "vorgemerkt")
	set("E13", "x")
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	// excelize writes at most 15 significant digits; Excel writes up to 17, and an
	// exponent where it likes.
	return patchPart(t, buf.Bytes(), "xl/worksheets/sheet2.xml",
		`<c r="C10"><v>0.25</v>`, `<c r="C10"><v>1234.5699999999999</v>`,
		`<c r="C9"><v>7</v>`, `<c r="C9"><v>7.0E+0</v>`)
}

// patchPart rewrites one part of a zip package, replacing old/new string pairs, each of
// which must occur.
func patchPart(t testing.TB, data []byte, part string, oldnew ...string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == part {
			s := string(body)
			for i := 0; i < len(oldnew); i += 2 {
				if !strings.Contains(s, oldnew[i]) {
					t.Fatalf("%s has no %q", part, oldnew[i])
				}
				s = strings.Replace(s, oldnew[i], oldnew[i+1], 1)
			}
			body = []byte(s)
		}
		fw, err := w.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGeneratedWorkbook(t *testing.T) {
	data := testWorkbook(t)
	r, err := Decode(data, mustProfile(t, testProfile), Options{FileName: "t.xlsx"})
	if err != nil {
		t.Fatal(err)
	}
	b := r.Batch
	if b.StatementAccount != ownIBAN {
		t.Errorf("statement account %q", b.StatementAccount)
	}
	type want struct {
		line    int
		booked  string
		amount  string
		from    string
		pending bool
	}
	wants := []want{
		{4, "2024-01-01 00:00", "1234.50", "external:name:anna", false},
		{5, "2024-01-03 00:00", "1234.56", ownIBAN, false},
		{7, "2024-01-04 00:00", "5", ownIBAN, true},
		{9, "2024-01-04 12:00", "7", "external:unknown", false},
		{10, "2024-01-05 00:00", "1234.57", "external:unknown", false},
	}
	if len(b.Txns) != len(wants) {
		t.Fatalf("%d txns, want %d: %+v", len(b.Txns), len(wants), b.Txns)
	}
	for i, w := range wants {
		x := b.Txns[i]
		if x.Record != w.line || x.BookedAt.Format("2006-01-02 15:04") != w.booked || !x.Amount.Equal(decimal.RequireFromString(w.amount)) ||
			x.From != w.from || x.Pending != w.pending {
			t.Errorf("txn %d: %+v, want %+v", i, x, w)
		}
	}
	// The number cell stored as 1234.5 is exactly 1234.50, not a float rendering.
	if got := b.Txns[0].Amount.StringFixed(2); got != "1234.50" || b.Txns[0].Amount.String() != "1234.5" {
		t.Errorf("amount %s (%s), want 1234.50 exactly", got, b.Txns[0].Amount)
	}
	if vd := b.Txns[0].ValueDate.Format("2006-01-02"); vd != "2024-01-02" {
		t.Errorf("value date %s", vd)
	}
	if id := b.Txns[0].SourceID; id != ownIBAN+":1" {
		t.Errorf("source id %q", id)
	}
	quar := map[int]string{}
	for _, e := range b.Errors {
		quar[e.Record] = e.Field + ": " + e.Reason
	}
	for line, want := range map[int]string{
		8:  `amount: column "Betrag": "12x" is not an amount`,
		11: "booked_at: ",
		13: "booked_at: pending, no booking date",
	} {
		if !strings.HasPrefix(quar[line], want) {
			t.Errorf("row %d quarantined as %q, want prefix %q", line, quar[line], want)
		}
	}
	if !strings.Contains(quar[11], "serial_dates") {
		t.Errorf("row 11: %q does not suggest serial_dates", quar[11])
	}
	if len(b.Errors) != 3 {
		t.Errorf("%d quarantined, want 3: %v", len(b.Errors), b.Errors)
	}
	if b.Records != len(b.Txns)+len(b.Errors) {
		t.Errorf("Records %d", b.Records)
	}
	skips := map[int]string{}
	for _, s := range r.Skipped {
		skips[s.Line] = s.Kind
	}
	if len(r.Skipped) != 2 || skips[6] != "hidden" || skips[12] != "zero_amount" {
		t.Errorf("skipped %+v", r.Skipped)
	}
	kinds := map[string]string{}
	for _, n := range b.Notes {
		kinds[n.Kind] = n.Text
	}
	if !strings.Contains(kinds["sheet"], `read sheet "Umsätze" only`) || !strings.Contains(kinds["precision"], "C10=1234.5699999999999") {
		t.Errorf("notes %+v", b.Notes)
	}

	// Read puts the skipped rows into Batch.Notes with their row numbers.
	rb, err := Read(data, mustProfile(t, testProfile), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var hidden *canon.Note
	for i, n := range rb.Notes {
		if n.Kind == "hidden" {
			hidden = &rb.Notes[i]
		}
	}
	if hidden == nil || hidden.Record != 6 || !strings.Contains(hidden.Raw, "Hidden") {
		t.Errorf("hidden row note %+v in %+v", hidden, rb.Notes)
	}
}

func TestHiddenRowsLoaded(t *testing.T) {
	p := mustProfile(t, strings.Replace(testProfile, "skip_hidden_rows: true", "skip_hidden_rows: false", 1))
	r, err := Decode(testWorkbook(t), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, x := range r.Batch.Txns {
		found = found || x.Record == 6
	}
	note := ""
	for _, n := range r.Batch.Notes {
		if n.Kind == "hidden_rows" {
			note = n.Text
		}
	}
	if !found || !strings.Contains(note, "rows 6 are hidden") {
		t.Errorf("hidden row loaded %v, note %q", found, note)
	}
}

func TestSheetSelection(t *testing.T) {
	data := testWorkbook(t)
	for _, sheet := range []string{"Umsätze", "2", "#2"} {
		p := mustProfile(t, strings.Replace(testProfile, "sheet: Umsätze", "sheet: '"+sheet+"'", 1))
		r, err := Decode(data, p, Options{})
		if err != nil || len(r.Batch.Txns) != 5 {
			t.Errorf("sheet %q: %d txns, %v", sheet, len(r.Batch.Txns), err)
		}
	}
	for _, tc := range []struct{ sheet, want string }{
		{"Konten", `sheet "Konten" is not in the workbook (sheets: "Info", "Umsätze")`},
		{"#3", `sheet "#3" is not in the workbook`},
		{"Info", "header row 3 is empty"}, // the empty sheet
	} {
		p := mustProfile(t, strings.Replace(testProfile, "sheet: Umsätze", "sheet: '"+tc.sheet+"'", 1))
		_, err := Decode(data, p, Options{FileName: "t.xlsx"})
		var fe *csvprofile.FileError
		if !errors.Is(err, csvprofile.ErrLayout) || !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("sheet %q: error %v, want ErrLayout with %q", tc.sheet, err, tc.want)
		}
	}
}

func TestEmptyWorkbook(t *testing.T) {
	f := excelize.NewFile()
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	p := mustProfile(t, strings.Replace(testProfile, "sheet: Umsätze", "sheet: ''", 1))
	_, err := Decode(buf.Bytes(), p, Options{FileName: "empty.xlsx"})
	if !errors.Is(err, csvprofile.ErrLayout) || !strings.Contains(err.Error(), "empty.xlsx") {
		t.Errorf("empty sheet: %v", err)
	}
	if n, ok := Detect(buf.Bytes()); ok {
		t.Errorf("Detect picked %q for an empty workbook", n)
	}
}

func TestDate1904(t *testing.T) {
	f := excelize.NewFile()
	yes := true
	if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
		t.Fatal(err)
	}
	st, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	_ = f.SetCellValue("Sheet1", "A1", "Datum")
	_ = f.SetCellValue("Sheet1", "B1", "Betrag")
	_ = f.SetCellValue("Sheet1", "A2", 43830) // 1904 system: 2024-01-01
	_ = f.SetCellStyle("Sheet1", "A2", "A2", st)
	_ = f.SetCellValue("Sheet1", "B2", 1)
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	p := mustProfile(t, `
name: t1904
format: xlsx
account: {source: option}
date_layouts: ["2006-01-02"]
amount: {model: signed, column: Betrag}
currency: EUR
columns: {booked_at: Datum}
`)
	b, err := Read(buf.Bytes(), p, Options{Account: ownIBAN})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Txns) != 1 || b.Txns[0].BookedAt.Format("2006-01-02") != "2024-01-01" {
		t.Errorf("1904 date: %+v %v", b.Txns, b.Errors)
	}
}

func TestExactNumber(t *testing.T) {
	for _, tc := range []struct {
		raw, want string
		rounded   bool
		ok        bool
	}{
		{"1234.5", "1234.5", false, true},
		{"-9.99", "-9.99", false, true},
		{"1.5E-2", "0.015", false, true},
		{"1E+3", "1000", false, true},
		{"-0", "0", false, true},
		{"123456789012345", "123456789012345", false, true},
		{"1234.5699999999999", "1234.57", true, true},
		{"0.30000000000000004", "0.3", true, true},
		{"-15500.499999999998", "-15500.5", true, true},
		{"1000000000000000000", "1000000000000000000", false, true}, // 1 significant digit
		{"1E+400", "", false, false},
		{"12x", "", false, false},
		{"", "", false, false},
		{"0x1p3", "", false, false},
	} {
		d, rounded, ok := exactNumber(tc.raw)
		if ok != tc.ok || rounded != tc.rounded || ok && !d.Equal(decimal.RequireFromString(tc.want)) {
			t.Errorf("exactNumber(%q) = %s, %v, %v; want %s, %v, %v", tc.raw, d, rounded, ok, tc.want, tc.rounded, tc.ok)
		}
	}
}

func TestSerialDate(t *testing.T) {
	for _, tc := range []struct {
		serial string
		d1904  bool
		want   string // "" = not a date
	}{
		{"1", false, "1900-01-01 00:00:00"},
		{"59", false, "1900-02-28 00:00:00"},
		{"60", false, ""},
		{"61", false, "1900-03-01 00:00:00"},
		{"45292", false, "2024-01-01 00:00:00"},
		{"45292.385416666664", false, "2024-01-01 09:15:00"},
		{"45292.99999999", false, "2024-01-02 00:00:00"},
		{"0", true, "1904-01-01 00:00:00"},
		{"2958465", false, "9999-12-31 00:00:00"},
		{"2958466", false, ""},
		{"-1", false, ""},
	} {
		got, ok := serialDate(decimal.RequireFromString(tc.serial), tc.d1904)
		s := ""
		if ok {
			s = got.Format(time.DateTime)
		}
		if s != tc.want {
			t.Errorf("serialDate(%s, %v) = %q, want %q", tc.serial, tc.d1904, s, tc.want)
		}
	}
}

func TestIsDateFormat(t *testing.T) {
	for code, want := range map[string]bool{
		"dd/mm/yyyy":                  true,
		"[$-409]mmmm d, yyyy;@":       true,
		"[h]:mm:ss":                   true,
		"hh:mm":                       true,
		"General":                     false,
		`#,##0.00 "EUR"`:              false,
		"#,##0.00_);[Red](#,##0.00)":  false,
		"0.00E+00":                    false,
		`"Day "0`:                     false,
		`[Red]0.00`:                   false,
		`#,##0.00\ "Ft"`:              false,
		`_-* #,##0.00\ [$€-407]_-`:    false,
		"0;[Red]-0;\"zero\";dd/mm/yy": false,
	} {
		if got := isDateFormat(code); got != want {
			t.Errorf("isDateFormat(%q) = %v, want %v", code, got, want)
		}
	}
}

// zipWith builds a zip package holding the given parts; a part whose declared size is
// set is written raw with that (false) size.
func zipWith(t *testing.T, parts map[string][]byte, declared map[string]uint64) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for name, body := range parts {
		if n, ok := declared[name]; ok {
			var c bytes.Buffer
			fw, _ := zip.NewWriter(&c).CreateHeader(&zip.FileHeader{Name: "x", Method: zip.Store})
			_, _ = fw.Write(body)
			h := &zip.FileHeader{Name: name, Method: zip.Store, UncompressedSize64: n, CompressedSize64: uint64(len(body))}
			raw, err := w.CreateRaw(h)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = raw.Write(body)
			continue
		}
		fw, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(body)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSizeLimits(t *testing.T) {
	p := mustProfile(t, testProfile)
	// A part that declares a terabyte.
	bomb := zipWith(t, map[string][]byte{"xl/workbook.xml": []byte("<workbook/>"), "xl/worksheets/sheet1.xml": []byte("<worksheet/>")},
		map[string]uint64{"xl/worksheets/sheet1.xml": 1 << 40})
	if _, err := Decode(bomb, p, Options{}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("declared 1 TiB: %v, want ErrTooLarge", err)
	}
	// A real 4 MiB part (compresses to a few KiB) against a 1 MiB limit.
	big := zipWith(t, map[string][]byte{"xl/workbook.xml": []byte("<workbook/>"),
		"xl/worksheets/sheet1.xml": bytes.Repeat([]byte(" "), 4<<20)}, nil)
	if len(big) > 64<<10 {
		t.Fatalf("test zip is %d bytes", len(big))
	}
	if _, err := Decode(big, p, Options{MaxUnzipSize: 1 << 20}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("4 MiB part, 1 MiB limit: %v, want ErrTooLarge", err)
	}
	// The same limit on a real workbook.
	_, err := Decode(testWorkbook(t), p, Options{MaxUnzipSize: 1024})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "zip bomb") {
		t.Errorf("1 KiB limit: %v", err)
	}
	// A part that lies about its size (declares 100 bytes, holds 1 MiB) is refused.
	liar := zipWith(t, map[string][]byte{"xl/workbook.xml": []byte("<workbook/>"),
		"xl/worksheets/sheet1.xml": bytes.Repeat([]byte(" "), 1<<20)}, map[string]uint64{"xl/worksheets/sheet1.xml": 100})
	if _, err := Decode(liar, p, Options{}); err == nil {
		t.Error("lying part size accepted")
	}
}

func TestNotXLSX(t *testing.T) {
	p := mustProfile(t, testProfile)
	for _, tc := range []struct {
		name, data, want string
	}{
		{"biff", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + strings.Repeat("\x00", 100) + "W\x00o\x00r\x00k\x00b\x00o\x00o\x00k\x00", "Excel 97-2003"},
		{"encrypted", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + string(utf16("EncryptedPackage")), "password-protected"},
		{"html", "<html><body><table><tr><td>Datum</td></tr></table></body></html>", "HTML"},
		{"csv", "Datum;Betrag\n01.01.2024;1,00\n", "--format csv"},
		{"zip", string(zipWith(t, map[string][]byte{"word/document.xml": []byte("<w/>")}, nil)), "without xl/workbook.xml"},
		{"empty", "", "not a zip package"},
		{"damaged", "PK\x03\x04xl/workbook.xml garbage", "damaged"},
	} {
		_, err := Decode([]byte(tc.data), p, Options{FileName: tc.name})
		if !errors.Is(err, ErrNotXLSX) || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), tc.name+": ") {
			t.Errorf("%s: %v, want ErrNotXLSX mentioning %q", tc.name, err, tc.want)
		}
	}
}

func TestProfileChecks(t *testing.T) {
	csv, err := csvprofile.Builtin("erste-hu")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(testWorkbook(t), csv, Options{}); !errors.Is(err, csvprofile.ErrProfile) {
		t.Errorf("CSV profile: %v", err)
	}
	if _, err := Builtin("erste-hu"); !errors.Is(err, csvprofile.ErrUnknownProfile) {
		t.Errorf("Builtin(erste-hu): %v", err)
	}
	if _, err := Builtin("../profiles/otp-hu-xlsx"); err == nil {
		t.Error("Builtin accepted a path")
	}
	for _, n := range Builtins() {
		if _, err := Resolve(n); err != nil {
			t.Errorf("Resolve(%s): %v", n, err)
		}
	}
	for field, y := range map[string]string{
		"delimiter":  strings.Replace(testProfile, "format: xlsx", "format: xlsx\ndelimiter: ';'", 1),
		"skip_lines": strings.Replace(testProfile, "format: xlsx", "format: xlsx\nskip_lines: 2", 1),
		"header_row": strings.Replace(testProfile, "format: xlsx", "format: xlsx\nheader_pattern: x", 1),
		"format":     strings.Replace(testProfile, "format: xlsx", "format: xls", 1),
	} {
		if _, err := csvprofile.Parse([]byte(y)); !errors.Is(err, csvprofile.ErrProfile) || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: %v", field, err)
		}
	}
}
