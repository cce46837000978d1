package main

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/rules"
)

func rulesIncomeCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "income",
		ArgsUsage: "FILE",
		Usage:     "load declared income (party_id,year,amount,currency[,source]) for the wealth pack",
		UsageText: `moneytrail rules income FILE

Loading a file again replaces the rows it loaded before.

Example:
   printf 'party_id,year,amount,currency\nhrvoje matic,2024,18000.00,EUR\n' > declared-income.csv
   moneytrail rules income declared-income.csv && moneytrail rules run wealth`,
		Action: func(ctx context.Context, c *cli.Command) error {
			if c.NArg() != 1 {
				return usageErr("rules income: name one CSV FILE")
			}
			db, err := openCase(ctx, c, casedb.Options{})
			if err != nil {
				return err
			}
			defer db.Close()
			n, err := rules.LoadDeclaredIncome(ctx, db, c.Args().First())
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s: %d declared income row(s) stored\n", c.Args().First(), n)
			return nil
		},
	}
}
