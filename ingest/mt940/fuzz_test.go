package mt940

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/moneytrail/moneytrail/internal/corpus"
)

// FuzzRead feeds arbitrary bytes to Parse: it must never panic, and whatever it returns must
// keep the batch invariants (positive amounts, both ends set, one period per statement).
func FuzzRead(f *testing.F) {
	if d := corpus.Dir(); d != "" {
		files, _ := filepath.Glob(filepath.Join(d, "mt940", "*.sta"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil && len(b) < 8<<10 {
				f.Add(b)
			}
		}
	}
	f.Add(stmt("95,00", ":61:2312310102RC10,00NTRFNONREF//B1", ":86:166?00X?31DE89370400440532013000"))
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
			if !x.Amount.IsPositive() || x.Record < 1 || x.From == "" || x.To == "" || x.Currency == "" {
				t.Fatalf("bad txn %+v", x)
			}
		}
		for _, e := range b.Errors {
			if e.Record < 1 || e.Reason == "" {
				t.Fatalf("bad error %+v", e)
			}
		}
	})
}
