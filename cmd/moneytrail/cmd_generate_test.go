package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGenerateTypologiesAndEvalPatterns(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "typ.csv")
	code, stdout, errs := mt(t, "generate", "--scenario", "typologies", "--rows", "6000", "--seed", "4", "--patterns", "3", "--out", csv)
	if code != 0 || !strings.Contains(stdout, "6000 rows") || !strings.Contains(stdout, "24 patterns planted (fan_out 3, fan_in 3, cycle 3,") {
		t.Fatalf("generate: %d\n%s\n%s", code, stdout, errs)
	}
	first, _ := os.ReadFile(csv)
	if code, _, errs := mt(t, "generate", "--scenario", "typologies", "--rows", "6000", "--seed", "4", "--patterns", "3", "--out", csv); code != 0 {
		t.Fatal(errs)
	}
	if again, _ := os.ReadFile(csv); len(first) == 0 || !bytes.Equal(first, again) {
		t.Error("the same seed wrote different bytes")
	}
	truth := filepath.Join(dir, "typ.patterns.json")
	db := filepath.Join(dir, "case.duckdb")
	if code, _, errs := mt(t, "--db", db, "init", "--base-currency", "USD"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := mt(t, "--db", db, "ingest", "--format", "amlworld", csv); code != 0 {
		t.Fatal(errs)
	}
	code, stdout, errs = mt(t, "--db", db, "rules", "eval", "--labels", "--patterns", truth, "typologies")
	if code != 0 || !strings.Contains(stdout, "rule_id         findings  hits  other_hits  planted  detected  precision  recall") ||
		!strings.Contains(stdout, "against the 24 planted patterns of "+truth) {
		t.Errorf("rules eval --patterns: %d\n%s\n%s", code, stdout, errs)
	}
	if code, _, _ := mt(t, "--db", db, "rules", "eval", "--labels", "--patterns", filepath.Join(dir, "nosuch.json"), "typologies"); code != exitInput {
		t.Errorf("missing patterns file: exit %d, want %d", code, exitInput)
	}
	if code, stdout, _ := mt(t, "generate", "--scenario", "amlworld", "--rows", "100", "--out", filepath.Join(dir, "aml.csv")); code != 0 || !strings.Contains(stdout, "100 rows") {
		t.Errorf("generate amlworld: %d %s", code, stdout)
	}
}
