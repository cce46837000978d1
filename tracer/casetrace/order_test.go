package casetrace_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/moneytrail/moneytrail/ingest"
	"github.com/moneytrail/moneytrail/ingest/match"
	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/tracer/casetrace"
)

// statementCase ingests the MT940 files of testdata/dir in name order and, with matched,
// pairs the two sides of the transfers they share.
// edit, when set, rewrites each file's text before it is ingested (from a copy).
func statementCase(t *testing.T, dir string, matched bool, edit ...func(name, text string) string) *casedb.DB {
	t.Helper()
	db := newCase(t)
	ctx := context.Background()
	paths, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	for _, p := range paths {
		for _, e := range edit {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			p = filepath.Join(t.TempDir(), filepath.Base(p))
			if err := os.WriteFile(p, []byte(e(filepath.Base(p), string(b))), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := ingest.File(ctx, db, p, ingest.Options{Now: declared}); err != nil {
			t.Fatalf("ingest %s: %v", p, err)
		}
	}
	if matched {
		opt := match.DefaultOptions()
		opt.Now = declared
		res, err := match.Run(ctx, db, opt)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Pairs) == 0 {
			t.Fatalf("%s: no transfer matched", dir)
		}
	}
	return db
}

func unexplained(out *casetrace.Outcome) string {
	var s []string
	for _, u := range out.Unexplained() {
		s = append(s, fmt.Sprintf("%s %s", u.Account, casetrace.FormatCents(u.Cents)))
	}
	return strings.Join(s, "; ")
}

// TestSameDayOrder: the receiver's MT940 (AT61…, loaded first) shows 1000.00 from Marko
// Petrović by name only, then 800.00 paid to a hotel (AT48…), all on 4 March; the payer's
// (DE89…, loaded second) shows 5000.00 from RS35… and the 1000.00 to AT61… with its account
// number, so the match keeps the payer's row, ingested after the hotel payment. Replayed in
// (booked_at, seq) order the hotel payment would come before the money and be 800.00 of
// unexplained funds; in statement order, worked by hand under FIFO with the 5000.00 as seed:
// DE89… keeps 4000.00, AT61… 200.00, the hotel's account 800.00, nothing unexplained.
func TestSameDayOrder(t *testing.T) {
	db := statementCase(t, "sameday", true)
	out := trace(t, db, "fifo,lifo,prorata", "account:DE89370400440532013000")
	seed := out.Manifest.Seeds[0].TxnIDs[0]
	for _, m := range []string{"fifo", "lifo", "prorata"} {
		got := positions(out, m)
		want := map[string]string{
			"DE89370400440532013000 " + seed: "4000.00",
			"AT611904300234573201 " + seed:   "200.00",
			"AT483200000012345864 " + seed:   "800.00",
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: positions %v, want %v", m, got, want)
		}
	}
	if u := unexplained(out); u != "" {
		t.Errorf("unexplained funds %s, want none", u)
	}
	o := out.Manifest.SameDayOrder
	if o == nil || o.Shared != 3 || o.Reordered != 1 || len(o.Contradictions) != 0 {
		t.Errorf("same-day order %+v, want 3 shared events, 1 reordered, no contradiction", o)
	}
	// The hotel payment's flow keeps its booking day.
	for _, f := range out.Flows() {
		if f.To == "AT483200000012345864" && f.BookedAt.Format("2006-01-02") != "2024-03-04" {
			t.Errorf("flow to the hotel booked %s, want 2024-03-04", f.BookedAt)
		}
	}

	// Without the match the two sides are two transfers, and the order is the natural one.
	out = trace(t, statementCase(t, "sameday", false), "fifo", "account:DE89370400440532013000")
	if out.Manifest.SameDayOrder != nil {
		t.Errorf("same-day order %+v without matches, want none", out.Manifest.SameDayOrder)
	}
}

// TestSameDayContradiction: DE89… books 100.00 then 200.00 to AT61… on 4 March; AT61…'s
// statement books the 200.00, then a 250.00 hotel payment, then the 100.00. No order keeps
// both statements: the replay runs the payer's order (the kept rows) and reports AT61…'s
// hotel payment before the 100.00 as overridden. By hand, FIFO, seed 5000.00 into DE89…:
// AT61… opens with 50.00 clean, receives 100.00 and 200.00 of seed, pays 250.00 (50.00 clean,
// 200.00 seed) to the hotel and keeps 100.00 of seed.
func TestSameDayContradiction(t *testing.T) {
	db := statementCase(t, "crossed", true)
	out := trace(t, db, "fifo", "account:DE89370400440532013000")
	seed := out.Manifest.Seeds[0].TxnIDs[0]
	want := map[string]string{
		"DE89370400440532013000 " + seed: "4700.00",
		"AT611904300234573201 " + seed:   "100.00",
		"AT483200000012345864 " + seed:   "200.00",
		"AT611904300234573201 clean":     "",
	}
	got := positions(out, "fifo")
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	o := out.Manifest.SameDayOrder
	if o == nil || len(o.Contradictions) != 1 {
		t.Fatalf("same-day order %+v, want one contradiction", o)
	}
	c := o.Contradictions[0]
	if c.File != "2-b.sta" || c.Account != "AT611904300234573201" || c.Before != "B-2" || c.After != "A-2" {
		t.Errorf("contradiction %+v, want 2-b.sta's AT611904300234573201 booking B-2 (the hotel) before A-2", c)
	}
}

// TestSameDayOrderAcrossDays: as TestSameDayOrder, but the payer's bank books the 1000.00 a day
// after the receiver's (5 March; the receiver books and spends it on the 4th). The hotel
// payment then replays after the transfer, on the 5th, from another page of the stream (one
// page per day here), and its flow keeps its own booking day. Same positions by hand.
func TestSameDayOrderAcrossDays(t *testing.T) {
	defer casetrace.SetPageRows(1)()
	later := func(name, text string) string {
		if name != "2-payer.xml" {
			return text
		}
		return strings.ReplaceAll(text, "2024-03-04", "2024-03-05")
	}
	db := statementCase(t, "sameday", true, later)
	out := trace(t, db, "fifo,prorata", "account:DE89370400440532013000")
	seed := out.Manifest.Seeds[0].TxnIDs[0]
	want := map[string]string{
		"DE89370400440532013000 " + seed: "4000.00",
		"AT611904300234573201 " + seed:   "200.00",
		"AT483200000012345864 " + seed:   "800.00",
	}
	for _, m := range []string{"fifo", "prorata"} {
		if got := positions(out, m); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: positions %v, want %v", m, got, want)
		}
	}
	if u := unexplained(out); u != "" {
		t.Errorf("unexplained funds %s, want none", u)
	}
	hotel := 0
	for _, f := range out.Flows() {
		if f.To == "AT483200000012345864" {
			hotel++
			if f.BookedAt.Format("2006-01-02") != "2024-03-04" {
				t.Errorf("flow to the hotel booked %s, want 2024-03-04", f.BookedAt)
			}
		}
	}
	if hotel != 2 {
		t.Errorf("%d flows to the hotel, want 2 (fifo, prorata)", hotel)
	}
}

