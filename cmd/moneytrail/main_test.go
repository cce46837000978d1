package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/moneytrail/moneytrail/ingest"
)

// mt runs the whole CLI with argv and returns its exit code, stdout and stderr.
func mt(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"moneytrail"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func TestInitIngestListExport(t *testing.T) {
	db := filepath.Join(t.TempDir(), "case.duckdb")
	if code, out, errs := mt(t, "--db", db, "init", "--base-currency", "EUR"); code != 0 || !strings.Contains(out, "created case") {
		t.Fatalf("init: %d %s %s", code, out, errs)
	}
	if code, _, errs := mt(t, "--db", db, "init"); code != exitInput || !strings.Contains(errs, "already exists") {
		t.Errorf("second init: %d %s", code, errs)
	}
	code, out, errs := mt(t, "--db", db, "--output", "csv", "ingest", "../../ingest/testdata/ledger-sample.csv", "../../ingest/testdata/ecb-sample.csv")
	if code != 0 {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	if !strings.Contains(out, "ledger-sample.csv,loaded,1,ledger,,8,8,0,1,8,0\n") || !strings.Contains(out, "ecb-sample.csv,loaded,2,ecb-rates,,4,4,0,0,0,0\n") {
		t.Errorf("ingest output:\n%s", out)
	}
	code, out, _ = mt(t, "--db", db, "ingest", "../../ingest/testdata/ledger-sample.csv")
	if code != 0 || !strings.Contains(out, "skipped: same bytes as source 1") {
		t.Errorf("re-ingest: %d %s", code, out)
	}
	code, out, _ = mt(t, "--db", db, "--output", "json", "sources")
	var srcs []map[string]*string
	if code != 0 || json.Unmarshal([]byte(out), &srcs) != nil || len(srcs) != 2 {
		t.Fatalf("sources json: %d %s", code, out)
	}
	if s := srcs[0]; *s["format"] != "ledger" || *s["records"] != "8" || len(*s["sha256"]) != 64 {
		t.Errorf("source 1: %v", s)
	}
	code, out, _ = mt(t, "--db", db, "--output", "csv", "sql", "SELECT txn_id, base_amount FROM txns WHERE currency = 'USD'")
	if code != 0 || out != "txn_id,base_amount\nL006,230.540000\n" {
		t.Errorf("sql: %d %q", code, out)
	}
	code, out, _ = mt(t, "--db", db, "export")
	want, _ := os.ReadFile("../../ingest/testdata/ledger-sample.golden.csv")
	if code != 0 || out != string(want) {
		t.Errorf("export: %d\n%s", code, out)
	}
	code, out, _ = mt(t, "--db", db, "accounts", "--kind", "cash")
	if code != 0 || !strings.Contains(out, "cash:atm-vienna") || strings.Contains(out, "AT611904300234573201") {
		t.Errorf("accounts --kind cash: %s", out)
	}
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "case.duckdb")
	cases := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"unknown command", []string{"frobnicate"}, exitUsage, "no command"},
		{"unknown flag", []string{"ingest", "--nope", "x"}, exitUsage, "moneytrail ingest has no flag --nope"},
		{"flag slip", []string{"ingest", "--profil", "x"}, exitUsage, `did you mean "--profile"?`},
		{"verb slip", []string{"ingset", "x"}, exitUsage, `did you mean "ingest"?`},
		{"sub-verb slip", []string{"rules", "rnu"}, exitUsage, `did you mean "run"?`},
		{"stray argument", []string{"--db", db, "sources", "extra"}, exitUsage, `takes no arguments`},
		{"base currency digits", []string{"--db", filepath.Join(dir, "b1.duckdb"), "init", "--base-currency", "123"}, exitUsage, "not an ISO 4217 currency code"},
		{"base currency word", []string{"--db", filepath.Join(dir, "b2.duckdb"), "init", "--base-currency", "EURO"}, exitUsage, "not an ISO 4217 currency code"},
		{"default method", []string{"--db", filepath.Join(dir, "b3.duckdb"), "init", "--method", "fast"}, exitUsage, `unknown method "fast"`},
		{"db in a missing folder", []string{"--db", filepath.Join(dir, "nosuch", "case.duckdb"), "init"}, exitInput, "the folder " + filepath.Join(dir, "nosuch") + " does not exist"},
		{"bad output", []string{"--output", "xml", "sources"}, exitUsage, "--output"},
		{"ingest without files", []string{"--db", db, "ingest"}, exitUsage, "name at least one"},
		{"no case", []string{"--db", filepath.Join(dir, "none.duckdb"), "sources"}, exitInput, "init, or give --db"},
		{"missing file", []string{"--db", db, "ingest", filepath.Join(dir, "missing.csv")}, exitInput, "missing.csv"},
		{"strict", []string{"--db", db, "ingest", "--strict", "../../ingest/testdata/ledger-bad.csv"}, exitInput, "ledger-bad.csv: line 3, field booked_at"},
		{"unknown profile", []string{"--db", db, "ingest", "--format", "csv", "--profile", "no-such-bank", "../../ingest/testdata/ledger-bad.csv"}, exitUsage, `--profile "no-such-bank" is not a built-in profile of --format csv`},
		{"profile slip", []string{"--db", db, "ingest", "--format", "csv", "--profile", "raifeisen-at", "../../ingest/testdata/ledger-bad.csv"}, exitUsage, `did you mean "raiffeisen-at"?`},
		{"format slip", []string{"--db", db, "ingest", "--format", "cvs", "../../ingest/testdata/ledger-bad.csv"}, exitUsage, `did you mean "csv"?`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, errs := mt(t, c.args...)
			if code != c.code || !strings.Contains(errs, c.msg) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", code, c.code, errs, c.msg)
			}
			// What happened, then what to do next (a failed file's problems are listed in
			// between).
			if lines := strings.Split(strings.TrimSuffix(errs, "\n"), "\n"); len(lines) < 2 || !strings.HasPrefix(lines[0], "moneytrail: ") ||
				!strings.HasPrefix(lines[len(lines)-1], "  ") || c.name != "strict" && len(lines) != 2 {
				t.Errorf("stderr is not one line of what happened and one of what to do next:\n%s", errs)
			}
		})
	}
}

