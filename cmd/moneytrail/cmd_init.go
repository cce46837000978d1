package main

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/internal/casedb"
)

func initCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "init",
		Usage:     "create an empty case database",
		UsageText: "moneytrail --db case.duckdb init [--base-currency EUR]",
		Description: `Creates the case database file with the canonical schema. Amounts in other currencies get
a base-currency amount from the rates loaded with 'ingest --format ecb-rates'.

Example:
   moneytrail --db smuggling-2026.duckdb init --base-currency EUR`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "base-currency", Value: "EUR", Usage: "the case's base `CURRENCY` (ISO 4217)"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			db, err := openCase(ctx, c, casedb.Options{Create: true, BaseCurrency: c.String("base-currency")})
			if err != nil {
				return err
			}
			defer db.Close()
			base, err := db.BaseCurrency(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "created case %s (schema %d, base currency %s)\n", db.Path, casedb.SchemaVersion, base)
			return nil
		},
	}
}
