package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/rules"
)

func rulesCheckCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "check",
		ArgsUsage: "PACK...",
		Usage:     "validate packs without running them: schema, unique ids, parameter types, every query prepares",
		UsageText: `moneytrail rules check PACK...

Example:
   moneytrail rules check smuggling typologies`,
		Action: func(ctx context.Context, c *cli.Command) error {
			if c.NArg() == 0 {
				return usageErr("rules check: name at least one PACK (a built-in pack or a YAML file)")
			}
			var errs []error
			for _, n := range c.Args().Slice() {
				p, err := rules.Load(n)
				if err == nil {
					err = rules.Check(ctx, p)
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
