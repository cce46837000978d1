package camt

import (
	"testing"

	"github.com/moneytrail/moneytrail/internal/canon/canontest"
	"github.com/moneytrail/moneytrail/internal/corpus"
)

// FuzzRead feeds arbitrary bytes to Read: it must never panic, and whatever it returns must
// keep the batch invariants (positive amounts, record numbers within the entries seen) and
// the accounting ones (every <Ntry> loaded or quarantined, reconciled periods adding up).
func FuzzRead(f *testing.F) {
	corpus.Seed(f, "camt/*.xml", 16<<10)
	f.Add(doc("100.00", ntry("1.00", "CRDT", "<RvslInd>true</RvslInd>", "<TxDtls/>")))
	canontest.SeedMutants(f, doc("76.00", ntry("1.00", "CRDT", "", ""), ntry("24187.50", "DBIT", "", ""), ntry("24162.50", "CRDT", "", "")), 3)
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Parse(data, Options{})
		if err != nil {
			return
		}
		canontest.CheckParsed(t, res.Batch, len(res.Periods), res.Batch.Records)
		canontest.CheckAccounting(t, "fuzz", res.Batch, res.Periods, len(ntryTag.FindAll(data, -1)))
	})
}
