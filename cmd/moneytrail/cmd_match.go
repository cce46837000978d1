package main

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/ingest/match"
	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/internal/table"
)

func matchCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "match",
		Usage: "pair the two sides of transfers seen in two exports, so that each counts once",
		UsageText: `moneytrail match [--window 3d] [--fee-tolerance 2%|5.00] [--fx-tolerance 3%] [--dry-run]
moneytrail match --undo
moneytrail match --undisclosed`,
		Description: `A transfer from statement account A to statement account B shows twice: as a debit in A's
export and as a credit in B's. match pairs the two and marks the later-ingested one
duplicate_of the other (the views txns and account_balances, and the tracer, then count it
once), recording each pair in the matches table with its rule and confidence:

   uetr            the same UETR                                               1.00
   end_to_end_id   the same EndToEndId (not NOTPROVIDED), amounts and dates
                   agreeing as below                                           0.95
   amount          the same amount, within --window                            0.90
   amount_fee      received lower by at most --fee-tolerance                   0.80
   amount_fx       the sender's export states the received amount and currency 0.80
   amount_fx_base  other currencies: base amounts within --fx-tolerance         0.70

Amount rules lose 0.04 per day between the bookings, and 0.10 when one export names the
other account's holder but gives no account number. Sides in the same file, pending entries,
two different UETRs or EndToEndIds never pair. Each side is in at most one pair; where a
side has two equally good candidates nothing is paired and the candidates are listed as
ambiguous. Running match again keeps the pairs it made and adds only new ones; --undo
removes them all.

It then lists the undisclosed accounts: bank accounts without a statement in the case that
pay to or are paid from statement accounts (credits: what they received, debits: what they
paid), whose statements are still to be asked for.

Example:
   moneytrail match --window 5d --fee-tolerance 15.00 --dry-run`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "window", Value: "3d", Usage: "largest `DAYS` between the two bookings (3d, 72h)"},
			&cli.StringFlag{Name: "fee-tolerance", Value: "2%", Usage: "how much lower the received amount may be: a `PERCENT` (2%) or an amount (5.00)"},
			&cli.StringFlag{Name: "fx-tolerance", Value: "3%", Usage: "how far apart in the base currency two sides in different currencies may be (`PERCENT` or amount)"},
			&cli.BoolFlag{Name: "dry-run", Usage: "show the pairs it would make and change nothing"},
			&cli.BoolFlag{Name: "undo", Usage: "remove every match and its duplicate_of marks"},
			&cli.BoolFlag{Name: "undisclosed", Usage: "only list the undisclosed accounts"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			opt := match.DefaultOptions()
			opt.ToolVersion = Version
			var err error
			if opt.Window, err = match.ParseWindow(c.String("window")); err != nil {
				return usageErr("--window: %v", err)
			}
			if opt.FeeTolerance, err = match.ParseTolerance(c.String("fee-tolerance")); err != nil {
				return usageErr("--fee-tolerance: %v", err)
			}
			if opt.FXTolerance, err = match.ParseTolerance(c.String("fx-tolerance")); err != nil {
				return usageErr("--fx-tolerance: %v", err)
			}
			opt.DryRun = c.Bool("dry-run")
			if c.Bool("undo") && (opt.DryRun || c.Bool("undisclosed")) {
				return usageErr("--undo goes alone")
			}
			readOnly := opt.DryRun || c.Bool("undisclosed")
			db, err := openCase(ctx, c, casedb.Options{ReadOnly: readOnly})
			if err != nil {
				return err
			}
			defer db.Close()
			format := c.String("output")
			switch {
			case c.Bool("undo"):
				n, err := match.Undo(ctx, db, match.Options{ToolVersion: Version})
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "removed %d match(es); every transaction counts again\n", n)
				return nil
			case c.Bool("undisclosed"):
				t, err := match.Undisclosed(ctx, db)
				if err != nil {
					return err
				}
				return t.Write(e.stdout, format)
			}
			res, err := match.Run(ctx, db, opt)
			if err != nil {
				return err
			}
			return printMatch(ctx, e, c, db, res, opt, format)
		},
	}
}

// printMatch shows the new pairs; as a table also the summary, the ambiguous candidates and
// the undisclosed accounts (for csv and json only the pairs go to stdout, the summary to
// stderr).
func printMatch(ctx context.Context, e *env, c *cli.Command, db *casedb.DB, res match.Result, opt match.Options, format string) error {
	pairs := &table.Table{Columns: []string{"match_id", "kept_txn_id", "duplicate_txn_id", "rule", "confidence", "amount_diff", "currency", "days_apart", "detail"}}
	for _, p := range res.Pairs {
		id := strconv.FormatInt(p.MatchID, 10)
		if opt.DryRun {
			id = ""
		}
		diff := ""
		if p.DiffCurrency != "" {
			diff = p.AmountDiff.StringFixed(2)
		}
		pairs.Rows = append(pairs.Rows, cells(id, p.Kept, p.Duplicate, p.Rule, strconv.FormatFloat(p.Confidence, 'f', 2, 64),
			diff, p.DiffCurrency, strconv.Itoa(p.DaysApart), p.Detail))
	}
	by := res.ByRule()
	rules := make([]string, 0, len(by))
	for r, n := range by {
		rules = append(rules, fmt.Sprintf("%s %d", r, n))
	}
	sort.Strings(rules)
	verb := "new pair(s)"
	if opt.DryRun {
		verb = "pair(s) found (dry run: nothing changed)"
	}
	summary := fmt.Sprintf("%d %s", len(res.Pairs), verb)
	if len(rules) > 0 {
		summary += " (" + strings.Join(rules, ", ") + ")"
	}
	summary += fmt.Sprintf("; %d already matched; %d ambiguous candidate pair(s) left unpaired; window %dd, fee tolerance %s, FX tolerance %s\n",
		res.Existing, len(res.Ambiguous), int(opt.Window.Hours()/24), opt.FeeTolerance, opt.FXTolerance)
	if res.Manifest != nil {
		summary += fmt.Sprintf("recorded as run %s: %d match(es) in the case, digest %s\n", res.RunID, res.Manifest.Matches, res.Manifest.MatchesDigest[:16])
	}
	if format != "table" {
		fmt.Fprint(e.stderr, summary)
		return pairs.Write(e.stdout, format)
	}
	if len(pairs.Rows) > 0 {
		if err := pairs.Write(e.stdout, format); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout)
	}
	fmt.Fprint(e.stdout, summary)
	if len(res.Ambiguous) > 0 {
		amb := &table.Table{Columns: []string{"debit_txn_id", "credit_txn_id", "rule", "confidence"}}
		for _, a := range res.Ambiguous {
			amb.Rows = append(amb.Rows, cells(a.Debit, a.Credit, a.Rule, strconv.FormatFloat(a.Confidence, 'f', 2, 64)))
		}
		fmt.Fprintln(e.stdout, "\nAmbiguous (equally good candidates, not paired):")
		if err := amb.Write(e.stdout, format); err != nil {
			return err
		}
	}
	u, err := match.Undisclosed(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nUndisclosed accounts (no statement in the case): %d\n", len(u.Rows))
	if len(u.Rows) == 0 {
		return nil
	}
	return u.Write(e.stdout, format)
}
