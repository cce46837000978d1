// Package money parses and formats monetary amounts exactly: decimal.Decimal at the edges,
// int64 minor units inside hot loops, and a largest-remainder split that conserves every unit.
package money

import (
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Scale is the number of decimal places stored for every amount in the case database
// (DECIMAL(38,6)): enough for three-decimal currencies and crypto-asset fractions seen in
// AMLworld, so no amount is rounded on the way in.
const Scale = 6

// ErrSyntax reports text that is not an amount in the expected notation.
var ErrSyntax = errors.New("not an amount")

// ErrRange reports an amount too long to be one: more than MaxText characters, or more than
// MaxDigits significant digits (beyond what DECIMAL(38,6) holds).
var ErrRange = errors.New("amount out of range")

// MaxText is the longest text Parse reads as an amount, in bytes after trimming spaces: the
// 38 digits of the case database's DECIMAL(38,6) with grouping separators, a sign and
// parentheses fit in it. Longer text is refused before it is parsed, so a hostile field (a
// 5 MiB digit run) costs no more than a short one.
const MaxText = 64

// MaxDigits is the most significant digits an amount may have (DECIMAL(38,6): 32 before the
// decimal point, 6 after).
const MaxDigits = 38

// excerpt quotes at most 24 bytes of s in an error, marking a cut.
func excerpt(s string) string {
	if len(s) <= 24 {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q... (%d bytes)", s[:24], len(s))
}

// ErrPrecision reports an amount with more decimal places than the case database keeps.
var ErrPrecision = errors.New("more than 6 decimal places")

// Notation describes how a source writes amounts.
type Notation struct {
	// Decimal is the decimal separator: '.' or ','. Zero means '.'.
	Decimal byte
	// Thousands is the grouping separator ('.', ',', ' ', '\'' or 0 for none). Grouping
	// characters are accepted anywhere in the integer part only.
	Thousands byte
}

// Dot is the notation of plain machine-written amounts: "1234.56".
var Dot = Notation{Decimal: '.'}

// Parse reads an amount written in notation n. It accepts a leading or trailing sign ('+',
// '-', or accounting parentheses), surrounding spaces and a currency symbol or code glued to
// either end is NOT accepted: callers strip those deliberately so that nothing is guessed.
func Parse(s string, n Notation) (decimal.Decimal, error) {
	dec := n.Decimal
	if dec == 0 {
		dec = '.'
	}
	t := strings.TrimSpace(s)
	if t == "" {
		return decimal.Decimal{}, fmt.Errorf("%w: empty", ErrSyntax)
	}
	if len(t) > MaxText {
		return decimal.Decimal{}, fmt.Errorf("%w: %s is longer than an amount can be (money.MaxText: %d characters)", ErrRange, excerpt(t), MaxText)
	}
	neg := false
	if strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")") {
		neg = true
		t = strings.TrimSpace(t[1 : len(t)-1])
	}
	switch {
	case strings.HasPrefix(t, "-"):
		neg = !neg
		t = strings.TrimSpace(t[1:])
	case strings.HasPrefix(t, "+"):
		t = strings.TrimSpace(t[1:])
	case strings.HasSuffix(t, "-"):
		neg = !neg
		t = strings.TrimSpace(t[:len(t)-1])
	case strings.HasSuffix(t, "+"):
		t = strings.TrimSpace(t[:len(t)-1])
	}
	var b strings.Builder
	b.Grow(len(t) + 1)
	if neg {
		b.WriteByte('-')
	}
	seenDec, digits, frac, significant := false, 0, 0, 0
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
			digits++
			if c != '0' || significant > 0 {
				significant++
			}
			if seenDec {
				frac++
			}
		case c == dec && !seenDec:
			seenDec = true
			b.WriteByte('.')
		case n.Thousands != 0 && c == n.Thousands && !seenDec && digits > 0:
			// grouping inside the integer part
		default:
			return decimal.Decimal{}, fmt.Errorf("%w: %s (unexpected %q)", ErrSyntax, excerpt(s), string(c))
		}
	}
	if digits == 0 {
		return decimal.Decimal{}, fmt.Errorf("%w: %s", ErrSyntax, excerpt(s))
	}
	if frac > Scale {
		return decimal.Decimal{}, fmt.Errorf("%w: %s", ErrPrecision, excerpt(s))
	}
	if significant > MaxDigits {
		return decimal.Decimal{}, fmt.Errorf("%w: %s has %d significant digits (money.MaxDigits: %d)", ErrRange, excerpt(s), significant, MaxDigits)
	}
	v := b.String()
	if strings.HasSuffix(v, ".") {
		v += "0"
	}
	if strings.HasPrefix(v, ".") || strings.HasPrefix(v, "-.") {
		v = strings.Replace(v, ".", "0.", 1)
	}
	d, err := decimal.NewFromString(v)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("%w: %s", ErrSyntax, excerpt(s))
	}
	return d, nil
}

