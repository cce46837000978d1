package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/internal/table"
	"github.com/moneytrail/moneytrail/rules"
)

func rulesListCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "list",
		ArgsUsage: "[PACK...]",
		Usage:     "show the built-in packs (or the packs named) and their rules with their rationale",
		UsageText: `moneytrail rules list [PACK...]

Example:
   moneytrail rules list smuggling`,
		Action: func(ctx context.Context, c *cli.Command) error {
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
