package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/fixtures"
)

func generateCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "generate",
		Usage: "write a synthetic case (fixtures) with known ground truth",
		UsageText: `moneytrail generate --scenario smuggling --seed N --scale small|medium|large --out DIR
      [--channel mto|bank|cash|mixed] [--months N] [--amounts round|odd] [--seized SHARE] [--lookalikes N]
moneytrail generate --scenario amlworld --rows N --out FILE [--seed N]
moneytrail generate --scenario typologies --rows N --out FILE [--seed N] [--patterns N]
moneytrail generate --scenario identities --out DIR [--seed N] [--persons N]

The typologies scenario writes an AMLworld-shaped CSV with laundering patterns of every
typology of the typologies pack planted in a hard honest background and labelled Is
Laundering = 1, and its ground truth (each pattern's typology, accounts and CSV lines) next
to it as NAME.patterns.json.

Examples:
   moneytrail generate --scenario smuggling --seed 1 --scale small --out case-files
   moneytrail generate --scenario amlworld --rows 100000 --out aml.csv
   moneytrail generate --scenario typologies --rows 100000 --seed 3 --out typ.csv
   moneytrail generate --scenario identities --seed 1 --out people   # then: moneytrail parties eval`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "scenario", Value: "amlworld", Usage: "`SCENARIO`: smuggling, amlworld, typologies or identities"},
			&cli.IntFlag{Name: "rows", Value: 10000, Usage: "rows to generate (amlworld, typologies)"},
			&cli.IntFlag{Name: "patterns", Usage: "patterns planted of each typology (typologies; default max(6, rows/25000))"},
			&cli.IntFlag{Name: "persons", Value: 80, Usage: "people named in the operators' files (identities)"},
			&cli.StringFlag{Name: "scale", Value: fixtures.ScaleSmall, Usage: "`SCALE` of the smuggling case: small, medium or large"},
			&cli.StringFlag{Name: "out", Required: true, Usage: "output `FILE` (amlworld, typologies) or directory (smuggling)"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "generator seed: the same seed gives the same bytes"},
			&cli.StringFlag{Name: "channel", Value: fixtures.ChannelMTO, Usage: "smuggling: how the fees reach the collectors, `CHANNEL`: mto, bank, cash or mixed"},
			&cli.IntFlag{Name: "months", Usage: "smuggling: period length in `MONTHS` (default the scale's: 3, 12, 24)"},
			&cli.StringFlag{Name: "amounts", Value: fixtures.AmountsRound, Usage: "smuggling: fees in round or odd amounts (`STYLE`)"},
			&cli.Float64Flag{Name: "seized", Value: 1, Usage: "smuggling: `SHARE` of the network's bank accounts whose statements are in the case"},
			&cli.IntFlag{Name: "lookalikes", Usage: "smuggling: `N` honest look-alikes of each kind (landlord, shop, charity, student, family hub, travel agency)"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			if c.Int("rows") <= 0 {
				return usageErr("--rows %d: give a number of rows above 0", c.Int("rows"))
			}
			if c.Int("patterns") < 0 {
				return usageErr("--patterns %d: give a number of patterns of 0 (the default) or more", c.Int("patterns"))
			}
			scenarios := []string{"smuggling", "amlworld", "typologies", "identities"}
			switch s := c.String("scenario"); s {
			case "smuggling":
				if err := checkOutDir("out", c.String("out")); err != nil {
					return err
				}
				return generateSmuggling(e, c)
			case "amlworld", "typologies":
				if err := checkOutFile("out", c.String("out")); err != nil {
					return err
				}
				if s == "amlworld" {
					return generateAMLWorld(e, c)
				}
				return generateTypologies(e, c)
			case "identities":
				if err := checkOutDir("out", c.String("out")); err != nil {
					return err
				}
				return generateIdentities(e, c)
			}
			return usageErr("--scenario %q is not a scenario%s (smuggling, amlworld, typologies, identities)", c.String("scenario"), suggest(c.String("scenario"), scenarios))
		},
	}
}

func generateSmuggling(e *env, c *cli.Command) error {
	switch c.String("scale") {
	case fixtures.ScaleSmall, fixtures.ScaleMedium, fixtures.ScaleLarge:
	default:
		return usageErr("--scale %q is not a scale%s (small, medium, large)", c.String("scale"),
			suggest(c.String("scale"), []string{fixtures.ScaleSmall, fixtures.ScaleMedium, fixtures.ScaleLarge}))
	}
	dir := c.String("out")
	o := fixtures.SmugglingOptions{Seed: c.Uint64("seed"), Scale: c.String("scale"),
		Channel: c.String("channel"), Months: int(c.Int("months")), Amounts: c.String("amounts"), Seized: c.Float64("seized"), LookAlikes: int(c.Int("lookalikes"))}
	if err := o.Validate(); err != nil {
		return usageErr("generate: %v", err)
	}
	t, err := fixtures.GenerateSmuggling(dir, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s: %d files (%d statements, %d operator files, rates), %d network and %d noise movements, %s to %s\n",
		dir, len(t.Files), t.Counts.Statements, t.Counts.OperatorFiles, t.Counts.NetworkTxns, t.Counts.NoiseTxns, t.Start, t.End)
	fmt.Fprintf(e.stdout, "ground truth: %s/truth.json; ingest flags per file: %s/MANIFEST.txt\n", dir, dir)
	return nil
}

func generateAMLWorld(e *env, c *cli.Command) error {
	f, err := os.Create(c.String("out"))
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	if err := fixtures.WriteAMLWorld(bw, fixtures.AMLWorldOptions{Rows: c.Int("rows"), Seed: c.Uint64("seed")}); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s (%d rows)\n", c.String("out"), c.Int("rows"))
	return nil
}

func generateTypologies(e *env, c *cli.Command) error {
	out := c.String("out")
	t, err := fixtures.GenerateTypologies(out, fixtures.TypologiesOptions{Rows: c.Int("rows"), Seed: c.Uint64("seed"), PatternsPerTypology: c.Int("patterns")})
	if err != nil {
		return err
	}
	count := map[string]int{}
	for _, p := range t.Patterns {
		count[p.Typology]++
	}
	var parts []string
	for _, ty := range fixtures.Typologies {
		parts = append(parts, fmt.Sprintf("%s %d", ty[0], count[ty[0]]))
	}
	fmt.Fprintf(e.stdout, "wrote %s (%d rows, %d accounts, %d labelled laundering): %d patterns planted (%s)\n",
		out, t.Rows, t.Accounts, t.LaunderingRows, len(t.Patterns), strings.Join(parts, ", "))
	fmt.Fprintf(e.stdout, "ground truth: %s\n", fixtures.TypologyTruthPath(out))
	return nil
}
