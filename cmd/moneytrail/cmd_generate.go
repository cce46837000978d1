package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/moneytrail/moneytrail/fixtures"
)

func generateCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "generate",
		Usage: "write a synthetic case (fixtures) with known ground truth",
		UsageText: `moneytrail generate --scenario amlworld --rows N --out FILE [--seed N]

Example:
   moneytrail generate --scenario amlworld --rows 100000 --out aml.csv`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "scenario", Value: "amlworld", Usage: "`SCENARIO`: amlworld"},
			&cli.IntFlag{Name: "rows", Value: 10000, Usage: "rows to generate"},
			&cli.StringFlag{Name: "out", Required: true, Usage: "output `FILE`"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "generator seed: the same seed gives the same bytes"},
		},
		Action: func(c *cli.Context) error {
			if c.String("scenario") != "amlworld" {
				return usageErr("generate: unknown scenario %q (amlworld)", c.String("scenario"))
			}
			f, err := os.Create(c.String("out"))
			if err != nil {
				return err
			}
			bw := bufio.NewWriter(f)
			if err := fixtures.WriteAMLWorld(bw, fixtures.AMLWorldOptions{Rows: c.Int("rows"), Seed: c.Uint64("seed")}); err != nil {
				f.Close()
				return err
			}
			if err := bw.Flush(); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "wrote %s (%d rows)\n", c.String("out"), c.Int("rows"))
			return nil
		},
	}
}
