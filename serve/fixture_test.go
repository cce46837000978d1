package serve

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moneytrail/moneytrail/internal/casedb"
)

// The test case, small enough to work every figure out by hand (EUR throughout, base amount =
// amount):
//
//	A1 SI12020107749940015  Luka Horvat (party luka horvat), statements, opening 100
//	A2 BA621617345142792081 Đorđe Salihović (party dorde salihovic), statements
//	A3 HR6423400091844635758 Matić Logistika d.o.o., no statement
//	cash:atm                 cash
//	M1 mto:western-union:party:dorde salihovic, an operator's account of Đorđe
//
//	T1 2024-01-02 A2 -> A1 1000.00 transfer
//	T2 2024-01-03 M1 -> A2  500.00 mto_payout
//	T3 2024-01-05 A1 -> A3  700.00 transfer
//	T4 2024-01-06 A1 -> cash 50.00 cash_withdrawal
//	T5 2024-01-07 A2 -> A1  250.50 transfer
//	T6 the same as T5 from a second export: a duplicate, never counted
//
// A1 receives 1250.50 from A2 in two transactions and pays 700 to A3 and 50 in cash; its
// balance is 1100 on 2 January, 400 on the 5th, 350 on the 6th, 600.50 on the 7th.
const (
	a1 = "SI12020107749940015"
	a2 = "BA621617345142792081"
	a3 = "HR6423400091844635758"
	m1 = "mto:western-union:party:dorde salihovic"
)

