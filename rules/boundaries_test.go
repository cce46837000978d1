package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestRuleBoundaries pins thresholds of the evidence rules at their edges with numbers worked
// out by hand: one case just inside (the finding, its amount and evidence count given) and
// one just outside (nothing found). A rule whose `<` becomes `<=`, whose default moves by
// one, whose window doubles, or that ignores a table it should read fails here.
func TestRuleBoundaries(t *testing.T) {
	type want struct {
		subject, amount string
		evidence        int
	}
	senders := func(l *ledger, countries ...string) *ledger {
		for i := range collectionMin {
			l.add(1+i, fmt.Sprintf("%s00SENDER%06d", countries[i%len(countries)], i+1), "SI00COLLECT00001", "2500.00", "mto_send", "MTCN")
		}
		return l
	}
	cases := []struct {
		name, pack, rule string
		l                *ledger
		income           string // a declared-income CSV to load first, if any
		want             []want
	}{
		// Threshold EUR 10,000, margin 0.15: a deposit counts when 8,500.00 <= amount <
		// 10,000.00; two within 30 days fire. 9,999.99 + 8,500.00 = 18,499.99.
		{"structuring under the threshold and at the margin", "smuggling", "structuring_cash",
			(&ledger{}).add(2, "cash:Zagreb", "HR00FUNNEL000001", "9999.99", "cash_deposit", "").
				add(9, "cash:Split", "HR00FUNNEL000001", "8500.00", "cash_deposit", ""),
			"", []want{{"HR00FUNNEL000001", "18499.990000", 2}}},
		// A deposit of exactly 10,000.00 is at the threshold, not under it (reported), so
		// only one deposit is under: nothing. 8,499.99 is below the margin.
		{"structuring at the threshold", "smuggling", "structuring_cash",
			(&ledger{}).add(2, "cash:Zagreb", "HR00FUNNEL000001", "10000.00", "cash_deposit", "").
				add(9, "cash:Split", "HR00FUNNEL000001", "9000.00", "cash_deposit", "").
				add(12, "cash:Split", "HR00FUNNEL000001", "8499.99", "cash_deposit", ""),
			"", nil},
		// 14 distinct senders (min_senders) from 3 countries (min_countries): 14 x 2,500.00.
		{"collection from three countries", "smuggling", "collection_account",
			senders(&ledger{}, "DE", "AT", "IT"), "", []want{{"SI00COLLECT00001", "35000.000000", 14}}},
		{"collection from two countries", "smuggling", "collection_account",
			senders(&ledger{}, "DE", "AT"), "", nil},
		// Credits of 1,000.00 on days 1 and 10, each withdrawn (800.00 = min_share 0.8) exactly
		// 48 hours later (the window is closed): two events (min_events), 2,000.00 credited,
		// evidence the two credits and two withdrawals.
		{"cash-out at 48 hours", "smuggling", "cash_out",
			(&ledger{}).add(1, "DE00PAYER0000001", "SI00COLLECT00001", "1000.00", "transfer", "").
				add(3, "SI00COLLECT00001", "cash:Ljubljana", "800.00", "cash_withdrawal", "").
				add(10, "DE00PAYER0000002", "SI00COLLECT00001", "1000.00", "transfer", "").
				add(12, "SI00COLLECT00001", "cash:Ljubljana", "800.00", "cash_withdrawal", ""),
			"", []want{{"SI00COLLECT00001", "2000.000000", 4}}},
		// The same withdrawn 72 hours later: outside 48h (a window of 96h would take them).
		{"cash-out at 72 hours", "smuggling", "cash_out",
			(&ledger{}).add(1, "DE00PAYER0000001", "SI00COLLECT00001", "1000.00", "transfer", "").
				add(4, "SI00COLLECT00001", "cash:Ljubljana", "800.00", "cash_withdrawal", "").
				add(10, "DE00PAYER0000002", "SI00COLLECT00001", "1000.00", "transfer", "").
				add(13, "SI00COLLECT00001", "cash:Ljubljana", "800.00", "cash_withdrawal", ""),
			"", nil},
		// Party P1 (accounts SI00COLLECT00001 and HR00COLLECT00002) is paid 30,000.00 in 2024
		// and moves 5,000.00 between its own accounts (not income): net deposits 30,000.00;
		// declared 20,000.00 leaves 10,000.00 unexplained = min_unexplained: found.
		{"bank deposits above declared income", "wealth", "bank_deposits",
			(&ledger{}).add(5, "DE00EMPLOYER0001", "SI00COLLECT00001", "30000.00", "transfer", "").
				add(6, "SI00COLLECT00001", "HR00COLLECT00002", "5000.00", "transfer", ""),
			"P1,2024,20000.00,EUR\n", []want{{"party:P1", "10000.000000", 1}}},
		// Declared 20,000.01: 9,999.99 unexplained, under min_unexplained.
		{"bank deposits within declared income", "wealth", "bank_deposits",
			(&ledger{}).add(5, "DE00EMPLOYER0001", "SI00COLLECT00001", "30000.00", "transfer", "").
				add(6, "SI00COLLECT00001", "HR00COLLECT00002", "5000.00", "transfer", ""),
			"P1,2024,20000.01,EUR\n", nil},
		// Declared income of another year does not count: 30,000.00 unexplained in 2024.
		{"bank deposits with income declared for another year", "wealth", "bank_deposits",
			(&ledger{}).add(5, "DE00EMPLOYER0001", "SI00COLLECT00001", "30000.00", "transfer", "").
				add(6, "SI00COLLECT00001", "HR00COLLECT00002", "5000.00", "transfer", ""),
			"P1,2023,30000.00,EUR\n", []want{{"party:P1", "30000.000000", 1}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := newCase(t, c.l, partyLinks)
			if c.income != "" {
				p := filepath.Join(t.TempDir(), "income.csv")
				if err := os.WriteFile(p, []byte(IncomeHeader+"\n"+c.income), 0o644); err != nil {
					t.Fatal(err)
				}
				if n, err := LoadDeclaredIncome(t.Context(), db, p); err != nil || n != 1 {
					t.Fatalf("declared income: %d rows, %v", n, err)
				}
			}
			p, err := mustLoad(t, c.pack).Subset(c.rule)
			if err != nil {
				t.Fatal(err)
			}
			res := runLoaded(t, db, nil, p)
			var got []want
			for _, f := range res.Findings {
				if f.RuleID == c.rule {
					got = append(got, want{f.Subject, f.Amount, len(f.Evidence)})
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("%s found %+v, want %+v (notes %v)", c.rule, got, c.want, res.Notes)
			}
		})
	}
}
