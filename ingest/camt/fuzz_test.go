package camt

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/moneytrail/moneytrail/internal/corpus"
)

// FuzzRead feeds arbitrary bytes to Read: it must never panic, and whatever it returns must
// keep the batch invariants (positive amounts, record numbers within the entries seen).
func FuzzRead(f *testing.F) {
	if d := corpus.Dir(); d != "" {
		files, _ := filepath.Glob(filepath.Join(d, "camt", "*.xml"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil && len(b) < 16<<10 {
				f.Add(b)
			}
		}
	}
	f.Add(doc("100.00", ntry("1.00", "CRDT", "<RvslInd>true</RvslInd>", "<TxDtls/>")))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Parse(data, Options{})
		if err != nil {
			return
		}
		b := res.Batch
		if len(res.Periods) != len(b.Statements) {
			t.Fatalf("%d periods for %d statements", len(res.Periods), len(b.Statements))
		}
		for _, x := range b.Txns {
			if !x.Amount.IsPositive() || x.Record < 1 || x.Record > b.Records || x.From == "" || x.To == "" {
				t.Fatalf("bad txn %+v (records %d)", x, b.Records)
			}
		}
		for _, e := range b.Errors {
			if e.Record < 1 || e.Record > b.Records || e.Reason == "" {
				t.Fatalf("bad error %+v", e)
			}
		}
	})
}
