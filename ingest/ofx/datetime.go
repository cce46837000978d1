package ofx

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/moneytrail/moneytrail/internal/canon"
)

// zoneNames gives the UTC offset, in hours, of the zone names seen in OFX brackets, used only
// when the bracket has a name and no number ("[-:EST]").
var zoneNames = map[string]int{
	"GMT": 0, "UTC": 0, "Z": 0,
	"EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
	"AKST": -9, "AKDT": -8, "HST": -10, "AST": -4, "NST": -3, "CET": 1, "CEST": 2,
}

// maxDateTime bounds an OFX date-time's text before it is parsed: the longest form,
// "YYYYMMDDHHMMSS.XXX[+05.30:IST]", has 30 characters.
const maxDateTime = 40

// parseDateTime reads an OFX date-time: YYYYMMDD, YYYYMMDDHHMM, YYYYMMDDHHMMSS or
// YYYYMMDDHHMMSS.XXX, optionally followed by "[offset:TZ]" or "[offset]" where offset is
// signed hours with an optional fraction ("-5", "+5.30", "-3.5"). The result is in UTC: the
// offset is applied when given; without one the value is UTC, as the OFX specification
// says. Impossible dates (30 February) are errors, never corrected.
func parseDateTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if len(s) > maxDateTime {
		return time.Time{}, fmt.Errorf("OFX date-time %s is longer than %d characters (maxDateTime)", canon.Quote(s), maxDateTime)
	}
	offset, err := 0, error(nil)
	if i := strings.IndexByte(s, '['); i >= 0 {
		if !strings.HasSuffix(s, "]") {
			return time.Time{}, fmt.Errorf("OFX date-time %s: unclosed time-zone bracket", canon.Quote(s))
		}
		offset, err = parseOffset(s[i+1 : len(s)-1])
		if err != nil {
			return time.Time{}, fmt.Errorf("OFX date-time %s: %v", canon.Quote(s), err)
		}
		s = strings.TrimSpace(s[:i])
	}
	var layout string
	switch {
	case len(s) == 8:
		layout = "20060102"
	case len(s) == 12:
		layout = "200601021504"
	case len(s) == 14:
		layout = "20060102150405"
	case len(s) > 15 && s[14] == '.':
		layout = "20060102150405." + strings.Repeat("0", len(s)-15)
	default:
		return time.Time{}, fmt.Errorf("OFX date-time %s: want YYYYMMDD[HHMMSS[.XXX]][[offset:TZ]]", canon.Quote(s))
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && !(i == 14 && s[i] == '.') {
			return time.Time{}, fmt.Errorf("OFX date-time %s: want digits", canon.Quote(s))
		}
	}
	t, err := time.ParseInLocation(layout, s, time.FixedZone("", offset))
	if err != nil {
		return time.Time{}, fmt.Errorf("OFX date-time %s: %v", canon.Quote(s), err)
	}
	return t.UTC(), nil
}

// parseOffset reads the inside of an OFX time-zone bracket and returns seconds east of UTC.
func parseOffset(b string) (int, error) {
	num, name, _ := strings.Cut(b, ":")
	num, name = strings.TrimSpace(num), strings.ToUpper(strings.TrimSpace(name))
	if num == "" || num == "-" || num == "+" {
		h, ok := zoneNames[name]
		if !ok {
			return 0, fmt.Errorf("time-zone bracket [%s] has no offset and an unknown zone name", b)
		}
		return h * 3600, nil
	}
	sign := 1
	switch num[0] {
	case '-':
		sign, num = -1, num[1:]
	case '+':
		num = num[1:]
	}
	hs, frac, _ := strings.Cut(num, ".")
	h, err := strconv.Atoi(hs)
	if err != nil || h > 14 || hs == "" || hs[0] == '+' || hs[0] == '-' {
		return 0, fmt.Errorf("time-zone offset %s is not a number of hours", canon.Quote(b))
	}
	min := 0
	switch frac {
	case "":
	case "5", "50", "30":
		min = 30
	case "75", "45":
		min = 45
	case "25", "15":
		min = 15
	default:
		return 0, fmt.Errorf("time-zone offset %s has an unknown fraction", canon.Quote(b))
	}
	return sign * (h*3600 + min*60), nil
}
