package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/fixtures"
	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/internal/table"
	"github.com/moneytrail/moneytrail/rules"
)

func rulesEvalCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "eval",
		ArgsUsage: "[PACK...]",
		Usage:     "precision and recall of each rule and pack against the case's labels",
		UsageText: `moneytrail rules eval --labels [--patterns FILE] [--run RUN_ID | [--param RULE.NAME=VALUE]... [PACK...]]

Scores a stored rules run (--run), or runs the packs first (all built-in packs when none are
named), against the labels table: transaction labels (AMLworld is_laundering, AMLSim is_sar)
against the findings' evidence, account labels (AMLSim is_fraud, is_sar) against the
accounts each finding implicates (its subject and both ends of its evidence, exits left out).
With --patterns (the NAME.patterns.json of generate --scenario typologies), each rule of the
typologies pack is also scored against the planted patterns of its own typology: a finding
detects a pattern when its subject is one of the pattern's accounts and its evidence holds
one of the pattern's transactions; precision is findings detecting a pattern of the rule's
typology over findings, recall the share of those patterns detected.

Examples:
   moneytrail rules eval --labels --param cycle.window=60d typologies
   moneytrail rules eval --labels --patterns typ.patterns.json typologies`,
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "labels", Usage: "score against the case's labels table (the only source of truth so far)"},
			&cli.StringFlag{Name: "run", Usage: "score the stored run `RUN_ID` instead of running the packs"},
			&cli.StringFlag{Name: "patterns", Usage: "also score the typologies rules against the planted patterns in `FILE` (generate --scenario typologies)"},
		}, runFlags...),
		Action: func(ctx context.Context, c *cli.Command) error {
			if err := checkRunFlags(c); err != nil {
				return err
			}
			if !c.Bool("labels") {
				return usageErr("rules eval: say --labels (the case's labels table is the ground truth)")
			}
			var truth *fixtures.TypologyTruth
			if p := c.String("patterns"); p != "" {
				t, err := fixtures.ReadTypologyTruth(p)
				if err != nil {
					return &exitError{code: exitInput, err: err}
				}
				truth = t
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
			rows, err := rules.Eval(ctx, db, runID)
			if err != nil {
				return rulesErr(err)
			}
			if err := printEval(e, c.String("output"), runID, rows); err != nil || truth == nil {
				return err
			}
			return printTypologyEval(ctx, c, e, db, runID, truth)
		},
	}
}

func printEval(e *env, format, runID string, rows []rules.EvalRow) error {
	t := &table.Table{Columns: []string{"pack", "rule_id", "findings", "txn_labelled", "txn_predicted", "txn_tp", "txn_precision", "txn_recall",
		"acct_labelled", "acct_predicted", "acct_tp", "acct_precision", "acct_recall"}}
	pr := func(s rules.Score) (string, string) {
		p, r := "", ""
		if s.Labelled > 0 {
			r = strconv.FormatFloat(s.Recall(), 'f', 4, 64)
			if s.Predicted > 0 {
				p = strconv.FormatFloat(s.Precision(), 'f', 4, 64)
			}
		}
		return p, r
	}
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	for _, r := range rows {
		tp, tr := pr(r.Txns)
		ap, ar := pr(r.Accounts)
		t.Rows = append(t.Rows, cells(r.Pack, r.Rule, n(r.Findings), n(r.Txns.Labelled), n(r.Txns.Predicted), n(r.Txns.TruePositives), tp, tr,
			n(r.Accounts.Labelled), n(r.Accounts.Predicted), n(r.Accounts.TruePositives), ap, ar))
	}
	if err := t.Write(e.stdout, format); err != nil {
		return err
	}
	if format == "table" {
		fmt.Fprintf(e.stdout, "run %s; rule_id * is the whole pack; precision and recall are empty where the case has no labels of that kind\n", runID)
	}
	return nil
}

// printTypologyEval scores the run's findings against the planted patterns of --patterns.
func printTypologyEval(ctx context.Context, c *cli.Command, e *env, db *casedb.DB, runID string, truth *fixtures.TypologyTruth) error {
	found, err := rules.Findings(ctx, db, runID)
	if err != nil {
		return rulesErr(err)
	}
	var fs []fixtures.TypologyFinding
	for _, f := range found {
		fs = append(fs, fixtures.TypologyFinding{Rule: f.RuleID, Subject: f.Subject, Evidence: f.Evidence})
	}
	t := &table.Table{Columns: []string{"rule_id", "findings", "hits", "other_hits", "planted", "detected", "precision", "recall"}}
	n := strconv.Itoa
	for _, s := range truth.Score(fs) {
		t.Rows = append(t.Rows, cells(s.Rule, n(s.Findings), n(s.Hits), n(s.OtherHits), n(s.Planted), n(s.Detected),
			strconv.FormatFloat(s.Precision(), 'f', 4, 64), strconv.FormatFloat(s.Recall(), 'f', 4, 64)))
	}
	if c.String("output") == "table" {
		fmt.Fprintln(e.stdout)
	}
	if err := t.Write(e.stdout, c.String("output")); err != nil {
		return err
	}
	if c.String("output") == "table" {
		fmt.Fprintf(e.stdout, "against the %d planted patterns of %s; other_hits: findings on a pattern of another typology\n", len(truth.Patterns), c.String("patterns"))
	}
	return nil
}

// runOrGiven is the rules run to score: --run, or a run of the packs named, made now (its
// findings stored like rules run's; a rule that failed is reported and the rest scored).
func runOrGiven(ctx context.Context, c *cli.Command, e *env) (string, error) {
	if id := c.String("run"); id != "" {
		return id, nil
	}
	res, err := runRules(ctx, c, e)
	if res == nil {
		return "", rulesErr(err)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "moneytrail: %v\n", err)
	}
	return res.RunID, nil
}
