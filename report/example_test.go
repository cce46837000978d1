package report_test

import (
	"context"
	"log"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/report"
)

// Write the evidence of the latest trace and rules runs of a case, masked for a report that
// leaves the unit.
func ExampleWrite() {
	ctx := context.Background()
	db, err := casedb.Open(ctx, "case.duckdb", casedb.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := report.Write(ctx, db, "", "evidence", report.Options{Mask: true, ToolVersion: "0.1.0"}); err != nil {
		log.Fatal(err)
	}
}