// TestOverdraftStatement: AT61…'s MT940 opens at 100.00, receives 500.00 (the seed), pays
// 800.00 to a hotel and receives 150.00 of wages, closing at -50.00: a balance below zero,
// so the 200.00 beyond the balance is the bank's credit, and the wages repay 150.00 of it.
// By hand, under every conserving method (the debit takes the whole balance): the hotel's
// account holds the 500.00 of the seed, the bank's exit 150.00 clean, AT61… nothing; nothing
// is unexplained; the account owed 200.00 at most, on 4 March, and 50.00 at the end.
func TestOverdraftStatement(t *testing.T) {
	db := statementCase(t, "overdraft", false)
	out := trace(t, db, "fifo,lifo,prorata,libr,tainted-first", "txn:O-1")
	bank := "overdraft:AT611904300234573201"
	for _, m := range []string{"fifo", "lifo", "prorata", "libr", "tainted-first"} {
		got := positions(out, m)
		want := map[string]string{
			"AT483200000012345864 O-1":                            "500.00",
			"AT483200000012345864 overdraft:AT611904300234573201": "200.00",
			"AT483200000012345864 clean":                          "100.00",
			bank + " clean":                                       "150.00",
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: positions %v, want %v", m, got, want)
		}
	}
	if u := unexplained(out); u != "" {
		t.Errorf("unexplained funds %s, want none", u)
	}
	want := []casetrace.ManifestOverdraft{{Account: "AT611904300234573201", FirstOverdrawn: "2024-03-04", Deepest: "200.00",
		DeepestOn: "2024-03-04", Drawn: "200.00", Repaid: "150.00", OwedAtEnd: "50.00", Debits: 1}}
	if got := out.Overdrawn(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("overdrawn %+v, want %+v", got, want)
	}
}

