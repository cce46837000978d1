package ingest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moneytrail/moneytrail/fixtures"
	"github.com/moneytrail/moneytrail/ingest/amlworld"
	"github.com/moneytrail/moneytrail/internal/casedb"
)

// TestAMLWorldSQLMatchesReference loads generated AMLworld files through the SQL paths (the
// parallel parser where the file allows it, line by line otherwise) and compares every stored
// transaction, label and quarantine entry with the pure Go reader of package amlworld.
func TestAMLWorldSQLMatchesReference(t *testing.T) {
	var buf bytes.Buffer
	if err := fixtures.WriteAMLWorld(&buf, fixtures.AMLWorldOptions{Rows: 3000, Seed: 7, LaunderingRate: 0.01}); err != nil {
		t.Fatal(err)
	}
	valueErrors := []string{
		"2022/13/01 00:20,1,AB,2,CD,10.00,US Dollar,10.00,US Dollar,Wire,0",
		"2022/09/01 00:20,1,AB,2,CD,10.00,US Dollar,0.00,US Dollar,Wire,1",
		"2022/09/01 00:20,1,AB,2,CD,10.00,Euro,12345678901234.5,Euro,Wire,0",
		"2022/09/01 00:20,,AB,2,CD,10.00,Euro,10.00,Euro,Wire,2",
	}
	cases := []struct {
		name, tail, how string
		quarantined     int
	}{
		{"clean, parallel", "", "parallel CSV parser", 0},
		{"value errors, parallel", strings.Join(valueErrors, "\n") + "\n", "parallel CSV parser", 3},
		{"short row, line by line", "2022/09/01 00:20,1,AB,2,CD,10.00,US Dollar,10.00,US Dollar,Wire\n", "line by line", 1},
		{"quote, line by line", "2022/09/01 00:20,1,\"A,B\",2,CD,10.00,US Dollar,10.00,US Dollar,Wire,0\n", "line by line", 1},
		{"no final newline", "2022/09/01 00:20,1,AB,2,CD,1.00,Euro,1.00,Euro,Wire,1", "parallel CSV parser", 0},
		{"every kind, line by line", strings.Join(allBad, "\n") + "\n2022/09/18 23:59,1,AB,2,CD,1.50,Euro,1.50,Euro,Wire,1\n", "line by line", len(allBad) - 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := buf.String() + c.tail
			res, db := checkAMLWorldAgainstReference(t, data)
			if res.Quarantined != int64(c.quarantined) {
				t.Errorf("quarantined %d, want %d", res.Quarantined, c.quarantined)
			}
			if how := one[string](t, db, `SELECT note FROM source_notes WHERE kind = 'file'`); !strings.Contains(how, c.how) {
				t.Errorf("read %q, want %q", how, c.how)
			}
		})
	}
}

var allBad = []string{
	"2022/09/01 00:20,1,AB,2,CD,10.00,US Dollar,10.00,US Dollar,Wire",
	"2022/13/01 00:20,1,AB,2,CD,10.00,US Dollar,10.00,US Dollar,Wire,0",
	"2022/09/01 00:20,1,AB,2,CD,10.00,US Dollar,0.00,US Dollar,Wire,1",
	"2022/09/01 00:20,1,AB,2,CD,10.00,Dinar,10.00,US Dollar,Wire,1",
	"2022/09/01 00:20,1,AB,2,CD,10.00,Euro,10.1234567,Euro,Wire,0",
	"2022/09/01 00:20,1,AB,2,CD,10.00,Euro,12345678901234.5,Euro,Wire,0",
	"",
	"2022/09/01 00:20,1,AB,2,CD,10.00,Euro,10.00,Euro,Telepathy,0",
	"2022/09/01 00:20,,AB,2,CD,10.00,Euro,10.00,Euro,Wire,2",
}

