package ofx

import (
	"regexp"
	"testing"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/canon/canontest"
)

// stmttrnTag counts the file's entries independently of the reader: <STMTTRN> start tags
// in any case.
var stmttrnTag = regexp.MustCompile(`(?i)<STMTTRN>`)

// TestMutants damages statements the ways issue 19 lists (a deleted </STMTTRN> among them)
// and checks that every <STMTTRN> of a damaged file is loaded, quarantined, noted or the
// file refused, and that a reconciled statement adds up.
func TestMutants(t *testing.T) {
	var trns string
	for i, a := range []string{"-24187.50", "1000.00", "-52.95", "0.00", "24187.50", "-1.25", "300", "-7.77", "12.34"} {
		trns += trn("DEBIT", "2024030"+string(rune('1'+i)), a, "<FITID>F"+string(rune('1'+i))+"<NAME>N\n") + "\n"
	}
	seeds := canontest.Seeds(t, []byte(sgml("123", "\n"+trns)), "ofx/*", 8<<10)
	tally := canontest.Run(t, seeds, func(b []byte) (canon.Batch, []canon.Period, error) {
		r, err := Parse(b, Options{})
		if err != nil {
			return canon.Batch{}, nil, err
		}
		return r.Batch, r.Periods, nil
	}, func(b []byte) int { return len(stmttrnTag.FindAll(b, -1)) })
	t.Logf("ofx: %d seeds, %s", len(seeds), tally)
}
