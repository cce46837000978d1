package bench

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/rules"
)

// Floor steps of `moneytrail bench` (run through bench-step, each in its own process).
const (
	stepPrepareTrace = "prepare-trace-case"
	stepRulesSQL     = "rules-sql-"
	stepReportCopy   = "report-copy-parquet"
)

// CommandsOptions shapes `moneytrail bench`, the whole-command suite.
type CommandsOptions struct {
	IngestOptions
	// CSV is the file the ratio table is written to (none when empty).
	CSV string
	// Only limits the suite to the named groups (ingest, files, trace, rules, report); all
	// when empty. Trace, rules and report need the ingested case of the ingest group.
	Only []string
}

// Measured is one whole command or floor as a process: its wall time from start to exit
// and, from the child's rusage, its CPU time and peak resident set.
type Measured struct {
	Elapsed time.Duration
	CPU     time.Duration
	PeakRSS int64
}

// Row is one line of the ratio table: a command against its floor measured in the same run.
type Row struct {
	Group   string
	Command string
	Floor   string
	Cmd     Measured
	Base    Measured
	// Target is the largest ratio of wall times the issue accepts (0: none stated).
	Target float64
}

// Ratio is the command's wall time over its floor's.
func (r Row) Ratio() float64 { return r.Cmd.Elapsed.Seconds() / r.Base.Elapsed.Seconds() }

// CPURatio is the command's CPU time over its floor's: on a machine shared with other work it
// says what each cost when the wall time also counts waiting.
func (r Row) CPURatio() float64 { return r.Cmd.CPU.Seconds() / r.Base.CPU.Seconds() }

