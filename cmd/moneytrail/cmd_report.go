package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/report"
)

func reportCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "report",
		Usage: "write the evidence: XLSX workbook, HTML report with the money-flow diagram, CSV/Parquet tables, graphs",
		UsageText: `moneytrail report [--run RUN_ID] --out DIR [--mask] [--method M]

Writes, for a trace run and/or a rules run (default: the latest of each):
  evidence.xlsx     Summary, Sources, Findings, Flows, Positions, Positions by party, Exits,
                    Sensitivity, Unexplained funds, Method statement
  report.html       one self-contained file: summary, money-flow diagram, timeline, tables
  csv/, parquet/    every table of the workbook
  manifest.json     the run's manifest (rules-manifest.json for the rules run next to a trace)
  graph.dot, graph.graphml   the flow network for Graphviz, Gephi and link-analysis tools
  SHA256SUMS        the checksum of every file written

--mask shows account numbers as country code and last four characters and names as initials,
the same mask for the same input, and leaves out payment references and file paths: for
reports that leave the unit.

Example:
   moneytrail trace --seed finding:collection_account --method all
   moneytrail report --out evidence
   moneytrail report --out evidence-masked --mask`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "run", Usage: "report on `RUN_ID` only (default: the latest trace and rules runs)"},
			&cli.StringFlag{Name: "out", Usage: "output `DIR`"},
			&cli.BoolFlag{Name: "mask", Usage: "mask account numbers and names"},
			&cli.StringFlag{Name: "method", Usage: "tracing `METHOD` of the diagram, graphs and party totals (default: the run's first)"},
			&cli.IntFlag{Name: "max-nodes", Value: 40, Usage: "accounts drawn in the HTML diagram before the smallest are grouped"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			out := c.String("out")
			if out == "" {
				return usageErr("report: give --out DIR")
			}
			if c.Int("max-nodes") < 2 {
				return usageErr("--max-nodes %d: give 2 or more accounts to draw", c.Int("max-nodes"))
			}
			db, err := openCase(ctx, c, casedb.Options{ReadOnly: true})
			if err != nil {
				return err
			}
			defer db.Close()
			traceID, rulesID, err := report.Runs(ctx, db, c.String("run"))
			if err != nil {
				return withNext(err, "run moneytrail rules run and moneytrail trace first, or name a stored run with --run")
			}
			if err := checkOutDir("out", out); err != nil {
				return err
			}
			format := c.String("output")
			if format == "table" {
				fmt.Fprintf(e.stdout, "rules run: %s\ntrace run: %s\n", orNone(rulesID), orNone(traceID))
			}
			sp := startSpinner(e.stderr, "writing the report")
			err = report.Write(ctx, db, c.String("run"), out, report.Options{
				Mask: c.Bool("mask"), Method: c.String("method"), MaxNodes: c.Int("max-nodes"), ToolVersion: Version})
			sp.stop()
			if err != nil {
				return err
			}
			html := filepath.Join(out, report.HTMLFile)
			if format != "table" {
				return writeRecord(e.stdout, format, []string{"rules_run", "trace_run", "out", "html", "workbook"},
					[]any{nullable(rulesID), nullable(traceID), out, html, filepath.Join(out, report.WorkbookFile)})
			}
			fmt.Fprintf(e.stdout, "report written to %s (open %s)\n", out, html)
			return nil
		},
	}
}
