package mt940

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moneytrail/moneytrail/internal/corpus"
	"github.com/shopspring/decimal"
)

// TestSvenstaroOracle compares with the decoded statements that the svenstaro/mt940-rs parser
// produced for the same files (the .json beside each .sta): statement count, accounts,
// balances, and per statement line the amount, side, value date and entry date.
func TestSvenstaroOracle(t *testing.T) {
	dir := corpus.Require(t)
	files, _ := filepath.Glob(filepath.Join(dir, "mt940", "svenstaro__*.json"))
	if len(files) == 0 {
		t.Skip("no svenstaro oracle files")
	}
	type bal struct {
		DC     string `json:"debit_credit_indicator"`
		Amount string `json:"amount"`
		Date   string `json:"date"`
	}
	for _, jf := range files {
		name := filepath.Base(strings.TrimSuffix(jf, ".json") + ".sta")
		t.Run(name, func(t *testing.T) {
			var want []struct {
				Account string `json:"account_id"`
				Opening bal    `json:"opening_balance"`
				Closing bal    `json:"closing_balance"`
				Lines   []struct {
					ValueDate string `json:"value_date"`
					EntryDate string `json:"entry_date"`
					DC        string `json:"ext_debit_credit_indicator"`
					Amount    string `json:"amount"`
				} `json:"statement_lines"`
			}
			raw, err := os.ReadFile(jf)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			res, err := Parse(corpus.Read(t, "mt940/"+name), Options{})
			if err != nil {
				t.Fatal(err)
			}
			b := res.Batch
			if len(b.Statements) != len(want) {
				t.Fatalf("statements = %d, oracle %d", len(b.Statements), len(want))
			}
			ti := 0
			for i, w := range want {
				s := b.Statements[i]
				signed := func(x bal) decimal.Decimal {
					v := decimal.RequireFromString(x.Amount)
					if x.DC == "Debit" {
						v = v.Neg()
					}
					return v
				}
				if !s.Opening.Decimal.Equal(signed(w.Opening)) || !s.Closing.Decimal.Equal(signed(w.Closing)) {
					t.Errorf("statement %d: balances %s/%s, oracle %s/%s", i, s.Opening.Decimal, s.Closing.Decimal, signed(w.Opening), signed(w.Closing))
				}
				if s.PeriodStart.Format("2006-01-02") != w.Opening.Date || s.PeriodEnd.Format("2006-01-02") != w.Closing.Date {
					t.Errorf("statement %d: period %v..%v, oracle %s..%s", i, s.PeriodStart, s.PeriodEnd, w.Opening.Date, w.Closing.Date)
				}
				if !strings.Contains(s.Account, strings.Join(strings.Fields(strings.SplitN(w.Account, "/", 2)[len(strings.SplitN(w.Account, "/", 2))-1]), "")) {
					t.Errorf("statement %d: account %s, oracle %s", i, s.Account, w.Account)
				}
				for _, l := range w.Lines {
					if ti >= len(b.Txns) {
						t.Fatalf("oracle has more lines than we loaded (%v quarantined)", b.Errors)
					}
					x := b.Txns[ti]
					ti++
					credit := x.To == s.Account
					wantCredit := l.DC == "Credit" || l.DC == "ReverseDebit"
					if !x.Amount.Equal(decimal.RequireFromString(l.Amount)) || credit != wantCredit ||
						x.ValueDate.Format("2006-01-02") != l.ValueDate {
						t.Errorf("line %d: %s credit=%v value %s; oracle %s %s %s", x.Record, x.Amount, credit, x.ValueDate.Format("2006-01-02"), l.Amount, l.DC, l.ValueDate)
					}
					if l.EntryDate != "" && x.BookedAt.Format("2006-01-02") != l.EntryDate {
						t.Errorf("line %d: booked %s, oracle entry date %s", x.Record, x.BookedAt.Format(time.DateOnly), l.EntryDate)
					}
				}
			}
		})
	}
}
