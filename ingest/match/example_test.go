package match_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/moneytrail/moneytrail/ingest"
	"github.com/moneytrail/moneytrail/ingest/match"
	"github.com/moneytrail/moneytrail/internal/casedb"
)

// Two banks' statements show the same three transfers; Run pairs them and marks bank B's side
// duplicate_of bank A's, so each counts once.
func ExampleRun() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "match-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := casedb.Open(ctx, filepath.Join(dir, "case.duckdb"), casedb.Options{Create: true, Threads: 2})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	for _, f := range []string{"testdata/two-banks/bank-a.xml", "testdata/two-banks/bank-b.sta"} {
		if _, err := ingest.File(ctx, db, f, ingest.Options{}); err != nil {
			log.Fatal(err)
		}
	}
	res, err := match.Run(ctx, db, match.DefaultOptions())
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range res.Pairs {
		fmt.Printf("%s duplicate of %s: %s, confidence %.2f\n", p.Duplicate, p.Kept, p.Rule, p.Confidence)
	}
	// Output:
	// B-0001 duplicate of BANKA-2024-03-002: end_to_end_id, confidence 0.95
	// B-0002 duplicate of BANKA-2024-03-003: amount, confidence 0.90
	// B-0003 duplicate of BANKA-2024-03-004: amount, confidence 0.72
}
