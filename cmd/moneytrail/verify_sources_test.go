package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVerifyChecksSourcesWithoutRuns: with no run stored, verify still re-reads the sources:
// OK on an untouched case, exit 1 naming the file once it changed.
func TestVerifyChecksSourcesWithoutRuns(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "case.duckdb")
	src := filepath.Join(dir, "ledger.csv")
	b, err := os.ReadFile("../../ingest/testdata/ledger-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(src, b, 0o644)
	if code, _, errs := mt(t, "--db", db, "init"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := mt(t, "--db", db, "ingest", src); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs := mt(t, "--db", db, "verify")
	if code != 0 || !strings.Contains(out, "source 1 (ledger.csv): OK") || !strings.Contains(out, "no runs stored") {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errs)
	}
	os.WriteFile(src, append(b, "L999,2024-04-01,A,B,1.00,EUR\n"...), 0o644)
	code, out, _ = mt(t, "--db", db, "verify")
	if code != exitFailOn || !strings.Contains(out, "source 1 (ledger.csv): DIFFERS") || !strings.Contains(out, "ledger.csv changed") {
		t.Errorf("verify of a changed source: exit %d\n%s", code, out)
	}
}