func TestSQLIsReadOnlyAndOffline(t *testing.T) {
	db := filepath.Join(t.TempDir(), "case.duckdb")
	mt(t, "--db", db, "ingest", "../../ingest/testdata/ledger-sample.csv")
	for _, q := range []string{
		"DELETE FROM transactions",
		"CREATE TABLE x(a INT)",
		"SELECT * FROM read_csv('../../ingest/testdata/ledger-bad.csv')",
		"COPY transactions TO '" + filepath.Join(t.TempDir(), "leak.csv") + "'",
		"SET enable_external_access = true",
		"ATTACH ':memory:' AS other",
	} {
		if code, out, errs := mt(t, "--db", db, "sql", q); code == 0 {
			t.Errorf("%s: allowed (%s %s)", q, out, errs)
		}
	}
	if _, out, _ := mt(t, "--db", db, "--output", "csv", "sql", "SELECT count(*) AS n FROM transactions"); out != "n\n8\n" {
		t.Errorf("transactions after attempts: %q", out)
	}
	// --memory-limit reaches DuckDB; a malformed one is a usage error.
	if _, out, errs := mt(t, "--db", db, "--memory-limit", "1GB", "--output", "csv", "sql", "SELECT current_setting('memory_limit') AS m"); out != "m\n953.6 MiB\n" {
		t.Errorf("memory limit: %q %s", out, errs)
	}
	if code, _, errs := mt(t, "--db", db, "--memory-limit", "lots", "sql", "SELECT 1"); code != 2 || !strings.Contains(errs, "--memory-limit") {
		t.Errorf("bad memory limit: exit %d, %s", code, errs)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "case.duckdb")
	mt(t, "--db", db, "init")
	raw, err := sql.Open("duckdb", db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(context.Background(), `UPDATE meta SET value = '999' WHERE key = 'schema_version'`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	code, _, errs := mt(t, "--db", db, "sources")
	if code != exitInput || !strings.Contains(errs, "newer schema") || !strings.Contains(errs, "999") {
		t.Errorf("exit %d, %s", code, errs)
	}
}

func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo generates and investigates a whole case")
	}
	out := t.TempDir()
	code, stdout, errs := mt(t, "demo", "--out", out)
	if code != 0 {
		t.Fatalf("demo: %d %s\n%s", code, errs, stdout)
	}
	// The small case of seed 1: 47 files, every statement reconciles, nothing quarantined.
	for _, w := range []string{"1. loaded 47 files", "records, 0 quarantined", "43          43          0",
		"2. matched", "3. smuggling pack", "4. traced the collected proceeds", "5. evidence report"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("demo output lacks %q:\n%s", w, stdout)
		}
	}
	for _, f := range []string{"input/truth.json", "case.duckdb", "trace/positions.csv", "report/evidence.xlsx", "report/report.html"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("demo wrote no %s", f)
		}
	}
}

