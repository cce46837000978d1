package main

import (
	"context"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/resolve"
)

func partiesDecisionsCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "decisions",
		Usage: "list the decisions on parties in the order made, with author, time and note",
		UsageText: `moneytrail parties decisions

Example:
   moneytrail --output csv parties decisions > decisions.csv`,
		Action: func(ctx context.Context, c *cli.Command) error {
			db, err := openCase(ctx, c, casedb.Options{ReadOnly: true})
			if err != nil {
				return err
			}
			defer db.Close()
			ds, err := resolve.LoadDecisions(ctx, db)
			if err != nil {
				return err
			}
			return resolve.DecisionsTable(ds).Write(e.stdout, c.String("output"))
		},
	}
}
