package casetrace_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/moneytrail/moneytrail/ingest"
	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/tracer"
	"github.com/moneytrail/moneytrail/tracer/casetrace"
)

// The mixed-fund exercise of DESIGN.md §4 from a ledger file: where the trust money (MF2) is
// under the lowest intermediate balance rule.
func ExampleTrace() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "casetrace-example-")
	defer os.RemoveAll(dir)
	db, err := casedb.Open(ctx, filepath.Join(dir, "case.duckdb"), casedb.Options{Create: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	if _, err := ingest.File(ctx, db, "testdata/mixed-fund.csv", ingest.Options{Format: "ledger"}); err != nil {
		fmt.Println(err)
		return
	}
	out, err := casetrace.Trace(ctx, db, casetrace.Options{
		Seeds:     []string{"txn:MF2"},
		Methods:   []tracer.Method{tracer.LIBR},
		StartedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range out.Positions() {
		if p.Origin == "MF2" {
			fmt.Println(p.Holder, p.HolderKind, casetrace.FormatCents(p.Cents))
		}
	}
	// Output:
	// asset:jewellery exit 20000.00
	// external:living exit 20000.00
	// trustee-W account 30000.00
}

// A backward trace: where the money of a card payment came from, by channel. The account
// was fed by a cash deposit of 300 and a transfer of 700 before it paid 500.
func ExampleTrace_backward() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "casetrace-example-")
	defer os.RemoveAll(dir)
	db, err := casedb.Open(ctx, filepath.Join(dir, "case.duckdb"), casedb.Options{Create: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	if _, err := ingest.File(ctx, db, "testdata/backward.csv", ingest.Options{Format: "ledger"}); err != nil {
		fmt.Println(err)
		return
	}
	out, err := casetrace.Trace(ctx, db, casetrace.Options{
		Direction: casetrace.Backward,
		Target:    "txn:B03",
		OriginBy:  casetrace.OriginByChannel,
		Methods:   []tracer.Method{tracer.FIFO, tracer.ProRata},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range out.Composition() {
		fmt.Println(c.Method, c.Origin, casetrace.FormatCents(c.Cents), c.Share)
	}
	// Output:
	// fifo channel:cash_deposit 300.00 0.600000
	// fifo channel:transfer 200.00 0.400000
	// prorata channel:transfer 350.00 0.700000
	// prorata channel:cash_deposit 150.00 0.300000
}
