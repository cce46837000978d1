package casetrace_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/moneytrail/moneytrail/ingest"
	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/tracer/casetrace"
)

func backward(db *casedb.DB, methods, target string, opt casetrace.Options) (*casetrace.Outcome, error) {
	opt.Direction, opt.Target = casetrace.Backward, target
	return traceErr(db, methods, opt, opt.Seeds...)
}

// composition renders a backward outcome as "method origin=amount ..." per method.
func composition(out *casetrace.Outcome) map[string]string {
	got := map[string]string{}
	for _, r := range out.Composition() {
		got[r.Method] = strings.TrimSpace(got[r.Method] + " " + r.Origin + "=" + casetrace.FormatCents(r.Cents))
	}
	return got
}

// TestBackward checks worked compositions of debits and balances of testdata/backward.csv.
func TestBackward(t *testing.T) {
	db := newCase(t, "backward.csv")
	for _, c := range []struct {
		target, asOf, originBy string
		want                   map[string]string
	}{
		{"txn:B03", "", "", map[string]string{
			"fifo":    "account:cash:atm=300.00 account:external:A=200.00",
			"lifo":    "account:external:A=500.00",
			"prorata": "account:external:A=350.00 account:cash:atm=150.00",
			"poison":  "account:cash:atm=500.00 account:external:A=500.00",
		}},
		{"txn:B03", "", "channel", map[string]string{
			"fifo":    "channel:cash_deposit=300.00 channel:transfer=200.00",
			"lifo":    "channel:transfer=500.00",
			"prorata": "channel:transfer=350.00 channel:cash_deposit=150.00",
			"poison":  "channel:cash_deposit=500.00 channel:transfer=500.00",
		}},
		{"account:T", "2024-01-03", "", map[string]string{
			"fifo":    "account:external:A=500.00",
			"lifo":    "account:cash:atm=300.00 account:external:A=200.00",
			"prorata": "account:external:A=350.00 account:cash:atm=150.00",
			"poison":  "account:cash:atm=500.00 account:external:A=500.00",
		}},
		{"account:T", "", "", map[string]string{
			"fifo":    "account:external:A=400.00",
			"lifo":    "account:cash:atm=300.00 account:external:A=100.00",
			"prorata": "account:external:A=280.00 account:cash:atm=120.00",
			"poison":  "account:cash:atm=400.00 account:external:A=400.00",
		}},
		// U's universe takes in T; party names fall back to accounts without a party.
		{"account:U", "", "party", map[string]string{
			"fifo":    "account:external:A=100.00 account:external:B=50.00",
			"lifo":    "account:external:A=100.00 account:external:B=50.00",
			"prorata": "account:external:A=70.00 account:external:B=50.00 account:cash:atm=30.00",
			"poison":  "account:cash:atm=150.00 account:external:A=150.00 account:external:B=150.00",
		}},
		// W's only inflow is V's overdraft: unexplained funds of V.
		{"account:W", "", "", map[string]string{
			"fifo": "unexplained:V=80.00", "lifo": "unexplained:V=80.00", "prorata": "unexplained:V=80.00", "poison": "",
		}},
	} {
		name := c.target + "@" + c.asOf + "/" + c.originBy
		out, err := backward(db, "fifo,lifo,prorata,poison", c.target, casetrace.Options{AsOf: c.asOf, OriginBy: c.originBy})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		got := composition(out)
		for m, w := range c.want {
			if got[m] != w {
				t.Errorf("%s %s: %q, want %q", name, m, got[m], w)
			}
		}
	}
	// The shares of a debit: fifo 300/500 and 200/500.
	out, err := backward(db, "fifo", "txn:B03", casetrace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var shares []string
	for _, r := range out.Composition() {
		shares = append(shares, r.Share)
	}
	if fmt.Sprint(shares) != "[0.600000 0.400000]" {
		t.Errorf("shares %v", shares)
	}
	if kind, acct, txn, cents := out.Target(); kind != "debit" || acct != "T" || txn != "B03" || cents != 500_00 {
		t.Errorf("target %s %s %s %d", kind, acct, txn, cents)
	}
	if out.Manifest.AccountsInScope != 1 || out.Manifest.Direction != "backward" {
		t.Errorf("manifest %+v", out.Manifest)
	}
	// The run is stored like a forward run: the debit's composition as its flows.
	if err := out.Store(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	var n int
	var sum string
	if err := db.QueryRowContext(context.Background(), `SELECT count(*), CAST(sum(amount) AS VARCHAR) FROM trace_flows WHERE run_id = ? AND txn_id = 'B03'`,
		out.RunID).Scan(&n, &sum); err != nil || n != 2 || !strings.HasPrefix(sum, "500.00") {
		t.Errorf("stored flows: %d rows, sum %s, %v", n, sum, err)
	}
	dir := t.TempDir()
	if err := out.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "composition.csv"))
	if want := "method,origin,amount,share\nfifo,account:cash:atm,300.00,0.600000\nfifo,account:external:A,200.00,0.400000\n"; string(b) != want {
		t.Errorf("composition.csv:\n%s\nwant\n%s", b, want)
	}
}

