package casetrace_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/tracer/casetrace"
)

// TestSQLSeedsSealed: sql: seeds run as a user's queries on a sealed case (ResolveSQLSeeds
// opens one, and Trace runs them itself on one): one SELECT as DuckDB parses it, no file
// reachable; anything else is an input error naming the seed.
func TestSQLSeedsSealed(t *testing.T) {
	db := newCase(t, "network.csv")
	path := db.Path
	db.Close()
	ctx := context.Background()
	open := func(ctx context.Context, opt casedb.Options) (*casedb.DB, error) { return casedb.Open(ctx, path, opt) }
	got, err := casetrace.ResolveSQLSeeds(ctx, open, []string{"txn:N03", "sql:SELECT txn_id FROM txns WHERE reference LIKE '%proceeds%'"})
	if err != nil {
		t.Fatal(err)
	}
	if ids := got["SELECT txn_id FROM txns WHERE reference LIKE '%proceeds%'"]; !slices.Equal(ids, []string{"N03", "N12"}) {
		t.Errorf("resolved %v", got)
	}
	for _, c := range []struct{ seed, msg string }{
		{"sql:DELETE FROM transactions", "only a SELECT query runs here; DuckDB reads this as a statement of another kind (DELETE)"},
		{"sql:SELECT txn_id FROM txns; DROP TABLE transactions", "give exactly one SELECT statement"},
		{"sql:SELECT txn_id FROM txns /* ' */ ; DROP TABLE transactions", "give exactly one SELECT statement"},
		{"sql:SELECT * FROM read_csv('testdata/network.csv')", "disabled by configuration"},
		{"sql:SELECT content AS txn_id FROM read_blob('" + path + "')", "disabled by configuration"},
	} {
		_, err := casetrace.ResolveSQLSeeds(ctx, open, []string{c.seed})
		if err == nil || !strings.Contains(err.Error(), c.msg) || !errors.Is(err, casedb.ErrInput) || !strings.Contains(err.Error(), c.seed) {
			t.Errorf("%s: %v, want an input error with %q", c.seed, err, c.msg)
		}
	}
	sealed, err := open(ctx, casedb.Options{Sealed: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sealed.Close()
	if _, err := traceErr(sealed, "fifo", casetrace.Options{}, "sql:SELECT txn_id FROM txns; DROP TABLE transactions"); err == nil || !strings.Contains(err.Error(), "give exactly one SELECT statement") {
		t.Errorf("trace on a sealed case: %v", err)
	}
	out, err := traceErr(sealed, "fifo", casetrace.Options{}, "sql:SELECT txn_id FROM txns WHERE reference LIKE '%proceeds%'")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(out.Manifest.Seeds[0].TxnIDs); n != 2 {
		t.Errorf("the sealed trace seeded %d credits, want 2", n)
	}
}
