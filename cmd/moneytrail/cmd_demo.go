package main

import (
	"context"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/cmd/moneytrail/demo"
)

func demoCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "run the whole job on a generated smuggling case",
		UsageText: `moneytrail demo [--out DIR] [--seed N] [--scale small|medium|large]

Generates a synthetic smuggling case with its ground truth (DIR/input), loads every file
into DIR/case.duckdb, pairs transfers seen in two exports, runs the smuggling rule pack,
traces the collected proceeds under every tracing method (DIR/trace) and writes the
evidence report (DIR/report), then says what it found and how that compares with the
ground truth. No network is used.

Example:
   moneytrail demo --out /tmp/moneytrail-demo`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Value: "moneytrail-demo", Usage: "output `DIR`"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "generator seed"},
			&cli.StringFlag{Name: "scale", Value: "small", Usage: "case size: small, medium or large"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			if err := checkOutDir("out", c.String("out")); err != nil {
				return err
			}
			_, err := demo.Run(ctx, e.stdout, demo.Options{Out: c.String("out"), Output: c.String("output"),
				Seed: c.Uint64("seed"), Scale: c.String("scale"), ToolVersion: Version})
			return err
		},
	}
}
