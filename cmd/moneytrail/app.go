package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/internal/casedb"
)

// Version is the tool version recorded in sources and run manifests.
var Version = "0.1.0-dev"

// Exit codes (DESIGN.md §3).
const (
	exitOK       = 0
	exitFailOn   = 1
	exitUsage    = 2
	exitInput    = 3
	exitInternal = 4
	// exitBusy is moneytrail's own addition to DESIGN.md §3: the case is in use by another
	// process (docs/DESIGN-DELTA.md).
	exitBusy = 5
)

// env is what every command writes to.
type env struct {
	stdout, stderr io.Writer
}

// run executes the CLI with argv and returns the exit code.
func run(argv []string, stdout, stderr io.Writer) int {
	app := newApp(&env{stdout: stdout, stderr: stderr})
	err := app.Run(context.Background(), argv)
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	writeError(stderr, err, code)
	return code
}

func newApp(e *env) *cli.Command {
	app := &cli.Command{
		Name:    "moneytrail",
		Usage:   "trace the money of a smuggling network through seized bank and money-transfer records",
		Version: Version,
		Description: `moneytrail loads seized bank statements and money-transfer records into one DuckDB case
database with the provenance of every record (file SHA-256, line or entry), traces tainted
funds under the legal tracing rules, runs rule packs and writes court evidence.

Formats (ingest --format): auto (detected from the content), ledger (moneytrail's own CSV),
csv (a bank's CSV export, read by a --profile), xlsx (a bank's XLSX export, by a --profile), camt (ISO 20022 camt.052/053/054),
mt940 (SWIFT MT940/MT942), ofx (OFX/QFX), remittance (Wise and Revolut statements), mto
(money-transfer operator records), amlworld (IBM AMLworld), amlsim (IBM AMLSim), ecb-rates
(ECB euro reference rates).

Example:
   moneytrail demo --out moneytrail-demo     (the whole job on a generated case; see README.md)

Exit codes: 0 ok, 1 a --fail-on condition was met, 2 usage error, 3 input error (nothing
stored for the failing file), 4 internal error, 5 the case is in use by another process.`,
		Writer:    e.stdout,
		ErrWriter: e.stderr,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "db", Usage: "case database `FILE`", Value: casedb.DefaultPath, Sources: cli.EnvVars("MONEYTRAIL_DB")},
			&cli.StringFlag{Name: "memory-limit", Usage: "DuckDB's memory limit, e.g. `3GB` (default: 80% of the RAM); above it DuckDB spills to disk",
				Sources: cli.EnvVars("MONEYTRAIL_MEMORY_LIMIT")},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "output `FORMAT`: table, csv or json", Value: "table"},
		},
		Before: func(ctx context.Context, c *cli.Command) (context.Context, error) {
			switch c.String("output") {
			case "table", "csv", "json":
				return ctx, nil
			}
			return ctx, usageErr("--output %q: use table, csv or json", c.String("output"))
		},
		ExitErrHandler: func(context.Context, *cli.Command, error) {},
		Commands: []*cli.Command{
			demoCommand(e),
			serveCommand(e),
			initCommand(e),
			ingestCommand(e),
			sourcesCommand(e),
			accountsCommand(e),
			partiesCommand(e),
			screenCommand(e),
			quarantineCommand(e),
			statementsCommand(e),
			matchCommand(e),
			sqlCommand(e),
			exportCommand(e),
			traceCommand(e),
			reportCommand(e),
			generateCommand(e),
			benchCommand(e),
			benchStepCommand(e),
			rulesCommand(e),
			verifyCommand(e),
			evalCommand(e),
		},
	}
	setUp(app)
	return app
}

// setUp gives every command of the tree the same parsing: no flag value is split on commas
// (a list is a repeated flag, or a parameter's own list syntax read by the rule engine),
// usage mistakes exit 2 with a suggestion where one is close, a verb without arguments
// refuses stray ones, and a group of verbs without an action of its own (bench has one)
// refuses a verb it does not have.
func setUp(c *cli.Command) {
	c.DisableSliceFlagSeparator = true
	c.OnUsageError = func(_ context.Context, c *cli.Command, err error, _ bool) error {
		// The library's own wording names an unknown flag with one dash, whatever was typed.
		if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -"); ok {
			name = strings.TrimLeft(name, "-")
			err = fmt.Errorf("%s has no flag --%s%s", c.FullName(), name, suggest("--"+name, flagNames(c)))
		}
		return helpNext(c, &exitError{code: exitUsage, err: err})
	}
	switch act := c.Action; {
	case len(c.Commands) > 0 && act == nil:
		c.Action = func(ctx context.Context, c *cli.Command) error {
			if c.Args().Present() {
				v := c.Args().First()
				return helpNext(c, usageErr("%s has no command %q%s", c.FullName(), v, suggest(v, commandNames(c))))
			}
			if c.Root() == c {
				return cli.ShowRootCommandHelp(c)
			}
			return cli.ShowSubcommandHelp(c)
		}
	case act != nil:
		// The library adds a help verb to every command when it runs: count the verbs now.
		takesArgs, hasVerbs := c.ArgsUsage != "", len(c.Commands) > 0
		c.Action = func(ctx context.Context, c *cli.Command) error {
			if !takesArgs && c.Args().Present() {
				v := c.Args().First()
				if hasVerbs {
					return helpNext(c, usageErr("%s has no command %q%s", c.FullName(), v, suggest(v, commandNames(c))))
				}
				return helpNext(c, usageErr("%s takes no arguments, only flags; %q is not one", c.FullName(), v))
			}
			return helpNext(c, act(ctx, c))
		}
	}
	for _, sub := range c.Commands {
		setUp(sub)
	}
}

// openCase opens the case named by --db.
// memoryLimit is the form of a --memory-limit DuckDB accepts.
var memoryLimit = regexp.MustCompile(`^(?i)[0-9]+(\.[0-9]+)? ?(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$`)

func openCase(ctx context.Context, c *cli.Command, opt casedb.Options) (*casedb.DB, error) {
	if opt.MemoryLimit == "" {
		opt.MemoryLimit = c.String("memory-limit")
		if opt.MemoryLimit != "" && !memoryLimit.MatchString(opt.MemoryLimit) {
			return nil, usageErr("--memory-limit %q: give a size such as 3GB, 512MB or 2.5GiB", opt.MemoryLimit)
		}
	}
	path := c.String("db")
	if dir := filepath.Dir(path); dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, &exitError{code: exitInput, err: fmt.Errorf("%w: --db %s: the folder %s does not exist", casedb.ErrNoCase, path, dir),
				next: "create the folder first (mkdir -p " + dir + "), or give --db a file in a folder that exists"}
		}
	}
	db, err := casedb.Open(ctx, path, opt)
	if errors.Is(err, casedb.ErrNoCase) && nextStep(err) == "" {
		err = withNext(err, "create it with moneytrail --db %s init, or give --db (or MONEYTRAIL_DB) the case you mean", path)
	}
	return db, err
}

// caseOpener opens the case named by --db with the global flags, for functions that open it
// more than once (a sealed read, then a writable store).
func caseOpener(c *cli.Command) casedb.Opener {
	return func(ctx context.Context, opt casedb.Options) (*casedb.DB, error) { return openCase(ctx, c, opt) }
}