// process runs exe with args in dir, the command's output discarded, and measures it. Its
// error includes the process's standard error.
func process(ctx context.Context, dir, exe string, args ...string) (Measured, error) {
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	m := Measured{Elapsed: time.Since(start)}
	if err != nil {
		return m, fmt.Errorf("moneytrail %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.PeakRSS = ru.Maxrss * 1024
		m.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return m, nil
}

// Commands is `moneytrail bench`: on a generated AMLworld-shaped case of o.Rows
// transactions it runs what users run, each as a process of the moneytrail binary, against
// a floor measured in the same run, and prints the ratios (writing them to o.CSV too).
// Generating the inputs also happens in child processes, so that the suite's own process
// stays small: a child's peak resident set counts its parent's at the fork.
func Commands(ctx context.Context, w io.Writer, o CommandsOptions) error {
	dir, cleanup, err := workDir(o.IngestOptions, "moneytrail-bench-")
	if err != nil {
		return err
	}
	defer cleanup()
	want := func(g string) bool { return len(o.Only) == 0 || slices.Contains(o.Only, g) }
	run := func(args ...string) (Measured, error) { return process(ctx, dir, o.Exe, args...) }
	step := func(name, in, db string) (Measured, error) { return run("bench-step", name, in, db) }
	var rows []Row
	add := func(r Row) {
		rows = append(rows, r)
		fmt.Fprintf(w, "  %-52s %7.2f s  floor %7.2f s  %5.2fx\n", r.Command, r.Cmd.Elapsed.Seconds(), r.Base.Elapsed.Seconds(), r.Ratio())
	}
	fmt.Fprintf(w, "working in %s\n", dir)

	aml := fmt.Sprintf("amlworld-%d.csv", o.Rows)
	if _, err := run("generate", "--scenario", "amlworld", "--rows", strconv.Itoa(o.Rows), "--seed", strconv.FormatUint(o.Seed, 10), "--out", aml); err != nil {
		return err
	}
	if err := warm(filepath.Join(dir, aml)); err != nil {
		return err
	}
	caseDB := "case.duckdb"
	if want("ingest") || want("trace") || want("rules") || want("report") {
		base, err := step(StepDuckDBCSV, aml, "floor.duckdb")
		if err != nil {
			return err
		}
		cmd, err := run("--db", caseDB, "ingest", "--format", "amlworld", aml)
		if err != nil {
			return err
		}
		add(Row{Group: "ingest", Command: "ingest --format amlworld " + aml, Floor: "DuckDB CREATE TABLE AS read_csv", Cmd: cmd, Base: base, Target: 1.5})
	}
	if want("ingest") {
		if _, err := run("--db", caseDB, "export", "--out", "ledger.csv"); err != nil {
			return err
		}
		base, err := step(StepDuckDBCSV, "ledger.csv", "floor.duckdb")
		if err != nil {
			return err
		}
		cmd, err := run("--db", "ledger-case.duckdb", "ingest", "--format", "ledger", "ledger.csv")
		if err != nil {
			return err
		}
		add(Row{Group: "ingest", Command: "ingest --format ledger ledger.csv (the case exported)", Floor: "DuckDB CREATE TABLE AS read_csv", Cmd: cmd, Base: base, Target: 1.5})
		os.Remove(filepath.Join(dir, "ledger-case.duckdb"))
	}
	if want("files") {
		r, err := smallFiles(ctx, dir, o, run)
		if err != nil {
			return err
		}
		add(r)
	}
	if want("trace") || want("rules") || want("report") {
		if _, err := step(stepPrepareTrace, "-", caseDB); err != nil {
			return err
		}
	}
	const seeds = "sql:SELECT txn_id FROM bench_seeds"
	var floor Measured
	if want("trace") || want("report") {
		if floor, err = step(StepTraceFloor, "-", caseDB); err != nil {
			return err
		}
	}
	if want("trace") {
		cmd, err := run("--db", caseDB, "trace", "--seed", seeds, "--method", "fifo", "--scope", "all", "--out", "trace-fifo")
		if err != nil {
			return err
		}
		add(Row{Group: "trace", Command: "trace --method fifo --scope all --out DIR", Floor: "Arrow read of the ordered transactions", Cmd: cmd, Base: floor, Target: 3})
	}
	if want("rules") {
		for _, pack := range []string{"smuggling", "typologies"} {
			base, err := step(stepRulesSQL+pack, "-", caseDB)
			if err != nil {
				return err
			}
			cmd, err := run("--db", caseDB, "rules", "run", pack)
			if err != nil {
				return err
			}
			add(Row{Group: "rules", Command: "rules run " + pack, Floor: "the pack's SQL run directly", Cmd: cmd, Base: base, Target: 1.5})
		}
	}
	if want("trace") || want("report") {
		cmd, err := run("--db", caseDB, "trace", "--seed", seeds, "--method", "all", "--scope", "all", "--out", "trace-all")
		if err != nil {
			return err
		}
		add(Row{Group: "trace", Command: "trace --method all --scope all --out DIR", Floor: "Arrow read of the ordered transactions", Cmd: cmd, Base: floor, Target: 6})
	}
	if want("report") {
		base, err := step(stepReportCopy, "report-floor", caseDB)
		if err != nil {
			return err
		}
		cmd, err := run("--db", caseDB, "report", "--out", "report")
		if err != nil {
			return err
		}
		add(Row{Group: "report", Command: "report --out DIR (latest trace and rules runs)", Floor: "COPY of the runs' tables to Parquet", Cmd: cmd, Base: base, Target: 2})
	}
	printRows(w, o.Rows, rows)
	if o.CSV != "" {
		if err := writeRows(o.CSV, o.Rows, rows); err != nil {
			return err
		}
		fmt.Fprintf(w, "wrote %s\n", o.CSV)
	}
	return nil
}

// smallFiles measures ingesting the small statement files of a generated smuggling case
// (500 MT940 and 500 camt.053, each one statement) against ingesting one MT940 and one camt
// file holding the same statements.
func smallFiles(ctx context.Context, dir string, o CommandsOptions, run func(...string) (Measured, error)) (Row, error) {
	if _, err := run("generate", "--scenario", "smuggling", "--scale", "large", "--seed", strconv.FormatUint(o.Seed, 10), "--out", "smuggling"); err != nil {
		return Row{}, err
	}
	src := filepath.Join(dir, "smuggling")
	many := filepath.Join(dir, "many")
	one := filepath.Join(dir, "one")
	for _, d := range []string{many, one} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return Row{}, err
		}
	}
	n := 0
	for _, ext := range []string{".sta", ".xml"} {
		names, err := filepath.Glob(filepath.Join(src, "*"+ext))
		if err != nil {
			return Row{}, err
		}
		slices.Sort(names)
		if len(names) > 500 {
			names = names[:500]
		}
		var merged bytes.Buffer
		for i, name := range names {
			b, err := os.ReadFile(name)
			if err != nil {
				return Row{}, err
			}
			if err := os.WriteFile(filepath.Join(many, filepath.Base(name)), b, 0o644); err != nil {
				return Row{}, err
			}
			if ext == ".sta" {
				merged.Write(b)
				continue
			}
			if err := mergeCamt(&merged, b, i == 0, i == len(names)-1); err != nil {
				return Row{}, fmt.Errorf("%s: %w", name, err)
			}
		}
		if err := os.WriteFile(filepath.Join(one, "all"+ext), merged.Bytes(), 0o644); err != nil {
			return Row{}, err
		}
		n += len(names)
	}
	base, err := run("--db", "one.duckdb", "ingest", "one")
	if err != nil {
		return Row{}, err
	}
	cmd, err := run("--db", "many.duckdb", "ingest", "many")
	if err != nil {
		return Row{}, err
	}
	// Both cases must hold the same entries, or the floor is not the same work.
	var counts [2]string
	for i, f := range []string{"one.duckdb", "many.duckdb"} {
		c := exec.CommandContext(ctx, o.Exe, "--db", f, "--output", "csv", "sql", "SELECT count(*) AS n FROM transactions")
		c.Dir = dir
		out, err := c.Output()
		if err != nil {
			return Row{}, fmt.Errorf("counting %s: %w", f, err)
		}
		counts[i] = strings.TrimSpace(string(out))
		os.Remove(filepath.Join(dir, f))
	}
	if counts[0] != counts[1] {
		return Row{}, fmt.Errorf("one file of each format holds %q transactions, the %d small files %q", counts[0], n, counts[1])
	}
	return Row{Group: "files", Command: fmt.Sprintf("ingest DIR of %d small MT940/camt files", n),
		Floor: "ingest of one MT940 and one camt file", Cmd: cmd, Base: base, Target: 2}, nil
}

