package main

import (
	"context"
	"fmt"
	"os"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/resolve"
)

func screenCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "screen",
		Usage: "match the case's parties against a sanctions or watch list file, offline",
		UsageText: `moneytrail screen --list FILE [--list FILE...] [--suggest S] [--probable S] [--name-floor S]

A list is OpenSanctions' targets.simple.csv, FollowTheMoney entities (entities.ftm.json, one
JSON entity a line), or any CSV with a name (or full_name) column and optionally birth_date
(or dob), aliases, identifiers and country. The file is read from disk: nothing is fetched.
Each hit comes with the same matcher and reasons as "moneytrail parties links": a shared
document number decides (same), names with a birth date or phone are probable, names alone
only suggest; a listed birth date that contradicts the party's rules the entry out.

Example (a list of names; an OpenSanctions targets.simple.csv or entities.ftm.json export is read the same way):
   printf 'name\nHrvoje Matić\nLuka Horvat\n' > targets.csv && moneytrail screen --list targets.csv
   moneytrail --output csv screen --list targets.csv > hits.csv`,
		Flags: append(resolveFlags(), &cli.StringSliceFlag{Name: "list", Usage: "screening list `FILE`", Required: true}),
		Action: func(ctx context.Context, c *cli.Command) error {
			p, err := resolveParams(c)
			if err != nil {
				return err
			}
			var entries []resolve.Entry
			for _, path := range c.StringSlice("list") {
				data, err := os.ReadFile(path)
				if err != nil {
					return fmt.Errorf("%w: %v", casedb.ErrInput, err)
				}
				format, es, errs, err := resolve.ReadList(path, data)
				if err != nil {
					return fmt.Errorf("%w: %v", casedb.ErrInput, err)
				}
				fmt.Fprintf(e.stderr, "%s: %s, %d entries, %d lines not read\n", path, format, len(es), len(errs))
				for i, le := range errs {
					if i == 5 {
						fmt.Fprintf(e.stderr, "  ... and %d more\n", len(errs)-5)
						break
					}
					fmt.Fprintf(e.stderr, "  %s: %v\n", path, le)
				}
				entries = append(entries, es...)
			}
			db, err := openCase(ctx, c, casedb.Options{ReadOnly: true})
			if err != nil {
				return err
			}
			defer db.Close()
			ps, err := resolve.LoadParties(ctx, db)
			if err != nil {
				return err
			}
			return resolve.HitsTable(resolve.Screen(ps, entries, p)).Write(e.stdout, c.String("output"))
		},
	}
}
