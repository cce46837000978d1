// Package demo runs the whole job on a built-in case: it writes the sample files, creates a
// case database, ingests every file and prints what was loaded.
package demo

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/moneytrail/moneytrail/fixtures"
	"github.com/moneytrail/moneytrail/ingest"
	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/internal/table"
)

// Options shapes a demo run.
type Options struct {
	// Out is the folder for the input files and the case database.
	Out string
	// Output is the listing format: table, csv or json.
	Output string
}

// Run writes the sample case to o.Out/input, loads it into a fresh o.Out/case.duckdb and
// prints the sources, the statement checks and the accounts.
func Run(ctx context.Context, w io.Writer, o Options) error {
	start := time.Now()
	in := filepath.Join(o.Out, "input")
	files, err := fixtures.WriteSample(in)
	if err != nil {
		return err
	}
	dbPath := filepath.Join(o.Out, "case.duckdb")
	os.Remove(dbPath)
	os.Remove(dbPath + ".wal")
	db, err := casedb.Open(ctx, dbPath, casedb.Options{Create: true})
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(w, "moneytrail demo: %d sample files written to %s, case %s\n\n", len(files), in, dbPath)
	for _, f := range files {
		res, err := ingest.File(ctx, db, f, ingest.Options{})
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "ingested %-32s %-9s %3d records, %3d loaded, %d quarantined\n", filepath.Base(f), res.Format, res.Records, res.Loaded, res.Quarantined)
	}
	sections := []struct{ title, q string }{
		{"Sources (each file's SHA-256 is in `moneytrail sources`)", `SELECT source_id, file_name, format, records, loaded, quarantined, period_start, period_end FROM sources ORDER BY source_id`},
		{"Statement checks: opening + credits - debits = closing", `SELECT file_name, account_id, opening, credits, debits, closing, difference, reconciled FROM statement_periods ORDER BY source_id, statement_no`},
		{"Accounts by kind", `SELECT kind, count(*) AS accounts, count(*) FILTER (WHERE has_statement) AS with_statement FROM accounts GROUP BY kind ORDER BY kind`},
		{"Money by channel (base currency EUR)", `SELECT channel, count(*) AS transactions, sum(base_amount) AS base_amount FROM txns GROUP BY channel ORDER BY channel`},
	}
	for _, s := range sections {
		t, err := table.Query(ctx, db, s.q)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "\n%s\n", s.title)
		if err := t.Write(w, o.Output); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\ndone in %s. Explore the case:\n  moneytrail --db %s accounts\n  moneytrail --db %s sql \"SELECT * FROM txns ORDER BY booked_at, seq\"\n",
		time.Since(start).Round(time.Millisecond), dbPath, dbPath)
	return nil
}