// mergeCamt appends the statements of one camt.053 document to out: the first document's
// header, each document's <Stmt> elements, and the closing tags after the last.
func mergeCamt(out *bytes.Buffer, doc []byte, first, last bool) error {
	i := bytes.Index(doc, []byte("<Stmt>"))
	j := bytes.LastIndex(doc, []byte("</Stmt>"))
	if i < 0 || j < i {
		return fmt.Errorf("no <Stmt> element")
	}
	if first {
		out.Write(doc[:i])
	}
	out.Write(doc[i : j+len("</Stmt>")])
	out.WriteString("\n")
	if last {
		out.Write(doc[j+len("</Stmt>"):])
	}
	return nil
}

func printRows(w io.Writer, n int, rows []Row) {
	fmt.Fprintf(w, "\nwhole commands on %d AMLworld-shaped transactions, each a process of this binary, against floors measured in this run\n", n)
	fmt.Fprintf(w, "%-54s %8s %8s %9s  %-44s %8s %6s %6s %6s\n", "command", "seconds", "CPU s", "peak RSS", "floor", "seconds", "x", "CPU x", "target")
	for _, r := range rows {
		target := "-"
		if r.Target > 0 {
			target = fmt.Sprintf("%.1f", r.Target)
		}
		fmt.Fprintf(w, "%-54s %8.2f %8.2f %5.0f MiB  %-44s %8.2f %6.2f %6.2f %6s\n", r.Command, r.Cmd.Elapsed.Seconds(), r.Cmd.CPU.Seconds(),
			float64(r.Cmd.PeakRSS)/(1<<20), r.Floor, r.Base.Elapsed.Seconds(), r.Ratio(), r.CPURatio(), target)
	}
}

