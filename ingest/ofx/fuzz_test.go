package ofx

import (
	"testing"

	"github.com/moneytrail/moneytrail/internal/canon/canontest"
	"github.com/moneytrail/moneytrail/internal/corpus"
)

// FuzzRead feeds arbitrary bytes to Parse: it must never panic, and whatever it returns must
// keep the batch invariants (positive amounts, both sides named, record numbers within the
// entries seen, quarantine records with a reason) and the accounting ones (every <STMTTRN>
// loaded, quarantined or noted; reconciled periods adding up).
func FuzzRead(f *testing.F) {
	corpus.Seed(f, "ofx/*", 0)
	f.Add([]byte(sgml("1", trn("ATM", "20240302120000.5[-3.5:NST]", "-1,5", "<FITID>x"))))
	canontest.SeedMutants(f, []byte(sgml("1", "\n"+trn("DEBIT", "20240302", "-24187.50", "<FITID>a")+"\n"+trn("CREDIT", "20240303", "1.00", "<FITID>b")+"\n")), 3)
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Parse(data, Options{})
		if err != nil {
			return
		}
		b := res.Batch
		canontest.CheckParsed(t, b, len(res.Periods), 0)
		canontest.CheckAccounting(t, "fuzz", b, res.Periods, len(stmttrnTag.FindAll(data, -1)))
		entries := canontest.Accounted(b)
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