// Format writes d with a dot decimal and exactly places decimals (rounding half away from zero
// only when d has more; callers that must not round check first with Exact).
func Format(d decimal.Decimal, places int32) string {
	return d.StringFixed(places)
}

// Plain writes d with a dot decimal and no trailing zeros beyond what is needed ("12.5",
// "100"): the canonical text used in hashes and CSV exports.
func Plain(d decimal.Decimal) string {
	return d.String()
}

// ToMinor converts d into integer units of 10^-places, failing if that would lose precision
// or overflow int64.
func ToMinor(d decimal.Decimal, places int32) (int64, error) {
	s := d.Shift(places)
	if !s.Equal(s.Truncate(0)) {
		return 0, fmt.Errorf("amount %s has more than %d decimal places", d, places)
	}
	if !s.BigInt().IsInt64() {
		return 0, fmt.Errorf("amount %s overflows int64 minor units", d)
	}
	return s.IntPart(), nil
}

// FromMinor converts integer units of 10^-places back into a decimal.
func FromMinor(v int64, places int32) decimal.Decimal {
	return decimal.New(v, -places)
}

// Split divides total into parts proportional to weights by the largest-remainder rule: each
// part is floored, then the left-over units go one each to the largest remainders, ties to
// the lower index (the older lot). The parts always sum to total. Weights must be >= 0 and
// total >= 0; if all weights are zero every part is zero unless total is non-zero, which is
// an error.
func Split(total int64, weights []int64) ([]int64, error) {
	return SplitInto(make([]int64, len(weights)), total, weights)
}

// SplitInto is Split writing into dst (len(dst) == len(weights)), for hot loops that reuse
// a buffer.
func SplitInto(dst []int64, total int64, weights []int64) ([]int64, error) {
	if total < 0 {
		return nil, fmt.Errorf("split of negative total %d", total)
	}
	var sum int64
	for _, w := range weights {
		if w < 0 {
			return nil, fmt.Errorf("split with negative weight %d", w)
		}
		sum += w
	}
	if sum == 0 {
		if total != 0 {
			return nil, fmt.Errorf("split of %d over zero weights", total)
		}
		for i := range dst {
			dst[i] = 0
		}
		return dst, nil
	}
	var given int64
	rems := make([]int64, len(weights))
	for i, w := range weights {
		q, r := mulDiv(total, w, sum)
		dst[i] = q
		rems[i] = r
		given += q
	}
	left := total - given
	for left > 0 {
		best := -1
		for i, r := range rems {
			if r > 0 && (best < 0 || r > rems[best]) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		dst[best]++
		rems[best] = 0
		left--
	}
	return dst, nil
}

// mulDiv returns the quotient and remainder of a*b/c without overflow for the magnitudes of
// money (a, b < 2^63, c > 0).
func mulDiv(a, b, c int64) (q, r int64) {
	hi, lo := mul64(uint64(a), uint64(b))
	qq, rr := div128(hi, lo, uint64(c))
	return int64(qq), int64(rr)
}
