package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/moneytrail/moneytrail/internal/casedb"
)

// hostile are statements a user's SQL (the sql verb, a sql: seed, a rule pack's sql) may try
// in order to write to the case or reach its files, each of the kinds issue 19 found or
// feared. Every one must be refused on every path, and the case left as it was.
var hostile = []struct{ name, sql string }{
	{"insert into meta", `INSERT INTO meta VALUES ('pwned', 'yes')`},
	{"update an amount", `UPDATE transactions SET amount = amount + 1000000 WHERE txn_id = 'L001'`},
	{"delete", `DELETE FROM transactions`},
	{"create table", `CREATE TABLE evil AS SELECT 1 AS x`},
	{"quote in a block comment", `INSERT INTO meta VALUES ('c', 'd') /* ' */ ; SELECT 'x' AS subject, 1 AS amount, ['L001'] AS evidence, 'L001' AS txn_id`},
	{"two statements", `SELECT txn_id FROM txns; DROP TABLE transactions`},
	{"a wrapper break-out", `SELECT txn_id FROM txns) AS q; INSERT INTO meta VALUES ('e', 'f'); SELECT * FROM (SELECT 'L001' AS txn_id`},
	{"COPY onto the WAL", `COPY (SELECT 1) TO 'CASE.wal' (FORMAT csv, USE_TMP_FILE false)`},
	{"read_blob of the case", `SELECT 'x' AS subject, 1 AS amount, ['L001'] AS evidence, 'L001' AS txn_id, content FROM read_blob('CASE')`},
	{"read_text of the WAL", `SELECT 'x' AS subject, 1 AS amount, ['L001'] AS evidence, 'L001' AS txn_id, content FROM read_text('CASE.wal')`},
	{"read_csv of the case", `SELECT 'x' AS subject, 1 AS amount, ['L001'] AS evidence, 'L001' AS txn_id FROM read_csv('CASE')`},
	{"glob of the folder", `SELECT 'x' AS subject, 1 AS amount, ['L001'] AS evidence, 'L001' AS txn_id, file FROM glob('*')`},
	{"ATTACH the case", `ATTACH 'CASE' AS again`},
	{"ATTACH another file", `ATTACH 'CASE.other' AS other`},
	{"PRAGMA", `PRAGMA force_checkpoint`},
	{"SET", `SET enable_external_access = true`},
	{"CALL", `CALL checkpoint()`},
	{"INSTALL", `INSTALL httpfs`},
	{"LOAD", `LOAD httpfs`},
	{"EXPORT DATABASE", `EXPORT DATABASE 'CASE.dump'`},
	{"query() of an INSERT", `SELECT 'x' AS subject, 1 AS amount, ['L001'] AS evidence, 'L001' AS txn_id FROM query('INSERT INTO meta VALUES (1, 2)')`},
	{"transaction control", `BEGIN TRANSACTION; INSERT INTO meta VALUES ('g', 'h'); COMMIT`},
	{"DETACH", `DETACH case`},
}

