package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/fixtures"
)

// generateIdentities writes the identities scenario: operators' files naming people in
// variants, and who is who.
func generateIdentities(e *env, c *cli.Command) error {
	if c.Int("persons") < 2 {
		return usageErr("generate: --persons %d: give at least 2", c.Int("persons"))
	}
	dir := c.String("out")
	t, err := fixtures.GenerateIdentities(dir, fixtures.IdentityOptions{Seed: c.Uint64("seed"), Persons: c.Int("persons")})
	if err != nil {
		return err
	}
	var files []string
	for _, f := range t.Files {
		files = append(files, filepath.Join(dir, f))
	}
	fmt.Fprintf(e.stdout, "wrote %s: %d people in %d mentions across %d operator files\n", dir, len(t.Persons), len(t.Mentions), len(t.Files))
	fmt.Fprintf(e.stdout, "load: moneytrail ingest --format mto --profile mto-generic %s\n", strings.Join(files, " "))
	fmt.Fprintf(e.stdout, "then: moneytrail parties eval --truth %s\n", filepath.Join(dir, "identities-truth.json"))
	return nil
}
