package csvprofile

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/money"
)

// Dates before minYear or after maxYear are quarantined: no bank statement holds them,
// and anonymised exports use such dates ("1111/11/11") as placeholders.
const (
	minYear = 1900
	maxYear = 2099
)

// parseAmount reads an amount in the profile's notation after stripping the declared
// symbols or codes (after an optional leading sign: "+ £1,100.00").
func (pl *plan) parseAmount(s string) (decimal.Decimal, error) {
	d, err := money.Parse(pl.p.Number.StripSymbols(strings.TrimSpace(s)), pl.notation)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("%s is not an amount with decimal %q%s: %w", canon.Quote(s), pl.notation.Decimal, thousandsNote(pl.notation), err)
	}
	return d, nil
}

func thousandsNote(n money.Notation) string {
	if n.Thousands == 0 {
		return " and no thousands separator"
	}
	return fmt.Sprintf(" and thousands %q", n.Thousands)
}

// parseDate reads a date or date-time with the first layout that fits. Fractional seconds
// written after a colon ("00:00:30:989", Raiffeisen ELBA) are read when the layout writes
// them the same way ("15:04:05:000"), for fixed-width layouts.
func parseDate(s string, layouts []string) (time.Time, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return time.Time{}, fmt.Errorf("empty, want a date like %s", layouts[0])
	}
	for _, l := range layouts {
		v := t
		if i := strings.Index(l, "05:0"); i >= 0 && len(l) == len(v) && v[i+2] == ':' {
			l = l[:i+2] + "." + l[i+3:]
			v = v[:i+2] + "." + v[i+3:]
		} else if i := strings.Index(l, "05:9"); i >= 0 && i+2 < len(v) && v[i+2] == ':' {
			l = l[:i+2] + "." + l[i+3:]
			v = v[:i+2] + "." + v[i+3:]
		}
		d, err := time.Parse(l, v)
		if err != nil {
			continue
		}
		if y := d.Year(); y < minYear || y > maxYear {
			return time.Time{}, fmt.Errorf("%s is year %d, outside %d..%d (a placeholder date?)", canon.Quote(s), y, minYear, maxYear)
		}
		return d.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%s is not a date in layout %s", canon.Quote(s), strings.Join(layouts, " or "))
}

// sameDay reports whether a and b fall on the same calendar day.
func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}