func writeRows(path string, n int, rows []Row) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(f)
	cw.Write([]string{"rows", "group", "command", "seconds", "cpu_seconds", "peak_rss_bytes", "floor", "floor_seconds", "floor_cpu_seconds", "floor_peak_rss_bytes", "ratio", "cpu_ratio", "target"})
	for _, r := range rows {
		cw.Write([]string{strconv.Itoa(n), r.Group, r.Command,
			fmt.Sprintf("%.3f", r.Cmd.Elapsed.Seconds()), fmt.Sprintf("%.3f", r.Cmd.CPU.Seconds()), strconv.FormatInt(r.Cmd.PeakRSS, 10),
			r.Floor, fmt.Sprintf("%.3f", r.Base.Elapsed.Seconds()), fmt.Sprintf("%.3f", r.Base.CPU.Seconds()), strconv.FormatInt(r.Base.PeakRSS, 10),
			fmt.Sprintf("%.3f", r.Ratio()), fmt.Sprintf("%.3f", r.CPURatio()), strconv.FormatFloat(r.Target, 'f', -1, 64)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// runFloorStep runs one of the suite's floor steps in this process (the child side): the
// case prepared for tracing, a pack's SQL run directly, or the runs' tables copied to Parquet.
func runFloorStep(ctx context.Context, step, arg, dbPath string) (int64, error) {
	switch {
	case step == stepPrepareTrace:
		return prepareTraceCase(ctx, dbPath)
	case strings.HasPrefix(step, stepRulesSQL):
		return rulesSQL(ctx, strings.TrimPrefix(step, stepRulesSQL), dbPath)
	case step == stepReportCopy:
		return copyRuns(ctx, arg, dbPath)
	}
	return 0, fmt.Errorf("unknown bench step %q", step)
}

// rulesSQL runs every rule's query of the pack directly, at its parameters' defaults, and
// counts the rows: the floor of `rules run PACK`. The tables a rule reads beside the case
// (prior_findings, rule_positions, rule_flows) are empty here, so the floor leaves out what
// the engine adds: earlier findings and trace steps.
func rulesSQL(ctx context.Context, pack, dbPath string) (int64, error) {
	p, err := rules.Load(pack)
	if err != nil {
		return 0, err
	}
	db, err := casedb.Open(ctx, dbPath, casedb.Options{})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	for _, q := range []string{
		`CREATE TEMP TABLE prior_findings(rule_id VARCHAR, subject VARCHAR, amount DECIMAL(38,6), score DOUBLE, evidence VARCHAR[], detail VARCHAR)`,
		`CREATE TEMP TABLE rule_positions(holder VARCHAR, holder_kind VARCHAR, party_id VARCHAR, origin VARCHAR, amount DECIMAL(38,6))`,
		`CREATE TEMP TABLE rule_flows(txn_id VARCHAR, booked_at TIMESTAMP, from_account VARCHAR, to_account VARCHAR, origin VARCHAR, amount DECIMAL(38,6))`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return 0, err
		}
	}
	var total int64
	for _, r := range p.Rules {
		var n int64
		q := `SELECT count(*) FROM (` + strings.TrimSuffix(strings.TrimSpace(r.SQL), ";") + `) AS q`
		if err := conn.QueryRowContext(ctx, q, r.DefaultArgs()...).Scan(&n); err != nil {
			return 0, fmt.Errorf("rule %s: %w", r.ID, err)
		}
		total += n
	}
	return total, nil
}

// copyRuns copies the latest trace run's and rules run's tables to Parquet files in dir: the
// floor of `report`.
func copyRuns(ctx context.Context, dir, dbPath string) (int64, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	db, err := casedb.Open(ctx, dbPath, casedb.Options{})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	latest := func(kind string) (string, error) {
		var id string
		err := db.QueryRowContext(ctx, `SELECT run_id FROM runs WHERE kind = ? ORDER BY started_at DESC, run_id DESC LIMIT 1`, kind).Scan(&id)
		if err == sql.ErrNoRows {
			return "", nil
		}
		return id, err
	}
	trace, err := latest("trace")
	if err != nil {
		return 0, err
	}
	rulesRun, err := latest("rules")
	if err != nil {
		return 0, err
	}
	tables := map[string]string{"trace_positions": trace, "trace_flows": trace, "trace_summary": trace,
		"trace_unexplained": trace, "trace_sensitivity": trace, "findings": rulesRun}
	var n int64
	for _, t := range slices.Sorted(maps.Keys(tables)) {
		out := filepath.Join(dir, t+".parquet")
		if _, err := db.ExecContext(ctx, `COPY (SELECT * FROM `+t+` WHERE run_id = ?) TO '`+strings.ReplaceAll(out, "'", "''")+`' (FORMAT parquet)`, tables[t]); err != nil {
			return 0, fmt.Errorf("%s: %w", t, err)
		}
		var c int64
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+t+` WHERE run_id = ?`, tables[t]).Scan(&c); err != nil {
			return 0, err
		}
		n += c
	}
	return n, nil
}
