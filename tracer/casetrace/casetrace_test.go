package casetrace_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moneytrail/moneytrail/ingest"
	"github.com/moneytrail/moneytrail/ingest/amlworld"
	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/tracer"
	"github.com/moneytrail/moneytrail/tracer/casetrace"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var declared = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// newCase creates a case in a temporary directory and ingests the ledgers of testdata/.
func newCase(t *testing.T, ledgers ...string) *casedb.DB {
	t.Helper()
	ctx := context.Background()
	db, err := casedb.Open(ctx, filepath.Join(t.TempDir(), "case.duckdb"), casedb.Options{Create: true, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, l := range ledgers {
		if _, err := ingest.File(ctx, db, filepath.Join("testdata", l), ingest.Options{Format: "ledger", Now: declared}); err != nil {
			t.Fatalf("ingest %s: %v", l, err)
		}
	}
	return db
}

func trace(t *testing.T, db *casedb.DB, methods string, seeds ...string) *casetrace.Outcome {
	t.Helper()
	out, err := traceErr(db, methods, casetrace.Options{}, seeds...)
	if err != nil {
		t.Fatalf("trace %s %v: %v", methods, seeds, err)
	}
	return out
}

func traceErr(db *casedb.DB, methods string, opt casetrace.Options, seeds ...string) (*casetrace.Outcome, error) {
	ms, err := tracer.ParseMethods(methods)
	if err != nil {
		return nil, err
	}
	opt.Methods, opt.Seeds, opt.ToolVersion = ms, seeds, "test"
	if opt.StartedAt.IsZero() {
		opt.StartedAt = declared
	}
	return casetrace.Trace(context.Background(), db, opt)
}

// positions renders the positions of one method as "holder origin amount" lines.
func positions(out *casetrace.Outcome, method string) map[string]string {
	got := map[string]string{}
	for _, p := range out.Positions() {
		if p.Method == method {
			got[p.Holder+" "+p.Origin] = casetrace.FormatCents(p.Cents)
		}
	}
	return got
}

// TestOracles checks the worked oracles of DESIGN.md §4 end to end: ledger CSV in, case
// database, seeds by txn id, positions out.
func TestOracles(t *testing.T) {
	mixed := newCase(t, "mixed-fund.csv")
	out := trace(t, mixed, "all", "txn:MF2")
	for _, c := range []struct {
		method                 string
		inW, jewellery, living string
	}{
		{"fifo", "30000.00", "20000.00", "20000.00"},
		{"libr", "30000.00", "20000.00", "20000.00"},
		{"prorata", "21000.00", "35000.00", "14000.00"},
		{"tainted-first", "", "50000.00", "20000.00"},
	} {
		got := positions(out, c.method)
		if got["trustee-W MF2"] != c.inW || got["asset:jewellery MF2"] != c.jewellery || got["external:living MF2"] != c.living {
			t.Errorf("mixed fund %s: W %q jewellery %q living %q, want %q %q %q", c.method,
				got["trustee-W MF2"], got["asset:jewellery MF2"], got["external:living MF2"], c.inW, c.jewellery, c.living)
		}
	}
	barlow := newCase(t, "barlow-clowes.csv")
	out = trace(t, barlow, "fifo,lifo,prorata", "txn:BC1", "txn:BC2")
	for _, c := range []struct{ method, a, b string }{
		{"fifo", "400.00", "2000.00"},
		{"lifo", "1000.00", "1400.00"},
		{"prorata", "800.00", "1600.00"},
	} {
		got := positions(out, c.method)
		if got["fund BC1"] != c.a || got["fund BC2"] != c.b {
			t.Errorf("Barlow Clowes %s: A %q B %q, want %q %q", c.method, got["fund BC1"], got["fund BC2"], c.a, c.b)
		}
	}
}

// TestGolden compares positions.csv of --method all with golden files.
func TestGolden(t *testing.T) {
	for _, c := range []struct {
		ledger string
		seeds  []string
	}{
		{"mixed-fund.csv", []string{"txn:MF2"}},
		{"barlow-clowes.csv", []string{"txn:BC1", "txn:BC2"}},
		{"network.csv", []string{"txn:N03", "txn:N12"}},
	} {
		t.Run(c.ledger, func(t *testing.T) {
			out := trace(t, newCase(t, c.ledger), "all", c.seeds...)
			dir := t.TempDir()
			if err := out.WriteDir(dir); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{"positions.csv", "summary.csv"} {
				got, _ := os.ReadFile(filepath.Join(dir, f))
				golden := filepath.Join("testdata", strings.TrimSuffix(c.ledger, ".csv")+"."+strings.TrimSuffix(f, ".csv")+".golden.csv")
				if *update {
					os.WriteFile(golden, got, 0o644)
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != string(want) {
					t.Errorf("%s differs from %s:\n%s", f, golden, got)
				}
			}
		})
	}
}

// seedIDs lists the resolved seed txn_ids of an outcome, in selector order.
func seedIDs(out *casetrace.Outcome) string {
	var ids []string
	for _, s := range out.Manifest.Seeds {
		ids = append(ids, s.Given+"="+strings.Join(s.TxnIDs, "+"))
	}
	return strings.Join(ids, " ")
}

func TestSelectors(t *testing.T) {
	db := newCase(t, "network.csv")
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO parties (party_id, name) VALUES ('P1', 'Mule ring')`,
		`INSERT INTO party_links VALUES ('P1', 'mule-1', 'holder', 1, 'test', NULL), ('P1', 'mule-3', 'holder', 1, 'test', NULL)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ seeds, want string }{
		{"txn:N03", "txn:N03=N03"},
		{"account:mule-3", "account:mule-3=N10+N12"},
		{"account:mule-1@2024-03-02..2024-03-02", "account:mule-1@2024-03-02..2024-03-02=N03"},
		{"account:mule-1@..2024-03-01", "account:mule-1@..2024-03-01=N01"},
		// Credits into the party's accounts from outside it: N10 and N11 stay inside.
		{"party:P1", "party:P1=N01+N03+N12"},
		{"sql:SELECT txn_id FROM txns WHERE reference LIKE '%proceeds%'", "sql:SELECT txn_id FROM txns WHERE reference LIKE '%proceeds%'=N03+N12"},
		{"sql:SELECT txn_id FROM txns WHERE amount > 600@2024-03-08..", "sql:SELECT txn_id FROM txns WHERE amount > 600@2024-03-08..=N12"},
		{"txn:N03 account:mule-3", "txn:N03=N03 account:mule-3=N10+N12"},
	} {
		out, err := traceErr(db, "fifo", casetrace.Options{}, strings.Split(c.seeds, " ")...)
		if c.seeds == "sql:SELECT txn_id FROM txns WHERE reference LIKE '%proceeds%'" || strings.HasPrefix(c.seeds, "sql:") {
			out, err = traceErr(db, "fifo", casetrace.Options{}, c.seeds)
		}
		if err != nil {
			t.Errorf("%s: %v", c.seeds, err)
			continue
		}
		if got := seedIDs(out); got != c.want {
			t.Errorf("%s: seeds %s, want %s", c.seeds, got, c.want)
		}
	}
	// finding: uses the evidence of stored findings.
	if _, err := db.ExecContext(ctx, `INSERT INTO findings (run_id, rule_id, subject, evidence) VALUES ('rules-x', 'smurfing', 'mule-1', 'N03 N12')`); err != nil {
		t.Fatal(err)
	}
	out, err := traceErr(db, "fifo", casetrace.Options{}, "finding:smurfing")
	if err != nil || seedIDs(out) != "finding:smurfing=N03+N12" {
		t.Errorf("finding: %v %v", err, out)
	}
}

// TestDerivedIDSeeds: ids that ingest derives (file hash prefix, record number) are looked up
// through their files' records, and ids that only look derived (a format's own id) are still
// found, by the lookup without that shortcut.
func TestDerivedIDSeeds(t *testing.T) {
	db := newCase(t)
	ctx := context.Background()
	dir := t.TempDir()
	aml := amlworld.Header + "\n" +
		"2022/09/01 00:20,1,A1,2,B2,100.00,US Dollar,100.00,US Dollar,Wire,0\n" + // record 2
		"2022/09/01 00:30,2,B2,3,C3,60.00,US Dollar,60.00,US Dollar,Wire,0\n" + // record 3
		"2022/09/01 00:40,3,C3,1,A1,50.00,US Dollar,50.00,US Dollar,Wire,0\n" // record 4
	ledger := "txn_id,booked_at,from_account,to_account,amount,currency\n" +
		"0123456789abcdef:3,2022-09-02,external:x,L1,70.00,USD\n"
	for name, body := range map[string]string{"aml.csv": aml, "ledger.csv": ledger} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, format := range map[string]string{"aml.csv": "amlworld", "ledger.csv": "ledger"} {
		if _, err := ingest.File(ctx, db, filepath.Join(dir, name), ingest.Options{Format: format, Now: declared}); err != nil {
			t.Fatalf("ingest %s: %v", name, err)
		}
	}
	sum := sha256.Sum256([]byte(aml))
	prefix := hex.EncodeToString(sum[:])[:16] + ":"
	var payee string // of record 3
	if err := db.QueryRowContext(ctx, `SELECT to_account FROM transactions WHERE amount = 60`).Scan(&payee); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		seed, want string
		narrowed   int
	}{
		{"txn:" + prefix + "2", prefix + "2", 1},
		{"sql:SELECT txn_id FROM txns WHERE amount IN (60, 100)", prefix + "2+" + prefix + "3", 1},
		{"txn:0123456789abcdef:3", "0123456789abcdef:3", 0},
		{"sql:SELECT txn_id FROM txns WHERE amount IN (70, 100)", prefix + "2+0123456789abcdef:3", 0},
		{"account:" + payee, prefix + "3", 0},
	} {
		out, err := traceErr(db, "fifo", casetrace.Options{}, c.seed)
		if err != nil {
			t.Errorf("%s: %v", c.seed, err)
			continue
		}
		if got := seedIDs(out); got != c.seed+"="+c.want {
			t.Errorf("seeds %s, want %s=%s", got, c.seed, c.want)
		}
		if out.SeedsNarrowed() != c.narrowed {
			t.Errorf("%s: %d selectors found through the files' records, want %d", c.seed, out.SeedsNarrowed(), c.narrowed)
		}
	}
	for _, seed := range []string{"txn:" + prefix + "9", "txn:" + prefix + "03", "txn:" + strings.ToUpper(prefix) + "3", "sql:SELECT '" + prefix + "9' AS txn_id", "sql:SELECT '" + prefix + "2' AS txn_id UNION ALL SELECT '" + prefix + "2.1'"} {
		if _, err := traceErr(db, "fifo", casetrace.Options{}, seed); err == nil || !strings.Contains(err.Error(), "unknown transaction") {
			t.Errorf("%s: %v, want unknown transaction", seed, err)
		}
	}
}

func TestErrors(t *testing.T) {
	db := newCase(t, "network.csv")
	for _, c := range []struct {
		seed, asOf, scope, msg string
	}{
		{seed: "txn:NOPE", msg: "unknown transaction NOPE"},
		{seed: "txn:N06", msg: "not a credit into an account inside the traced universe: it pays cash:atm-graz (kind cash)"},
		{seed: "account:nobody", msg: "unknown account nobody"},
		{seed: "account:shop-1@2025-01-01..", msg: "selects no credit"},
		{seed: "party:P9", msg: "unknown party P9"},
		{seed: "finding:smurfing", msg: "no findings of rule smurfing (rules are not built yet"},
		{seed: "sql:SELECT 'X1' AS txn_id", msg: "unknown transaction(s) X1"},
		{seed: "txn:N03@2024-13-01..", msg: `date "2024-13-01": want YYYY-MM-DD`},
		{seed: "txn:N03@2024-03-05..2024-03-01", msg: "ends (2024-03-01) before it starts"},
		{seed: "txn:N03@2024-03-05..", msg: "not booked in the date range"},
		{seed: "txn:N03@yesterday", msg: "date range after @"},
		{seed: "N03", msg: "want txn:ID"},
		{seed: "iban:N03", msg: `unknown selector "iban"`},
		{seed: "txn:N03", asOf: "2024-3-1", msg: `date "2024-3-1": want YYYY-MM-DD`},
		{seed: "txn:N03", asOf: "2024-03-01", msg: "booked after --as-of 2024-03-01"},
		{seed: "txn:N03", scope: "some", msg: `scope "some"`},
	} {
		_, err := traceErr(db, "fifo", casetrace.Options{AsOf: c.asOf, Scope: c.scope}, c.seed)
		if err == nil || !strings.Contains(err.Error(), c.msg) || !errors.Is(err, casedb.ErrInput) {
			t.Errorf("%s (as-of %q): %v, want an input error with %q", c.seed, c.asOf, err, c.msg)
		}
	}
}

// TestBadAccounts: an account the tracer cannot take is named in the error, although the
// replay reads no account id (names come later, beside the read of the transactions).
func TestBadAccounts(t *testing.T) {
	for _, c := range []struct {
		update, msg string
		input       bool
	}{
		// A negative opening is an overdraft (see TestOverdraft).
		{`UPDATE accounts SET opening_balance = -12.5 WHERE account_id = 'mule-1'`, "", false},
		{`UPDATE accounts SET opening_balance = 40, currency = 'USD' WHERE account_id = 'mule-3'`,
			"account mule-3, reached by the traced money, opens with 40.00 USD and the case has no USD rate against EUR on or before the day it opens", true},
		// Accounts the seed's money never reaches are exits: their balances do not matter.
		{`UPDATE accounts SET opening_balance = 40, currency = 'USD' WHERE account_id = 'shop-1'`, "", false},
		{`UPDATE accounts SET opening_balance = -40 WHERE account_id IN ('shop-1', 'bystander')`, "", false},
		{`UPDATE accounts SET account_no = NULL WHERE account_id = 'bystander'`,
			"account bystander has no account number", false},
		// Of several wrong accounts, the first in id order.
		{`UPDATE accounts SET opening_balance = 1, currency = 'CHF' WHERE account_id IN ('shop-1', 'mule-1')`,
			"account mule-1, reached by the traced money, opens with 1.00 CHF and the case has no CHF rate", true},
		{`UPDATE accounts SET opening_balance = -1, account_no = CASE WHEN account_id = 'bystander' THEN NULL ELSE account_no END WHERE account_id IN ('bystander', 'mule-1')`,
			"account bystander has no account number", false},
		{`UPDATE accounts SET account_no = (SELECT account_no FROM accounts WHERE account_id = 'mule-1') WHERE account_id = 'bystander'`,
			"accounts bystander and mule-1 share account number", false},
	} {
		db := newCase(t, "network.csv")
		if _, err := db.ExecContext(context.Background(), c.update); err != nil {
			t.Fatal(err)
		}
		_, err := traceErr(db, "fifo", casetrace.Options{}, "txn:N03")
		if c.msg == "" {
			if err != nil {
				t.Errorf("%s: %v, want a trace", c.update, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.msg) || errors.Is(err, casedb.ErrInput) != c.input {
			t.Errorf("%s: %v, want %q (input error %v)", c.update, err, c.msg, c.input)
		}
	}
}

// TestNoRate: a transaction in scope without a base-currency amount stops the trace unless
// everything in scope is in one currency.
func TestNoRate(t *testing.T) {
	dir := t.TempDir()
	mixed := filepath.Join(dir, "usd.csv")
	os.WriteFile(mixed, []byte("txn_id,booked_at,from_account,to_account,amount,currency\n"+
		"U1,2024-01-01,external:a,acct-1,100.00,EUR\n"+
		"U2,2024-01-02,acct-1,acct-2,50.00,USD\n"), 0o644)
	ctx := context.Background()
	db, err := casedb.Open(ctx, filepath.Join(dir, "case.duckdb"), casedb.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := ingest.File(ctx, db, mixed, ingest.Options{Format: "ledger"}); err != nil {
		t.Fatal(err)
	}
	_, err = traceErr(db, "fifo", casetrace.Options{}, "txn:U1")
	if err == nil || !strings.Contains(err.Error(), "1 transactions in scope have no base-currency amount (no FX rate), e.g. U2") {
		t.Errorf("mixed currencies without a rate: %v", err)
	}
	single := filepath.Join(dir, "chf.csv")
	os.WriteFile(single, []byte("txn_id,booked_at,from_account,to_account,amount,currency\n"+
		"C1,2024-01-01,external:b,chf-1,100.00,CHF\n"+
		"C2,2024-01-02,chf-1,chf-2,60.00,CHF\n"), 0o644)
	db2, err := casedb.Open(ctx, filepath.Join(dir, "chf.duckdb"), casedb.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if _, err := ingest.File(ctx, db2, single, ingest.Options{Format: "ledger"}); err != nil {
		t.Fatal(err)
	}
	out, err := traceErr(db2, "fifo", casetrace.Options{}, "txn:C1")
	if err != nil {
		t.Fatal(err)
	}
	if out.Manifest.Currency != "CHF" || out.Manifest.Amounts != "amount" || positions(out, "fifo")["chf-2 C1"] != "60.00" {
		t.Errorf("single currency: %s %s %v", out.Manifest.Currency, out.Manifest.Amounts, positions(out, "fifo"))
	}
	// An opening balance of an account the seed never reaches does not stop it.
	if _, err := db2.ExecContext(ctx, `INSERT INTO accounts (account_id, kind, opening_balance, account_no) VALUES ('eur-9', 'bank', 10, 99)`); err != nil {
		t.Fatal(err)
	}
	if _, err := traceErr(db2, "fifo", casetrace.Options{}, "txn:C1"); err != nil {
		t.Errorf("single currency beside an unreached account with an opening balance: %v", err)
	}
}

// TestScope: the reachable scope leaves the bystander and the shops out (exits or not
// replayed) and gives the seeds' origins the same positions as replaying everything.
func TestScope(t *testing.T) {
	db := newCase(t, "network.csv")
	reach, err := traceErr(db, "fifo,lifo,libr,tainted-first,poison", casetrace.Options{}, "txn:N03", "txn:N12")
	if err != nil {
		t.Fatal(err)
	}
	all, err := traceErr(db, "fifo,lifo,libr,tainted-first,poison", casetrace.Options{Scope: casetrace.ScopeAll}, "txn:N03", "txn:N12")
	if err != nil {
		t.Fatal(err)
	}
	if reach.Manifest.AccountsInScope != 3 || all.Manifest.AccountsInScope != 6 {
		t.Errorf("accounts in scope: reachable %d, all %d", reach.Manifest.AccountsInScope, all.Manifest.AccountsInScope)
	}
	if reach.Report.Txns != 12 || all.Report.Txns != 14 {
		t.Errorf("replayed: reachable %d, all %d", reach.Report.Txns, all.Report.Txns)
	}
	tainted := func(out *casetrace.Outcome) string {
		var b strings.Builder
		for _, p := range out.Positions() {
			if p.Origin == "N03" || p.Origin == "N12" {
				b.WriteString(p.Method + " " + p.Holder + " " + p.Origin + " " + casetrace.FormatCents(p.Cents) + "\n")
			}
		}
		return b.String()
	}
	if a, b := tainted(reach), tainted(all); a != b || a == "" {
		t.Errorf("tainted positions differ:\nreachable:\n%s\nall:\n%s", a, b)
	}
	if reach.RunID == all.RunID {
		t.Error("different scopes share a run id")
	}
}

// TestDeterminism: two runs write identical files and store under the same run id.
func TestDeterminism(t *testing.T) {
	db := newCase(t, "network.csv", "mixed-fund.csv")
	var runs []string
	var dirs []string
	for i := range 2 {
		out, err := traceErr(db, "all", casetrace.Options{StartedAt: declared.Add(time.Duration(i) * time.Hour)}, "account:mule-1", "txn:MF2")
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := out.WriteDir(dir); err != nil {
			t.Fatal(err)
		}
		if err := out.Store(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, out.RunID)
		dirs = append(dirs, dir)
	}
	if runs[0] != runs[1] || !strings.HasPrefix(runs[0], "trace-") || len(runs[0]) != 18 {
		t.Errorf("run ids %v", runs)
	}
	for _, f := range []string{"positions.csv", "flows.csv", "summary.csv", "sensitivity.csv", "unexplained.csv", "manifest.json"} {
		a, err1 := os.ReadFile(filepath.Join(dirs[0], f))
		b, err2 := os.ReadFile(filepath.Join(dirs[1], f))
		if err1 != nil || err2 != nil || string(a) != string(b) || len(a) == 0 {
			t.Errorf("%s differs between runs (%v %v)", f, err1, err2)
		}
	}
	// The stored rows are the written rows, amounts exact.
	ctx := context.Background()
	var n int
	var sum, flows string
	if err := db.QueryRowContext(ctx, `SELECT count(*), CAST(sum(amount) AS VARCHAR) FROM trace_positions WHERE run_id = ? AND method = 'prorata'`, runs[0]).Scan(&n, &sum); err != nil {
		t.Fatal(err)
	}
	csvRows := 0
	b, _ := os.ReadFile(filepath.Join(dirs[0], "positions.csv"))
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "prorata,") {
			csvRows++
		}
	}
	if n != csvRows {
		t.Errorf("stored %d prorata positions, wrote %d", n, csvRows)
	}
	if err := db.QueryRowContext(ctx, `SELECT string_agg(txn_id || ' ' || origin || ' ' || CAST(amount AS VARCHAR), '; ' ORDER BY txn_id, origin)
		FROM trace_flows WHERE run_id = ? AND method = 'fifo' AND txn_id IN ('N06', 'MF3')`, runs[0]).Scan(&flows); err != nil {
		t.Fatal(err)
	}
	if flows != "MF3 MF2 20000.000000; N06 N01 800.000000; N06 N03 200.000000" {
		t.Errorf("stored flows: %s", flows)
	}
	var kind, started, manifest string
	if err := db.QueryRowContext(ctx, `SELECT kind, strftime(started_at, '%Y-%m-%d %H:%M:%S'), manifest_json FROM runs WHERE run_id = ?`, runs[0]).Scan(&kind, &started, &manifest); err != nil {
		t.Fatal(err)
	}
	if kind != "trace" || started != "2025-01-02 04:04:05" || !strings.Contains(manifest, `"sha256"`) {
		t.Errorf("runs row: %s %s %s", kind, started, manifest)
	}
	var sens int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM trace_sensitivity WHERE run_id = ? AND origin = 'MF2' AND holder = 'trustee-W' AND prorata = 21000 AND libr = 30000`, runs[0]).Scan(&sens); err != nil || sens != 1 {
		t.Errorf("sensitivity row: %d %v", sens, err)
	}
}

// TestAsOf: positions as they stood at the end of a day.
func TestAsOf(t *testing.T) {
	db := newCase(t, "mixed-fund.csv")
	out, err := traceErr(db, "fifo", casetrace.Options{AsOf: "2024-01-03"}, "txn:MF2")
	if err != nil {
		t.Fatal(err)
	}
	got := positions(out, "fifo")
	if got["trustee-W MF2"] != "50000.00" || got["asset:jewellery MF2"] != "20000.00" || out.Manifest.AsOf != "2024-01-03" {
		t.Errorf("as of 2024-01-03: %v", got)
	}
}
