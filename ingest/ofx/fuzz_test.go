package ofx

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/moneytrail/moneytrail/internal/corpus"
)

// FuzzRead feeds arbitrary bytes to Parse: it must never panic, and whatever it returns must
// keep the batch invariants (positive amounts, both sides named, record numbers within the
// entries seen, quarantine records with a reason).
func FuzzRead(f *testing.F) {
	if d := corpus.Dir(); d != "" {
		files, _ := filepath.Glob(filepath.Join(d, "ofx", "*"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte(sgml("1", trn("ATM", "20240302120000.5[-3.5:NST]", "-1,5", "<FITID>x"))))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Parse(data, Options{})
		if err != nil {
			return
		}
		b := res.Batch
		if len(res.Periods) != len(b.Statements) {
			t.Fatalf("%d periods for %d statements", len(res.Periods), len(b.Statements))
		}
		entries := 0
		for _, p := range res.Periods {
			entries += p.Entries
		}
		if b.Records != len(b.Txns)+len(b.Errors) {
			t.Fatalf("Records %d != %d + %d", b.Records, len(b.Txns), len(b.Errors))
		}
		for _, x := range b.Txns {
			if !x.Amount.IsPositive() || x.Record < 1 || x.Record > entries || x.From == "" || x.To == "" || x.From == x.To || len(x.Currency) != 3 {
				t.Fatalf("bad txn %+v (entries %d)", x, entries)
			}
		}
		for _, e := range b.Errors {
			if e.Record < 1 || e.Record > entries || e.Reason == "" || e.Field == "" {
				t.Fatalf("bad error %+v", e)
			}
		}
	})
}
