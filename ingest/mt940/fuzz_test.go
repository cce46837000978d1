package mt940

import (
	"testing"

	"github.com/moneytrail/moneytrail/internal/canon/canontest"
	"github.com/moneytrail/moneytrail/internal/corpus"
)

// FuzzRead feeds arbitrary bytes to Parse: it must never panic, and whatever it returns must
// keep the batch invariants (positive amounts, both ends set, one period per statement) and
// the accounting ones (every :61: line loaded or quarantined, reconciled periods adding up).
func FuzzRead(f *testing.F) {
	corpus.Seed(f, "mt940/*.sta", 8<<10)
	f.Add(stmt("95,00", ":61:2312310102RC10,00NTRFNONREF//B1", ":86:166?00X?31DE89370400440532013000"))
	canontest.SeedMutants(f, stmt("1047,05", ":61:240102C1000,00NTRFNONREF//B1\n:86:X?31DE44500105175407324931", ":61:2401030103D24187,50NMSCNONREF", ":61:240104C24187,50NTRFREF2", ":61:240105D52,95NCHGNONREF"), 3)
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Parse(data, Options{})
		if err != nil {
			return
		}
		// Record is a line number here, Records a count of entries: no upper bound.
		canontest.CheckParsed(t, res.Batch, len(res.Periods), 0)
		canontest.CheckAccounting(t, "fuzz", res.Batch, res.Periods, count61(data))
	})
}
