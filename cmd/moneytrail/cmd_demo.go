package main

import (
	"github.com/urfave/cli/v2"

	"github.com/moneytrail/moneytrail/internal/demo"
)

func demoCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "run the whole job on a built-in sample case",
		UsageText: `moneytrail demo [--out DIR]

Writes the built-in sample files (ECB rates, a ledger, a camt.053 and an MT940 statement)
to DIR/input, creates DIR/case.duckdb, ingests every file and shows what was loaded. No
network is used.

Example:
   moneytrail demo --out /tmp/moneytrail-demo`,
		Flags: []cli.Flag{&cli.StringFlag{Name: "out", Value: "moneytrail-demo", Usage: "output `DIR`"}},
		Action: func(c *cli.Context) error {
			return demo.Run(c.Context, e.stdout, demo.Options{Out: c.String("out"), Output: c.String("output")})
		},
	}
}
