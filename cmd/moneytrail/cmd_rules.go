package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/moneytrail/moneytrail/fixtures"
	"github.com/moneytrail/moneytrail/internal/bench"
	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/internal/table"
	"github.com/moneytrail/moneytrail/rules"
)

func rulesCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "rules",
		Usage: "run, list, check and evaluate rule packs",
		Subcommands: []*cli.Command{
			rulesRunCommand(e),
			rulesListCommand(e),
			rulesCheckCommand(e),
			rulesEvalCommand(e),
			rulesIncomeCommand(e),
			{
				Name:   "bench-step",
				Hidden: true,
				Action: func(c *cli.Context) error {
					if c.NArg() != 2 {
						return usageErr("rules bench-step RULE DB")
					}
					return bench.RunRulesStep(c.Context, e.stdout, c.Args().Get(0), c.Args().Get(1))
				},
			},
		},
	}
}

// rulesErr gives pack and parameter errors their exit codes: a bad --param is a usage
// error, a pack that does not load or validate an input error.
func rulesErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, rules.ErrParam):
		return &exitError{code: exitUsage, err: err}
	case errors.Is(err, rules.ErrPack), errors.Is(err, rules.ErrNoRun):
		return &exitError{code: exitInput, err: err}
	}
	return err
}

// loadPacks loads the packs named on the command line (all built-in packs when none), keeping
// only the --rule rules (and the rules their trace steps need) when any are given.
func loadPacks(names, only []string) ([]*rules.Pack, error) {
	if len(names) == 0 {
		names = rules.Builtins()
	}
	var packs []*rules.Pack
	used := map[string]bool{}
	for _, n := range names {
		p, err := rules.Load(n)
		if err != nil {
			return nil, err
		}
		if len(only) > 0 {
			var ids []string
			for _, id := range only {
				if p.Rule(id) != nil {
					ids = append(ids, id)
					used[id] = true
				}
			}
			if len(ids) == 0 {
				continue
			}
			if p, err = p.Subset(ids...); err != nil {
				return nil, err
			}
		}
		packs = append(packs, p)
	}
	for _, id := range only {
		if !used[id] {
			return nil, fmt.Errorf("%w: --rule %s is in none of the packs %s", rules.ErrPack, id, strings.Join(names, ", "))
		}
	}
	return packs, nil
}

var runFlags = []cli.Flag{
	&cli.StringSliceFlag{Name: "param", Usage: "override a parameter: `RULE.NAME=VALUE` (repeatable; lists comma-separated or as a JSON array)"},
	&cli.StringSliceFlag{Name: "rule", Usage: "run only rule `ID` (repeatable; trace steps bring the rules they seed from)"},
	&cli.DurationFlag{Name: "rule-timeout", Value: 10 * time.Minute, Usage: "stop a rule that runs longer than `D` (it fails, the others go on)"},
}

func runRules(c *cli.Context, e *env, db *casedb.DB) (*rules.Result, error) {
	packs, err := loadPacks(c.Args().Slice(), c.StringSlice("rule"))
	if err != nil {
		return nil, err
	}
	params, err := rules.ParseOverrides(c.StringSlice("param"))
	if err != nil {
		return nil, err
	}
	sp := startSpinner(e.stderr, "running rules")
	defer sp.stop()
	return rules.Run(c.Context, db, packs, rules.Options{Params: params, ToolVersion: Version, StartedAt: time.Now().UTC(),
		RuleTimeout: c.Duration("rule-timeout"), Progress: func(r string) { sp.describe("rule " + r) }})
}

func rulesRunCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "run",
		Usage: "run rule packs over the case and store the findings under a reproducible run id",
		UsageText: `moneytrail rules run [--param RULE.NAME=VALUE]... [--rule ID]... [--out DIR] [PACK...]

PACK is a built-in pack's name (see moneytrail rules list) or a YAML file; without one, every
built-in pack runs. Findings are stored in the case under a run id derived from the run's
manifest (tool version, packs' SHA-256, parameters, sources' SHA-256, FX digest): the same
run over the same case gets the same id and replaces itself. --out DIR writes findings.csv
(rule_id,subject,amount,score,evidence) and manifest.json. A rule that fails is reported
(exit code 4) without hiding the other rules' findings.

Example:
   moneytrail rules run --param collection_account.min_senders=4 \
       --param route_countries.countries=TR,LY,RS --out rules-out smuggling`,
		Flags: append([]cli.Flag{&cli.StringFlag{Name: "out", Usage: "write findings.csv and manifest.json into `DIR`"}}, runFlags...),
		Action: func(c *cli.Context) error {
			db, err := openCase(c, casedb.Options{})
			if err != nil {
				return err
			}
			defer db.Close()
			res, runErr := runRules(c, e, db)
			if res == nil {
				return rulesErr(runErr)
			}
			if dir := c.String("out"); dir != "" {
				if err := writeRunDir(dir, res); err != nil {
					return err
				}
			}
			if err := printFindings(e, c.String("output"), res); err != nil {
				return err
			}
			return rulesErr(runErr)
		},
	}
}

func printFindings(e *env, format string, res *rules.Result) error {
	t := &table.Table{Columns: []string{"rule_id", "subject", "amount", "score", "evidence", "detail"}}
	for _, f := range res.Findings {
		ev := strings.Join(f.Evidence, " ")
		if format == "table" && len(f.Evidence) > 4 {
			ev = strings.Join(f.Evidence[:4], " ") + fmt.Sprintf(" ... (%d)", len(f.Evidence))
		}
		t.Rows = append(t.Rows, cells(f.RuleID, f.Subject, f.Amount, scoreText(f.Score), ev, f.Detail))
	}
	if err := t.Write(e.stdout, format); err != nil {
		return err
	}
	if format == "table" {
		fmt.Fprintf(e.stdout, "run %s: %d finding(s) from %d pack(s)\n", res.RunID, len(res.Findings), len(res.Manifest.Packs))
		for _, n := range res.Notes {
			fmt.Fprintf(e.stdout, "note: %s\n", n)
		}
	}
	return nil
}

