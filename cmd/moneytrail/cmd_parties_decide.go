package main

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/resolve"
)

// decideExample is each decision verb's example, on parties of the generated case of the
// README's worked example.
var decideExample = map[string]string{
	resolve.ActConfirm: `moneytrail parties confirm "dm drogerie markt" "dm drogerie sarajevo" --note "one chain, two branches" --author "J. Novak"`,
	resolve.ActReject:  `moneytrail parties reject "elena ilievski" "elena mitrevski|1993-02-04" --note "two people: different surnames in the ID copies" --author "J. Novak"`,
	resolve.ActMerge:   `moneytrail parties merge "esposito d o o" "russo d o o" --note "one company renamed (register extract)" --author "J. Novak"`,
	resolve.ActSplit:   `moneytrail parties split "andreas moser" --note "not the sender of the MoneyGram transfers" --author "J. Novak"`,
}

// partiesDecideCommand is one of the decision verbs (confirm, reject, merge, split): it
// records the decision in the case, where every later resolution replays it.
func partiesDecideCommand(e *env, action, usage string) *cli.Command {
	args := "PARTY OTHER"
	if action == resolve.ActSplit {
		args = "PARTY"
	}
	return &cli.Command{
		Name:      action,
		Usage:     usage,
		ArgsUsage: args,
		UsageText: "moneytrail parties " + action + " " + args + ` [--note TEXT] [--author NAME]

PARTY is a party id as "moneytrail parties" lists it (with or without "party:"). The decision
is stored with its author, time and note, and replayed in order on every resolution.

Example:
   ` + decideExample[action],
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "note", Usage: "why: the evidence the decision rests on"},
			&cli.StringFlag{Name: "author", Usage: "who decides (default: $MONEYTRAIL_AUTHOR, else $USER)", Sources: cli.EnvVars("MONEYTRAIL_AUTHOR", "USER")},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			want := 2
			if action == resolve.ActSplit {
				want = 1
			}
			if c.NArg() != want {
				return usageErr("parties %s takes %s", action, args)
			}
			db, err := openCase(ctx, c, casedb.Options{})
			if err != nil {
				return err
			}
			defer db.Close()
			d, err := resolve.Decide(ctx, db, resolve.Decision{Action: action, Party: c.Args().Get(0), Other: c.Args().Get(1),
				Author: c.String("author"), Note: c.String("note")})
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "decision %d: %s %s %s by %s\n", d.No, d.Action, d.Party, d.Other, d.Author)
			return nil
		},
	}
}
