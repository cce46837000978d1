package casetrace_test

import (
	"context"
	"strings"
	"testing"

	"github.com/moneytrail/moneytrail/ingest/match/matchtest"
	"github.com/moneytrail/moneytrail/tracer/casetrace"
)

// TestVerifyReRunsTheStoredTrace: a stored trace re-runs to the same id and positions; a
// match made after it (the jewellery purchase marked as the other side of the living
// expenses) is named as the changed input and the positions that moved are listed.
func TestVerifyReRunsTheStoredTrace(t *testing.T) {
	ctx := context.Background()
	db := newCase(t, "mixed-fund.csv")
	for _, dir := range []string{casetrace.Forward, casetrace.Backward} {
		opt := casetrace.Options{GroupUnexplained: true}
		seeds := []string{"txn:MF2"}
		if dir == casetrace.Backward {
			opt.Direction, opt.Target, seeds = casetrace.Backward, "account:trustee-W", nil
		}
		out, err := traceErr(db, "all", opt, seeds...)
		if err != nil {
			t.Fatal(err)
		}
		if err := out.Store(ctx, db); err != nil {
			t.Fatal(err)
		}
		v, err := casetrace.Verify(ctx, db, out.RunID, string(out.ManifestJSON()))
		if err != nil || !v.OK() || v.RerunID != out.RunID {
			t.Fatalf("%s: verify of an unchanged case: %v %+v (run %s)", dir, err, v, out.RunID)
		}
	}

	fwd := trace(t, db, "libr", "txn:MF2")
	if err := fwd.Store(ctx, db); err != nil {
		t.Fatal(err)
	}
	matchtest.Mark(t, db, 1, "MF4", "MF3", "2024-01-05")
	v, err := casetrace.Verify(ctx, db, fwd.RunID, string(fwd.ManifestJSON()))
	if err != nil {
		t.Fatal(err)
	}
	problems := strings.Join(v.Problems, "\n")
	// libr, stored: the jewellery (50,000) took the 30,000 clean and 20,000 of the trust
	// money, the living expenses 20,000 more of it, 30,000 stayed, and 10,000 own money came
	// in. Without the jewellery debit the living expenses take clean money and all 70,000 of
	// the trust stays, beside 20,000 clean.
	if !strings.Contains(problems, "the matches changed since the run") || !strings.Contains(problems, "replays 4 transactions, the run replayed 5") ||
		v.RerunID == fwd.RunID {
		t.Errorf("problems: %s (re-run id %s)", problems, v.RerunID)
	}
	wantMissing := "libr asset:jewellery exit MF2 20000.00|libr asset:jewellery exit clean 30000.00|libr external:living exit MF2 20000.00|" +
		"libr trustee-W account MF2 30000.00|libr trustee-W account clean 10000.00"
	wantExtra := "libr external:living exit clean 20000.00|libr trustee-W account MF2 70000.00|libr trustee-W account clean 20000.00"
	if strings.Join(v.Missing, "|") != wantMissing || strings.Join(v.Extra, "|") != wantExtra {
		t.Errorf("missing %q, extra %q", v.Missing, v.Extra)
	}
}
