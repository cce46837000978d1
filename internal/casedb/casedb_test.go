package casedb

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// v1Case writes a case with the version 1 layout: a new case with the version 2 columns
// dropped, the version 1 txns view, and a few rows.
func v1Case(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v1.duckdb")
	db, err := Open(ctx, path, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range []string{
		`DROP VIEW txns`,
		`ALTER TABLE accounts DROP COLUMN account_no`,
		`ALTER TABLE transactions DROP COLUMN from_no`,
		`ALTER TABLE transactions DROP COLUMN to_no`,
		`ALTER TABLE transactions DROP COLUMN base_micros`,
		`CREATE VIEW txns AS SELECT t.*, s.file_name AS source_file, s.sha256 AS source_sha256
			FROM transactions t JOIN sources s USING (source_id) WHERE t.duplicate_of IS NULL`,
		`ALTER TABLE sources DROP COLUMN ids_derived`,
		`DROP TABLE party_attributes`,
		`DROP TABLE party_decisions`,
		`DROP TABLE notes`,
		`DROP TABLE source_rows`,
		`UPDATE meta SET value = '1' WHERE key = 'schema_version'`,
		`INSERT INTO sources (source_id, path, file_name, sha256, bytes, format, parser_version, ingested_at, records, loaded, quarantined)
			VALUES (1, 'a.csv', 'a.csv', 'aa', 1, 'ledger', '1', TIMESTAMP '2024-01-01', 2, 2, 0),
			(2, 'b.csv', 'b.csv', 'bb', 1, 'amlworld', '1', TIMESTAMP '2024-01-01', 1, 1, 0)`,
		// Source 1 brings z and y, source 2 brings a: numbers follow ingest order, not ids.
		`INSERT INTO accounts (account_id, kind, first_source_id) VALUES ('z', 'bank', 1), ('y', 'bank', 1), ('a', 'bank', 2)`,
		`INSERT INTO transactions (txn_id, source_id, source_record, seq, booked_at, from_account, to_account, amount, currency, base_amount, channel)
			VALUES ('T1', 1, 2, 1, TIMESTAMP '2024-01-01', 'z', 'y', 12.345678, 'EUR', 12.345678, 'transfer'),
			('T2', 1, 3, 2, TIMESTAMP '2024-01-02', 'y', 'z', 5, 'USD', NULL, 'transfer'),
			('T3', 2, 2, 3, TIMESTAMP '2024-01-03', 'a', 'z', 7.5, 'EUR', 7.5, 'transfer')`,
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return path
}

func columns(t *testing.T, db *DB, q string) string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(cols, ",")
}

// TestMigrateV1: a version 1 case cannot be opened read-only (the error says how to migrate
// it); opened read-write it gets account numbers in ingest order, each transaction's numbers
// and micro-units, and keeps the columns of its views.
func TestMigrateV1(t *testing.T) {
	ctx := context.Background()
	path := v1Case(t)
	old, err := Open(ctx, path, Options{ReadOnly: true, CreateIfMissing: false})
	if err == nil {
		old.Close()
		t.Fatal("a version 1 case opened read-only")
	}
	if !errors.Is(err, ErrOldSchema) || !strings.Contains(err.Error(), "open it read-write once") {
		t.Errorf("read-only open of a version 1 case: %v", err)
	}
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, _ := db.Meta(ctx, "schema_version"); v != strconv.Itoa(SchemaVersion) {
		t.Errorf("schema version %q after migration", v)
	}
	if got := columns(t, db, `SELECT * FROM party_attributes`); got != "party_id,kind,value,source_id,record" {
		t.Errorf("party_attributes after migration: %s", got)
	}
	if got := columns(t, db, `SELECT * FROM party_decisions`); got != "decision_no,action,party_id,other_party_id,author,decided_at,note" {
		t.Errorf("party_decisions after migration: %s", got)
	}
	var derived string
	if err := db.QueryRowContext(ctx, `SELECT string_agg(source_id || '=' || ids_derived, ' ' ORDER BY source_id) FROM sources`).Scan(&derived); err != nil {
		t.Fatal(err)
	}
	if derived != "1=false 2=true" {
		t.Errorf("sources.ids_derived %s after migration, want 1=false 2=true (AMLworld files only)", derived)
	}
	var accts, txns string
	if err := db.QueryRowContext(ctx, `SELECT string_agg(account_id || '=' || account_no, ' ' ORDER BY account_id) FROM accounts`).Scan(&accts); err != nil {
		t.Fatal(err)
	}
	if accts != "a=3 y=1 z=2" {
		t.Errorf("account numbers %s, want a=3 y=1 z=2", accts)
	}
	if err := db.QueryRowContext(ctx, `SELECT string_agg(txn_id || ':' || from_no || '>' || to_no || ' ' || coalesce(CAST(base_micros AS VARCHAR), 'NULL'), ', ' ORDER BY txn_id)
		FROM transactions`).Scan(&txns); err != nil {
		t.Fatal(err)
	}
	if txns != "T1:2>1 12345678, T2:1>2 NULL, T3:3>2 7500000" {
		t.Errorf("migrated transactions %s", txns)
	}
	want := "txn_id,source_id,source_record,seq,booked_at,value_date,from_account,to_account,amount,currency,base_amount,base_currency," +
		"fx_rate,fx_date,received_amount,received_currency,channel,reference,end_to_end_id,uetr,counterparty_raw,balance_after,pending,duplicate_of," +
		"source_file,source_sha256"
	if got := columns(t, db, `SELECT * FROM txns`); got != want {
		t.Errorf("txns columns after migration:\n%s\nwant\n%s", got, want)
	}
	db.Close()

	// A new case has the same layout as a migrated one.
	fresh, err := Open(ctx, filepath.Join(t.TempDir(), "new.duckdb"), Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if got := columns(t, fresh, `SELECT * FROM txns`); got != want {
		t.Errorf("txns columns of a new case:\n%s\nwant\n%s", got, want)
	}
	db, err = Open(ctx, path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, table := range []string{"transactions", "accounts", "notes"} {
		if a, b := columns(t, db, `SELECT * FROM `+table), columns(t, fresh, `SELECT * FROM `+table); a != b {
			t.Errorf("%s: migrated columns %s, new %s", table, a, b)
		}
	}
}

// TestCreateIsExclusive: Create never replaces or removes a file it did not create (another
// process's claim, a case, a stray write-ahead log), and a create that fails removes only
// its own claim.
func TestCreateIsExclusive(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	claim := filepath.Join(dir, "claimed.duckdb")
	if err := os.WriteFile(claim, nil, 0o600); err != nil { // another process's empty claim
		t.Fatal(err)
	}
	if _, err := Open(ctx, claim, Options{Create: true}); !errors.Is(err, ErrExists) {
		t.Errorf("create over a claim: %v", err)
	}
	if _, err := Open(ctx, claim, Options{}); !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "being created by another process") {
		t.Errorf("open of a claim: %v", err)
	}
	if _, err := os.Stat(claim); err != nil {
		t.Errorf("the claim is gone: %v", err)
	}
	stray := filepath.Join(dir, "stray.duckdb")
	if err := os.WriteFile(stray+".wal", []byte("log"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, stray, Options{Create: true}); !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "write-ahead log") {
		t.Errorf("create beside a stray WAL: %v", err)
	}
	if b, err := os.ReadFile(stray + ".wal"); err != nil || string(b) != "log" {
		t.Errorf("the stray WAL was touched: %q %v", b, err)
	}
	if _, err := os.Stat(stray); err == nil {
		t.Error("the failed create left its claim behind")
	}
	bad := filepath.Join(dir, "bad.duckdb")
	if _, err := Open(ctx, bad, Options{Create: true, BaseCurrency: "EURO"}); err == nil {
		t.Fatal("a four-letter base currency was accepted")
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "bad") || strings.HasPrefix(e.Name(), ".bad") {
			t.Errorf("a failed create left %s", e.Name())
		}
	}
	good := filepath.Join(dir, "good.duckdb")
	db, err := Open(ctx, good, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(ctx, good, Options{Create: true}); !errors.Is(err, ErrExists) {
		t.Errorf("second create: %v", err)
	}
	db, err = Open(ctx, good, Options{CreateIfMissing: true})
	if err != nil {
		t.Fatalf("create-if-missing of an existing case: %v", err)
	}
	db.Close()
}

// TestSealed: a sealed case refuses writes and file access from any connection, keeps UTC
// on new connections, and runs a user's query only when DuckDB reads one SELECT.
func TestSealed(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "case.duckdb")
	db, err := Open(ctx, path, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(ctx, path, Options{Sealed: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conns := make([]*UserConn, 3) // several connections: the seal is the instance's
	for i := range conns {
		if conns[i], err = db.UserConn(ctx); err != nil {
			t.Fatal(err)
		}
		defer conns[i].Close()
	}
	var tz string
	if err := db.QueryRowContext(ctx, `SELECT current_setting('TimeZone')`).Scan(&tz); err != nil || tz != "UTC" {
		t.Errorf("time zone %q %v", tz, err)
	}
	for _, c := range []struct{ q, want string }{
		{`SELECT 1; SELECT 2`, "give exactly one SELECT statement"},
		{`-- nothing`, "give exactly one SELECT statement"},
		{`INSERT INTO meta VALUES ('a', 'b')`, "(INSERT)"},
		{`SELECT * FROM read_blob('` + path + `')`, "disabled by configuration"},
		{`SELECT nosuch FROM meta`, "Binder Error"},
	} {
		for i, conn := range conns {
			rows, err := conn.QueryContext(ctx, c.q)
			if err == nil {
				err = rows.Close()
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("conn %d: %s: %v, want %q", i, c.q, err, c.want)
			}
		}
	}
	for _, s := range []string{`INSERT INTO meta VALUES ('a', 'b')`, `SET disabled_filesystems = ''`, `COPY meta TO '` + path + `.wal'`} {
		if _, err := db.ExecContext(ctx, s); err == nil {
			t.Errorf("%s ran on the sealed case", s)
		}
	}
	writable, err := Open(ctx, ":memory:", Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer writable.Close()
	conn, _ := writable.Conn(ctx)
	defer conn.Close()
	if _, err := writable.QueryUser(ctx, conn, `SELECT 1`); !errors.Is(err, ErrInternal) {
		t.Errorf("a user's query on an unsealed case: %v", err)
	}
}
