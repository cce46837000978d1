package main

import (
	"context"
	"io"
	"os"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/cmd/moneytrail/bench"
)

func benchCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "bench",
		Usage: "the performance suite: measure moneytrail against its baseline in one run",
		UsageText: `moneytrail bench [--rows N] [--csv FILE] [--only GROUP,...] [--dir DIR] [--keep]
moneytrail bench ingest|trace|rules --rows N

Without a subcommand: whole commands as users run them, each a process of this binary,
against floors measured in the same run on the same generated case: ingest (AMLworld CSV,
the case exported as ledger CSV, 1,000 small MT940/camt files against one file of each
holding the same statements), trace (fifo and all, --scope all) against the Arrow read of
the ordered transactions, rules run smuggling and typologies against their SQL run directly,
report against COPY of the runs' tables to Parquet. Prints the ratios with each process's
peak memory and writes them to --csv. Groups: ingest, files, trace, rules, report.

Example:
   moneytrail bench --rows 1000000 --csv bench-1m.csv`,
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "rows", Value: 1_000_000, Usage: "transactions of the generated case"},
			&cli.StringFlag{Name: "csv", Value: "moneytrail-bench.csv", Usage: "write the ratio table to `FILE` (none when empty)"},
			&cli.StringSliceFlag{Name: "only", Usage: "run only these `GROUP`s: ingest, files, trace, rules, report"},
			&cli.StringFlag{Name: "dir", Usage: "working `DIR` (a temporary one when empty)"},
			&cli.BoolFlag{Name: "keep", Usage: "keep the generated files"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "generator seed"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			exe, err := os.Executable()
			if err != nil {
				return err
			}
			return bench.Commands(ctx, e.stdout, bench.CommandsOptions{
				IngestOptions: bench.IngestOptions{Rows: c.Int("rows"), Dir: c.String("dir"), Exe: exe, Seed: c.Uint64("seed"), Keep: c.Bool("keep")},
				CSV:           c.String("csv"), Only: c.StringSlice("only")})
		},
		Commands: []*cli.Command{
			benchSubcommand(e, "ingest", "AMLworld ingest against DuckDB's own CSV load of the same file", bench.Ingest),
			benchSubcommand(e, "trace", "trace an AMLworld-shaped case under fifo, prorata, libr and all against the read floor", bench.Trace,
				&cli.IntFlag{Name: "rounds", Value: 1, Usage: "take the steps `N` times in turns and report each step's median"}),
			benchSubcommand(e, "rules", "the typologies pack on an AMLworld-shaped case, each rule in its own process", bench.Rules),
		},
	}
}

// benchSubcommand is one benchmark of the suite: it generates N AMLworld-shaped rows and runs
// the measured steps, each in a child process of this binary.
func benchSubcommand(e *env, name, usage string, run func(context.Context, io.Writer, bench.IngestOptions) error, extra ...cli.Flag) *cli.Command {
	text := ` --rows N [--dir DIR] [--keep]`
	if len(extra) > 0 {
		text = ` --rows N [--rounds N] [--dir DIR] [--keep]`
	}
	return &cli.Command{
		Name:  name,
		Usage: usage,
		UsageText: `moneytrail bench ` + name + text + `

Example:
   moneytrail bench ` + name + ` --rows 5000000`,
		Flags: append([]cli.Flag{
			&cli.IntFlag{Name: "rows", Value: 1_000_000, Usage: "rows (transactions) to generate"},
			&cli.StringFlag{Name: "dir", Usage: "working `DIR` (a temporary one when empty)"},
			&cli.BoolFlag{Name: "keep", Usage: "keep the generated files"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "generator seed"},
		}, extra...),
		Action: func(ctx context.Context, c *cli.Command) error {
			exe, err := os.Executable()
			if err != nil {
				return err
			}
			return run(ctx, e.stdout, bench.IngestOptions{Rows: c.Int("rows"), Dir: c.String("dir"),
				Exe: exe, Seed: c.Uint64("seed"), Keep: c.Bool("keep"), Rounds: c.Int("rounds")})
		},
	}
}

// benchStepCommand is the hidden child side of the bench suite.
func benchStepCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "bench-step",
		ArgsUsage: "STEP CSV DB",
		Hidden:    true,
		Action: func(ctx context.Context, c *cli.Command) error {
			if c.NArg() != 3 {
				return usageErr("bench-step STEP CSV DB")
			}
			if bench.IsTraceStep(c.Args().Get(0)) {
				return bench.RunTraceStep(ctx, e.stdout, c.Args().Get(0), c.Args().Get(2))
			}
			return bench.RunStep(ctx, e.stdout, c.Args().Get(0), c.Args().Get(1), c.Args().Get(2))
		},
	}
}

// benchRulesCommand is `moneytrail bench rules`.
