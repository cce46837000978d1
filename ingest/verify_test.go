package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moneytrail/moneytrail/internal/casedb"
)

// verifyCase builds a case in dir from copies of the test files kept beside it, and returns
// its path.
func verifyCase(t *testing.T, dir string) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(dir, "case.duckdb")
	db, err := casedb.Open(ctx, path, casedb.Options{Create: true, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, f := range []string{"ledger-sample.csv", "ecb-sample.csv", "ledger-bad.csv", "camt053-bad-counterparty-iban.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "files", f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := File(ctx, db, p, Options{}); err != nil {
			t.Fatalf("ingest %s: %v", f, err)
		}
	}
	return path
}

func verifyAt(t *testing.T, path string, dirs ...string) []SourceCheck {
	t.Helper()
	ctx := context.Background()
	db, err := casedb.Open(ctx, path, casedb.Options{Sealed: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checks, err := VerifySources(ctx, db, VerifyOptions{Dirs: dirs})
	if err != nil {
		t.Fatal(err)
	}
	return checks
}

func problems(checks []SourceCheck) []string {
	var p []string
	for _, c := range checks {
		for _, q := range c.Problems {
			p = append(p, c.FileName+": "+q)
		}
	}
	return p
}

// TestVerifySourcesCatchesEdits: of edits made directly to the stored rows (the kinds issue 19
// found passing as OK), verify names every one; an untouched case verifies clean, also once
// its folder has moved, and a changed or missing file is named.
func TestVerifySourcesCatchesEdits(t *testing.T) {
	if testing.Short() {
		t.Skip("re-reads a case 22 times")
	}
	ctx := context.Background()
	base := verifyCase(t, t.TempDir())
	if p := problems(verifyAt(t, base)); len(p) > 0 {
		t.Fatalf("the untouched case differs:\n%s", strings.Join(p, "\n"))
	}
	edits := []struct{ name, sql, want string }{
		{"an amount", `UPDATE transactions SET amount = amount + 1000000 WHERE txn_id = 'L001'`, `"amount":1001500`},
		{"a booked date", `UPDATE transactions SET booked_at = booked_at + INTERVAL 1 DAY WHERE txn_id = 'L002'`, `"txn_id":"L002"`},
		{"a value date", `UPDATE transactions SET value_date = DATE '2020-01-01' WHERE txn_id = 'L003'`, `2020-01-01`},
		{"a counterparty account", `UPDATE transactions SET to_account = 'SI56000000000000000' WHERE txn_id = 'L004'`, `SI56000000000000000`},
		{"a counterparty as written", `UPDATE transactions SET counterparty_raw = 'Someone Else' WHERE counterparty_raw IS NOT NULL AND txn_id = (SELECT min(txn_id) FROM transactions WHERE counterparty_raw IS NOT NULL)`, `Someone Else`},
		{"a reference", `UPDATE transactions SET reference = 'altered' WHERE txn_id = 'L001'`, `altered`},
		{"a currency", `UPDATE transactions SET currency = 'CHF' WHERE txn_id = 'L001'`, `CHF`},
		{"a channel", `UPDATE transactions SET channel = 'other' WHERE txn_id = 'L002'`, `"channel":"other"`},
		{"a deleted row", `DELETE FROM transactions WHERE txn_id = 'L005'`, `in the files, not stored`},
		{"an inserted duplicate-side row", `INSERT INTO transactions SELECT * REPLACE ('L002-dup' AS txn_id, 'L002' AS duplicate_of) FROM transactions WHERE txn_id = 'L002'`, `L002-dup`},
		{"a fake quarantine row", `INSERT INTO quarantine SELECT source_id, 99, 'x', 'amount', 'fake' FROM sources WHERE file_name = 'ledger-sample.csv'`, `fake`},
		{"a deleted quarantine row", `DELETE FROM quarantine WHERE record = (SELECT min(record) FROM quarantine)`, `quarantine: in the files, not stored`},
		{"a party's name", `UPDATE parties SET name = 'Nobody' WHERE party_id = (SELECT min(party_id) FROM parties)`, `Nobody`},
		{"an account's holder", `UPDATE accounts SET holder_name = 'Nobody Else' WHERE account_id = (SELECT min(account_id) FROM accounts WHERE holder_name IS NOT NULL)`, `Nobody Else`},
		{"a statement's closing balance", `UPDATE statements SET closing = closing + 1`, `statements: stored, not in the files`},
		{"a source's record count", `UPDATE sources SET records = records + 1 WHERE file_name = 'ledger-bad.csv'`, `sources: stored, not in the files`},
		{"a rate", `UPDATE fx_rates SET rate = rate * 2 WHERE day = (SELECT min(day) FROM fx_rates)`, `fx_rates: stored, not in the files`},
		{"a source note", `INSERT INTO source_notes SELECT source_id, 1, 'warning', 'planted', NULL FROM sources WHERE source_id = 1`, `planted`},
	}
	detected := 0
	for _, e := range edits {
		dir := t.TempDir()
		path := filepath.Join(dir, "case.duckdb")
		b, err := os.ReadFile(base)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		db, err := casedb.Open(ctx, path, casedb.Options{})
		if err != nil {
			t.Fatal(err)
		}
		res, err := db.ExecContext(ctx, e.sql)
		if err != nil {
			t.Fatalf("%s: %v", e.name, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			t.Fatalf("%s: the edit changed nothing", e.name)
		}
		db.Close()
		p := strings.Join(problems(verifyAt(t, path, filepath.Dir(base))), "\n")
		if p == "" || !strings.Contains(p, e.want) {
			t.Errorf("%s: not named (want %q):\n%s", e.name, e.want, p)
			continue
		}
		detected++
	}
	t.Logf("verify named %d of %d edits to stored rows", detected, len(edits))

	// The case folder moved with its files: found relative to the case.
	moved := t.TempDir()
	if err := os.Rename(filepath.Dir(base), filepath.Join(moved, "case")); err != nil {
		t.Fatal(err)
	}
	at := filepath.Join(moved, "case", "case.duckdb")
	if p := problems(verifyAt(t, at)); len(p) > 0 {
		t.Errorf("the moved case differs:\n%s", strings.Join(p, "\n"))
	}
	// The files elsewhere, found by SHA-256 in the folder named; then one changed.
	elsewhere := filepath.Join(t.TempDir(), "seized")
	if err := os.Rename(filepath.Join(moved, "case", "files"), elsewhere); err != nil {
		t.Fatal(err)
	}
	if p := strings.Join(problems(verifyAt(t, at)), "\n"); !strings.Contains(p, "the file is missing") {
		t.Errorf("missing files not named:\n%s", p)
	}
	if p := problems(verifyAt(t, at, filepath.Dir(elsewhere))); len(p) > 0 {
		t.Errorf("files found by hash differ:\n%s", strings.Join(p, "\n"))
	}
	if err := os.WriteFile(filepath.Join(elsewhere, "ledger-sample.csv"), []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	if p := strings.Join(problems(verifyAt(t, at, elsewhere)), "\n"); !strings.Contains(p, "ledger-sample.csv changed") {
		t.Errorf("changed file not named:\n%s", p)
	}
}
