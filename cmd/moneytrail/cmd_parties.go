package main

import (
	"context"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/resolve"
)

// resolveFlags are the thresholds of entity resolution (resolve.DefaultParams says why
// each default is what it is).
func resolveFlags() []cli.Flag {
	d := resolve.DefaultParams()
	return []cli.Flag{
		&cli.FloatFlag{Name: "suggest", Value: d.Suggest, Usage: "least name `SCORE` (0-1) for a candidate pair on names alone"},
		&cli.FloatFlag{Name: "probable", Value: d.Probable, Usage: "least name `SCORE` that, with a shared birth date or phone, joins two parties"},
		&cli.FloatFlag{Name: "name-floor", Value: d.NameFloor, Usage: "least name `SCORE` at which a shared document or held account decides"},
	}
}

// resolveParams reads resolveFlags.
func resolveParams(c *cli.Command) (resolve.Params, error) {
	p := resolve.DefaultParams()
	p.Suggest, p.Probable, p.NameFloor = c.Float("suggest"), c.Float("probable"), c.Float("name-floor")
	for _, f := range []struct {
		name string
		v    float64
	}{{"suggest", p.Suggest}, {"probable", p.Probable}, {"name-floor", p.NameFloor}} {
		if f.v < 0 || f.v > 1 {
			return p, usageErr("--%s %g: give a score from 0 to 1", f.name, f.v)
		}
	}
	return p, nil
}

// resolveCase opens the case read-only and resolves its parties.
func resolveCase(ctx context.Context, c *cli.Command) (resolve.Result, []*resolve.Party, error) {
	p, err := resolveParams(c)
	if err != nil {
		return resolve.Result{}, nil, err
	}
	db, err := openCase(ctx, c, casedb.Options{ReadOnly: true})
	if err != nil {
		return resolve.Result{}, nil, err
	}
	defer db.Close()
	ps, err := resolve.LoadParties(ctx, db)
	if err != nil {
		return resolve.Result{}, nil, err
	}
	ds, err := resolve.LoadDecisions(ctx, db)
	if err != nil {
		return resolve.Result{}, nil, err
	}
	return resolve.Resolve(ps, ds, p), ps, nil
}

func partiesCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "parties",
		Usage: "list the parties and who is who: clusters of parties that are one person, candidate links, decisions",
		UsageText: `moneytrail parties [--joined] [--suggest S] [--probable S] [--name-floor S]
moneytrail parties links [--status suggested,probable,same,confirmed,rejected]
moneytrail parties confirm|reject|merge PARTY OTHER [--note TEXT] [--author NAME]
moneytrail parties split PARTY [--note TEXT] [--author NAME]
moneytrail parties decisions
moneytrail parties eval --truth identities-truth.json

Parties are resolved every time from the evidence the sources give (names as written, birth
dates, documents, phones, held accounts) and the decisions recorded so far, replayed in order.
A shared document or held account joins two parties; names with a shared birth date or phone
join them as probable; names alone are only suggested, until confirmed. Two records with
different birth dates are never joined without a decision.

Example:
   moneytrail parties --joined
   moneytrail parties links --status suggested
   moneytrail parties confirm "elektroprivreda bih" "elektroprivreda bih d d" --note "the same utility, two spellings" --author "J. Novak"`,
		Flags: append(resolveFlags(), &cli.BoolFlag{Name: "joined", Usage: "only the parties that resolution joins with others"}),
		Action: func(ctx context.Context, c *cli.Command) error {
			r, ps, err := resolveCase(ctx, c)
			if err != nil {
				return err
			}
			return resolve.PartiesTable(r, ps, c.Bool("joined")).Write(e.stdout, c.String("output"))
		},
		Commands: []*cli.Command{
			partiesLinksCommand(e),
			partiesDecideCommand(e, resolve.ActConfirm, "confirm that two parties are one person or company"),
			partiesDecideCommand(e, resolve.ActReject, "record that two parties are different, whatever the evidence suggests"),
			partiesDecideCommand(e, resolve.ActMerge, "join two parties that resolution did not pair"),
			partiesDecideCommand(e, resolve.ActSplit, "take a party out of its cluster: only later confirmations and merges join it"),
			partiesDecisionsCommand(e),
			partiesEvalCommand(e),
		},
	}
}
