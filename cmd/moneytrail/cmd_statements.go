package main

import (
	"context"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/ingest/match"
	"github.com/moneytrail/moneytrail/internal/casedb"
)

func statementsCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "statements",
		Usage: "list every statement period: reconciliation, and whether it chains on from the previous one",
		UsageText: `moneytrail statements

Per account, in period order: the file, the period, opening + credits - debits = computed
closing against the stated closing (difference, reconciled), the previous statement's closing
and whether this opening equals it (chain_ok), and the days since the previous period ended
(gap_days: 1 is contiguous, 0 shares a day, more is a gap, negative an overlap).

Example:
   moneytrail --output csv statements > statements.csv`,
		Action: func(ctx context.Context, c *cli.Command) error {
			db, err := openCase(ctx, c, casedb.Options{ReadOnly: true})
			if err != nil {
				return err
			}
			defer db.Close()
			t, err := match.Statements(ctx, db)
			if err != nil {
				return err
			}
			return t.Write(e.stdout, c.String("output"))
		},
	}
}
