package xlsx

import (
	"archive/zip"
	"bytes"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/moneytrail/moneytrail/ingest/csvprofile"
	"github.com/moneytrail/moneytrail/internal/canon"
)

// DefaultMaxUnzipSize bounds the total uncompressed size of a workbook's parts when
// Options.MaxUnzipSize is zero: far above any bank statement, far below what would
// exhaust memory.
const DefaultMaxUnzipSize = 128 << 20

// maxDigits is the precision of a spreadsheet number: Excel keeps and shows 15
// significant digits. Raw values with more are binary floating-point artefacts
// ("1234.5699999999999" for 1234.57) and are read as Excel shows them.
const maxDigits = 15

// sheetData is what the sheet reader got out of a workbook.
type sheetData struct {
	name  string
	rows  []csvprofile.Row
	notes []canon.Note
}

// openWorkbook checks the package sizes and opens it with excelize, from memory, with
// the same limits (and no temporary files: every part stays within the memory limit).
func openWorkbook(data []byte, limit int64) (*excelize.File, error) {
	if k := Sniff(data); k != KindXLSX {
		return nil, notXLSX(k)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: the zip package is damaged: %s", ErrNotXLSX, short(err))
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if f.UncompressedSize64 > uint64(limit) || total > uint64(limit) {
			return nil, fmt.Errorf("%w: its parts unzip to more than %d bytes (part %s alone is %d bytes); refused as a possible zip bomb",
				ErrTooLarge, limit, f.Name, f.UncompressedSize64)
		}
	}
	if err := prescan(zr); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: limit, UnzipXMLSizeLimit: limit, RawCellValue: true})
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrNotXLSX, short(err))
	}
	return f, nil
}

// pickSheet resolves the profile's sheet: a name, or a 1-based position ("2", "#2").
func pickSheet(f *excelize.File, want string) (string, error) {
	list := f.GetSheetList()
	if len(list) == 0 {
		return "", fmt.Errorf("%w: the workbook has no sheets", csvprofile.ErrLayout)
	}
	if want == "" {
		return list[0], nil
	}
	for _, s := range list {
		if s == want {
			return s, nil
		}
	}
	if n, err := strconv.Atoi(strings.TrimPrefix(want, "#")); err == nil {
		if n >= 1 && n <= len(list) {
			return list[n-1], nil
		}
	}
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = strconv.Quote(s)
	}
	return "", fmt.Errorf("%w: sheet %q is not in the workbook (sheets: %s)", csvprofile.ErrLayout, want, strings.Join(q, ", "))
}

// readSheet reads the profile's sheet into rows of typed cells. Empty rows are left
// out; rows keep their spreadsheet numbers.
func readSheet(f *excelize.File, sheetName string) (sd sheetData, err error) {
	name, err := pickSheet(f, sheetName)
	if err != nil {
		return sd, err
	}
	sd.name = name
	if list := f.GetSheetList(); len(list) > 1 {
		sd.notes = append(sd.notes, canon.Note{Kind: "sheet",
			Text: fmt.Sprintf("the workbook has %d sheets (%s); read sheet %q only", len(list), strings.Join(list, ", "), name)})
	}
	props, err := f.GetWorkbookProps()
	if err != nil {
		return sd, fmt.Errorf("%w: workbook properties: %s", ErrNotXLSX, short(err))
	}
	date1904 := props.Date1904 != nil && *props.Date1904
	raw, err := rawRows(f, name)
	if err != nil {
		return sd, err
	}
	dates := map[int]bool{} // style id -> its number format is a date or time format
	var rounded []string
	for i, cells := range raw {
		if len(cells) == 0 {
			continue
		}
		line := i + 1
		row := csvprofile.Row{Line: line, Cells: make([]csvprofile.Cell, len(cells))}
		for j, v := range cells {
			if v == "" {
				continue
			}
			ref, err := excelize.CoordinatesToCellName(j+1, line)
			if err != nil {
				return sd, fmt.Errorf("%w: sheet %q: %s", ErrNotXLSX, name, short(err))
			}
			typ, err := f.GetCellType(name, ref)
			if err != nil {
				return sd, fmt.Errorf("%w: sheet %q cell %s: %s", ErrNotXLSX, name, ref, short(err))
			}
			c, r := cell(f, name, ref, typ, v, date1904, dates)
			if r {
				rounded = append(rounded, ref+"="+v)
			}
			row.Cells[j] = c
		}
		visible, err := f.GetRowVisible(name, line)
		if err != nil {
			return sd, fmt.Errorf("%w: sheet %q row %d: %s", ErrNotXLSX, name, line, short(err))
		}
		row.Hidden = !visible
		sd.rows = append(sd.rows, row)
	}
	if len(rounded) > 0 {
		shown := rounded
		if len(shown) > 10 {
			shown = append(shown[:10:10], "...")
		}
		sd.notes = append(sd.notes, canon.Note{Kind: "precision",
			Text: fmt.Sprintf("%d number cells hold more than %d significant digits (binary floating-point artefacts); read as Excel shows them, rounded to %d significant digits: %s",
				len(rounded), maxDigits, maxDigits, strings.Join(shown, ", "))})
	}
	return sd, nil
}

