package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/internal/table"
	"github.com/moneytrail/moneytrail/rules"
	"github.com/moneytrail/moneytrail/tracer/casetrace"
)

var runFlags = []cli.Flag{
	&cli.StringSliceFlag{Name: "param", Usage: "override a parameter: `RULE.NAME=VALUE` (repeatable; lists comma-separated or as a JSON array)"},
	&cli.StringSliceFlag{Name: "rule", Usage: "run only rule `ID` (repeatable; trace steps bring the rules they seed from)"},
	&cli.DurationFlag{Name: "rule-timeout", Value: 10 * time.Minute, Usage: "stop a rule that runs longer than `D` (it fails, the others go on)"},
}

// checkRunFlags refuses nonsense among runFlags before a case is opened.
func checkRunFlags(c *cli.Command) error {
	if d := c.Duration("rule-timeout"); d <= 0 {
		return usageErr("--rule-timeout %s: give a time above zero, such as 30s or 10m", d)
	}
	return nil
}

func runRules(ctx context.Context, c *cli.Command, e *env) (*rules.Result, error) {
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
	return rules.RunCase(ctx, caseOpener(c), packs, rules.Options{Params: params, ToolVersion: Version, StartedAt: time.Now().UTC(), Tracer: casetrace.Rules{},
		RuleTimeout: c.Duration("rule-timeout"), Progress: func(r string) { sp.describe("rule " + r) }})
}

func rulesRunCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "run",
		ArgsUsage: "[PACK...]",
		Usage:     "run rule packs over the case and store the findings under a reproducible run id",
		UsageText: `moneytrail rules run [--param RULE.NAME=VALUE]... [--rule ID]... [--out DIR] [PACK...]

PACK is a built-in pack's name (see moneytrail rules list) or a YAML file; without one, every
built-in pack runs. Findings are stored in the case under a run id derived from the run's
manifest (tool version, packs' SHA-256, parameters, sources' SHA-256, FX digest): the same
run over the same case gets the same id and replaces itself. --out DIR writes findings.csv
(rule_id,subject,amount,score,evidence), suspects.csv (the smuggling pack's ranked suspects:
rank,subject,score,amount,reasons,evidence, highest score first) and manifest.json. A rule that fails is reported
(exit code 4) without hiding the other rules' findings.

Example:
   moneytrail rules run --param collection_account.min_senders=4 \
       --param route_countries.countries=TR,LY,RS --out rules-out smuggling`,
		Flags: append([]cli.Flag{&cli.StringFlag{Name: "out", Usage: "write findings.csv, suspects.csv and manifest.json into `DIR`"}}, runFlags...),
		Action: func(ctx context.Context, c *cli.Command) error {
			if err := checkRunFlags(c); err != nil {
				return err
			}
			if err := checkOutDir("out", c.String("out")); err != nil {
				return err
			}
			res, runErr := runRules(ctx, c, e)
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
	if err := writeSuspects(filepath.Join(dir, "suspects.csv"), res.Findings); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "manifest.json"), res.ManifestJSON(), 0o644)
}

// writeSuspects writes the ranked suspects of a run (the smuggling pack's suspects rule) as
// rank,subject,score,amount,reasons,evidence, highest score first; only the header when the
// run has none.
func writeSuspects(path string, fs []rules.Finding) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write([]string{"rank", "subject", "score", "amount", "reasons", "evidence"})
	for i, s := range rules.Suspects(fs) {
		w.Write([]string{strconv.Itoa(i + 1), s.Subject, scoreText(s.Score), s.Amount, s.Detail, strings.Join(s.Evidence, " ")})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
