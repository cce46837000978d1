package report

import (
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// moneyText writes an amount exactly, with at least two decimal places: 84.5 is "84.50",
// 0.125 stays "0.125".
func moneyText(d decimal.Decimal) string {
	if d.Exponent() >= -2 {
		return d.StringFixed(2)
	}
	s := d.String()
	if i := strings.IndexByte(s, '.'); i < 0 || len(s)-i-1 < 2 {
		return d.StringFixed(2)
	}
	return s
}

// excelDigits is how many significant decimal digits a spreadsheet number keeps: Excel shows
// and re-reads 15, and any decimal of up to 15 significant digits survives the trip through
// the nearest float64 and back (DBL_DIG).
const excelDigits = 15

// excelNumber returns the spreadsheet number for an exact amount, and false when the amount
// has more significant digits than a spreadsheet keeps (it is then written as text).
// The workbook stores the shortest decimal that reads back as the same float64; for amounts of
// at most 15 significant digits that is the amount's own digits, so no cent can change on the
// way into the file or back. Sums are computed exactly in the database, never by the
// spreadsheet, so 0.1+0.2-style binary errors cannot reach a figure.
func excelNumber(d decimal.Decimal) (float64, bool) {
	s := d.String()
	sig := 0
	leading := true
	for _, r := range s {
		if r < '0' || r > '9' {
			continue
		}
		if leading && r == '0' {
			continue
		}
		leading = false
		sig++
	}
	if sig > excelDigits {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || strconv.FormatFloat(f, 'f', -1, 64) != s {
		return 0, false
	}
	return f, true
}

// cellText writes a cell as the CSV and HTML outputs show it.
func cellText(v any, k colKind) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case decimal.Decimal:
		return moneyText(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		if k == kDate {
			return x.Format(time.DateOnly)
		}
		if x.Nanosecond() != 0 {
			return x.Format("2006-01-02 15:04:05.999999")
		}
		return x.Format(time.DateTime)
	}
	return ""
}

// maskedText is a cell's text after masking.
func (m *masker) maskedText(c column, v any) string {
	s := cellText(v, c.kind)
	if c.kind == kText {
		return m.cell(c.mask, s)
	}
	return s
}