// rawRows streams the sheet's raw cell values, indexed by row number - 1. It runs before
// the per-cell calls, which load the sheet into memory (the stream would otherwise write
// that copy back first). Unlike GetRows, it stops at the first damaged row with an error
// instead of returning the rows before it as the whole sheet.
func rawRows(f *excelize.File, name string) ([][]string, error) {
	it, err := f.Rows(name)
	if err != nil {
		return nil, fmt.Errorf("%w: sheet %q: %s", ErrNotXLSX, name, short(err))
	}
	var out [][]string
	for line := 1; it.Next(); line++ {
		cells, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			_ = it.Close()
			return nil, fmt.Errorf("%w: sheet %q row %d: %s", ErrNotXLSX, name, line, short(err))
		}
		if len(cells) > 0 {
			out = append(out, make([][]string, line-len(out))...)
			out[line-1] = cells
		}
	}
	if err := it.Close(); err != nil {
		return nil, fmt.Errorf("%w: sheet %q: %s", ErrNotXLSX, name, short(err))
	}
	return out, nil
}

// cell builds one typed cell from its raw stored value; rounded reports a number cell
// rounded to maxDigits significant digits.
func cell(f *excelize.File, sheet, ref string, typ excelize.CellType, v string, date1904 bool, dates map[int]bool) (c csvprofile.Cell, rounded bool) {
	c.Text = v
	switch typ {
	case excelize.CellTypeBool:
		switch v {
		case "1":
			c.Text = "TRUE"
		case "0":
			c.Text = "FALSE"
		}
	case excelize.CellTypeDate:
		if t, ok := isoDate(v); ok {
			c.Time, c.IsDate, c.Text = t, true, dateText(t)
		}
	case excelize.CellTypeNumber, excelize.CellTypeUnset:
		d, r, ok := exactNumber(v)
		if !ok {
			return c, false
		}
		c.Number = decimal.NullDecimal{Decimal: d, Valid: true}
		c.Text = d.String()
		if t, ok := serialDate(d, date1904); ok {
			c.Time = t
			c.IsDate = isDateStyle(f, sheet, ref, dates)
			if c.IsDate {
				c.Number = decimal.NullDecimal{}
				c.Text = dateText(t)
			}
		}
		return c, r
	}
	return c, false
}

// exactNumber reads a number cell's raw stored value ("1234.5", "-9.99", "1.5E-2")
// exactly. A value with more than maxDigits significant digits is rounded to maxDigits
// (rounded is true). Values that are not plain numbers, or whose exponent is absurd,
// are not numbers (ok is false) and stay text.
func exactNumber(raw string) (d decimal.Decimal, rounded, ok bool) {
	s := strings.TrimSpace(raw)
	if s == "" || len(s) > 64 || strings.ContainsAny(s, "_xXpP") {
		return d, false, false
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return d, false, false
	}
	if e := d.Exponent(); e < -64 || e > 64 {
		return decimal.Decimal{}, false, false
	}
	digits := len(new(big.Int).Abs(d.Coefficient()).String())
	if d.IsZero() {
		return decimal.Zero, false, true
	}
	// Trailing zeros of the coefficient are not significant ("1500" is 2 digits).
	c := new(big.Int).Abs(d.Coefficient())
	ten, zero, m := big.NewInt(10), new(big.Int), new(big.Int)
	trailing := 0
	for {
		q, r := new(big.Int).QuoRem(c, ten, m)
		if r.Cmp(zero) != 0 {
			break
		}
		c = q
		trailing++
	}
	if sig := digits - trailing; sig > maxDigits {
		intDigits := digits + int(d.Exponent()) // digits left of the decimal point
		d = d.Round(int32(maxDigits - intDigits))
		return d, true, true
	}
	return d, false, true
}

