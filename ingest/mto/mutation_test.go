package mto

import (
	"os"
	"regexp"
	"testing"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/canon/canontest"
)

// mtoRow counts the sample's transfer rows independently of the reader: lines that hold an
// ISO date.
var mtoRow = regexp.MustCompile(`(?m)^.*[0-9]{4}-[0-9]{2}-[0-9]{2}.*$`)

// TestMutants damages the money-transfer sample the ways issue 19 lists and checks that
// every row is loaded, quarantined, noted or the file refused.
func TestMutants(t *testing.T) {
	own, err := os.ReadFile("testdata/mto-generic-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	p := generic(t)
	seeds := map[string][]byte{"own": own}
	tally := canontest.Run(t, seeds, func(b []byte) (canon.Batch, []canon.Period, error) {
		r, err := Parse(b, p, Options{})
		if err != nil {
			return canon.Batch{}, nil, err
		}
		return r.Batch, nil, nil
	}, func(b []byte) int { return len(mtoRow.FindAll(b, -1)) })
	t.Logf("mto: %d seeds, %s", len(seeds), tally)
}
