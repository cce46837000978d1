package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRulesRunVerifyCheck(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "case.duckdb")
	ledger := filepath.Join(dir, "ledger.csv")
	rows := "txn_id,booked_at,from_account,to_account,amount,currency,channel,reference\n"
	for i, s := range []string{"DE00SENDER000001", "AT00SENDER000002", "IT00SENDER000003", "FR00SENDER000004", "NL00SENDER000005"} {
		rows += "C" + string(rune('1'+i)) + ",2024-01-0" + string(rune('1'+i)) + "," + s + ",SI00COLLECT00001,2500.00,EUR,transfer,\n"
	}
	rows += "C8,2024-01-06,SI00COLLECT00001,cash:ATM,7000.00,EUR,cash_withdrawal,\n"
	rows += "C9,2024-01-07,SI00COLLECT00001,SI00ORGANIZER001,5000.00,EUR,transfer,\n"
	os.WriteFile(ledger, []byte(rows), 0o644)
	if code, _, errs := mt(t, "--db", db, "init"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := mt(t, "--db", db, "ingest", ledger); code != 0 {
		t.Fatal(errs)
	}
	out := filepath.Join(dir, "out")
	// The ledger collects by bank transfer from 5 senders in 5 countries, 7,000.00 of the
	// 12,500.00 taken out in cash: the pack's defaults (3.x: every channel, a floor of 5
	// senders, a case too small for its bar) find it.
	code, stdout, errs := mt(t, "--db", db, "rules", "run", "--out", out, "smuggling")
	if code != 0 || !strings.Contains(stdout, "collection_account") || !strings.Contains(stdout, "confiscation_accounts") {
		t.Fatalf("rules run: %d\n%s\n%s", code, stdout, errs)
	}
	f, _ := os.ReadFile(filepath.Join(out, "findings.csv"))
	if !strings.HasPrefix(string(f), "rule_id,subject,amount,score,evidence\ncollection_account,SI00COLLECT00001,12500.000000,5,C1 C2 C3 C4 C5\n") {
		t.Errorf("findings.csv:\n%s", f)
	}
	if s, _ := os.ReadFile(filepath.Join(out, "suspects.csv")); !strings.HasPrefix(string(s), "rank,subject,score,amount,reasons,evidence\n1,SI00COLLECT00001,") {
		t.Errorf("suspects.csv:\n%s", s)
	}
	truth := filepath.Join(dir, "truth.csv")
	os.WriteFile(truth, []byte("account_id,involved\nSI00COLLECT00001,1\nSI00ORGANIZER001,1\nDE00SENDER000001,0\n"), 0o644)
	code, stdout, errs = mt(t, "--db", db, "--output", "csv", "eval", "--truth", truth, "--rule", "collection_account", "smuggling")
	if code != 0 || !strings.Contains(stdout, "smuggling,collection_account,1,2,") {
		t.Errorf("eval --truth: %d\n%s\n%s", code, stdout, errs)
	}
	if m, _ := os.ReadFile(filepath.Join(out, "manifest.json")); !strings.Contains(string(m), `"run_id": "rules-`) {
		t.Errorf("manifest.json:\n%s", m)
	}
	if code, stdout, _ := mt(t, "--db", db, "verify"); code != 0 || !strings.Contains(stdout, "OK") {
		t.Errorf("verify: %d %s", code, stdout)
	}
	os.WriteFile(ledger, []byte(rows+"C10,2024-01-08,A,B,1.00,EUR,transfer,\n"), 0o644)
	if code, stdout, _ := mt(t, "--db", db, "verify"); code != exitFailOn || !strings.Contains(stdout, "ledger.csv changed") {
		t.Errorf("verify after a change: %d %s", code, stdout)
	}
	if code, _, errs := mt(t, "--db", db, "rules", "run", "--param", "fan_in.min_senders=many"); code != exitUsage || !strings.Contains(errs, "not an integer") {
		t.Errorf("bad --param: %d %s", code, errs)
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("pack: bad\nversion: 1.0.0\ndescription: d\nrules:\n  - id: r1\n    title: t\n    severity: low\n    rationale: r\n    sql: SELECT 1 AS subject, 1 AS amount, [txn_id] AS evidence FROM nosuch\n"), 0o644)
	if code, _, errs := mt(t, "rules", "check", "smuggling", bad); code != exitInput || !strings.Contains(errs, "rule r1") {
		t.Errorf("rules check: %d %s", code, errs)
	}
	if code, stdout, _ := mt(t, "rules", "list"); code != 0 || !strings.Contains(stdout, "FATF 2022") || !strings.Contains(stdout, "bank_deposits") {
		t.Errorf("rules list: %d", code)
	}
	if code, stdout, errs := mt(t, "--db", db, "--output", "csv", "rules", "eval", "--labels", "typologies"); code != 0 || !strings.HasPrefix(stdout, "pack,rule_id,findings") {
		t.Errorf("rules eval: %d %s %s", code, stdout, errs)
	}
}
