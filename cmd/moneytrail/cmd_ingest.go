package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/ingest"
	"github.com/moneytrail/moneytrail/ingest/csvprofile"
	"github.com/moneytrail/moneytrail/ingest/mto"
	"github.com/moneytrail/moneytrail/ingest/xlsx"
	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/internal/table"
)

func ingestCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "ingest",
		Usage:     "load export files into the case, with provenance and quarantine",
		ArgsUsage: "FILE|DIR...",
		UsageText: "moneytrail ingest [--format F] [--profile P] [--account ID] [--strict] FILE|DIR...",
		Description: `Each file is loaded in one transaction: a failure leaves the case as it was. The same bytes
ingested twice are reported and skipped. Records that cannot be read go to quarantine with
their line, field and reason, and the rest is loaded (--strict fails the file instead).
A directory is walked in name order. The case is created when it does not exist yet.

Formats (--format): auto (detected from the content), ledger, csv and xlsx (bank exports
read by a --profile), camt (ISO 20022 camt.052/053/054), mt940 (MT940/MT942), ofx (OFX/QFX),
remittance (Wise and Revolut statements), mto (money-transfer operator records, with
--profile and --operator), amlworld, amlsim, ecb-rates.

Examples (on the files of moneytrail generate --scenario smuggling --seed 1 --out seized):
   moneytrail ingest seized/nlb-si_SI12020107749940015_2024-01.xml
   moneytrail ingest --format csv --profile bancoposta-it --account IT57X0760101600805518468422 \
       seized/bancoposta-it_IT57X0760101600805518468422_2024-01.csv
   moneytrail ingest --format mto --profile mto-generic --operator "Western Union" seized/mto_western-union.csv
   moneytrail ingest --format ecb-rates seized/00_ecb-rates.csv
   moneytrail generate --scenario amlworld --rows 1000 --out aml.csv && moneytrail --db aml.duckdb ingest --format amlworld aml.csv`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "auto", Usage: "input `FORMAT`: auto, " + strings.Join(ingest.Formats(), ", ")},
			&cli.StringFlag{Name: "profile", Aliases: []string{"p"}, Usage: "bank CSV `PROFILE`: a built-in name or a YAML file"},
			&cli.StringFlag{Name: "account", Usage: "statement account `ID` (IBAN or scheme:bank:number) when the file does not say"},
			&cli.StringFlag{Name: "operator", Usage: "money-transfer `OPERATOR` of an mto file (e.g. \"Western Union\")"},
			&cli.BoolFlag{Name: "strict", Usage: "fail a file instead of quarantining any record"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			if c.NArg() == 0 {
				return usageErr("ingest: name at least one FILE or DIR")
			}
			if err := checkFormatProfile(c.String("format"), c.String("profile")); err != nil {
				return err
			}
			files, err := expandFiles(c.Args().Slice())
			if err != nil {
				return err
			}
			db, err := openCase(ctx, c, casedb.Options{CreateIfMissing: true})
			if err != nil {
				return err
			}
			defer db.Close()
			t := &table.Table{Columns: []string{"file", "status", "source_id", "format", "profile", "records", "loaded", "quarantined", "fx_missing", "transactions", "warnings"}}
			var failed []error
			// One file shows its steps; many show one bar of files done, with rate and time
			// left (a thousand statements take a minute, each too short for its own).
			var many *spinner
			if len(files) > 1 {
				many = startSpinner(e.stderr, "ingest files")
				defer many.stop()
			}
			for i, f := range files {
				opt := ingest.Options{Format: c.String("format"), Profile: c.String("profile"),
					Account: c.String("account"), Operator: c.String("operator"), Strict: c.Bool("strict")}
				sp := many
				if sp == nil {
					sp = startSpinner(e.stderr, "ingest "+filepath.Base(f))
					opt.Progress = sp.describe
				}
				sp.count(int64(i), int64(len(files)))
				res, err := ingest.File(ctx, db, f, opt)
				sp.count(int64(i+1), int64(len(files)))
				if many == nil {
					sp.stop()
				}
				if err != nil {
					if !errors.Is(err, casedb.ErrInput) {
						return err
					}
					failed = append(failed, err)
					fmt.Fprintf(e.stderr, "moneytrail: %v\n", err)
					t.Rows = append(t.Rows, cells(f, "failed", "", res.Format, res.Profile, "", "", "", "", "", ""))
					continue
				}
				status := "loaded"
				if res.Skipped {
					status = "skipped: same bytes as source " + strconv.FormatInt(res.DuplicateOf, 10)
					t.Rows = append(t.Rows, cells(f, status, strconv.FormatInt(res.DuplicateOf, 10), "", "", "", "", "", "", "", ""))
					continue
				}
				t.Rows = append(t.Rows, cells(f, status, strconv.FormatInt(res.SourceID, 10), res.Format, res.Profile,
					strconv.FormatInt(res.Records, 10), strconv.FormatInt(res.Loaded, 10), strconv.FormatInt(res.Quarantined, 10),
					strconv.FormatInt(res.FXMissing, 10), strconv.FormatInt(res.Transactions, 10), strconv.FormatInt(res.Warnings, 10)))
				for _, p := range res.Problems {
					fmt.Fprintf(e.stderr, "quarantined %s: %s\n", f, p.Error())
				}
				if res.Warnings > 0 {
					fmt.Fprintf(e.stderr, "loaded with %d warning(s) %s: moneytrail quarantine --source %d lists them\n", res.Warnings, f, res.SourceID)
				}
				if res.Quarantined > int64(len(res.Problems)) {
					fmt.Fprintf(e.stderr, "quarantined %s: ... %d more (moneytrail quarantine --source %d)\n", f, res.Quarantined-int64(len(res.Problems)), res.SourceID)
				}
			}
			if err := t.Write(e.stdout, c.String("output")); err != nil {
				return err
			}
			if len(failed) > 0 {
				return &exitError{code: exitInput, err: fmt.Errorf("%d of %d file(s) failed and stored nothing", len(failed), len(files)),
					next: "the other files are loaded; fix what the lines above name (or the --format, --profile, --account given) and ingest the failed files again"}
			}
			return nil
		},
	}
}

