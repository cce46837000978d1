package main

import (
	"os"

	"github.com/urfave/cli/v2"

	"github.com/moneytrail/moneytrail/internal/bench"
)

func benchCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "bench",
		Usage: "the performance suite: measure moneytrail against its baseline in one run",
		Subcommands: []*cli.Command{
			benchTraceCommand(e),
			benchRulesCommand(e),
			{
				Name:  "ingest",
				Usage: "AMLworld ingest against DuckDB's own CSV load of the same file",
				UsageText: `moneytrail bench ingest --rows N [--dir DIR] [--keep]

Example:
   moneytrail bench ingest --rows 5000000`,
				Flags: []cli.Flag{
					&cli.IntFlag{Name: "rows", Value: 1_000_000, Usage: "rows to generate"},
					&cli.StringFlag{Name: "dir", Usage: "working `DIR` (a temporary one when empty)"},
					&cli.BoolFlag{Name: "keep", Usage: "keep the generated files"},
					&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "generator seed"},
				},
				Action: func(c *cli.Context) error {
					exe, err := os.Executable()
					if err != nil {
						return err
					}
					return bench.Ingest(c.Context, e.stdout, bench.IngestOptions{Rows: c.Int("rows"), Dir: c.String("dir"),
						Exe: exe, Seed: c.Uint64("seed"), Keep: c.Bool("keep")})
				},
			},
		},
	}
}

// benchStepCommand is the hidden child side of the bench suite.
func benchStepCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:   "bench-step",
		Hidden: true,
		Action: func(c *cli.Context) error {
			if c.NArg() != 3 {
				return usageErr("bench-step STEP CSV DB")
			}
			if bench.IsTraceStep(c.Args().Get(0)) {
				return bench.RunTraceStep(c.Context, e.stdout, c.Args().Get(0), c.Args().Get(2))
			}
			return bench.RunStep(c.Context, e.stdout, c.Args().Get(0), c.Args().Get(1), c.Args().Get(2))
		},
	}
}

func benchTraceCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "trace",
		Usage: "trace an AMLworld-shaped case under fifo, prorata, libr and all against the read floor",
		UsageText: `moneytrail bench trace --rows N [--dir DIR] [--keep]

Example:
   moneytrail bench trace --rows 5000000`,
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "rows", Value: 1_000_000, Usage: "transactions to generate"},
			&cli.StringFlag{Name: "dir", Usage: "working `DIR` (a temporary one when empty)"},
			&cli.BoolFlag{Name: "keep", Usage: "keep the generated files"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "generator seed"},
		},
		Action: func(c *cli.Context) error {
			exe, err := os.Executable()
			if err != nil {
				return err
			}
			return bench.Trace(c.Context, e.stdout, bench.TraceOptions{Rows: c.Int("rows"), Dir: c.String("dir"),
				Exe: exe, Seed: c.Uint64("seed"), Keep: c.Bool("keep")})
		},
	}
}