func scoreText(s *float64) string {
	if s == nil {
		return ""
	}
	return strconv.FormatFloat(*s, 'f', -1, 64)
}

// writeRunDir writes findings.csv and manifest.json of a run.
func writeRunDir(dir string, res *rules.Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "findings.csv"))
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write([]string{"rule_id", "subject", "amount", "score", "evidence"})
	for _, fd := range res.Findings {
		w.Write([]string{fd.RuleID, fd.Subject, fd.Amount, scoreText(fd.Score), strings.Join(fd.Evidence, " ")})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "manifest.json"), res.ManifestJSON(), 0o644)
}

func rulesListCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "list",
		Usage: "show the built-in packs (or the packs named) and their rules with their rationale",
		UsageText: `moneytrail rules list [PACK...]

Example:
   moneytrail rules list smuggling`,
		Action: func(c *cli.Context) error {
			packs, err := loadPacks(c.Args().Slice(), nil)
			if err != nil {
				return rulesErr(err)
			}
			if format := c.String("output"); format != "table" {
				t := &table.Table{Columns: []string{"pack", "version", "rule_id", "severity", "kind", "title", "params", "rationale"}}
				for _, p := range packs {
					for _, r := range p.Rules {
						t.Rows = append(t.Rows, cells(p.Name, p.Version, r.ID, r.Severity, ruleKind(r), r.Title, paramText(r), strings.TrimSpace(r.Rationale)))
					}
				}
				return t.Write(e.stdout, format)
			}
			for _, p := range packs {
				fmt.Fprintf(e.stdout, "%s %s (%s)\n  %s\n\n", p.Name, p.Version, p.Origin, strings.TrimSpace(p.Description))
				for _, r := range p.Rules {
					fmt.Fprintf(e.stdout, "  %s  [%s, %s]  %s\n", r.ID, r.Severity, ruleKind(r), r.Title)
					fmt.Fprintf(e.stdout, "      %s\n", strings.TrimSpace(r.Rationale))
					if ps := paramText(r); ps != "" {
						fmt.Fprintf(e.stdout, "      params: %s\n", ps)
					}
					fmt.Fprintln(e.stdout)
				}
			}
			return nil
		},
	}
}

func ruleKind(r *rules.Rule) string {
	if r.Trace != nil {
		return "trace " + r.Trace.Method + " from " + strings.Join(r.Trace.Seeds, ",")
	}
	return "sql"
}

func paramText(r *rules.Rule) string {
	var parts []string
	for _, name := range r.ParamNames() {
		p := r.Params[name]
		parts = append(parts, fmt.Sprintf("%s (%s) = %s", name, p.Type, p.DefaultValue().Raw()))
	}
	return strings.Join(parts, "; ")
}

func rulesCheckCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "check",
		Usage: "validate packs without running them: schema, unique ids, parameter types, every query prepares",
		UsageText: `moneytrail rules check PACK...

Example:
   moneytrail rules check my-pack.yaml`,
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usageErr("rules check: name at least one PACK (a built-in pack or a YAML file)")
			}
			var errs []error
			for _, n := range c.Args().Slice() {
				p, err := rules.Load(n)
				if err == nil {
					err = rules.Check(c.Context, p)
				}
				if err != nil {
					errs = append(errs, err)
					continue
				}
				fmt.Fprintf(e.stdout, "%s %s: %d rules OK (SHA-256 %s)\n", p.Name, p.Version, len(p.Rules), p.SHA256)
			}
			return rulesErr(errors.Join(errs...))
		},
	}
}

func rulesEvalCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "eval",
		Usage: "precision and recall of each rule and pack against the case's labels",
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
		Action: func(c *cli.Context) error {
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
			db, err := openCase(c, casedb.Options{})
			if err != nil {
				return err
			}
			defer db.Close()
			runID := c.String("run")
			if runID == "" {
				res, err := runRules(c, e, db)
				if res == nil {
					return rulesErr(err)
				}
				if err != nil {
					fmt.Fprintf(e.stderr, "moneytrail: %v\n", err)
				}
				runID = res.RunID
			}
			rows, err := rules.Eval(c.Context, db, runID)
			if err != nil {
				return rulesErr(err)
			}
			if err := printEval(e, c.String("output"), runID, rows); err != nil || truth == nil {
				return err
			}
			return printTypologyEval(c, e, db, runID, truth)
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
func printTypologyEval(c *cli.Context, e *env, db *casedb.DB, runID string, truth *fixtures.TypologyTruth) error {
	found, err := rules.Findings(c.Context, db, runID)
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

func rulesIncomeCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "income",
		Usage: "load declared income (party_id,year,amount,currency[,source]) for the wealth pack",
		UsageText: `moneytrail rules income FILE

Loading a file again replaces the rows it loaded before.

Example:
   moneytrail rules income declared-income.csv && moneytrail rules run wealth`,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageErr("rules income: name one CSV FILE")
			}
			db, err := openCase(c, casedb.Options{})
			if err != nil {
				return err
			}
			defer db.Close()
			n, err := rules.LoadDeclaredIncome(c.Context, db, c.Args().First())
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s: %d declared income row(s) stored\n", c.Args().First(), n)
			return nil
		},
	}
}

// benchRulesCommand is `moneytrail bench rules`.