var fixtureSQL = []string{
	`INSERT INTO sources (source_id, path, file_name, sha256, bytes, format, parser_version, ingested_at, records, loaded, quarantined,
		statement_account, period_start, period_end, opening_balance, closing_balance, reconciled) VALUES
		(1, 'in/a1.xml', 'a1.xml', 'aa11', 100, 'camt.053', '1', TIMESTAMP '2024-02-01 10:00:00', 4, 4, 0, '` + a1 + `', DATE '2024-01-01', DATE '2024-01-31', 100, 600.50, true),
		(2, 'in/a2.sta', 'a2.sta', 'bb22', 100, 'mt940', '1', TIMESTAMP '2024-02-01 10:00:00', 5, 3, 2, '` + a2 + `', DATE '2024-01-01', DATE '2024-03-31', 0, 0, false),
		(3, 'in/wu.csv', 'wu.csv', 'cc33', 100, 'mto', '1', TIMESTAMP '2024-02-01 10:00:00', 1, 1, 0, NULL, NULL, NULL, NULL, NULL, NULL)`,
	`INSERT INTO parties (party_id, name, name_key, kind, country) VALUES
		('luka horvat', 'Luka Horvat', 'luka horvat', 'person', 'SI'),
		('dorde salihovic', 'Đorđe Salihović', 'dorde salihovic', 'person', 'BA'),
		('matic logistika d o o', 'Matić Logistika d.o.o.', 'matic logistika d o o', 'company', 'HR')`,
	`INSERT INTO accounts (account_id, kind, iban, bank, holder_name, party_id, country, currency, has_statement, opening_balance, account_no) VALUES
		('` + a1 + `', 'bank', '` + a1 + `', 'NLB', 'Luka Horvat', 'luka horvat', 'SI', 'EUR', true, 100, 1),
		('` + a2 + `', 'bank', '` + a2 + `', 'Raiffeisen', 'Đorđe Salihović', 'dorde salihovic', 'BA', 'EUR', true, 0, 2),
		('` + a3 + `', 'bank', '` + a3 + `', 'PBZ', 'Matić Logistika d.o.o.', 'matic logistika d o o', 'HR', 'EUR', false, NULL, 3),
		('cash:atm', 'cash', NULL, NULL, NULL, NULL, NULL, NULL, false, NULL, 4),
		('` + m1 + `', 'mto', NULL, 'Western Union', 'Đorđe Salihović', 'dorde salihovic', NULL, 'EUR', false, NULL, 5)`,
	`INSERT INTO party_links (party_id, account_id, role, confidence, reason, source_id) VALUES
		('luka horvat', '` + a1 + `', 'holder', 1, 'account holder named in the statement', 1),
		('dorde salihovic', '` + a2 + `', 'holder', 1, 'account holder named in the statement', 2),
		('dorde salihovic', '` + m1 + `', 'receiver', 0.9, 'name and birth date on the transfer', 3)`,
	`INSERT INTO transactions (txn_id, source_id, source_record, seq, booked_at, from_account, to_account, amount, currency, base_amount, base_currency, channel, reference, duplicate_of) VALUES
		('T1', 1, 2, 1, TIMESTAMP '2024-01-02 09:00:00', '` + a2 + `', '` + a1 + `', 1000.00, 'EUR', 1000.00, 'EUR', 'transfer', 'loan', NULL),
		('T2', 3, 2, 2, TIMESTAMP '2024-01-03 09:00:00', '` + m1 + `', '` + a2 + `', 500.00, 'EUR', 500.00, 'EUR', 'mto_payout', NULL, NULL),
		('T3', 1, 3, 3, TIMESTAMP '2024-01-05 09:00:00', '` + a1 + `', '` + a3 + `', 700.00, 'EUR', 700.00, 'EUR', 'transfer', 'invoice 7', NULL),
		('T4', 1, 4, 4, TIMESTAMP '2024-01-06 09:00:00', '` + a1 + `', 'cash:atm', 50.00, 'EUR', 50.00, 'EUR', 'cash_withdrawal', NULL, NULL),
		('T5', 1, 5, 5, TIMESTAMP '2024-01-07 09:00:00', '` + a2 + `', '` + a1 + `', 250.50, 'EUR', 250.50, 'EUR', 'transfer', 'rest', NULL),
		('T6', 2, 3, 6, TIMESTAMP '2024-01-07 09:00:00', '` + a2 + `', '` + a1 + `', 250.50, 'EUR', 250.50, 'EUR', 'transfer', 'rest', 'T5')`,
	// Ingest keeps the dense account numbers of each transaction in step; so does the fixture.
	`UPDATE transactions SET from_no = f.account_no, to_no = a.account_no
		FROM accounts f, accounts a
		WHERE f.account_id = transactions.from_account AND a.account_id = transactions.to_account`,
	`INSERT INTO statements (source_id, statement_no, account_id, currency, period_start, period_end, opening, credits, debits, closing, computed_closing, difference, entries, quarantined, reconciled) VALUES
		(1, 1, '` + a1 + `', 'EUR', DATE '2024-01-01', DATE '2024-01-31', 100, 1250.50, 750, 600.50, 600.50, 0, 4, 0, true),
		(2, 1, '` + a2 + `', 'EUR', DATE '2024-01-01', DATE '2024-01-31', 1000, 500, 1250.50, 249.50, 249.50, 0, 3, 0, true),
		(2, 2, '` + a2 + `', 'EUR', DATE '2024-03-01', DATE '2024-03-31', 249.50, 0, 0, 240, 249.50, -9.50, 0, 2, false)`,
	`INSERT INTO quarantine (source_id, record, raw, field, reason) VALUES
		(2, 7, ':61:2403', 'amount', 'no amount'), (2, 8, ':61:2403', 'date', 'no date')`,
	`INSERT INTO runs (run_id, kind, started_at, tool_version, params_json, manifest_json) VALUES
		('rules-old', 'rules', TIMESTAMP '2024-01-31 10:00:00', 'test', '{}', '{"packs":[{"origin":"builtin:smuggling"}]}'),
		('rules-1', 'rules', TIMESTAMP '2024-02-01 10:00:00', 'test', '{}', '{"packs":[{"name":"smuggling","origin":"builtin:smuggling"}]}'),
		('trace-1', 'trace', TIMESTAMP '2024-02-01 11:00:00', 'test', '{}', '{}')`,
	`INSERT INTO findings (run_id, rule_id, pack, pack_version, subject, amount, score, evidence, detail) VALUES
		('rules-old', 'round_amounts', 'smuggling', '1', 'cash:atm', 1, 1, 'T4', 'an older run'),
		('rules-1', 'organizer_ranking', 'smuggling', '2', 'party:luka horvat', 600.50, 5, 'T1 T5', 'paid by 1 collecting account'),
		('rules-1', 'confiscation_parties', 'smuggling', '2', 'party:luka horvat', 300, NULL, 'T3', '1 accounts hold traced proceeds (libr)'),
		('rules-1', 'pass_through', 'smuggling', '2', '` + a1 + `', 1250.50, 0.6, 'T1 T3 T5', 'money leaves as fast as it arrives'),
		('rules-1', 'collection_party', 'smuggling', '2', 'party:dorde salihovic', 500, 1, 'T2', '1 sender'),
		('rules-1', 'round_amounts', 'smuggling', '2', '` + a3 + `', 700, 1, 'T3', '1 round credit')`,
	`INSERT INTO trace_positions (run_id, method, holder, holder_kind, origin, amount) VALUES
		('trace-1', 'libr', '` + a1 + `', 'account', 'seeds', 300.00),
		('trace-1', 'libr', '` + a1 + `', 'account', 'clean', 300.50),
		('trace-1', 'libr', '` + a3 + `', 'account', 'seeds', 200.00),
		('trace-1', 'libr', 'cash:atm', 'exit', 'seeds', 50.00),
		('trace-1', 'fifo', '` + a1 + `', 'account', 'seeds', 100.00)`,
}

// testCase writes the test case to a new file and returns its path.
func testCase(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "case.duckdb")
	db, err := casedb.Open(ctx, path, casedb.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range fixtureSQL {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
	}
	return path
}

// testServer opens the test case (read-write unless readOnly) and serves it on an httptest
// server on the loopback interface.
func testServer(t testing.TB, readOnly bool) (*Server, *httptest.Server) {
	t.Helper()
	return serveCase(t, testCase(t), readOnly)
}

func serveCase(t testing.TB, path string, readOnly bool) (*Server, *httptest.Server) {
	t.Helper()
	db, err := casedb.Open(context.Background(), path, casedb.Options{ReadOnly: readOnly})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	fixed := time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)
	s, err := New(db, Options{Author: "Insp. Test", Now: func() time.Time { return fixed }})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return s, ts
}

// get calls the API with the token and returns the status and body.
func get(t testing.TB, s *Server, ts *httptest.Server, path string) (int, string) {
	t.Helper()
	return call(t, s, ts, http.MethodGet, path, "")
}

func call(t testing.TB, s *Server, ts *httptest.Server, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(headerName, s.Token())
	res, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

func jsonInto(body string, v any) error { return json.Unmarshal([]byte(body), v) }
