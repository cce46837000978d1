package ledger

import (
	"regexp"
	"testing"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/canon/canontest"
)

// ledgerRow counts the file's rows independently of the reader: lines that start with an
// id and an ISO date.
var ledgerRow = regexp.MustCompile(`(?m)^[^,\n]*,[0-9]{4}-[0-9]{2}-[0-9]{2}`)

// TestMutants damages a ledger file the ways issue 19 lists and checks that every row is
// loaded, quarantined or the file refused (a ledger file has no statement to reconcile).
func TestMutants(t *testing.T) {
	own := "txn_id,booked_at,from_account,to_account,amount,currency,channel,reference\n" +
		"t1,2024-01-01,external:a,AT611904300234573201,24187.50,EUR,transfer,first\n" +
		"t2,2024-01-02T10:00:00,AT611904300234573201,cash:atm,10.00,EUR,cash_withdrawal,\n" +
		"t3,2024-01-03,AT611904300234573201,asset:car,1000,EUR,,\"two\nlines\"\n" +
		"t4,2024-01-04,AT611904300234573201,external:b,0.25,EUR,fee,last"
	seeds := map[string][]byte{"own": []byte(own)}
	tally := canontest.Run(t, seeds, func(b []byte) (canon.Batch, []canon.Period, error) {
		batch, err := Read(b)
		return batch, nil, err
	}, func(b []byte) int { return len(ledgerRow.FindAll(b, -1)) })
	t.Logf("ledger: %d seeds, %s", len(seeds), tally)
}