// caseState is what must not change: the bytes of every file of the case (database, WAL)
// and a digest of every table's rows.
func caseState(t *testing.T, db string, skip ...string) map[string]string {
	t.Helper()
	st := map[string]string{}
	ents, err := os.ReadDir(filepath.Dir(db))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), filepath.Base(db)) || e.IsDir() || len(skip) > 0 {
			continue
		}
		b, err := os.ReadFile(filepath.Join(filepath.Dir(db), e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		st["file "+e.Name()] = hex.EncodeToString(sum[:])
	}
	c, err := casedb.Open(context.Background(), db, casedb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rows, err := c.Query(`SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	for _, tb := range tables {
		if slices.Contains(skip, tb) {
			continue
		}
		d, err := casedb.TableDigest(context.Background(), c, `SELECT CAST(COLUMNS(*) AS VARCHAR) FROM "`+tb+`" ORDER BY ALL`)
		if err != nil {
			t.Fatal(err)
		}
		st["table "+tb] = d
	}
	return st
}

// hostileCase makes a case with a ledger loaded and a committed change that is still in the
// write-ahead log (the WAL the COPY overwrote).
func hostileCase(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "case.duckdb")
	if code, _, errs := mt(t, "--db", db, "init"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := mt(t, "--db", db, "ingest", "../../ingest/testdata/ledger-sample.csv"); code != 0 {
		t.Fatal(errs)
	}
	c, err := casedb.Open(context.Background(), db, casedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`PRAGMA disable_checkpoint_on_shutdown`, `INSERT INTO meta VALUES ('in_the_wal', 'committed')`} {
		if _, err := c.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	if fi, err := os.Stat(db + ".wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("the case has no WAL to protect: %v", err)
	}
	return db
}

// TestHostileSQLIsRefused runs every hostile statement through the sql verb, a trace's sql:
// seed and a rule pack (rules run and then verify), and checks that each is refused and the
// case unchanged: its files byte for byte (sql, trace, verify) or its tables row for row
// (rules run, which stores its run and failures). It reports the escapes tried and
// succeeded, the figure of issue 19's closing note.
func TestHostileSQLIsRefused(t *testing.T) {
	db := hostileCase(t)
	before := caseState(t, db)
	tried, escaped := 0, 0
	escape := func(path, name, why string) {
		t.Errorf("%s: %s: %s", path, name, why)
		escaped++
	}
	var pack strings.Builder
	pack.WriteString("pack: hostile\nversion: 1.0.0\ndescription: statements that must not run\nrules:\n")
	for i, h := range hostile {
		q := strings.ReplaceAll(h.sql, "CASE", db)
		tried++
		if code, out, _ := mt(t, "--db", db, "sql", q); code == 0 {
			escape("sql", h.name, "ran: "+out)
		}
		tried++
		if code, out, _ := mt(t, "--db", db, "trace", "--seed", "sql:"+q, "--method", "fifo"); code == 0 {
			escape("seed", h.name, "ran: "+out)
		}
		fmt.Fprintf(&pack, "  - id: h%02d\n    title: %s\n    severity: low\n    rationale: hostile\n    sql: |\n      %s\n", i, h.name, q)
		if after := caseState(t, db); !mapsEqual(before, after) {
			escape("sql/seed", h.name, fmt.Sprintf("the case changed: %v", diffState(before, after)))
			before = after
		}
	}
	if _, err := os.Stat(db + ".other"); err == nil {
		escape("sql/seed", "ATTACH another file", "created "+db+".other")
	}
	packFile := filepath.Join(t.TempDir(), "hostile.yaml")
	if err := os.WriteFile(packFile, []byte(pack.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := mt(t, "rules", "check", packFile); code == 0 {
		t.Errorf("rules check passed the hostile pack: %s", errs)
	}
	tables := caseState(t, db, "runs", "findings")
	code, out, errs := mt(t, "--db", db, "rules", "run", packFile)
	tried += len(hostile)
	for i, h := range hostile {
		if !strings.Contains(errs, fmt.Sprintf("rule h%02d:", i)) {
			escape("rule", h.name, "not reported as failed")
		}
	}
	if code != exitInternal || strings.Contains(out, "subject") && !strings.Contains(out, "no findings") {
		t.Logf("rules run: exit %d\n%s", code, out)
	}
	if after := caseState(t, db, "runs", "findings"); !mapsEqual(tables, after) {
		escape("rule", "rules run", fmt.Sprintf("the case changed: %v", diffState(tables, after)))
	}
	before = caseState(t, db)
	code, out, _ = mt(t, "--db", db, "verify")
	tried += len(hostile)
	if after := caseState(t, db); !mapsEqual(before, after) {
		escape("verify", "re-run", fmt.Sprintf("the case changed: %v", diffState(before, after)))
	}
	for i, h := range hostile {
		if !strings.Contains(out, fmt.Sprintf("rule h%02d:", i)) {
			escape("verify", h.name, "the re-run did not refuse it")
		}
	}
	var inWAL string
	c, err := casedb.Open(context.Background(), db, casedb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	err = c.QueryRow(`SELECT value FROM meta WHERE key = 'in_the_wal'`).Scan(&inWAL)
	c.Close()
	if err != nil || inWAL != "committed" {
		escape("all", "WAL", fmt.Sprintf("the change committed in the WAL is gone: %v", err))
	}
	t.Logf("hostile statements: %d escapes tried (sql verb, seed, rule, verify), %d succeeded", tried, escaped)
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func diffState(a, b map[string]string) []string {
	var d []string
	for k, v := range a {
		if b[k] != v {
			d = append(d, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			d = append(d, k+" (new)")
		}
	}
	slices.Sort(d)
	return d
}
