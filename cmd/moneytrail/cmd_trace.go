package main

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/internal/table"
	"github.com/moneytrail/moneytrail/tracer"
	"github.com/moneytrail/moneytrail/tracer/casetrace"
)

func traceCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "trace",
		Usage: "follow seeded money through the case under the legal tracing rules",
		UsageText: `moneytrail trace --seed SEL... --method M [--scope reachable|all] [--as-of DATE] [--out DIR] [--group-seeds]
moneytrail trace --direction backward --target account:ID|txn:ID --method M [--origin-by account|party|channel] [--as-of DATE] [--out DIR]

Seeds (repeatable): txn:ID, account:ID (every credit into it), party:ID (credits into the
party's accounts from outside it), finding:RULE_ID (the evidence of a rule's findings),
sql:SELECT txn_id ... (a read-only query); each optionally limited with @FROM..TO
(dates YYYY-MM-DD, either may be left out).

Methods: fifo, lifo, prorata, libr, tainted-first, poison, a comma-separated list, or all
(every method in one pass, with a sensitivity table). Beside other methods and with more
than 32 seeds, poison traces all seeds as one origin ("seeds"); alone it goes per seed.
With prorata, unexplained funds are one origin unless --group-unexplained=false.

The trace is stored in the case under a run id derived from its manifest; --out DIR also
writes positions.csv, flows.csv, summary.csv, unexplained.csv, manifest.json and, with
several methods, sensitivity.csv. Sizes grow with what the accounts hold, not with the
transactions: positions has a row per method, account and origin held (clean and
unexplained money too), flows a row per hop of tainted money (--flows none: none, all:
every hop), sensitivity a row per tainted origin and holder. On a 1M-transaction case of
50,000 accounts with 500 seeds: fifo 850k positions (65 MB as CSV); --method all 890k
positions, 750k flows, 650k sensitivity rows (210 MB of files, and as many rows in the case).

Backward: the composition of a balance (account:ID, at the end of --as-of or of the data) or
of a debit (txn:ID) by origin. The universe is every account whose money can reach the
target in time; every inflow into it from outside is labelled by the paying account, its
party, or the channel (e.g. channel:cash_deposit), then replayed forward under the method(s).
--out DIR writes composition.csv (method,origin,amount,share), unexplained.csv, manifest.json.

Example:
   moneytrail trace --seed txn:NKBM240115000051 --seed account:SI12020107749940015@2024-02-01..2024-02-29 \
       --method all --as-of 2024-03-31 --out trace-out
   moneytrail trace --direction backward --target account:SI12020107749940015 --method fifo,prorata \
       --origin-by channel --as-of 2024-03-31`,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "seed", Usage: "seed selector `SEL` (repeatable)"},
			&cli.StringFlag{Name: "method", Usage: "tracing `METHOD`: fifo, lifo, prorata, libr, tainted-first, poison, or all"},
			&cli.StringFlag{Name: "scope", Value: casetrace.ScopeReachable, Usage: "reachable (accounts the seeds' money can reach) or all"},
			&cli.StringFlag{Name: "as-of", Usage: "positions at the end of `DATE` (YYYY-MM-DD)"},
			&cli.StringFlag{Name: "out", Usage: "write the result files into `DIR`"},
			&cli.BoolFlag{Name: "group-seeds", Usage: "trace all seeds as one origin (faster prorata/libr on many seeds)"},
			&cli.BoolFlag{Name: "group-unexplained", Usage: "one origin for all unexplained funds instead of one per account (default: on when prorata is among the methods)"},
			&cli.StringFlag{Name: "flows", Value: "tainted", Usage: "hop-by-hop flows to keep: tainted, all or none"},
			&cli.StringFlag{Name: "direction", Value: "forward", Usage: "forward (follow seeds) or backward (decompose --target)"},
			&cli.StringFlag{Name: "target", Usage: "backward: `TARGET` account:ID (its balance) or txn:ID (a debit)"},
			&cli.StringFlag{Name: "origin-by", Value: casetrace.OriginByAccount, Usage: "backward: name origins by account, party or channel"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			opt, err := traceOptions(c)
			if err != nil {
				return err
			}
			if err := checkOutDir("out", c.String("out")); err != nil {
				return err
			}
			// sql: seeds run on a sealed handle, closed before the case opens for storing.
			if opt.SQLSeeds, err = casetrace.ResolveSQLSeeds(ctx, caseOpener(c), opt.Seeds); err != nil {
				return err
			}
			db, err := openCase(ctx, c, casedb.Options{})
			if err != nil {
				return err
			}
			defer db.Close()
			defaulted := len(opt.Methods) == 0
			if defaulted {
				if opt.Methods, err = defaultMethods(ctx, db); err != nil {
					return err
				}
			}
			// Prorata keeps a share per origin per account: one unexplained origin per account
			// with a shortfall made it run past 140 s on the 5M-row benchmark (4 s grouped), so
			// grouping is its default. Per-account totals are reported either way.
			if !c.IsSet("group-unexplained") {
				opt.GroupUnexplained = slices.Contains(opt.Methods, tracer.ProRata)
			}
			sp := startSpinner(e.stderr, "tracing")
			opt.Progress, opt.Count = sp.describe, sp.count
			out, err := casetrace.Trace(ctx, db, opt)
			if err == nil {
				sp.describe("storing the run")
				err = out.Store(ctx, db)
			}
			if err == nil && c.String("out") != "" {
				sp.describe("writing files")
				err = out.WriteDir(c.String("out"))
			}
			sp.stop()
			if err != nil {
				return err
			}
			if defaulted {
				note := fmt.Sprintf("method %s: the case's default (moneytrail init --method sets it); choose with --method", out.Manifest.Methods[0])
				if c.String("output") == "table" {
					fmt.Fprintln(e.stdout, note)
				} else {
					fmt.Fprintln(e.stderr, note)
				}
			}
			names, err := loadDisplayNames(ctx, db)
			if err != nil {
				return err
			}
			return printTrace(e, c.String("output"), out, names)
		},
	}
}

