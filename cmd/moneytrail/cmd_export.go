package main

import (
	"bufio"
	"context"
	"os"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/ingest"
	"github.com/moneytrail/moneytrail/internal/casedb"
)

func exportCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "export",
		Usage: "write the case's transactions in the ledger interchange format",
		UsageText: `moneytrail export [--format ledger] [--out FILE]

Example:
   moneytrail export --out case-ledger.csv`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "ledger", Usage: "export `FORMAT` (ledger)"},
			&cli.StringFlag{Name: "out", Usage: "write to `FILE` instead of stdout"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			if c.String("format") != "ledger" {
				return usageErr("export: --format %q: only ledger", c.String("format"))
			}
			if err := checkOutFile("out", c.String("out")); err != nil {
				return err
			}
			db, err := openCase(ctx, c, casedb.Options{ReadOnly: true})
			if err != nil {
				return err
			}
			defer db.Close()
			w := e.stdout
			if p := c.String("out"); p != "" {
				f, err := os.Create(p)
				if err != nil {
					return err
				}
				defer f.Close()
				bw := bufio.NewWriter(f)
				if err := ingest.ExportLedger(ctx, db, bw); err != nil {
					return err
				}
				if err := bw.Flush(); err != nil {
					return err
				}
				return f.Close()
			}
			return ingest.ExportLedger(ctx, db, w)
		},
	}
}