func TestHelpShowsAnExampleForEachVerb(t *testing.T) {
	_, top, _ := mt(t, "--help")
	top = strings.Join(strings.Fields(top), " ")
	for _, f := range append([]string{"auto"}, ingest.Formats()...) {
		if !strings.Contains(top, f+" (") {
			t.Errorf("moneytrail --help does not list the format %s", f)
		}
	}
	app := newApp(&env{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}})
	for _, c := range app.Commands {
		if c.Hidden {
			continue
		}
		code, out, _ := mt(t, c.Name, "--help")
		if code != 0 || !strings.Contains(out, "moneytrail "+c.Name) {
			t.Errorf("%s --help: %d\n%s", c.Name, code, out)
		}
		if !strings.Contains(out, "Example") && len(c.Commands) == 0 {
			t.Errorf("%s --help has no example", c.Name)
		}
	}
}

func TestTrace(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "case.duckdb")
	if code, _, errs := mt(t, "--db", db, "init"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := mt(t, "--db", db, "ingest", "../../tracer/casetrace/testdata/mixed-fund.csv"); code != 0 {
		t.Fatal(errs)
	}
	out1, out2 := filepath.Join(dir, "t1"), filepath.Join(dir, "t2")
	code, out, errs := mt(t, "--db", db, "trace", "--seed", "txn:MF2", "--method", "all", "--out", out1)
	if code != 0 || !strings.Contains(out, "run trace-") || !strings.Contains(out, "prorata        MF2     70000.00  70000.00  21000.00") ||
		!strings.Contains(out, "trustee-W") {
		t.Fatalf("trace: %d\n%s\n%s", code, out, errs)
	}
	if code, _, errs := mt(t, "--db", db, "trace", "--seed", "txn:MF2", "--method", "all", "--out", out2); code != 0 {
		t.Fatal(errs)
	}
	for _, f := range []string{"positions.csv", "flows.csv", "summary.csv", "sensitivity.csv", "manifest.json"} {
		a, _ := os.ReadFile(filepath.Join(out1, f))
		b, _ := os.ReadFile(filepath.Join(out2, f))
		if len(a) == 0 || string(a) != string(b) {
			t.Errorf("%s: runs differ or empty", f)
		}
	}
	pos, _ := os.ReadFile(filepath.Join(out1, "positions.csv"))
	if !strings.HasPrefix(string(pos), "method,holder,holder_kind,origin,amount\n") || !strings.Contains(string(pos), "libr,trustee-W,account,MF2,30000.00\n") {
		t.Errorf("positions.csv:\n%s", pos)
	}
	// Without --method a trace takes the case's default, libr unless init set another, and
	// says so.
	code, out, errs = mt(t, "--db", db, "trace", "--seed", "txn:MF2")
	if code != 0 || !strings.Contains(out, "method libr: the case's default") || !strings.Contains(out, "libr    MF2     70000.00  70000.00  30000.00") {
		t.Errorf("trace without --method: %d\n%s\n%s", code, out, errs)
	}
	db2 := filepath.Join(dir, "fifo.duckdb")
	mt(t, "--db", db2, "init", "--method", "fifo")
	mt(t, "--db", db2, "ingest", "../../tracer/casetrace/testdata/mixed-fund.csv")
	code, out, errs = mt(t, "--db", db2, "trace", "--seed", "txn:MF2", "--output", "csv")
	if code != 0 || !strings.HasPrefix(out, "method,origin,amount,traced,held,") || !strings.Contains(out, "\nfifo,MF2,70000.00,") ||
		!strings.Contains(errs, "method fifo: the case's default") {
		t.Errorf("trace without --method, init --method fifo: %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = mt(t, "--db", db, "--output", "csv", "sql", "SELECT count(DISTINCT run_id), min(kind) FROM runs")
	if code != 0 || out != "count(DISTINCT run_id),min(kind)\n2,trace\n" {
		t.Errorf("runs: %s", out)
	}
	code, out, _ = mt(t, "--db", db, "--output", "csv", "trace", "--seed", "txn:MF2", "--method", "fifo")
	if code != 0 || !strings.HasPrefix(out, "method,origin,amount,traced,held,") || !strings.Contains(out, "fifo,MF2,70000.00,70000.00,30000.00,0.00,20000.00,20000.00,0.00\n") {
		t.Errorf("trace --output csv: %d %s", code, out)
	}
	// report with no --run covers the case: a backward trace run after the forward one does
	// not take its place, and the first lines name the runs used.
	mt(t, "--db", db, "trace", "--seed", "txn:MF2", "--method", "all", "--out", out1)
	m, _ := os.ReadFile(filepath.Join(out1, "manifest.json"))
	var man struct {
		RunID string `json:"run_id"`
	}
	json.Unmarshal(m, &man)
	if code, _, errs := mt(t, "--db", db, "trace", "--direction", "backward", "--target", "account:trustee-W", "--method", "fifo"); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs = mt(t, "report", "--out", filepath.Join(dir, "rep"), "--db", db)
	if code != 0 || !strings.HasPrefix(out, "rules run: none\ntrace run: "+man.RunID+"\n") {
		t.Errorf("report: %d (want trace run %s)\n%s\n%s", code, man.RunID, out, errs)
	}
	code, out, _ = mt(t, "report", "--out", filepath.Join(dir, "rep"), "--db", db, "--output", "json")
	var rep map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep["trace_run"] != man.RunID || rep["rules_run"] != nil {
		t.Errorf("report --output json: %d\n%s", code, out)
	}
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"trace", "--method", "fifo"}, exitUsage, "at least one --seed"},
		{[]string{"trace", "--seed", "txn:MF2", "--method", "fast"}, exitUsage, `unknown method "fast"`},
		{[]string{"trace", "--seed", "txn:MF2", "--method", "fifo", "--scope", "most"}, exitUsage, "--scope"},
		{[]string{"trace", "--seed", "txn:MF2", "--method", "fifo", "--direction", "backward"}, exitUsage, "takes --target, not --seed"},
		{[]string{"trace", "--seed", "txn:NOPE", "--method", "fifo"}, exitInput, "unknown transaction NOPE"},
		{[]string{"trace", "--seed", "txn:MF3", "--method", "fifo"}, exitInput, "not a credit into an account inside"},
		{[]string{"trace", "--seed", "txn:MF2", "--method", "fifo", "--as-of", "2024-02-30"}, exitUsage, "2024-02-30 is not a day of the calendar"},
		{[]string{"trace", "--seed", "txn:MF2", "--method", "fifo", "--as-of", "30.06.2024"}, exitUsage, "give the day as YYYY-MM-DD"},
		{[]string{"trace", "--seed", "txn:MF2", "--method", "fifo", "--out", "/proc/nowhere"}, exitUsage, "--out /proc/nowhere cannot be created"},
		{[]string{"rules", "run", "--rule-timeout", "-5s"}, exitUsage, "--rule-timeout -5s: give a time above zero"},
		{[]string{"accounts", "--kind", "martian"}, exitUsage, `--kind "martian" is not a kind of account`},
		{[]string{"accounts", "--kind", "cahs"}, exitUsage, `did you mean "cash"?`},
		{[]string{"generate", "--rows", "-1", "--out", "x.csv"}, exitUsage, "--rows -1: give a number of rows above 0"},
		{[]string{"report", "--out", "/proc/nowhere"}, exitUsage, "--out /proc/nowhere cannot be created"},
		{[]string{"trace", "--seed", "account:trustee-W@2025-01-01..", "--method", "fifo"}, exitInput, "selects no credit"},
	} {
		code, _, errs := mt(t, append([]string{"--db", db}, c.args...)...)
		if code != c.code || !strings.Contains(errs, c.msg) {
			t.Errorf("%v: exit %d (want %d) %s", c.args, code, c.code, errs)
		}
	}
}
