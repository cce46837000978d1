package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/ingest"
	"github.com/moneytrail/moneytrail/internal/casedb"
)

func sourcesCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "sources",
		Usage: "list the ingested files: SHA-256, format, counts, period, balances",
		UsageText: `moneytrail sources

Example:
   moneytrail --output csv sources > sources.csv`,
		Action: func(ctx context.Context, c *cli.Command) error {
			db, err := openCase(ctx, c, casedb.Options{ReadOnly: true})
			if err != nil {
				return err
			}
			defer db.Close()
			t, err := ingest.Sources(ctx, db)
			if err != nil {
				return err
			}
			return t.Write(e.stdout, c.String("output"))
		},
	}
}

func accountsCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "accounts",
		Usage: "list the accounts of the case with their kinds and movement counts",
		UsageText: `moneytrail accounts [--kind bank|mto|cash|external|asset]

Example:
   moneytrail accounts --kind cash`,
		Flags: []cli.Flag{&cli.StringFlag{Name: "kind", Usage: "only accounts of this `KIND`"}},
		Action: func(ctx context.Context, c *cli.Command) error {
			kinds := []string{"bank", "mto", "cash", "external", "asset"}
			if k := c.String("kind"); k != "" && !slices.Contains(kinds, k) {
				return &exitError{code: exitUsage, err: fmt.Errorf("--kind %q is not a kind of account%s", k, suggest(k, kinds)),
					next: "kinds: " + strings.Join(kinds, ", ")}
			}
			db, err := openCase(ctx, c, casedb.Options{ReadOnly: true})
			if err != nil {
				return err
			}
			defer db.Close()
			t, err := ingest.Accounts(ctx, db, c.String("kind"))
			if err != nil {
				return err
			}
			return t.Write(e.stdout, c.String("output"))
		},
	}
}

func quarantineCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "quarantine",
		Usage: "list the records that could not be read, with file, line, field and reason",
		UsageText: `moneytrail quarantine [--source ID]

Example:
   moneytrail quarantine --source 3`,
		Flags: []cli.Flag{&cli.Int64Flag{Name: "source", Usage: "only records of source `ID`"}},
		Action: func(ctx context.Context, c *cli.Command) error {
			db, err := openCase(ctx, c, casedb.Options{ReadOnly: true})
			if err != nil {
				return err
			}
			defer db.Close()
			t, err := ingest.Quarantine(ctx, db, c.Int64("source"))
			if err != nil {
				return err
			}
			return t.Write(e.stdout, c.String("output"))
		},
	}
}