func TestBackwardErrors(t *testing.T) {
	db := newCase(t, "backward.csv")
	for _, c := range []struct {
		target, asOf, originBy, msg string
		seeds                       []string
	}{
		{target: "account:nobody", msg: "unknown account nobody"},
		{target: "account:cash:atm", msg: "kind cash, outside the traced data"},
		{target: "txn:NOPE", msg: "unknown transaction NOPE"},
		{target: "txn:B01", msg: "paid by cash:atm (kind cash), outside the traced data"},
		{target: "txn:B07", msg: "transfer to the same account"},
		{target: "txn:B03", asOf: "2024-01-02", msg: "booked after --as-of 2024-01-02"},
		{target: "iban:T", msg: "want account:ID or txn:ID"},
		{target: "account:T", originBy: "bank", msg: `origin-by "bank"`},
		{target: "account:T", seeds: []string{"txn:B01"}, msg: "takes a target, not seeds"},
		{target: "", msg: "no target"},
	} {
		_, err := backward(db, "fifo", c.target, casetrace.Options{AsOf: c.asOf, OriginBy: c.originBy, Seeds: c.seeds})
		if err == nil || !strings.Contains(err.Error(), c.msg) || !errors.Is(err, casedb.ErrInput) {
			t.Errorf("%s: %v, want an input error with %q", c.target, err, c.msg)
		}
	}
}