func traceOptions(c *cli.Command) (casetrace.Options, error) {
	var opt casetrace.Options
	opt.Seeds = c.StringSlice("seed")
	switch d := c.String("direction"); d {
	case casetrace.Forward:
		if len(opt.Seeds) == 0 {
			return opt, usageErr("trace: name at least one --seed")
		}
		if c.IsSet("target") || c.IsSet("origin-by") {
			return opt, usageErr("--target and --origin-by go with --direction backward")
		}
	case casetrace.Backward:
		if len(opt.Seeds) > 0 {
			return opt, usageErr("trace --direction backward takes --target, not --seed")
		}
		opt.Target = c.String("target")
		if opt.Target == "" {
			return opt, usageErr("trace --direction backward: give --target account:ID or txn:ID")
		}
		switch ob := c.String("origin-by"); ob {
		case casetrace.OriginByAccount, casetrace.OriginByParty, casetrace.OriginByChannel:
			opt.OriginBy = ob
		default:
			return opt, usageErr("--origin-by %q: use account, party or channel", ob)
		}
	default:
		return opt, usageErr("--direction %q: use forward or backward", d)
	}
	opt.Direction = c.String("direction")
	if c.String("method") != "" {
		ms, err := tracer.ParseMethods(c.String("method"))
		if err != nil {
			return opt, usageErr("--method: %v", err)
		}
		opt.Methods = ms
	}
	switch s := c.String("scope"); s {
	case casetrace.ScopeReachable, casetrace.ScopeAll:
		opt.Scope = s
	default:
		return opt, usageErr("--scope %q: use reachable or all", s)
	}
	var err error
	if opt.Flows, err = tracer.ParseFlowMode(c.String("flows")); err != nil {
		return opt, usageErr("--%v", err)
	}
	opt.AsOf = c.String("as-of")
	if err := checkDay("as-of", opt.AsOf); err != nil {
		return opt, err
	}
	opt.GroupSeeds = c.Bool("group-seeds")
	opt.GroupUnexplained = c.Bool("group-unexplained")
	opt.ToolVersion = Version
	opt.StartedAt = time.Now().UTC()
	return opt, nil
}

