package main

import (
	"context"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/resolve"
)

func partiesLinksCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "links",
		Usage: "list candidate links between parties with their score, status and reasons",
		UsageText: `moneytrail parties links [--status STATUS,...]

Statuses: same (a shared document or held account), probable (names with a shared birth date
or phone), suggested (names alone, or a conflict to look at), confirmed, rejected.

Example:
   moneytrail --output csv parties links --status suggested > to-decide.csv`,
		Flags: append(resolveFlags(), &cli.StringFlag{Name: "status", Usage: "only links of these comma-separated `STATUSES`"}),
		Action: func(ctx context.Context, c *cli.Command) error {
			var statuses []string
			for _, s := range strings.Split(c.String("status"), ",") {
				switch s = strings.TrimSpace(s); s {
				case "":
				case resolve.Same, resolve.Probable, resolve.Suggested, resolve.Confirmed, resolve.Rejected:
					statuses = append(statuses, s)
				default:
					return usageErr("--status %q: use same, probable, suggested, confirmed or rejected", s)
				}
			}
			r, _, err := resolveCase(ctx, c)
			if err != nil {
				return err
			}
			return resolve.LinksTable(r, statuses...).Write(e.stdout, c.String("output"))
		},
	}
}
