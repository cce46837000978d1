package match

import (
	"context"
	"testing"

	"github.com/moneytrail/moneytrail/ingest"
	"github.com/moneytrail/moneytrail/internal/corpus"
)

// TestStatementChain: four monthly MT940 statements of one account. February chains on from
// January; April follows a gap (March is missing) with the right opening; May's opening 1300.00
// is not April's closing 1350.00.
func TestStatementChain(t *testing.T) {
	db := newCase(t)
	loadDir(t, db, "chain")
	tb, err := Statements(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	want := "file_name,period_start,period_end,opening,closing,reconciled,previous_closing,chain_ok,gap_days,gap,overlap\n" +
		"2024-01.sta,2024-01-01,2024-01-31,1000.000000,1500.000000,true,,,,false,false\n" +
		"2024-02.sta,2024-02-01,2024-02-29,1500.000000,1400.000000,true,1500.000000,true,1,false,false\n" +
		"2024-04.sta,2024-04-01,2024-04-30,1400.000000,1350.000000,true,1400.000000,true,32,true,false\n" +
		"2024-05.sta,2024-05-01,2024-05-31,1300.000000,1200.000000,true,1350.000000,false,1,false,false\n"
	if got := csvOf(t, pick(t, tb, "file_name", "period_start", "period_end", "opening", "closing", "reconciled",
		"previous_closing", "chain_ok", "gap_days", "gap", "overlap")); got != want {
		t.Errorf("statements:\n%s\nwant:\n%s", got, want)
	}
}

// TestCorpusMultiStatementChains: genkgo's camt053.v2.multi.statement.xml holds two statements
// of NL26VAYB8060476890: 18.15 + 8.85 = 27.00, then 27.00 - 7.00 = 20.00. The second opens
// with the first's closing; the first's FrToDt says 2007-10-18 while the second's balances are
// dated 2014-12-30/31, so the chain shows a 2630-day gap, as the file says.
func TestCorpusMultiStatementChains(t *testing.T) {
	path := corpus.Path(t, "camt/genkgo__camt__camt053.v2.multi.statement.xml")
	db := newCase(t)
	if _, err := ingest.File(context.Background(), db, path, ingest.Options{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	tb, err := Statements(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	want := "account_id,period_start,period_end,opening,closing,reconciled,previous_closing,chain_ok,gap_days,gap\n" +
		"NL26VAYB8060476890,2007-10-18,2007-10-18,18.150000,27.000000,true,,,,false\n" +
		"NL26VAYB8060476890,2014-12-30,2014-12-31,27.000000,20.000000,true,27.000000,true,2630,true\n"
	if got := csvOf(t, pick(t, tb, "account_id", "period_start", "period_end", "opening", "closing", "reconciled",
		"previous_closing", "chain_ok", "gap_days", "gap")); got != want {
		t.Errorf("statements:\n%s\nwant:\n%s", got, want)
	}
}
