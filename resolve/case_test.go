package resolve

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moneytrail/moneytrail/ingest"
	"github.com/moneytrail/moneytrail/internal/casedb"
)

// newCase makes a case in a temporary directory with the mto-generic files loaded.
func newCase(t testing.TB, files ...string) *casedb.DB {
	t.Helper()
	ctx := context.Background()
	db, err := casedb.Open(ctx, filepath.Join(t.TempDir(), "case.duckdb"), casedb.Options{Create: true, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, f := range files {
		if _, err := ingest.File(ctx, db, f, ingest.Options{Format: ingest.FormatMTO, Profile: "mto-generic"}); err != nil {
			t.Fatalf("ingest %s: %v", f, err)
		}
	}
	return db
}

// TestResolveCase: operators' records resolved from the case, each link's reasons naming
// the file and record of the evidence; a decision stored and replayed.
func TestResolveCase(t *testing.T) {
	ctx := context.Background()
	db := newCase(t, "testdata/mto-variants.csv")
	r, err := ResolveCase(ctx, db, DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	want := "ahmed khan|1980-01-01 / ahmed khan|1992-07-15 / ardian hoxha|1990-02-03,ardijan hodza|AL / " +
		"dragan dordevic|1975-11-30 / dragan dordevic|1980-05-01,dzordzevic dragan|1980-05-01 / moneygram / ria / western union"
	if got := clusters(r); got != want {
		t.Fatalf("clusters\n got %s\nwant %s", got, want)
	}
	var passport Link
	for _, l := range r.Links {
		if l.A == "dragan dordevic|1980-05-01" && l.B == "dzordzevic dragan|1980-05-01" {
			passport = l
		}
	}
	if passport.Status != Same || !strings.Contains(strings.Join(passport.Reasons, "; "), "same passport number P1234567 (mto-variants.csv record 2; mto-variants.csv record 3)") {
		t.Errorf("passport link %+v", passport)
	}
	if _, err := Decide(ctx, db, Decision{Action: ActReject, Party: "party:ardian hoxha|1990-02-03", Other: "ardijan hodza|AL",
		Author: "ana", At: time.Date(2026, 12, 8, 2, 30, 0, 0, time.UTC), Note: "two brothers"}); err != nil {
		t.Fatal(err)
	}
	if _, err := Decide(ctx, db, Decision{Action: ActSplit, Party: "no such party", Author: "ana"}); !casedb.IsInput(err) {
		t.Errorf("a decision on an unknown party: %v, want an input error", err)
	}
	if _, err := Decide(ctx, db, Decision{Action: ActConfirm, Party: "ahmed khan|1980-01-01", Author: "ana"}); err == nil {
		t.Error("confirm of one party accepted")
	}
	r, err = ResolveCase(ctx, db, DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(r, "ardijan hodza|AL"); got != "ardian hoxha|1990-02-03=rejected" {
		t.Errorf("after the rejection: %s", got)
	}
	ds, _ := LoadDecisions(ctx, db)
	if len(ds) != 1 || ds[0].No != 1 || ds[0].Note != "two brothers" || ds[0].At.Format(time.RFC3339) != "2026-12-08T02:30:00Z" {
		t.Errorf("stored decisions %+v", ds)
	}
}
