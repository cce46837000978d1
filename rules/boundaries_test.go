package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
	senders := func(l *ledger, withdrawn string, countries ...string) *ledger {
		for i := range 5 {
			l.add(1+i, fmt.Sprintf("%s00SENDER%06d", countries[i%len(countries)], i+1), "SI00COLLECT00001", "2500.00", "mto_send", "MTCN")
		}
		return l.add(20, "SI00COLLECT00001", "cash:ATM", withdrawn, "cash_withdrawal", "")
	}
	cases := []struct {
		name, pack, rule string
		l                *ledger
		income           string // a declared-income CSV to load first, if any
		want             []want
		params           []string
	}{
		// Threshold EUR 10,000, margin 0.15: a deposit counts when 8,500.00 <= amount <
		// 10,000.00; two within 30 days fire. 9,999.99 + 8,500.00 = 18,499.99.
		{"structuring under the threshold and at the margin", "smuggling", "structuring_cash",
			(&ledger{}).add(2, "cash:Zagreb", "HR00FUNNEL000001", "9999.99", "cash_deposit", "").
				add(9, "cash:Split", "HR00FUNNEL000001", "8500.00", "cash_deposit", ""),
			"", []want{{"HR00FUNNEL000001", "18499.990000", 2}}, nil},
		// A deposit of exactly 10,000.00 is at the threshold, not under it (reported), so
		// only one deposit is under: nothing. 8,499.99 is below the margin.
		{"structuring at the threshold", "smuggling", "structuring_cash",
			(&ledger{}).add(2, "cash:Zagreb", "HR00FUNNEL000001", "10000.00", "cash_deposit", "").
				add(9, "cash:Split", "HR00FUNNEL000001", "9000.00", "cash_deposit", "").
				add(12, "cash:Split", "HR00FUNNEL000001", "8499.99", "cash_deposit", ""),
			"", nil, nil},
		// 5 distinct senders (min_senders) from 3 countries (min_countries): 5 x 2,500.00,
		// half of it (6,250.00) withdrawn in cash (min_cash_share 0.5).
		{"collection from three countries", "smuggling", "collection_account",
			senders(&ledger{}, "6250.00", "DE", "AT", "IT"), "", []want{{"SI00COLLECT00001", "12500.000000", 5}}, nil},
		{"collection from two countries", "smuggling", "collection_account",
			senders(&ledger{}, "6250.00", "DE", "AT"), "", nil, nil},
		// 6,249.99 withdrawn: under half of what was collected.
		{"collection mostly kept", "smuggling", "collection_account",
			senders(&ledger{}, "6249.99", "DE", "AT", "IT"), "", nil, nil},
		// Four senders: under the floor.
		{"collection from four senders", "smuggling", "collection_account",
			senders(&ledger{}, "6250.00", "DE", "AT", "IT").drop("DE00SENDER000004"), "", nil, nil},
		// collection_party's floor: 8 senders over the party's two accounts (5 + 3, from 4
		// countries), 60% withdrawn from each account: found, 20,000.00; 7 senders: nothing.
		{"collection by a party from eight senders", "smuggling", "collection_party",
			partySenders(8), "", []want{{"party:P1", "20000.000000", 8}}, nil},
		{"collection by a party from seven senders", "smuggling", "collection_party",
			partySenders(7), "", nil, nil},
		// Cash paid in at the counter, five depositors named on the slips, no country known:
		// the countries test does not apply.
		{"collection in cash", "smuggling", "collection_account",
			cashSenders(&ledger{}, 5), "", []want{{"SI00COLLECT00001", "12500.000000", 5}}, nil},
		// Credits of 1,000.00 on days 1 and 10, each withdrawn (800.00 = min_share 0.8) exactly
		// 48 hours later (the window is closed): two events (min_events), 2,000.00 credited,
		// evidence the two credits and two withdrawals.
		{"cash-out at 48 hours", "smuggling", "cash_out",
			(&ledger{}).add(1, "DE00PAYER0000001", "SI00COLLECT00001", "1000.00", "transfer", "").
				add(3, "SI00COLLECT00001", "cash:Ljubljana", "800.00", "cash_withdrawal", "").
				add(10, "DE00PAYER0000002", "SI00COLLECT00001", "1000.00", "transfer", "").
				add(12, "SI00COLLECT00001", "cash:Ljubljana", "800.00", "cash_withdrawal", ""),
			"", []want{{"SI00COLLECT00001", "2000.000000", 4}}, []string{"cash_out.scope=all"}},
		// The same withdrawn 72 hours later: outside 48h (a window of 96h would take them).
		{"cash-out at 72 hours", "smuggling", "cash_out",
			(&ledger{}).add(1, "DE00PAYER0000001", "SI00COLLECT00001", "1000.00", "transfer", "").
				add(4, "SI00COLLECT00001", "cash:Ljubljana", "800.00", "cash_withdrawal", "").
				add(10, "DE00PAYER0000002", "SI00COLLECT00001", "1000.00", "transfer", "").
				add(13, "SI00COLLECT00001", "cash:Ljubljana", "800.00", "cash_withdrawal", ""),
			"", nil, []string{"cash_out.scope=all"}},
		// Party P1 (accounts SI00COLLECT00001 and HR00COLLECT00002) is paid 30,000.00 in 2024
		// and moves 5,000.00 between its own accounts (not income): net deposits 30,000.00;
		// declared 20,000.00 leaves 10,000.00 unexplained = min_unexplained: found.
		{"bank deposits above declared income", "wealth", "bank_deposits",
			(&ledger{}).add(5, "DE00EMPLOYER0001", "SI00COLLECT00001", "30000.00", "transfer", "").
				add(6, "SI00COLLECT00001", "HR00COLLECT00002", "5000.00", "transfer", ""),
			"P1,2024,20000.00,EUR\n", []want{{"party:P1", "10000.000000", 1}}, nil},
		// Declared 20,000.01: 9,999.99 unexplained, under min_unexplained.
		{"bank deposits within declared income", "wealth", "bank_deposits",
			(&ledger{}).add(5, "DE00EMPLOYER0001", "SI00COLLECT00001", "30000.00", "transfer", "").
				add(6, "SI00COLLECT00001", "HR00COLLECT00002", "5000.00", "transfer", ""),
			"P1,2024,20000.01,EUR\n", nil, nil},
		// Declared income of another year does not count: 30,000.00 unexplained in 2024.
		{"bank deposits with income declared for another year", "wealth", "bank_deposits",
			(&ledger{}).add(5, "DE00EMPLOYER0001", "SI00COLLECT00001", "30000.00", "transfer", "").
				add(6, "SI00COLLECT00001", "HR00COLLECT00002", "5000.00", "transfer", ""),
			"P1,2023,30000.00,EUR\n", []want{{"party:P1", "30000.000000", 1}}, nil},
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
			res := runLoaded(t, db, c.params, p)
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

// TestScopeNetwork checks that a red flag screened on the network (cash_out, scope network)
// fires on an account the collector pays, two credits of 2,000.00 each withdrawn (1,900.00)
// the same day, and not on an unconnected account doing the same; with scope all on both.
func TestScopeNetwork(t *testing.T) {
	l := collection(&ledger{}, collectionMin, "SI00COLLECT00001")
	for _, acc := range []string{"SI00MULE00000001", "SI00OTHER0000001"} {
		from := "SI00COLLECT00001"
		if acc == "SI00OTHER0000001" {
			from = "DE00PAYER0000001"
		}
		l.add(15, from, acc, "2000.00", "transfer", "").add(15, acc, "cash:atm", "1900.00", "cash_withdrawal", "").
			add(18, from, acc, "2000.00", "transfer", "").add(18, acc, "cash:atm", "1900.00", "cash_withdrawal", "")
	}
	db := newCase(t, l, partyLinks)
	for _, c := range []struct {
		params []string
		want   []string
	}{
		{nil, []string{"SI00MULE00000001"}},
		{[]string{"cash_out.scope=all"}, []string{"SI00MULE00000001", "SI00OTHER0000001"}},
		{[]string{"cash_out.hops=0"}, nil},
	} {
		p, err := mustLoad(t, "smuggling").Subset("collection_account", "collection_party", "collector_deposits", "funnel_account", "cash_out")
		if err != nil {
			t.Fatal(err)
		}
		if got := subjectsOf(runLoaded(t, db, c.params, p), "cash_out"); !slices.Equal(got, c.want) {
			t.Errorf("%v: cash_out found %v, want %v", c.params, got, c.want)
		}
	}
}

// cashSenders is n cash deposits of 2,500.00, each slip naming another depositor, into
// SI00COLLECT00001, and 60% of it withdrawn on day 30.
func cashSenders(l *ledger, n int) *ledger {
	for i := range n {
		l.add(1+i, "cash:branch", "SI00COLLECT00001", "2500.00", "cash_deposit", fmt.Sprintf("Uplata gotovine, uplatilac Payer Number%c", 'A'+i))
	}
	return l.add(30, "SI00COLLECT00001", "cash:ATM", fmt.Sprintf("%d.00", 1500*n), "cash_withdrawal", "")
}

// TestCollectionBar checks the case's bar of collection_account with a population worked out
// by hand: 10 accounts with 2 senders each, 10 with 4, and the collector: 21 receiving
// accounts (min_population 20). With the collector's 15 senders the peaks sorted are 2 (x10),
// 4 (x10), 15: median 4; deviations 2 (x10), 0 (x10), 11: MAD 2; bar 4 + 3.5 x 1.4826 x 2 =
// 14.378: 15 senders fire. With 14 the median and MAD are the same and 14 < 14.378: nothing.
func TestCollectionBar(t *testing.T) {
	mk := func(n int) *ledger {
		l := &ledger{}
		for a := range 20 {
			for k := range 2 + 2*(a/10) {
				l.add(1+k, fmt.Sprintf("AT00PEER%04dS%02d", a, k), fmt.Sprintf("SI00PEER%08d", a), "100.00", "transfer", "")
			}
		}
		for i := range n {
			l.add(1+i, fmt.Sprintf("%s00SENDER%06d", []string{"DE", "AT", "IT"}[i%3], i+1), "SI00COLLECT00001", "1000.00", "transfer", "")
		}
		return l.add(40, "SI00COLLECT00001", "cash:ATM", fmt.Sprintf("%d.00", 500*n), "cash_withdrawal", "")
	}
	for _, c := range []struct {
		senders int
		want    []string
	}{{15, []string{"SI00COLLECT00001"}}, {14, nil}} {
		db := newCase(t, mk(c.senders))
		p, err := mustLoad(t, "smuggling").Subset("collection_account")
		if err != nil {
			t.Fatal(err)
		}
		res := runLoaded(t, db, nil, p)
		if got := subjectsOf(res, "collection_account"); !slices.Equal(got, c.want) {
			t.Errorf("%d senders: found %v, want %v", c.senders, got, c.want)
		}
		for _, f := range res.Findings {
			if !strings.Contains(f.Detail, "the case's 21 receiving accounts: median peak senders 4.0, MAD 2.0, spread 2.97, bar 14.4") {
				t.Errorf("detail %q", f.Detail)
			}
		}
	}
}

// partySenders is n senders of 2,500.00 each to P1's two accounts (the first five to
// SI00COLLECT00001, the rest to HR00COLLECT00002), 60% of each account's receipts withdrawn.
func partySenders(n int) *ledger {
	l := &ledger{}
	var si, hr int
	for i := range n {
		to := "SI00COLLECT00001"
		if i >= 5 {
			to, hr = "HR00COLLECT00002", hr+1
		} else {
			si++
		}
		l.add(1+i, fmt.Sprintf("%s00SENDER%06d", []string{"DE", "AT", "IT", "FR"}[i%4], i+1), to, "2500.00", "mto_send", "")
	}
	l.add(20, "SI00COLLECT00001", "cash:ATM", fmt.Sprintf("%d.00", 1500*si), "cash_withdrawal", "")
	if hr > 0 {
		l.add(20, "HR00COLLECT00002", "cash:ATM", fmt.Sprintf("%d.00", 1500*hr), "cash_withdrawal", "")
	}
	return l
}