func cells(v ...string) []*string {
	out := make([]*string, len(v))
	for i := range v {
		if v[i] != "" {
			out[i] = &v[i]
		}
	}
	return out
}

// expandFiles turns the arguments into files: a directory contributes its files (recursively,
// in name order, hidden ones skipped).
func expandFiles(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &exitError{code: exitInput, err: fmt.Errorf("%w: %s: no such file or folder", casedb.ErrInput, a),
				next: "check the path: ingest takes files and folders, after its flags or among them"}
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", casedb.ErrInput, err)
		}
		if !st.IsDir() {
			out = append(out, a)
			continue
		}
		var found []string
		err = filepath.WalkDir(a, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if strings.HasPrefix(d.Name(), ".") && p != a {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.IsDir() {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%w: %v", casedb.ErrInput, err)
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

// checkFormatProfile refuses, before any file is read, a --format that is not one and a
// --profile that names no built-in profile of the format (a path is read when used).
func checkFormatProfile(format, profile string) error {
	formats := append([]string{"auto"}, ingest.Formats()...)
	if !slices.Contains(formats, format) {
		return &exitError{code: exitUsage, err: fmt.Errorf("--format %q is not a format%s", format, suggest(format, formats)),
			next: "formats: " + strings.Join(formats, ", ")}
	}
	if profile == "" || strings.ContainsAny(profile, `/\`) || strings.HasSuffix(profile, ".yaml") || strings.HasSuffix(profile, ".yml") {
		return nil
	}
	var names []string
	switch format {
	case ingest.FormatCSV:
		names = csvprofile.Builtins()
	case ingest.FormatXLSX:
		names = xlsx.Builtins()
	case ingest.FormatMTO:
		names = mto.Builtins()
	default:
		names = slices.Concat(csvprofile.Builtins(), xlsx.Builtins(), mto.Builtins())
	}
	if slices.Contains(names, profile) {
		return nil
	}
	what := "a built-in profile"
	if format != "auto" {
		what += " of --format " + format
	}
	return &exitError{code: exitUsage, err: fmt.Errorf("--profile %q is not %s%s", profile, what, suggest(profile, names)),
		next: "built-in: " + strings.Join(names, ", ") + "; or give the path of your own profile (./mybank.yaml)"}
}
