package main

import (
	"context"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/internal/table"
)

func sqlCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "sql",
		Usage:     "run a read-only SQL query over the case",
		ArgsUsage: "QUERY",
		UsageText: `moneytrail sql QUERY

The case is opened read-only and sealed: the query must be one SELECT as DuckDB parses it
(statements separated by ';' are refused, not run), nothing can be written to the case, and
no file can be read or written from SQL, the case's own files included. The stable views are
txns, account_balances, statement_periods and fx_missing.

Example:
   moneytrail sql "SELECT to_account, sum(amount) FROM txns WHERE channel = 'cash_deposit' GROUP BY 1 ORDER BY 2 DESC"`,
		Action: func(ctx context.Context, c *cli.Command) error {
			q := strings.TrimSpace(strings.Join(c.Args().Slice(), " "))
			if q == "" {
				return usageErr("sql: give a QUERY")
			}
			db, err := openCase(ctx, c, casedb.Options{Sealed: true})
			if err != nil {
				return err
			}
			defer db.Close()
			conn, err := db.UserConn(ctx)
			if err != nil {
				return err
			}
			defer conn.Close()
			t, err := table.Query(ctx, conn, q)
			if err != nil {
				return &exitError{code: exitInput, err: err}
			}
			return t.Write(e.stdout, c.String("output"))
		},
	}
}
