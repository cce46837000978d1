package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/urfave/cli/v3"
	"golang.org/x/text/currency"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/tracer"
)

func initCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "init",
		Usage:     "create an empty case database",
		UsageText: "moneytrail --db case.duckdb init [--base-currency EUR] [--method libr]",
		Description: `Creates the case database file with the canonical schema. Amounts in other currencies get
a base-currency amount from the rates loaded with 'ingest --format ecb-rates'. --method sets
the tracing method of a trace that names none (libr when not set).

Example:
   moneytrail --db smuggling-2026.duckdb init --base-currency EUR`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "base-currency", Value: "EUR", Usage: "the case's base `CURRENCY` (ISO 4217)"},
			&cli.StringFlag{Name: "method", Usage: "the case's default tracing `METHOD` (default libr)"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			base, err := isoCurrency(c.String("base-currency"))
			if err != nil {
				return err
			}
			if m := c.String("method"); m != "" {
				if _, err := tracer.ParseMethods(m); err != nil {
					return usageErr("--method: %v", err)
				}
			}
			db, err := openCase(ctx, c, casedb.Options{Create: true, BaseCurrency: base, DefaultMethod: c.String("method")})
			if err != nil {
				return err
			}
			defer db.Close()
			method, err := defaultMethods(ctx, db)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "created case %s (schema %d, base currency %s, default tracing method %s)\n", db.Path, casedb.SchemaVersion, base, methodList(method))
			return nil
		},
	}
}

// isoCurrency checks a currency code given on the command line against ISO 4217.
func isoCurrency(s string) (string, error) {
	code := strings.ToUpper(strings.TrimSpace(s))
	u, err := currency.ParseISO(code)
	if err != nil || len(code) != 3 || code == "XXX" || code == "XTS" { // "no currency" and the testing code
		return "", &exitError{code: exitUsage, err: fmt.Errorf("--base-currency %q is not an ISO 4217 currency code", s),
			next: "give three letters such as EUR, USD or CHF"}
	}
	return u.String(), nil
}

func methodList(ms []tracer.Method) string {
	var s []string
	for _, m := range ms {
		s = append(s, m.String())
	}
	return strings.Join(s, ",")
}
