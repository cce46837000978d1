package csvprofile

import (
	"bytes"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/moneytrail/moneytrail/internal/corpus"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.csv from the reader's output")

// TestGolden compares the canonical records read from corpus files with reviewed golden
// tables. Run with -update to rewrite them, then review the diff.
func TestGolden(t *testing.T) {
	for _, g := range []struct{ file, profile, account, golden string }{
		{"bank2ynab__bank2ynab__CSV_A_20180414_112204.csv", "rabobank-nl", "", "rabobank-nl.golden.csv"},
		{"bank2ynab__bank2ynab__test_swedebank_statement.xls", "swedbank-lt", testAcct, "swedbank-lt.golden.csv"},
	} {
		t.Run(g.profile, func(t *testing.T) {
			data := corpus.Read(t, "csv-banks/"+g.file)
			p, err := Builtin(g.profile)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Decode(data, p, Options{FileName: g.file, Account: g.account})
			if err != nil {
				t.Fatal(err)
			}
			got := goldenTable(r)
			path := filepath.Join("testdata", g.golden)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the reader's output:\n%s", path, got)
			}
		})
	}
}

// goldenTable writes transactions, quarantined records, skipped rows and statements as
// one CSV table.
func goldenTable(r Result) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"kind", "line", "seq", "booked_at", "value_date", "from", "to", "amount", "currency",
		"channel", "pending", "balance_after", "source_id", "counterparty", "reference", "field", "reason"})
	for _, x := range r.Batch.Txns {
		vd := ""
		if !x.ValueDate.IsZero() {
			vd = x.ValueDate.Format("2006-01-02")
		}
		bal := ""
		if x.BalanceAfter.Valid {
			bal = x.BalanceAfter.Decimal.String()
		}
		w.Write([]string{"txn", strconv.Itoa(x.Record), strconv.FormatInt(x.Seq, 10),
			x.BookedAt.Format("2006-01-02T15:04:05.999"), vd, x.From, x.To, x.Amount.String(), x.Currency,
			x.Channel, strconv.FormatBool(x.Pending), bal, x.SourceID, x.Counterparty, x.Reference, "", ""})
	}
	for _, e := range r.Batch.Errors {
		w.Write([]string{"quarantine", strconv.Itoa(e.Record), "", "", "", "", "", "", "", "", "", "", "", "", e.Raw, e.Field, e.Reason})
	}
	for _, s := range r.Skipped {
		w.Write([]string{"skip:" + s.Kind, strconv.Itoa(s.Line), "", "", "", "", "", "", "", "", "", "", "", "", s.Raw, "", s.Reason})
	}
	for _, st := range r.Batch.Statements {
		w.Write([]string{"statement", "", "", st.PeriodStart.Format("2006-01-02"), st.PeriodEnd.Format("2006-01-02"),
			st.Account, "", st.Opening.Decimal.String() + " -> " + st.Closing.Decimal.String(), st.Currency,
			"", "", "", "", "", "", "", ""})
	}
	w.Flush()
	return buf.Bytes()
}