// printTrace prints the per-origin summary (traced, held, exited by kind) and, in table
// form, the top holders of tainted money under the first method.
func printTrace(e *env, format string, out *casetrace.Outcome, names *displayNames) error {
	m := out.Manifest
	if out.Backward() {
		return printComposition(e, format, out, names)
	}
	if format == "table" {
		fmt.Fprintf(e.stdout, "run %s: %d seed credit(s), %d transactions replayed, %d accounts in scope (%s), amounts in %s\n",
			out.RunID, len(out.Report.Results[0].Seeds), m.TxnsReplayed, m.AccountsInScope, m.Scope, m.Currency)
	}
	t := &table.Table{Columns: []string{"method", "origin", "amount", "traced", "held", "exited_cash", "exited_external", "exited_asset", "exited_other"}}
	for _, r := range out.Summary() {
		t.Rows = append(t.Rows, cells(r.Method, r.Origin, casetrace.FormatCents(r.Credit), casetrace.FormatCents(r.Traced),
			casetrace.FormatCents(r.Held), casetrace.FormatCents(r.ExitedCash), casetrace.FormatCents(r.ExitedExternal),
			casetrace.FormatCents(r.ExitedAsset), casetrace.FormatCents(r.ExitedOther)))
	}
	if err := t.Write(e.stdout, format); err != nil {
		return err
	}
	if format != "table" {
		return nil
	}
	first := m.Methods[0]
	held := map[string]int64{}
	for _, p := range out.Positions() {
		if p.Method == first && p.HolderKind == "account" && p.Origin != "clean" && !isUnexplained(p.Origin) {
			held[p.Holder] += p.Cents
		}
	}
	type holder struct {
		id    string
		cents int64
	}
	var top []holder
	for id, c := range held {
		top = append(top, holder{id, c})
	}
	slices.SortFunc(top, func(a, b holder) int { return cmp.Or(cmp.Compare(b.cents, a.cents), cmp.Compare(a.id, b.id)) })
	if len(top) == 0 {
		fmt.Fprintf(e.stdout, "no tainted money is held in accounts (%s)\n", first)
		return nil
	}
	fmt.Fprintf(e.stdout, "top holders of tainted money (%s):\n", first)
	for _, h := range top[:min(len(top), 5)] {
		fmt.Fprintf(e.stdout, "  %-40s %15s  %s\n", h.id, casetrace.FormatCents(h.cents), names.holder(h.id))
	}
	if n := len(out.Report.Unexplained); n > 0 {
		fmt.Fprintf(e.stdout, "%d account(s) paid out more than they were seen to receive (unexplained funds): see unexplained.csv\n", n)
	}
	return nil
}

func isUnexplained(origin string) bool {
	return origin == "unexplained" || len(origin) > 12 && origin[:12] == "unexplained:"
}

// printComposition prints the composition of a backward trace's target under each method.
func printComposition(e *env, format string, out *casetrace.Outcome, names *displayNames) error {
	m := out.Manifest
	if format == "table" {
		kind, account, txnID, cents := out.Target()
		what := "balance of " + account
		if kind == "debit" {
			what = "debit " + txnID + " from " + account
		}
		if m.AsOf != "" && kind == "balance" {
			what += " at the end of " + m.AsOf
		}
		fmt.Fprintf(e.stdout, "run %s: %s, %s, by origin (%s); %d transactions replayed, %d accounts in the universe, amounts in %s\n",
			out.RunID, what, casetrace.FormatCents(cents), m.OriginBy, m.TxnsReplayed, m.AccountsInScope, m.Currency)
	}
	t := &table.Table{Columns: []string{"method", "origin", "name", "amount", "share"}}
	for _, r := range out.Composition() {
		t.Rows = append(t.Rows, cells(r.Method, r.Origin, names.origin(r.Origin), casetrace.FormatCents(r.Cents), r.Share))
	}
	return t.Write(e.stdout, format)
}
