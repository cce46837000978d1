package main

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/ingest"
	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/rules"
	"github.com/moneytrail/moneytrail/tracer/casetrace"
)

func verifyCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "verify",
		Usage: "re-hash the sources, re-run stored rules and trace runs and compare with what was stored",
		UsageText: `moneytrail verify [--run RUN_ID] [--sources DIR]...

First what the case holds: every source file is found (where it was loaded from, at the same
place relative to the case, or by its SHA-256 under --sources DIR), re-hashed, and read again
into a scratch case; the rows stored for it are compared with the digest ingest recorded and
with the rows the re-reading gives, and every row that differs is named. The case is opened
read-only: verify never writes, and works on a case on read-only media. Then each rules run (all of them, or --run) is re-run from its manifest (the packs
from where they came, the recorded parameters) without storing anything, and its findings
compared with the stored ones; each trace run is re-run from its manifest (seeds as given,
methods, scope, as-of, grouping) and its positions compared row by row. Changed inputs are
named: source files, the rates table, the matches, what each seed selects. Match runs get
their sources re-hashed only. Exit code 1 when anything differs.

Example:
   moneytrail verify
   moneytrail verify --run "$(moneytrail --output csv sql "SELECT run_id FROM runs WHERE kind = 'rules' ORDER BY started_at DESC LIMIT 1" | tail -1)"`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "run", Usage: "verify only the run `RUN_ID`"},
			&cli.StringSliceFlag{Name: "sources", Usage: "look for source files by SHA-256 under `DIR` (repeatable)"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			db, err := openCase(ctx, c, casedb.Options{Sealed: true})
			if err != nil {
				return err
			}
			defer db.Close()
			dirs := c.StringSlice("sources")
			badSources, err := printSourceChecks(ctx, e, db, dirs)
			if err != nil {
				return err
			}
			ids := []string{c.String("run")}
			if ids[0] == "" {
				if ids, err = rules.RunIDs(ctx, db, ""); err != nil {
					return err
				}
				if len(ids) == 0 {
					fmt.Fprintln(e.stdout, "no runs stored in the case")
				}
			}
			bad := 0
			for _, id := range ids {
				rep, err := rules.VerifyRun(ctx, db, id, casetrace.Rules{}, dirs)
				if err != nil {
					return rulesErr(err)
				}
				printReport(e, rep)
				if !rep.OK() && rep.Skipped == "" || len(rep.Problems) > 0 {
					bad++
				}
			}
			if bad > 0 || badSources > 0 {
				return &exitError{code: exitFailOn, err: fmt.Errorf("verify: %d source(s) and %d of %d run(s) differ from what was stored", badSources, bad, len(ids))}
			}
			return nil
		},
	}
}

// printSourceChecks checks what the case holds against its files and prints one line per
// source (and one per difference); it returns the number of sources that differ.
func printSourceChecks(ctx context.Context, e *env, db *casedb.DB, dirs []string) (int, error) {
	checks, err := ingest.VerifySources(ctx, db, ingest.VerifyOptions{Dirs: dirs})
	if err != nil {
		return 0, err
	}
	bad := 0
	for _, c := range checks {
		switch {
		case c.SourceID == 0 && c.OK():
			fmt.Fprintf(e.stdout, "%s: OK\n", c.FileName)
		case c.SourceID == 0:
			bad++
			fmt.Fprintf(e.stdout, "%s: DIFFERS\n", c.FileName)
		case c.OK():
			fmt.Fprintf(e.stdout, "source %d (%s): OK, file unchanged and its rows as stored\n", c.SourceID, c.FileName)
		default:
			bad++
			fmt.Fprintf(e.stdout, "source %d (%s): DIFFERS\n", c.SourceID, c.FileName)
		}
		for _, p := range c.Problems {
			fmt.Fprintf(e.stdout, "  %s\n", p)
		}
		for _, n := range c.Notes {
			fmt.Fprintf(e.stdout, "  note: %s\n", n)
		}
	}
	return bad, nil
}

func printReport(e *env, r *rules.Report) {
	switch {
	case r.OK():
		what := "findings"
		if r.Kind == "trace" {
			what = "positions"
		}
		fmt.Fprintf(e.stdout, "%s (%s): OK, sources unchanged and the re-run gives identical %s\n", r.RunID, r.Kind, what)
		return
	case r.Skipped != "" && len(r.Problems) == 0:
		fmt.Fprintf(e.stdout, "%s (%s): sources unchanged; %s\n", r.RunID, r.Kind, r.Skipped)
		return
	}
	fmt.Fprintf(e.stdout, "%s (%s): DIFFERS\n", r.RunID, r.Kind)
	for _, p := range r.Problems {
		fmt.Fprintf(e.stdout, "  input: %s\n", p)
	}
	if r.RerunID != "" && r.RerunID != r.RunID {
		fmt.Fprintf(e.stdout, "  the re-run's id is %s\n", r.RerunID)
	}
	list := func(what string, rows []string) {
		const most = 50 // a trace can differ in thousands of positions: the first say enough
		for i, f := range rows {
			if i == most {
				fmt.Fprintf(e.stdout, "  ... and %d more %s\n", len(rows)-most, what)
				break
			}
			fmt.Fprintf(e.stdout, "  %s: %s\n", what, f)
		}
	}
	list("stored, not found again", r.Missing)
	list("found again, not stored", r.Extra)
	if r.Skipped != "" {
		fmt.Fprintf(e.stdout, "  %s\n", r.Skipped)
	}
}
