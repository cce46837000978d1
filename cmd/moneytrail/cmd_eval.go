package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/cmd/moneytrail/demo"
	"github.com/moneytrail/moneytrail/fixtures"
	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/internal/table"
	"github.com/moneytrail/moneytrail/rules"
)

func evalCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "eval",
		ArgsUsage: "[PACK...]",
		Usage:     "measure the rule packs: against labelled accounts, or over the generator's variants x seeds",
		UsageText: `moneytrail eval --truth FILE [--run RUN_ID | [--param RULE.NAME=VALUE]... [PACK...]]
moneytrail eval [--variant NAME]... [--seeds 1,2,3] [--pack FILE]

With --truth, scores a stored rules run (--run), or runs the packs over the case first (all
built-in packs when none are named), against a list of the accounts known to be involved:
FILE is a CSV whose first column holds account ids (a header line account_id or account is
skipped; other columns are ignored; rows whose second column is 0 or false are not
involved), or the truth.json of a generated case (its flagged accounts). Per rule and pack:
accounts implicated (subject, accounts of a party subject, both ends of the evidence), how
many are in the list, precision and recall.

Without --truth, generates each variant of the smuggling scenario for each seed, loads it
into a fresh case, runs the smuggling pack and prints per case: recall and precision of the
collectors, the rank of the best-ranked organizer among the suspects, and the precision of
every account the findings name (and how many honest look-alikes they name). Variants:
` + strings.Join(variantNames(), ", ") + `.

Examples:
   moneytrail eval --truth labelled-accounts.csv typologies
   moneytrail eval --seeds 1,2,3 --output csv > eval.csv
   moneytrail eval --variant bank --variant bank+lookalikes --seeds 1`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "truth", Usage: "score against the accounts listed in `FILE` (CSV or a generated truth.json)"},
			&cli.StringFlag{Name: "run", Usage: "with --truth: score the stored run `RUN_ID` instead of running the packs"},
			&cli.StringSliceFlag{Name: "variant", Usage: "run only variant `NAME` (repeatable)"},
			&cli.StringFlag{Name: "seeds", Value: "1,2,3", Usage: "generator `SEEDS`, comma-separated"},
			&cli.StringFlag{Name: "pack", Usage: "measure the smuggling pack in `FILE` instead of the built-in one"},
		}, runFlags...),
		Action: func(ctx context.Context, c *cli.Command) error {
			if c.String("truth") != "" {
				return evalTruth(ctx, c, e)
			}
			return evalMatrix(ctx, c, e)
		},
	}
}

func variantNames() []string {
	var out []string
	for _, v := range demo.Variants() {
		out = append(out, v.Name)
	}
	return out
}

// evalTruth scores a rules run against the accounts of --truth.
func evalTruth(ctx context.Context, c *cli.Command, e *env) error {
	accts, err := readTruthAccounts(c.String("truth"))
	if err != nil {
		return &exitError{code: exitInput, err: err}
	}
	runID, err := runOrGiven(ctx, c, e)
	if err != nil {
		return err
	}
	db, err := openCase(ctx, c, casedb.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := rules.EvalAccounts(ctx, db, runID, accts)
	if err != nil {
		return rulesErr(err)
	}
	t := &table.Table{Columns: []string{"pack", "rule_id", "findings", "acct_labelled", "acct_predicted", "acct_tp", "acct_precision", "acct_recall"}}
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	for _, r := range rows {
		p := ""
		if r.Accounts.Predicted > 0 {
			p = strconv.FormatFloat(r.Accounts.Precision(), 'f', 4, 64)
		}
		t.Rows = append(t.Rows, cells(r.Pack, r.Rule, n(r.Findings), n(r.Accounts.Labelled), n(r.Accounts.Predicted), n(r.Accounts.TruePositives),
			p, strconv.FormatFloat(r.Accounts.Recall(), 'f', 4, 64)))
	}
	if err := t.Write(e.stdout, c.String("output")); err != nil {
		return err
	}
	if c.String("output") == "table" {
		fmt.Fprintf(e.stdout, "run %s against the %d accounts of %s; rule_id * is the whole pack\n", runID, len(accts), c.String("truth"))
	}
	return nil
}

// readTruthAccounts reads the involved accounts of a CSV list or a generated truth.json.
func readTruthAccounts(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' {
		var truth fixtures.Truth
		if err := json.Unmarshal(t, &truth); err != nil {
			return nil, fmt.Errorf("%s: not a truth.json: %w", path, err)
		}
		return truth.FlaggedAccounts, nil
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	var out []string
	for line := 1; ; line++ {
		rec, err := r.Read()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		id := strings.TrimSpace(rec[0])
		if line == 1 && (strings.EqualFold(id, "account_id") || strings.EqualFold(id, "account")) {
			continue
		}
		if id == "" {
			return nil, fmt.Errorf("%s: line %d: empty account id", path, line)
		}
		if len(rec) > 1 {
			if v := strings.ToLower(strings.TrimSpace(rec[1])); v == "0" || v == "false" {
				continue
			}
		}
		out = append(out, id)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// evalMatrix runs the smuggling pack over the generator's variants x seeds.
func evalMatrix(ctx context.Context, c *cli.Command, e *env) error {
	o := demo.MatrixOptions{}
	for _, s := range strings.Split(c.String("seeds"), ",") {
		v, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
		if err != nil || v == 0 {
			return usageErr("--seeds %q: give positive integers, comma-separated", c.String("seeds"))
		}
		o.Seeds = append(o.Seeds, v)
	}
	if names := c.StringSlice("variant"); len(names) > 0 {
		for _, n := range names {
			i := slices.IndexFunc(demo.Variants(), func(v demo.Variant) bool { return v.Name == n })
			if i < 0 {
				return usageErr("--variant %q: use one of %s", n, strings.Join(variantNames(), ", "))
			}
			o.Variants = append(o.Variants, demo.Variants()[i])
		}
	}
	if p := c.String("pack"); p != "" {
		pk, err := rules.Load(p)
		if err != nil {
			return rulesErr(err)
		}
		o.Pack = pk
	}
	sp := startSpinner(e.stderr, "generating and measuring")
	o.Progress = func(r demo.MatrixRow) { sp.describe(fmt.Sprintf("%s seed %d done", r.Variant, r.Seed)) }
	rows, err := demo.Matrix(ctx, o)
	sp.stop()
	if err != nil {
		return err
	}
	t := &table.Table{Columns: []string{"variant", "seed", "collector_recall", "collector_precision", "organizer_rank",
		"flagged_accounts", "flagged_true", "flagged_precision", "lookalikes_flagged"}}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	for _, r := range rows {
		rank := strconv.Itoa(r.OrganizerRank)
		if r.OrganizerRank == 0 {
			rank = "-"
		}
		t.Rows = append(t.Rows, cells(r.Variant, strconv.FormatUint(r.Seed, 10), f(r.CollectorRecall), f(r.CollectorPrecision), rank,
			strconv.Itoa(r.Flagged), strconv.Itoa(r.FlaggedTrue), f(r.FlaggedPrecision()), strconv.Itoa(r.LookAlikesFlagged)))
	}
	if err := t.Write(e.stdout, c.String("output")); err != nil {
		return err
	}
	if c.String("output") == "table" {
		fmt.Fprintln(e.stdout, "targets: collector_recall >= 0.9, flagged_precision >= 0.6, organizer_rank 1-3 (issue 20)")
	}
	return nil
}
