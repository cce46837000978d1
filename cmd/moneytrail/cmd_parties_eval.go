package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/internal/table"
	"github.com/moneytrail/moneytrail/resolve"
)

func partiesEvalCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "eval",
		Usage: "score entity resolution against a truth of who is who: pairwise precision and recall",
		UsageText: `moneytrail parties eval --truth FILE [--suggest S] [--probable S] [--name-floor S]

FILE is a truth in the form "moneytrail generate --scenario identities" writes
(identities-truth.json: "mentions", each file, line, side and person). Two mentions are
predicted one person when their parties are in one cluster; precision is the share of such
pairs that are one person, recall the share of one person's pairs so joined. The same
figures follow with every suggestion confirmed.

Example:
   moneytrail generate --scenario identities --seed 1 --out people
   moneytrail ingest --format mto --profile mto-generic people/identities-*.csv
   moneytrail parties eval --truth people/identities-truth.json`,
		Flags: append(resolveFlags(), &cli.StringFlag{Name: "truth", Required: true, Usage: "truth `FILE` (identities-truth.json)"}),
		Action: func(ctx context.Context, c *cli.Command) error {
			p, err := resolveParams(c)
			if err != nil {
				return err
			}
			data, err := os.ReadFile(c.String("truth"))
			if err != nil {
				return fmt.Errorf("%w: %v", casedb.ErrInput, err)
			}
			var truth struct {
				Mentions []resolve.Mention `json:"mentions"`
			}
			if err := json.Unmarshal(data, &truth); err != nil || len(truth.Mentions) == 0 {
				return fmt.Errorf("%w: %s: not a truth with mentions (%v)", casedb.ErrInput, c.String("truth"), err)
			}
			db, err := openCase(ctx, c, casedb.Options{ReadOnly: true})
			if err != nil {
				return err
			}
			defer db.Close()
			ev, err := resolve.Evaluate(ctx, db, truth.Mentions, p)
			if err != nil {
				return err
			}
			t := &table.Table{Columns: []string{"measure", "value"}}
			add := func(k, v string) { t.Rows = append(t.Rows, []*string{&k, &v}) }
			f := func(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }
			add("mentions", strconv.Itoa(ev.Mentions))
			add("mentions_without_party", strconv.Itoa(ev.Unmapped))
			add("persons", strconv.Itoa(ev.Persons))
			add("parties", strconv.Itoa(ev.Parties))
			add("clusters", strconv.Itoa(ev.Clusters))
			add("pairs_joined_rightly", strconv.FormatInt(ev.TruePairs, 10))
			add("pairs_joined_wrongly", strconv.FormatInt(ev.FalsePairs, 10))
			add("pairs_missed", strconv.FormatInt(ev.MissedPairs, 10))
			add("precision", f(ev.Precision))
			add("recall", f(ev.Recall))
			add("precision_with_suggestions", f(ev.WithSuggestions.Precision))
			add("recall_with_suggestions", f(ev.WithSuggestions.Recall))
			for _, m := range ev.Mixed {
				add("mixed_cluster", m)
			}
			for _, s := range ev.Split {
				add("split_person", s)
			}
			return t.Write(e.stdout, c.String("output"))
		},
	}
}
