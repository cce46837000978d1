package ingest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/moneytrail/moneytrail/ingest"
	"github.com/moneytrail/moneytrail/internal/casedb"
)

// ExampleFile loads a ledger file into a new case; loading the same bytes again is a no-op.
func ExampleFile() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db, err := casedb.Open(ctx, filepath.Join(dir, "case.duckdb"), casedb.Options{Create: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	opt := ingest.Options{Now: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)}
	res, err := ingest.File(ctx, db, "testdata/ledger-sample.csv", opt)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("source %d: %s, %d records, %d loaded, %d quarantined\n", res.SourceID, res.Format, res.Records, res.Loaded, res.Quarantined)
	again, _ := ingest.File(ctx, db, "testdata/ledger-sample.csv", opt)
	fmt.Printf("again: skipped=%v (same bytes as source %d)\n", again.Skipped, again.DuplicateOf)
	// Output:
	// source 1: ledger, 8 records, 8 loaded, 0 quarantined
	// again: skipped=true (same bytes as source 1)
}
