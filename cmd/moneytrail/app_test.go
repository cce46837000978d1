package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFlagsInAnyPosition: flags, global ones included, are read before and after the
// positional arguments, `--` ends them, and no value is split on its commas (issue 17,
// items 1 and 2).
func TestFlagsInAnyPosition(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "case.duckdb")
	if code, _, errs := mt(t, "init", "--db", db); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs := mt(t, "ingest", "../../tracer/casetrace/testdata/mixed-fund.csv", "--format", "ledger", "--db", db, "--output", "csv")
	if code != 0 || !strings.Contains(out, "mixed-fund.csv,loaded,1,ledger,,5,5,0,0,5,0\n") {
		t.Fatalf("ingest FILE --format --db --output: %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = mt(t, "sources", "--output", "json", "--db", db)
	var srcs []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &srcs) != nil || len(srcs) != 1 {
		t.Errorf("sources --output json: %d %s", code, out)
	}

	// A seed query with commas is one seed; its two transactions are traced.
	code, out, errs = mt(t, "trace", "--seed", "sql:SELECT txn_id FROM txns WHERE txn_id IN ('MF1','MF2')", "--db", db, "--method", "fifo", "--output", "csv")
	if code != 0 || !strings.Contains(out, "fifo,MF1,30000.00,") || !strings.Contains(out, "fifo,MF2,70000.00,") {
		t.Errorf("trace --seed sql with commas: %d\n%s\n%s", code, out, errs)
	}

	// A file whose name starts with a dash is an argument after `--`.
	odd := filepath.Join(dir, "-odd.csv")
	b, _ := os.ReadFile("../../ingest/testdata/ledger-sample.csv")
	os.WriteFile(odd, b, 0o644)
	wd, _ := os.Getwd()
	os.Chdir(dir)
	code, out, errs = mt(t, "ingest", "--db", db, "--", "-odd.csv")
	os.Chdir(wd)
	if code != 0 || !strings.Contains(out, "-odd.csv") || !strings.Contains(out, "loaded") {
		t.Errorf("ingest -- -odd.csv: %d\n%s\n%s", code, out, errs)
	}

	// A list parameter keeps its commas for the rule engine, after the pack's name.
	rdir := filepath.Join(dir, "findings")
	code, _, errs = mt(t, "rules", "run", "smuggling", "--out", rdir, "--db", db, "--param", "route_countries.countries=TR,LY,RS")
	if code != 0 {
		t.Fatalf("rules run smuggling --out --param countries=TR,LY,RS: %d %s", code, errs)
	}
	m, _ := os.ReadFile(filepath.Join(rdir, "manifest.json"))
	var man struct {
		Params map[string]map[string]struct {
			Value any `json:"value"`
		} `json:"params"`
	}
	if err := json.Unmarshal(m, &man); err != nil {
		t.Fatalf("manifest.json: %v\n%s", err, m)
	}
	got, _ := json.Marshal(man.Params["route_countries"]["countries"].Value)
	if string(got) != `["TR","LY","RS"]` {
		t.Errorf("route_countries.countries = %s, want [\"TR\",\"LY\",\"RS\"]\n%s", got, m)
	}
}