// Excel serial dates: day 1 is 1900-01-01 (day 60 is the non-existent 1900-02-29 that
// Excel keeps for Lotus 1-2-3 compatibility) or, in the 1904 system, day 0 is 1904-01-01.
var (
	epoch1900 = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	epoch1904 = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
)

// maxSerial is 9999-12-31, the last day Excel represents.
const maxSerial = 2958465

// serialDate reads a number as an Excel date, to the nearest second.
func serialDate(d decimal.Decimal, date1904 bool) (time.Time, bool) {
	if d.IsNegative() || d.GreaterThanOrEqual(decimal.NewFromInt(maxSerial+1)) {
		return time.Time{}, false
	}
	days := d.Floor()
	secs := d.Sub(days).Mul(decimal.NewFromInt(86400)).Round(0).IntPart()
	n := int(days.IntPart())
	var t time.Time
	switch {
	case date1904:
		t = epoch1904.AddDate(0, 0, n)
	case n == 60:
		return time.Time{}, false
	case n < 60:
		t = epoch1900.AddDate(0, 0, n+1)
	default:
		t = epoch1900.AddDate(0, 0, n)
	}
	return t.Add(time.Duration(secs) * time.Second), true
}

// isoDate reads an ISO 8601 date cell (t="d").
func isoDate(v string) (time.Time, bool) {
	for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02", "15:04:05"} {
		if t, err := time.Parse(l, strings.TrimSpace(v)); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// dateText writes a date cell's value as text: the date, and the time when it has one.
func dateText(t time.Time) string {
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02 15:04:05")
}

// isDateStyle reports whether the cell's number format is a date or time format.
func isDateStyle(f *excelize.File, sheet, ref string, cache map[int]bool) bool {
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil || id == 0 {
		return false
	}
	if v, ok := cache[id]; ok {
		return v
	}
	v := false
	if st, err := f.GetStyle(id); err == nil && st != nil {
		if st.CustomNumFmt != nil {
			v = isDateFormat(*st.CustomNumFmt)
		} else {
			v = builtinDateFormat(st.NumFmt)
		}
	}
	cache[id] = v
	return v
}

// builtinDateFormat reports whether a built-in number format id is a date or time
// format (ECMA-376 Part 1, 18.8.30, with the East Asian and Thai ids).
func builtinDateFormat(id int) bool {
	return id >= 14 && id <= 22 || id >= 27 && id <= 36 || id >= 45 && id <= 47 ||
		id >= 50 && id <= 58 || id >= 71 && id <= 81
}

// isDateFormat reports whether a number format code shows a date or time: it has a
// date or time token (y, m, d, h, s, or an elapsed [h]) outside quoted text, escapes and
// bracketed colours or locales.
func isDateFormat(code string) bool {
	if strings.EqualFold(strings.TrimSpace(code), "general") {
		return false
	}
	// Only the first section (positive numbers) decides.
	for i := 0; i < len(code); i++ {
		switch ch := code[i]; ch {
		case '"':
			j := strings.IndexByte(code[i+1:], '"')
			if j < 0 {
				return false
			}
			i += j + 1
		case '\\', '_', '*':
			i++
		case '[':
			j := strings.IndexByte(code[i+1:], ']')
			if j < 0 {
				return false
			}
			inner := strings.ToLower(code[i+1 : i+1+j])
			if inner != "" && strings.Trim(inner, "hms") == "" {
				return true
			}
			i += j + 1
		case ';':
			return false
		case 'y', 'Y', 'm', 'M', 'd', 'D', 'h', 'H', 's', 'S':
			return true
		}
	}
	return false
}
