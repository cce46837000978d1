package match

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Tolerance is how much lower the receiving side of a transfer may be than the sending side:
// an absolute amount in the currency compared, or a percentage of the sent amount.
type Tolerance struct {
	// Value is the amount, or the percentage when Percent is set.
	Value   decimal.Decimal
	Percent bool
}

var hundred = decimal.NewFromInt(100)

// ParseTolerance reads "2%" (a percentage of the sent amount) or "5.00" (an absolute amount in
// the currency being compared). The value must not be negative.
func ParseTolerance(s string) (Tolerance, error) {
	v := strings.TrimSpace(s)
	pct := strings.HasSuffix(v, "%")
	v = strings.TrimSpace(strings.TrimSuffix(v, "%"))
	d, err := decimal.NewFromString(v)
	if err != nil || v == "" {
		return Tolerance{}, fmt.Errorf("tolerance %q: want an amount such as 5.00 or a percentage such as 2%%", s)
	}
	if d.IsNegative() {
		return Tolerance{}, fmt.Errorf("tolerance %q is negative", s)
	}
	if pct && d.GreaterThan(hundred) {
		return Tolerance{}, fmt.Errorf("tolerance %q is more than 100%%", s)
	}
	return Tolerance{Value: d, Percent: pct}, nil
}

// Allow returns the largest difference the tolerance allows on amount.
func (t Tolerance) Allow(amount decimal.Decimal) decimal.Decimal {
	if t.Percent {
		return amount.Abs().Mul(t.Value).Div(hundred)
	}
	return t.Value
}

// String gives the tolerance as ParseTolerance reads it.
func (t Tolerance) String() string {
	if t.Percent {
		return t.Value.String() + "%"
	}
	return t.Value.String()
}

// ParseWindow reads a matching window: whole days as "3d", or a Go duration such as "72h"
// (rounded down to whole days, since booking dates have no time of day in most statements).
func ParseWindow(s string) (time.Duration, error) {
	v := strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(v, "d"); ok {
		d, err := strconv.Atoi(n)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("window %q: want whole days such as 3d", s)
		}
		return time.Duration(d) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("window %q: want whole days such as 3d, or a duration such as 72h", s)
	}
	return d, nil
}

// windowDays is the window in whole days.
func windowDays(w time.Duration) int { return int(w / (24 * time.Hour)) }
