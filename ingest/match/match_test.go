package match

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/moneytrail/moneytrail/ingest"
	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/internal/table"
)

var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

const (
	acctA = "DE89370400440532013000"
	acctB = "AT611904300234573201"
	acctC = "CH8800762011623852950"
	acctH = "RS70265100000012345678"
	acctY = "RS33160000000012345690"
)

func newCase(t *testing.T) *casedb.DB {
	t.Helper()
	db, err := casedb.Open(context.Background(), filepath.Join(t.TempDir(), "case.duckdb"), casedb.Options{Create: true, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// loadDir ingests every file of testdata/dir: ECB rates first, then the others by name. A
// ledger file is a statement of the account its name gives.
func loadDir(t *testing.T, db *casedb.DB, dir string) {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	sort.SliceStable(paths, func(i, j int) bool {
		return strings.Contains(paths[i], "ecb") && !strings.Contains(paths[j], "ecb")
	})
	for _, p := range paths {
		opt := ingest.Options{Now: testNow}
		if strings.HasSuffix(p, ".csv") && !strings.Contains(p, "ecb") {
			opt.Format, opt.Account = "ledger", strings.TrimSuffix(filepath.Base(p), ".csv")
		}
		res, err := ingest.File(context.Background(), db, p, opt)
		if err != nil {
			t.Fatalf("ingest %s: %v", p, err)
		}
		if res.Quarantined > 0 || res.FXMissing > 0 {
			t.Fatalf("ingest %s: %d quarantined (%v), %d without a rate", p, res.Quarantined, res.Problems, res.FXMissing)
		}
	}
}

func one[T any](t *testing.T, db *casedb.DB, q string, args ...any) T {
	t.Helper()
	var v T
	if err := db.QueryRowContext(context.Background(), q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

func pairStrings(ps []Pair) []string {
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%s>%s %s %.2f %dd %s%s", p.Kept, p.Duplicate, p.Rule, p.Confidence, p.DaysApart,
			p.AmountDiff.StringFixed(2), map[bool]string{true: " " + p.DiffCurrency}[p.DiffCurrency != ""]))
	}
	return out
}

func ambiguityStrings(as []Ambiguity) []string {
	var out []string
	for _, a := range as {
		out = append(out, fmt.Sprintf("%s~%s %s %.2f", a.Debit, a.Credit, a.Rule, a.Confidence))
	}
	return out
}

type variant struct {
	opt       func(*Options)
	pairs     []string
	ambiguous []string
}

// TestRun loads each case once, tries its option variants as dry runs, then runs the first
// for real and checks the duplicate_of marks.
func TestRun(t *testing.T) {
	abs5, _ := ParseTolerance("5.00")
	for _, tc := range []struct {
		dir      string
		variants []variant
	}{
		// The UETR pairs across a fee and five days; the same-day 980.00 without a UETR does
		// not pair with the now taken debit.
		{"uetr", []variant{{pairs: []string{"UETR-A-001>UETR-B-002 uetr 1.00 5d 5.00 EUR"}}}},
		// The EndToEndId tells which of two equal debits the credit (less a fee) belongs to.
		{"end-to-end", []variant{{pairs: []string{"E2E-A-001>E2E-B-001 end_to_end_id 0.95 2d 1.50 EUR"}}}},
		// B's export was ingested first (sources in name order), so A's side is the duplicate.
		// SA2, 500.00 to an account without a statement, has no other side.
		{"same-day", []variant{{pairs: []string{"SB1>SA1 amount 0.90 0d 0.00 EUR"}}}},
		{"multi-day", []variant{{pairs: []string{"MB1>MA1 amount 0.82 2d 0.00 EUR"}}}},
		{"outside-window", []variant{{},
			{opt: func(o *Options) { o.Window = 5 * 24 * time.Hour }, pairs: []string{"OB1>OA1 amount 0.70 5d 0.00 EUR"}}}},
		{"fee", []variant{{pairs: []string{"FB1>FA1 amount_fee 0.76 1d 7.50 EUR"}},
			{opt: func(o *Options) { o.FeeTolerance = abs5 }},
			{opt: func(o *Options) { o.Window = 0 }}}},
		// 1000 EUR sent; 955.00 CHF received the next day is 992.21 EUR at the ECB rate of
		// 2024-03-05 (0.9625): 7.79 EUR apart, inside 3% + 2%. XC2 has no other side.
		{"fx", []variant{{pairs: []string{"XC1>XA1 amount_fx_base 0.66 1d 7.79 EUR"}},
			{opt: func(o *Options) { o.FXTolerance, o.FeeTolerance = Tolerance{}, Tolerance{} }}}},
		{"ambiguous", []variant{{ambiguous: []string{"AA1~AB1 amount 0.90", "AA1~AB2 amount 0.90"}}}},
		// 700.00 leaves A for X and 700.00 reaches B from Y on the same day; 250.00 leaves A
		// for B in A's export while C's export shows 250.00 from A: no pair at all.
		{"unrelated", []variant{{}}},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			t.Parallel()
			db := newCase(t)
			loadDir(t, db, tc.dir)
			for i, v := range tc.variants {
				opt := DefaultOptions()
				opt.Now = testNow
				if v.opt != nil {
					v.opt(&opt)
				}
				opt.DryRun = i > 0
				before := one[int64](t, db, `SELECT count(*) FROM txns`)
				res, err := Run(context.Background(), db, opt)
				if err != nil {
					t.Fatal(err)
				}
				at := fmt.Sprintf("window %s, fee tolerance %s, FX tolerance %s", opt.Window, opt.FeeTolerance, opt.FXTolerance)
				if got := strings.Join(pairStrings(res.Pairs), "\n"); got != strings.Join(v.pairs, "\n") {
					t.Errorf("%s: pairs:\n%s\nwant:\n%s\ndetails: %v", at, got, strings.Join(v.pairs, "\n"), res.Pairs)
				}
				if got := strings.Join(ambiguityStrings(res.Ambiguous), "\n"); got != strings.Join(v.ambiguous, "\n") {
					t.Errorf("%s: ambiguous:\n%s\nwant:\n%s", at, got, strings.Join(v.ambiguous, "\n"))
				}
				if i > 0 {
					continue
				}
				if after := one[int64](t, db, `SELECT count(*) FROM txns`); after != before-int64(len(v.pairs)) {
					t.Errorf("txns: %d before, %d after %d pairs", before, after, len(v.pairs))
				}
				for _, p := range res.Pairs {
					if got := one[string](t, db, `SELECT duplicate_of FROM transactions WHERE txn_id = ?`, p.Duplicate); got != p.Kept {
						t.Errorf("%s duplicate_of = %q, want %s", p.Duplicate, got, p.Kept)
					}
				}
				if _, err := Undo(context.Background(), db, Options{}); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestTwoBanks is issue 3's "done when": bank A's camt.053 and bank B's MT940 show the same
// three transfers (one with an EndToEndId, one the same day, one two days later where B's
// export names the payer only); after match every transfer counts once and both balances
// are the statements' closing balances.
func TestTwoBanks(t *testing.T) {
	ctx := context.Background()
	db := newCase(t)
	loadDir(t, db, "two-banks")
	if n := one[int64](t, db, `SELECT count(*) FROM txns`); n != 9 {
		t.Fatalf("txns before match: %d, want 9", n)
	}
	opt := DefaultOptions()
	opt.Now = testNow
	res, err := Run(ctx, db, opt)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"BANKA-2024-03-002>B-0001 end_to_end_id 0.95 0d 0.00 EUR",
		"BANKA-2024-03-003>B-0002 amount 0.90 0d 0.00 EUR",
		"BANKA-2024-03-004>B-0003 amount 0.72 2d 0.00 EUR",
	}
	if got := strings.Join(pairStrings(res.Pairs), "\n"); got != strings.Join(want, "\n") {
		t.Fatalf("pairs:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	if !strings.Contains(res.Pairs[2].Detail, "known only by the name of "+acctA) {
		t.Errorf("detail of the name pair: %s", res.Pairs[2].Detail)
	}
	if n := one[int64](t, db, `SELECT count(*) FROM txns`); n != 6 {
		t.Errorf("txns after match: %d, want 6", n)
	}
	// The readers do not set accounts.opening_balance from a statement's opening, so the
	// balance is the first statement's opening plus the movements of txns.
	for acct, want := range map[string]string{acctA: "4319.500000", acctB: "2280.500000"} {
		got := one[string](t, db, `SELECT CAST(s.opening + b.credits - b.debits AS VARCHAR)
			FROM account_balances b JOIN statement_chain s USING (account_id)
			WHERE account_id = ? AND s.position = 1`, acct)
		if got != want {
			t.Errorf("balance of %s: %s, want %s", acct, got, want)
		}
	}
	if n := one[int64](t, db, `SELECT count(*) FROM account_balances WHERE account_id LIKE 'external:name:marko%'`); n != 0 {
		t.Errorf("the name-only payer still moves money: %d rows", n)
	}

	// Undisclosed: the payer Y and the payee H have no statement in the case.
	u, err := Undisclosed(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	wantU := "account_id,holder_name,bank,country,currency,txns,credit_count,debit_count,credits,debits,first_at,last_at,statement_accounts\n" +
		acctY + ",Jovan Jovanović,,RS,EUR,1,0,1,0.000000,2000.000000,2024-03-01 00:00:00,2024-03-01 00:00:00," + acctA + "\n" +
		acctH + ",Dragan Đorđević,,RS,EUR,1,1,0,300.000000,0.000000,2024-03-07 00:00:00,2024-03-07 00:00:00," + acctA + "\n"
	if got := csvOf(t, u); got != wantU {
		t.Errorf("undisclosed:\n%s\nwant:\n%s", got, wantU)
	}

	// Idempotent: a second run adds nothing and changes nothing.
	snap := snapshot(t, db)
	res2, err := Run(ctx, db, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(res2.Pairs) != 0 || res2.Existing != 3 || snapshot(t, db) != snap {
		t.Errorf("second run: %d new pairs, %d existing; case changed: %v", len(res2.Pairs), res2.Existing, snapshot(t, db) != snap)
	}

	// Undo clears every match; matching again gives the same pairs with the same ids.
	n, err := Undo(ctx, db, Options{})
	if err != nil || n != 3 {
		t.Fatalf("undo: %d, %v", n, err)
	}
	if got := one[int64](t, db, `SELECT count(*) FROM transactions WHERE duplicate_of IS NOT NULL`) + one[int64](t, db, `SELECT count(*) FROM matches`); got != 0 {
		t.Errorf("after undo: %d duplicates and matches left", got)
	}
	res3, err := Run(ctx, db, opt)
	if err != nil {
		t.Fatal(err)
	}
	if snapshot(t, db) != snap || fmt.Sprint(res3.Pairs) != fmt.Sprint(res.Pairs) {
		t.Errorf("match after undo differs:\n%v\n%v", res3.Pairs, res.Pairs)
	}

	// Every run is recorded: the first and the re-match after the undo made the same pairs
	// over the same sources with the same parameters, so they are one run id; the run that
	// added nothing and the undo are runs of their own. The digest follows the pairs only.
	if res.RunID == "" || res3.RunID != res.RunID || res2.RunID == res.RunID {
		t.Errorf("run ids: first %q, idle %q, after undo %q", res.RunID, res2.RunID, res3.RunID)
	}
	if res.Manifest.MatchesDigest != res2.Manifest.MatchesDigest || res.Manifest.Matches != 3 || res.Manifest.Added != 3 ||
		res2.Manifest.Added != 0 || res2.Manifest.Existing != 3 {
		t.Errorf("manifests: %+v / %+v", res.Manifest, res2.Manifest)
	}
	var lines []string
	for _, p := range res.Pairs {
		lines = append(lines, p.Duplicate+"\t"+p.Kept+"\t"+p.Rule+"\n")
	}
	sort.Strings(lines)
	if sum := sha256.Sum256([]byte(strings.Join(lines, ""))); hex.EncodeToString(sum[:]) != res.Manifest.MatchesDigest {
		t.Errorf("matches digest %s is not the hash of the sorted pairs", res.Manifest.MatchesDigest)
	}
	if got := one[int64](t, db, `SELECT count(*) FROM runs WHERE kind = 'match'`); got != 3 {
		t.Errorf("%d match runs recorded, want 3 (run, idle run, undo)", got)
	}
	undo := one[string](t, db, `SELECT manifest_json FROM runs WHERE kind = 'match' AND manifest_json LIKE '%"undo": true%'`)
	if !strings.Contains(undo, `"removed": 3`) || !strings.Contains(undo, `"matches": 0`) ||
		!strings.Contains(undo, `"matches_digest": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"`) {
		t.Errorf("undo manifest:\n%s", undo)
	}
	srcs := one[int64](t, db, `SELECT count(*) FROM sources`)
	if len(res.Manifest.Sources) != int(srcs) || srcs == 0 {
		t.Errorf("manifest lists %d sources, the case has %d", len(res.Manifest.Sources), srcs)
	}
}

func TestDryRunChangesNothing(t *testing.T) {
	db := newCase(t)
	loadDir(t, db, "same-day")
	snap := snapshot(t, db)
	opt := DefaultOptions()
	opt.DryRun = true
	res, err := Run(context.Background(), db, opt)
	if err != nil || len(res.Pairs) != 1 {
		t.Fatalf("dry run: %v %v", res.Pairs, err)
	}
	if snapshot(t, db) != snap {
		t.Error("a dry run changed the case")
	}
}

func csvOf(t *testing.T, tb *table.Table) string {
	t.Helper()
	var b strings.Builder
	if err := tb.Write(&b, "csv"); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// snapshot is the matches and every transaction's duplicate_of, as text.
func snapshot(t *testing.T, db *casedb.DB) string {
	t.Helper()
	ctx := context.Background()
	a, err := table.Query(ctx, db, `SELECT txn_id, duplicate_of FROM transactions ORDER BY txn_id`)
	if err != nil {
		t.Fatal(err)
	}
	m, err := table.Query(ctx, db, `SELECT * FROM matches ORDER BY match_id`)
	if err != nil {
		t.Fatal(err)
	}
	return csvOf(t, a) + csvOf(t, m)
}

// pick keeps the named columns of a table, in that order.
func pick(t *testing.T, tb *table.Table, cols ...string) *table.Table {
	t.Helper()
	idx := map[string]int{}
	for i, c := range tb.Columns {
		idx[c] = i
	}
	out := &table.Table{Columns: cols}
	for _, r := range tb.Rows {
		row := make([]*string, len(cols))
		for j, c := range cols {
			i, ok := idx[c]
			if !ok {
				t.Fatalf("no column %s in %v", c, tb.Columns)
			}
			row[j] = r[i]
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}
