package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/cmd/moneytrail/bench"
	"github.com/moneytrail/moneytrail/rules"
)

func rulesCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "rules",
		Usage: "run, list, check and evaluate rule packs",
		UsageText: `moneytrail rules run|list|check|eval|income ...

Example:
   moneytrail rules list smuggling`,
		Commands: []*cli.Command{
			rulesRunCommand(e),
			rulesListCommand(e),
			rulesCheckCommand(e),
			rulesEvalCommand(e),
			rulesIncomeCommand(e),
			{
				Name:      "bench-step",
				ArgsUsage: "RULE DB",
				Hidden:    true,
				Action: func(ctx context.Context, c *cli.Command) error {
					if c.NArg() != 2 {
						return usageErr("rules bench-step RULE DB")
					}
					return bench.RunRulesStep(ctx, e.stdout, c.Args().Get(0), c.Args().Get(1))
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
