package ingest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/internal/corpus"
)

var update = flag.Bool("update", false, "rewrite golden files")

var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func newCase(t *testing.T) *casedb.DB {
	t.Helper()
	db, err := casedb.Open(context.Background(), filepath.Join(t.TempDir(), "case.duckdb"), casedb.Options{Create: true, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func ingestFile(t *testing.T, db *casedb.DB, path string, opt Options) Result {
	t.Helper()
	opt.Now = testNow
	res, err := File(context.Background(), db, path, opt)
	if err != nil {
		t.Fatalf("ingest %s: %v", path, err)
	}
	return res
}

func one[T any](t *testing.T, db *casedb.DB, q string, args ...any) T {
	t.Helper()
	var v T
	if err := db.QueryRowContext(context.Background(), q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

// snapshot is every table's row count: a failed ingest must leave it unchanged.
func snapshot(t *testing.T, db *casedb.DB) string {
	t.Helper()
	var b strings.Builder
	for _, tb := range []string{"sources", "transactions", "accounts", "quarantine", "labels", "statements", "fx_rates"} {
		b.WriteString(tb + "=" + one[string](t, db, "SELECT CAST(count(*) AS VARCHAR) FROM "+tb) + " ")
	}
	return b.String()
}

func TestLedgerRoundTripGolden(t *testing.T) {
	db := newCase(t)
	res := ingestFile(t, db, "testdata/ledger-sample.csv", Options{})
	if res.Format != FormatLedger || res.Records != 8 || res.Loaded != 8 || res.Quarantined != 0 {
		t.Fatalf("result %+v", res)
	}
	var out bytes.Buffer
	if err := ExportLedger(context.Background(), db, &out); err != nil {
		t.Fatal(err)
	}
	golden := "testdata/ledger-sample.golden.csv"
	if *update {
		os.WriteFile(golden, out.Bytes(), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("export differs from %s:\n%s", golden, out.String())
	}
	// The export re-ingests into a new case with the same transactions.
	p := filepath.Join(t.TempDir(), "export.csv")
	os.WriteFile(p, out.Bytes(), 0o644)
	db2 := newCase(t)
	ingestFile(t, db2, p, Options{})
	q := `SELECT string_agg(txn_id || ' ' || from_account || ' ' || to_account || ' ' || CAST(amount AS VARCHAR) || ' ' || strftime(booked_at, '%Y-%m-%dT%H:%M:%S'), '|' ORDER BY seq) FROM txns`
	if a, b := one[string](t, db, q), one[string](t, db2, q); a != b {
		t.Errorf("round trip changed transactions:\n%s\n%s", a, b)
	}
	if got := one[string](t, db, `SELECT CAST(sum(amount) AS VARCHAR) FROM transactions`); got != "16941.125000" {
		t.Errorf("sum %s, want 16941.125000 (worked out from the file)", got)
	}
	if got := one[string](t, db, `SELECT string_agg(account_id || '=' || kind, ' ' ORDER BY account_id) FROM accounts WHERE kind <> 'bank'`); got != "asset:vw-golf-ljubljana=asset cash:atm-vienna=cash cash:collector-ba=cash external:hotel=external external:mto-payout-rs=external" {
		t.Errorf("account kinds %s", got)
	}
}

func TestDuplicateFileIsSkipped(t *testing.T) {
	db := newCase(t)
	first := ingestFile(t, db, "testdata/ledger-sample.csv", Options{})
	before := snapshot(t, db)
	// The same bytes under another name are still the same evidence.
	p := filepath.Join(t.TempDir(), "copy.csv")
	data, _ := os.ReadFile("testdata/ledger-sample.csv")
	os.WriteFile(p, data, 0o644)
	again := ingestFile(t, db, p, Options{})
	if !again.Skipped || again.DuplicateOf != first.SourceID {
		t.Fatalf("second ingest %+v, want skipped as duplicate of %d", again, first.SourceID)
	}
	if after := snapshot(t, db); after != before {
		t.Errorf("duplicate changed the case: %s -> %s", before, after)
	}
}

func TestBadLedgerRowsAreQuarantinedWithLineAndField(t *testing.T) {
	db := newCase(t)
	res := ingestFile(t, db, "testdata/ledger-bad.csv", Options{})
	if res.Records != 11 || res.Loaded != 1 || res.Quarantined != 10 {
		t.Fatalf("records/loaded/quarantined = %d/%d/%d, want 11/1/10", res.Records, res.Loaded, res.Quarantined)
	}
	want := []string{
		"3 booked_at", "4 amount", "5 ", "6 ", "7 amount", "8 from_account", "9 txn_id", "10 currency", "11 amount", "12 ",
	}
	got := one[string](t, db, `SELECT string_agg(CAST(record AS VARCHAR) || ' ' || coalesce(field, ''), ',' ORDER BY record) FROM quarantine`)
	if got != strings.Join(want, ",") {
		t.Errorf("quarantine\n got %s\nwant %s", got, strings.Join(want, ","))
	}
	reasons := one[string](t, db, `SELECT string_agg(reason, '|' ORDER BY record) FROM quarantine`)
	for _, w := range []string{"row has 5 fields, header has 6", "row has 7 fields, header has 6", "duplicate txn_id \"B1\", first on line 2",
		"more than 6 decimal places", "is not positive"} {
		if !strings.Contains(reasons, w) {
			t.Errorf("reasons lack %q: %s", w, reasons)
		}
	}
	if got := one[int64](t, db, `SELECT quarantined FROM sources`); got != 10 {
		t.Errorf("sources.quarantined %d", got)
	}
}

func TestStrictFailsTheFileAndStoresNothing(t *testing.T) {
	db := newCase(t)
	ingestFile(t, db, "testdata/ledger-sample.csv", Options{})
	before := snapshot(t, db)
	_, err := File(context.Background(), db, "testdata/ledger-bad.csv", Options{Strict: true})
	if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "ledger-bad.csv: line 3, field booked_at") {
		t.Fatalf("err = %v, want an input error naming file, line and field", err)
	}
	if after := snapshot(t, db); after != before {
		t.Errorf("strict failure changed the case: %s -> %s", before, after)
	}
}

func TestFailureHalfWayLeavesTheCaseUnchanged(t *testing.T) {
	db := newCase(t)
	ingestFile(t, db, "testdata/ledger-sample.csv", Options{})
	before := snapshot(t, db)
	// A file whose transactions are stored before the failure: the hook fails the load after
	// the transactions and accounts are in, as a full disk or a crash of the process would.
	boom := errors.New("disk full")
	testHookAfterTransactions = func() error { return boom }
	defer func() { testHookAfterTransactions = nil }()
	p := filepath.Join(t.TempDir(), "more.csv")
	os.WriteFile(p, []byte("txn_id,booked_at,from_account,to_account,amount,currency\nM1,2024-04-01,X,Y,5.00,EUR\n"), 0o644)
	if _, err := File(context.Background(), db, p, Options{}); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if after := snapshot(t, db); after != before {
		t.Errorf("failed ingest changed the case: %s -> %s", before, after)
	}
	testHookAfterTransactions = nil
	if res := ingestFile(t, db, p, Options{}); res.Loaded != 1 {
		t.Errorf("retry after failure: %+v", res)
	}
}

func TestLedgerIDClashWithTheCaseIsQuarantined(t *testing.T) {
	db := newCase(t)
	ingestFile(t, db, "testdata/ledger-sample.csv", Options{})
	p := filepath.Join(t.TempDir(), "clash.csv")
	os.WriteFile(p, []byte("txn_id,booked_at,from_account,to_account,amount,currency\nL001,2024-04-01,X,Y,5.00,EUR\nN1,2024-04-01,X,Y,6.00,EUR\n"), 0o644)
	res := ingestFile(t, db, p, Options{})
	if res.Loaded != 1 || res.Quarantined != 1 {
		t.Fatalf("%+v", res)
	}
	if got := one[string](t, db, `SELECT reason FROM quarantine`); !strings.Contains(got, `txn_id "L001" is already in the case (source 1, record 2)`) {
		t.Errorf("reason %q", got)
	}
	if got := one[string](t, db, `SELECT CAST(amount AS VARCHAR) FROM transactions WHERE txn_id = 'L001'`); got != "1500.000000" {
		t.Errorf("stored L001 changed: %s", got)
	}
}

func TestWrongEncodingIsAnInputError(t *testing.T) {
	db := newCase(t)
	p := filepath.Join(t.TempDir(), "latin1.csv")
	os.WriteFile(p, []byte("txn_id,booked_at,from_account,to_account,amount,currency\nX1,2024-01-01,K\xf6ln,B,1.00,EUR\n"), 0o644)
	_, err := File(context.Background(), db, p, Options{Format: FormatLedger})
	if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "not valid UTF-8") {
		t.Fatalf("err = %v", err)
	}
	if n := one[int64](t, db, `SELECT count(*) FROM sources`); n != 0 {
		t.Errorf("%d sources stored", n)
	}
}

func TestFXFromECBRates(t *testing.T) {
	db := newCase(t)
	ingestFile(t, db, "testdata/ledger-sample.csv", Options{})
	if got := one[string](t, db, `SELECT reason FROM fx_missing`); got != "no USD rate against EUR on or before 2024-03-04" {
		t.Errorf("fx_missing %q", got)
	}
	res := ingestFile(t, db, "testdata/ecb-sample.csv", Options{})
	if res.Format != FormatECBRates || res.Records != 4 || res.Quarantined != 0 {
		t.Fatalf("%+v", res)
	}
	if n := one[int64](t, db, `SELECT count(*) FROM fx_rates`); n != 15 {
		t.Errorf("%d rates, want 15 (16 cells, one N/A)", n)
	}
	// 250.00 USD on 2024-03-04 at 1.0844 USD per EUR = 230.5422...: 230.54 EUR.
	got := one[string](t, db, `SELECT CAST(base_amount AS VARCHAR) || ' ' || CAST(fx_rate AS VARCHAR) || ' ' || strftime(fx_date, '%Y-%m-%d') FROM transactions WHERE txn_id = 'L006'`)
	if got != "230.540000 1.0844000000 2024-03-04" {
		t.Errorf("L006 base amount/rate/day = %s", got)
	}
	if n := one[int64](t, db, `SELECT count(*) FROM fx_missing`); n != 0 {
		t.Errorf("%d still missing", n)
	}
}

func TestFXUsesLastEarlierFixingAndCrossRates(t *testing.T) {
	db, err := casedb.Open(context.Background(), filepath.Join(t.TempDir(), "usd.duckdb"), casedb.Options{Create: true, BaseCurrency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ingestFile(t, db, "testdata/ecb-sample.csv", Options{})
	p := filepath.Join(t.TempDir(), "fx.csv")
	os.WriteFile(p, []byte(`txn_id,booked_at,from_account,to_account,amount,currency
W1,2024-03-03,A,B,100.00,EUR
W2,2024-03-03,A,B,1000.00,CHF
W3,2024-03-03,A,B,10.00,USD
W4,2024-02-28,A,B,10.00,EUR
`), 0o644)
	ingestFile(t, db, p, Options{})
	// Sunday 2024-03-03 takes Friday 2024-03-01's fixing. EUR in a USD case: 100 * 1.0830 =
	// 108.30. CHF: 1000 / 0.9564 * 1.0830 = 1132.3714...: 1132.37.
	got := one[string](t, db, `SELECT string_agg(txn_id || '=' || coalesce(CAST(base_amount AS VARCHAR), 'NULL') || '@' || coalesce(strftime(fx_date, '%Y-%m-%d'), '-'), ' ' ORDER BY txn_id) FROM transactions`)
	want := "W1=108.300000@2024-03-01 W2=1132.370000@2024-03-01 W3=10.000000@2024-03-03 W4=NULL@-"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestConflictingRateIsQuarantinedAndStoredRateKept(t *testing.T) {
	db := newCase(t)
	ingestFile(t, db, "testdata/ecb-sample.csv", Options{})
	p := filepath.Join(t.TempDir(), "ecb2.csv")
	os.WriteFile(p, []byte("Date,USD,\n2024-03-05,1.0900,\n2024-03-06,1.0900,\n"), 0o644)
	res := ingestFile(t, db, p, Options{})
	if res.Quarantined != 1 {
		t.Fatalf("%+v", res)
	}
	if got := one[string](t, db, `SELECT CAST(rate AS VARCHAR) FROM fx_rates WHERE day = DATE '2024-03-05' AND currency = 'USD'`); got != "1.0857000000" {
		t.Errorf("stored rate changed to %s", got)
	}
	if n := one[int64](t, db, `SELECT count(*) FROM fx_rates WHERE day = DATE '2024-03-06'`); n != 1 {
		t.Errorf("new day not stored")
	}
}

func TestAMLSimCorpus(t *testing.T) {
	dir := filepath.Dir(corpus.Path(t, "aml-ground-truth/IBM__AMLSim__sample-outputs-tx.csv"))
	db := newCase(t)
	for _, f := range []string{"accounts", "alerts", "cash_tx", "tx"} {
		ingestFile(t, db, filepath.Join(dir, "IBM__AMLSim__sample-outputs-"+f+".csv"), Options{})
	}
	// Worked out with awk over the files: tx.csv 45 rows summing 6745.69; cash_tx.csv 8
	// CASH-IN (652.69) and 80 CASH-OUT (4435.22); accounts.csv init_balance sums to 4838.96;
	// isFraud=true for accounts 20, 24, 25, 26; steps 1..48 from 2017-01-01.
	checks := []struct{ q, want string }{
		{`SELECT count(*) || ' ' || sum(amount) FROM transactions WHERE channel = 'transfer'`, "45 6745.690000"},
		{`SELECT count(*) || ' ' || sum(amount) FROM transactions WHERE channel = 'cash_deposit'`, "8 652.690000"},
		{`SELECT count(*) || ' ' || sum(amount) FROM transactions WHERE channel = 'cash_withdrawal'`, "80 4435.220000"},
		{`SELECT CAST(sum(opening_balance) AS VARCHAR) FROM accounts`, "4838.960000"},
		{`SELECT string_agg(subject, ' ' ORDER BY subject) FROM labels WHERE label = 'is_fraud'`, "account:amlsim::20 account:amlsim::24 account:amlsim::25 account:amlsim::26"},
		{`SELECT string_agg(subject || '@' || value, ' ' ORDER BY subject) FROM labels WHERE label = 'alert:cycle'`, "account:amlsim::24@20170128 account:amlsim::25@20170218"},
		{`SELECT strftime(min(booked_at), '%Y-%m-%d') || ' ' || strftime(max(booked_at), '%Y-%m-%d') FROM transactions WHERE channel = 'transfer'`, "2017-01-02 2017-02-18"},
		{`SELECT from_account || '>' || to_account FROM transactions WHERE txn_id = '131'`, "amlsim::25>amlsim::26"},
	}
	for _, c := range checks {
		if got := one[string](t, db, c.q); got != c.want {
			t.Errorf("%s\n got %s\nwant %s", c.q, got, c.want)
		}
	}
}

func TestPartiesFromStatementsAcrossAlphabets(t *testing.T) {
	db := newCase(t)
	camt, err := os.ReadFile("../fixtures/sample/02-camt053-nlb-si.xml")
	if err != nil {
		t.Fatal(err)
	}
	ingestFile(t, db, "../fixtures/sample/02-camt053-nlb-si.xml", Options{})
	// The same payer, written in Cyrillic by another bank's export, from another account.
	other := strings.NewReplacer("Stefan Jovanović", "Стефан Јовановић", "RS35260005601001611379", "RS35105008123123123173",
		"MT-DEMO-0001", "MT-DEMO-0002", "NLB-", "NLB2-").Replace(string(camt))
	p := filepath.Join(t.TempDir(), "other.xml")
	os.WriteFile(p, []byte(other), 0o644)
	ingestFile(t, db, p, Options{})
	got := one[string](t, db, `SELECT string_agg(account_id || '@' || CAST(confidence AS VARCHAR), ' ' ORDER BY account_id) FROM party_links WHERE party_id = 'stefan jovanovic'`)
	if got != "RS35105008123123123173@0.9 RS35260005601001611379@0.9" {
		t.Errorf("links of party:stefan jovanovic: %s", got)
	}
	if got := one[string](t, db, `SELECT name FROM parties WHERE party_id = 'stefan jovanovic'`); got != "Stefan Jovanović" {
		t.Errorf("name kept %q, want the first spelling seen", got)
	}
	if got := one[string](t, db, `SELECT party_id FROM accounts WHERE account_id = 'SI56263300012039086'`); got != "transport kovac d o o" {
		t.Errorf("statement holder party %q", got)
	}
}

func TestOpeningBalanceFromTheEarliestStatement(t *testing.T) {
	db := newCase(t)
	ingestFile(t, db, "../fixtures/sample/03-mt940-raiffeisen-ba.sta", Options{})
	if got := one[string](t, db, `SELECT CAST(opening_balance AS VARCHAR) FROM accounts WHERE account_id = 'BA391290079401028494'`); got != "10.000000" {
		t.Errorf("opening %s, want the statement's 10.00", got)
	}
	// The ledger holds earlier movements of the same account (1500 in, 1490 out before the
	// statement): the statement's opening is their result, not a balance before them.
	ingestFile(t, db, "../fixtures/sample/01-ledger-transfers.csv", Options{})
	var opening sql.NullString
	db.QueryRow(`SELECT CAST(opening_balance AS VARCHAR) FROM accounts WHERE account_id = 'BA391290079401028494'`).Scan(&opening)
	if opening.Valid {
		t.Errorf("opening %s kept although earlier transactions exist", opening.String)
	}
	if got := one[string](t, db, `SELECT CAST(balance AS VARCHAR) FROM account_balances WHERE account_id = 'BA391290079401028494'`); got != "20.000000" {
		t.Errorf("balance %s, want the statement's closing 20.00", got)
	}
}