// TestBackwardRandom decomposes every account's balance and a few debits of random ledgers
// under every method: the parts of every conserving method sum to the target (Trace checks
// it and fails otherwise; the test checks again), balances do not depend on the method, and
// a second run gives the same files and run id.
func TestBackwardRandom(t *testing.T) {
	for seed := range uint64(3) {
		rng := rand.New(rand.NewPCG(seed, 42))
		var b strings.Builder
		b.WriteString("txn_id,booked_at,from_account,to_account,amount,currency,channel\n")
		names := []string{"a", "b", "c", "d", "e", "f", "cash:atm", "external:x", "external:y"}
		channels := []string{"transfer", "cash_deposit", "card"}
		for i := range 200 {
			from, to := names[rng.IntN(len(names))], names[rng.IntN(len(names))]
			fmt.Fprintf(&b, "R%03d,2024-01-%02dT%02d:00:00,%s,%s,%d.%02d,EUR,%s\n", i, 1+i/24, i%24, from, to, 1+rng.IntN(500), rng.IntN(100), channels[rng.IntN(3)])
		}
		path := filepath.Join(t.TempDir(), "random.csv")
		os.WriteFile(path, []byte(b.String()), 0o644)
		ctx := context.Background()
		db, err := casedb.Open(ctx, filepath.Join(t.TempDir(), "case.duckdb"), casedb.Options{Create: true, Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := ingest.File(ctx, db, path, ingest.Options{Format: "ledger", Now: declared}); err != nil {
			t.Fatal(err)
		}
		targets := []string{"account:a", "account:c", "account:f", "txn:R150", "txn:R199"}
		for _, target := range targets {
			for _, by := range []string{"account", "channel"} {
				out, err := backward(db, "all", target, casetrace.Options{OriginBy: by})
				if err != nil {
					if strings.Contains(err.Error(), "outside the traced data") || strings.Contains(err.Error(), "same account") {
						continue
					}
					t.Fatalf("seed %d %s: %v", seed, target, err)
				}
				_, _, _, total := out.Target()
				sums := map[string]int64{}
				for _, r := range out.Composition() {
					if r.Cents <= 0 {
						t.Errorf("%s %s: part %+v", target, r.Method, r)
					}
					sums[r.Method] += r.Cents
				}
				for _, m := range out.Methods() {
					if m != "poison" && sums[m] != total {
						t.Errorf("seed %d %s %s: parts sum to %d, target %d", seed, target, m, sums[m], total)
					}
				}
				again, err := backward(db, "all", target, casetrace.Options{OriginBy: by})
				if err != nil || again.RunID != out.RunID || !reflect.DeepEqual(again.Composition(), out.Composition()) {
					t.Errorf("seed %d %s: second run differs (%v)", seed, target, err)
				}
			}
		}
	}
}

// TestPoisonGrouped: with more than PoisonPerSeedMax seeds, poison beside other methods
// replays all seeds as one origin, "seeds"; its per-seed sensitivity cells are empty.
func TestPoisonGrouped(t *testing.T) {
	var b strings.Builder
	b.WriteString("txn_id,booked_at,from_account,to_account,amount,currency\n")
	for i := range 3 * casetrace.PoisonPerSeedMax {
		fmt.Fprintf(&b, "S%03d,2024-02-01T%02d:%02d:00,external:src%d,m%d,100.00,EUR\n", i, i/60, i%60, i, i%5)
		fmt.Fprintf(&b, "P%03d,2024-02-02T%02d:%02d:00,m%d,m%d,30.00,EUR\n", i, i/60, i%60, i%5, (i+1)%5)
	}
	path := filepath.Join(t.TempDir(), "many.csv")
	os.WriteFile(path, []byte(b.String()), 0o644)
	ctx := context.Background()
	db, err := casedb.Open(ctx, filepath.Join(t.TempDir(), "case.duckdb"), casedb.Options{Create: true, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := ingest.File(ctx, db, path, ingest.Options{Format: "ledger", Now: declared}); err != nil {
		t.Fatal(err)
	}
	out := trace(t, db, "all", "sql:SELECT txn_id FROM txns WHERE txn_id LIKE 'S%'")
	if !out.Manifest.PoisonGrouped {
		t.Error("poison not grouped")
	}
	for _, p := range out.Positions() {
		if p.Method == "poison" && p.Origin != "seeds" {
			t.Errorf("poison position %+v", p)
		}
	}
	dir := t.TempDir()
	if err := out.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	s, _ := os.ReadFile(filepath.Join(dir, "sensitivity.csv"))
	if !strings.Contains(string(s), "\nS000,m0,account,") || !strings.Contains(string(s), ",\n") || !strings.Contains(string(s), "\nseeds,m0,account,") {
		t.Errorf("sensitivity.csv:\n%.600s", s)
	}
	alone := trace(t, db, "poison", "sql:SELECT txn_id FROM txns WHERE txn_id LIKE 'S%'")
	if alone.Manifest.PoisonGrouped || len(alone.Summary()) != 3*casetrace.PoisonPerSeedMax {
		t.Errorf("poison alone: grouped %v, %d summary rows", alone.Manifest.PoisonGrouped, len(alone.Summary()))
	}
}
