package casetrace_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moneytrail/moneytrail/ingest"
	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/tracer"
	"github.com/moneytrail/moneytrail/tracer/casetrace"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var declared = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// newCase creates a case in a temporary directory and ingests the ledgers of testdata/.
func newCase(t *testing.T, ledgers ...string) *casedb.DB {
	t.Helper()
	ctx := context.Background()
	db, err := casedb.Open(ctx, filepath.Join(t.TempDir(), "case.duckdb"), casedb.Options{Create: true, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, l := range ledgers {
		if _, err := ingest.File(ctx, db, filepath.Join("testdata", l), ingest.Options{Format: "ledger", Now: declared}); err != nil {
			t.Fatalf("ingest %s: %v", l, err)
		}
	}
	return db
}

func trace(t *testing.T, db *casedb.DB, methods string, seeds ...string) *casetrace.Outcome {
	t.Helper()
	out, err := traceErr(db, methods, casetrace.Options{}, seeds...)
	if err != nil {
		t.Fatalf("trace %s %v: %v", methods, seeds, err)
	}
	return out
}

func traceErr(db *casedb.DB, methods string, opt casetrace.Options, seeds ...string) (*casetrace.Outcome, error) {
	ms, err := tracer.ParseMethods(methods)
	if err != nil {
		return nil, err
	}
	opt.Methods, opt.Seeds, opt.ToolVersion, opt.StartedAt = ms, seeds, "test", declared
	return casetrace.Trace(context.Background(), db, opt)
}

// positions renders the positions of one method as "holder origin amount" lines.
func positions(out *casetrace.Outcome, method string) map[string]string {
	got := map[string]string{}
	for _, p := range out.Positions() {
		if p.Method == method {
			got[p.Holder+" "+p.Origin] = casetrace.FormatCents(p.Cents)
		}
	}
	return got
}

// TestOracles checks the worked oracles of DESIGN.md §4 end to end: ledger CSV in, case
// database, seeds by txn id, positions out.
func TestOracles(t *testing.T) {
	mixed := newCase(t, "mixed-fund.csv")
	out := trace(t, mixed, "all", "txn:MF2")
	for _, c := range []struct {
		method                   string
		inW, jewellery, living string
	}{
		{"fifo", "30000.00", "20000.00", "20000.00"},
		{"libr", "30000.00", "20000.00", "20000.00"},
		{"prorata", "21000.00", "35000.00", "14000.00"},
		{"tainted-first", "", "50000.00", "20000.00"},
	} {
		got := positions(out, c.method)
		if got["trustee-W MF2"] != c.inW || got["asset:jewellery MF2"] != c.jewellery || got["external:living MF2"] != c.living {
			t.Errorf("mixed fund %s: W %q jewellery %q living %q, want %q %q %q", c.method,
				got["trustee-W MF2"], got["asset:jewellery MF2"], got["external:living MF2"], c.inW, c.jewellery, c.living)
		}
	}
	barlow := newCase(t, "barlow-clowes.csv")
	out = trace(t, barlow, "fifo,lifo,prorata", "txn:BC1", "txn:BC2")
	for _, c := range []struct{ method, a, b string }{
		{"fifo", "400.00", "2000.00"},
		{"lifo", "1000.00", "1400.00"},
		{"prorata", "800.00", "1600.00"},
	} {
		got := positions(out, c.method)
		if got["fund BC1"] != c.a || got["fund BC2"] != c.b {
			t.Errorf("Barlow Clowes %s: A %q B %q, want %q %q", c.method, got["fund BC1"], got["fund BC2"], c.a, c.b)
		}
	}
}

// TestGolden compares positions.csv of --method all with golden files.
func TestGolden(t *testing.T) {
	for _, c := range []struct {
		ledger string
		seeds  []string
	}{
		{"mixed-fund.csv", []string{"txn:MF2"}},
		{"barlow-clowes.csv", []string{"txn:BC1", "txn:BC2"}},
		{"network.csv", []string{"txn:N03", "txn:N12"}},
	} {
		t.Run(c.ledger, func(t *testing.T) {
			out := trace(t, newCase(t, c.ledger), "all", c.seeds...)
			dir := t.TempDir()
			if err := out.WriteDir(dir); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{"positions.csv", "summary.csv"} {
				got, _ := os.ReadFile(filepath.Join(dir, f))
				golden := filepath.Join("testdata", strings.TrimSuffix(c.ledger, ".csv")+"."+strings.TrimSuffix(f, ".csv")+".golden.csv")
				if *update {
					os.WriteFile(golden, got, 0o644)
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != string(want) {
					t.Errorf("%s differs from %s:\n%s", f, golden, got)
				}
			}
		})
	}
}