func checkAMLWorldAgainstReference(t *testing.T, data string) (Result, *casedb.DB) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "aml.csv")
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	db := newCase(t)
	res := ingestFile(t, db, p, Options{})
	if res.Format != FormatAMLWorld {
		t.Fatalf("format %s", res.Format)
	}
	ref, err := amlworld.Read([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != int64(ref.Records) || res.Loaded != int64(len(ref.Txns)) || res.Quarantined != int64(len(ref.Errors)) {
		t.Fatalf("sql %d/%d/%d, reference %d/%d/%d", res.Records, res.Loaded, res.Quarantined, ref.Records, len(ref.Txns), len(ref.Errors))
	}
	var want strings.Builder
	for _, x := range ref.Txns {
		fmt.Fprintf(&want, "%s:%d %s %s>%s %s %s %s %s %s\n", res.SHA256[:16], x.Record, x.BookedAt.Format("2006-01-02 15:04"),
			x.From, x.To, x.Amount.StringFixed(6), x.Currency, x.Received.Decimal.StringFixed(6), x.ReceivedCurrency, x.Channel)
	}
	got := one[string](t, db, `SELECT string_agg(txn_id || ' ' || strftime(booked_at, '%Y-%m-%d %H:%M') || ' ' || from_account || '>' || to_account
		|| ' ' || CAST(amount AS VARCHAR) || ' ' || currency || ' ' || CAST(received_amount AS VARCHAR) || ' ' || received_currency || ' ' || channel, chr(10) ORDER BY seq) || chr(10) FROM transactions`)
	if got != want.String() {
		t.Errorf("stored transactions differ from the reference reader")
	}
	var wantQ strings.Builder
	for _, e := range ref.Errors {
		fmt.Fprintf(&wantQ, "%d|%s|%s\n", e.Record, e.Field, e.Reason)
	}
	gotQ := one[string](t, db, `SELECT coalesce(string_agg(record || '|' || coalesce(field, '') || '|' || reason, chr(10) ORDER BY record) || chr(10), '') FROM quarantine`)
	if gotQ != wantQ.String() {
		t.Errorf("quarantine\n got %s\nwant %s", gotQ, wantQ.String())
	}
	if n, w := one[int64](t, db, `SELECT count(*) FROM labels`), len(ref.Labels); n != int64(w) || n == 0 {
		t.Errorf("labels %d, reference %d", n, w)
	}
	if strings.Contains(data, "12345678901234.5,") {
		if got := one[string](t, db, `SELECT CAST(amount AS VARCHAR) FROM transactions WHERE amount > 1e12`); got != "12345678901234.500000" {
			t.Errorf("large amount stored as %s", got)
		}
	}
	// Accounts: every endpoint once, as a bank account of scheme amlworld.
	if n := one[int64](t, db, `SELECT count(*) FROM (SELECT from_account FROM transactions UNION SELECT to_account FROM transactions EXCEPT SELECT account_id FROM accounts)`); n != 0 {
		t.Errorf("%d endpoints without an account row", n)
	}
	return res, db
}

func TestAMLWorldReingestIsNoOp(t *testing.T) {
	var buf bytes.Buffer
	fixtures.WriteAMLWorld(&buf, fixtures.AMLWorldOptions{Rows: 500, Seed: 3})
	p := filepath.Join(t.TempDir(), "aml.csv")
	os.WriteFile(p, buf.Bytes(), 0o644)
	db := newCase(t)
	ingestFile(t, db, p, Options{Format: FormatAMLWorld})
	before := snapshot(t, db)
	if res := ingestFile(t, db, p, Options{Format: FormatAMLWorld}); !res.Skipped {
		t.Fatal("not skipped")
	}
	if after := snapshot(t, db); after != before {
		t.Errorf("%s -> %s", before, after)
	}
	if _, err := File(context.Background(), db, "testdata/ledger-sample.csv", Options{Format: FormatAMLWorld}); err == nil {
		t.Error("a ledger file forced as amlworld was accepted")
	}
}

// TestAMLWorldNumbersMatchGeneralPath loads two AMLworld files that share accounts through
// the SQL fast path (alone, after another source, after the general loader stored the
// first file) and the same transactions as ledger files through the general loader, and
// requires the same account_no for every account and the same from_no/to_no for every
// transaction.
func TestAMLWorldNumbersMatchGeneralPath(t *testing.T) {
	var buf bytes.Buffer
	if err := fixtures.WriteAMLWorld(&buf, fixtures.AMLWorldOptions{Rows: 2000, Accounts: 1500, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSuffix(buf.String(), "\n"), "\n")
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var aml, ledger [2]string
	seen := [2]map[string]bool{{}, {}}
	for i, part := range [][]string{lines[1:1000], lines[1000:]} {
		data := lines[0] + strings.Join(part, "")
		aml[i] = write(fmt.Sprintf("aml%d.csv", i), data)
		ref, err := amlworld.Read([]byte(data))
		if err != nil || len(ref.Errors) > 0 {
			t.Fatalf("reference read: %v %v", err, ref.Errors)
		}
		var l strings.Builder
		l.WriteString("txn_id,booked_at,from_account,to_account,amount,currency\n")
		for _, x := range ref.Txns {
			seen[i][x.From], seen[i][x.To] = true, true
			fmt.Fprintf(&l, "F%dL%d,%s,%s,%s,%s,%s\n", i, x.Record, x.BookedAt.Format("2006-01-02T15:04"), x.From, x.To, x.Amount.String(), x.Currency)
		}
		ledger[i] = write(fmt.Sprintf("ledger%d.csv", i), l.String())
	}
	numbers := func(files []string, formats []string) (accounts, txns string) {
		db := newCase(t)
		for i, f := range files {
			if res := ingestFile(t, db, f, Options{Format: formats[i]}); res.Loaded == 0 || res.Quarantined != 0 {
				t.Fatalf("%s: loaded %d, quarantined %d", f, res.Loaded, res.Quarantined)
			}
		}
		if n := one[int64](t, db, `SELECT count(*) FROM transactions WHERE from_no IS NULL OR to_no IS NULL`); n != 0 {
			t.Errorf("%d transactions without account numbers", n)
		}
		return one[string](t, db, `SELECT string_agg(account_id || '=' || account_no, ' ' ORDER BY account_no) FROM accounts`),
			one[string](t, db, `SELECT string_agg(from_no || '>' || to_no, ' ' ORDER BY seq) FROM transactions`)
	}
	// The second file must bring new accounts (numbered after the first file's) and reuse
	// others (numbered by the first file).
	var reused, added int
	for a := range seen[1] {
		if seen[0][a] {
			reused++
		} else {
			added++
		}
	}
	if reused == 0 || added == 0 {
		t.Fatalf("second file reuses %d accounts and adds %d: the test needs both", reused, added)
	}
	other := write("other.csv", "txn_id,booked_at,from_account,to_account,amount,currency\n"+
		"O1,2022-08-01,zz:other,aa:other,5.00,EUR\nO2,2022-08-02,aa:other,mm:other,2.50,EUR\n")
	cases := []struct {
		name        string
		files, refs []string
		formats     []string
	}{
		// The first file's accounts are all new (numbered by cast), the second's are not
		// consecutive (numbered by join).
		{"fast path", aml[:], ledger[:], []string{FormatAMLWorld, FormatAMLWorld}},
		// New accounts numbered after another source's.
		{"after another source", []string{other, aml[0]}, []string{other, ledger[0]}, []string{FormatLedger, FormatAMLWorld}},
		{"general path then fast path", []string{ledger[0], aml[1]}, ledger[:], []string{FormatLedger, FormatAMLWorld}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantAccounts, wantTxns := numbers(c.refs, []string{FormatLedger, FormatLedger})
			accounts, txns := numbers(c.files, c.formats)
			if accounts != wantAccounts {
				t.Errorf("account numbers\n got %.300s\nwant %.300s", accounts, wantAccounts)
			}
			if txns != wantTxns {
				t.Errorf("transaction numbers\n got %.300s\nwant %.300s", txns, wantTxns)
			}
			if n := strings.Count(accounts, "="); n < 100 {
				t.Errorf("only %d accounts", n)
			}
		})
	}
	// The ENUM type of the fast path lives only inside the load's transaction.
	db := newCase(t)
	ingestFile(t, db, aml[0], Options{Format: FormatAMLWorld})
	if n := one[int64](t, db, `SELECT count(*) FROM duckdb_types() WHERE type_name = ?`, amlworldAccountType); n != 0 {
		t.Errorf("type %s left in the case", amlworldAccountType)
	}
}