// TestStatementGaps: ingest/match's four monthly MT940 statements of AT65… (January,
// February, April after a missing March, May opening at 1300.00 where April closed at
// 1350.00); the trace lists both breaks as gaps to request from the bank.
func TestStatementGaps(t *testing.T) {
	db := newCase(t)
	paths, err := filepath.Glob(filepath.Join("..", "..", "ingest", "match", "testdata", "chain", "*.sta"))
	if err != nil || len(paths) != 4 {
		t.Fatalf("chain statements: %v %v", paths, err)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if _, err := ingest.File(context.Background(), db, p, ingest.Options{Now: declared}); err != nil {
			t.Fatal(err)
		}
	}
	out := trace(t, db, "fifo", "txn:C-1")
	want := []casetrace.ManifestGap{
		{Account: "AT656000000001234567", After: "2024-02.sta", Before: "2024-04.sta", From: "2024-03-01", To: "2024-03-31",
			PreviousClosing: "1400.00", Opening: "1400.00", Currency: "EUR"},
		{Account: "AT656000000001234567", After: "2024-04.sta", Before: "2024-05.sta",
			PreviousClosing: "1350.00", Opening: "1300.00", Change: "-50.00", Currency: "EUR"},
	}
	if got := out.StatementGaps(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("gaps\n%+v\nwant\n%+v", got, want)
	}
}

// TestForeignOpening: mule-3 of the network case opens with 40.00 USD; with a USD rate of
// 1.25 per euro fixed on 1 March, before mule-3's first transaction (6 March), the opening is
// 32.00 EUR of clean money, recorded in the manifest. mule-3 receives 2900.00 (of the seed, by
// FIFO) and 700.00, pays 0.125 (rounded to 0.13) and nothing else: it holds 3632.00 less 0.13.
func TestForeignOpening(t *testing.T) {
	db := newCase(t, "network.csv")
	for _, q := range []string{`UPDATE accounts SET opening_balance = 40, currency = 'USD' WHERE account_id = 'mule-3'`,
		`INSERT INTO fx_rates VALUES (DATE '2024-03-01', 'USD', 'EUR', 1.25, 'test', NULL)`} {
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	out := trace(t, db, "fifo", "txn:N03")
	want := []casetrace.ManifestOpeningFX{{Account: "mule-3", Currency: "USD", Opening: "40.00", OpensOn: "2024-03-06",
		Rate: "1.2500000000", RateDay: "2024-03-01", Amount: "32.00"}}
	if got := out.Manifest.OpeningsConverted; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("openings converted %+v, want %+v", got, want)
	}
	var held int64
	for _, p := range out.Positions() {
		if p.Holder == "mule-3" {
			held += p.Cents
		}
	}
	if held != 32_00+2900_00+700_00-13 {
		t.Errorf("mule-3 holds %s, want 3631.87", casetrace.FormatCents(held))
	}
}
