// Package bench is the performance suite behind `moneytrail bench`: it generates
// AMLworld-shaped data and measures moneytrail against the stated baseline in the same run,
// each step in its own process so that its peak memory is its own.
package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/moneytrail/moneytrail/fixtures"
	"github.com/moneytrail/moneytrail/ingest"
	"github.com/moneytrail/moneytrail/internal/casedb"
)

// StepResult is what one measured step reports.
type StepResult struct {
	Name    string        `json:"name"`
	Rows    int64         `json:"rows"`
	Elapsed time.Duration `json:"elapsed_ns"`
	// PeakRSS is the step process's maximum resident set size in bytes.
	PeakRSS int64 `json:"peak_rss"`
	// CPU is the step process's user and system time: on a shared machine it says what the
	// step cost when the wall time says how long it waited.
	CPU time.Duration `json:"cpu_ns,omitempty"`
	// Findings is what a rules step found (rules steps only).
	Findings int `json:"findings,omitempty"`
}

// RowsPerSec is the step's throughput.
func (r StepResult) RowsPerSec() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Rows) / r.Elapsed.Seconds()
}

// Steps are the measurable steps a child process can run (see RunStep).
const (
	StepDuckDBCSV    = "duckdb-read-csv"
	StepIngestAMLW   = "moneytrail-ingest-amlworld"
	stepResultPrefix = "BENCH-RESULT "
)

// RunStep runs one step in this process and prints its result line to w: the child side of
// the suite. args are the CSV file and the database file to create.
func RunStep(ctx context.Context, w io.Writer, step, csvPath, dbPath string) error {
	if step == StepDuckDBCSV || step == StepIngestAMLW {
		os.Remove(dbPath)
		os.Remove(dbPath + ".wal")
	}
	start := time.Now()
	var rows int64
	switch step {
	case StepDuckDBCSV:
		db, err := sql.Open("duckdb", dbPath+"?autoinstall_known_extensions=false&autoload_known_extensions=false")
		if err != nil {
			return err
		}
		if _, err := db.ExecContext(ctx, `CREATE TABLE t AS SELECT * FROM read_csv(?)`, csvPath); err != nil {
			db.Close()
			return err
		}
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&rows); err != nil {
			db.Close()
			return err
		}
		if err := db.Close(); err != nil {
			return err
		}
	case StepIngestAMLW:
		db, err := casedb.Open(ctx, dbPath, casedb.Options{Create: true})
		if err != nil {
			return err
		}
		last := time.Now()
		step := "start"
		res, err := ingest.File(ctx, db, csvPath, ingest.Options{Format: ingest.FormatAMLWorld, Progress: func(s string) {
			fmt.Fprintf(os.Stderr, "  %-40s %6.2f s\n", step, time.Since(last).Seconds())
			step, last = s, time.Now()
		}})
		fmt.Fprintf(os.Stderr, "  %-40s %6.2f s\n", step, time.Since(last).Seconds())
		if err != nil {
			db.Close()
			return err
		}
		rows = res.Loaded
		if err := db.Close(); err != nil {
			return err
		}
	default:
		n, err := runFloorStep(ctx, step, csvPath, dbPath)
		if err != nil {
			return err
		}
		rows = n
	}
	return emit(w, StepResult{Name: step, Rows: rows, Elapsed: time.Since(start)})
}

// runChild runs exe with args (a step of the suite in a new process) and collects the
// step's result line and the process's peak memory.
func runChild(ctx context.Context, exe string, args ...string) (StepResult, error) {
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return StepResult{}, fmt.Errorf("bench %s: %w", strings.Join(args, " "), err)
	}
	var r StepResult
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, stepResultPrefix); ok {
			if err := json.Unmarshal([]byte(rest), &r); err != nil {
				return r, err
			}
		}
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		if r.PeakRSS == 0 {
			r.PeakRSS = ru.Maxrss * 1024
		}
		r.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return r, nil
}

// child runs an ingest step in a new process of exe (the moneytrail binary).
func child(ctx context.Context, exe string, step, csvPath, dbPath string) (StepResult, error) {
	return runChild(ctx, exe, "bench-step", step, csvPath, dbPath)
}

// workDir returns o.Dir, or a new temporary directory named after prefix, and the cleanup
// that removes it unless o.Keep.
func workDir(o IngestOptions, prefix string) (string, func(), error) {
	if o.Dir != "" {
		return o.Dir, func() {}, nil
	}
	d, err := os.MkdirTemp("", prefix)
	if err != nil {
		return "", nil, err
	}
	if o.Keep {
		return d, func() {}, nil
	}
	return d, func() { os.RemoveAll(d) }, nil
}

// writeAMLWorld writes the benchmark's AMLworld-shaped CSV of rows rows into dir.
func writeAMLWorld(dir string, rows int, seed uint64) (string, error) {
	path := filepath.Join(dir, fmt.Sprintf("amlworld-%d.csv", rows))
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	if err := fixtures.WriteAMLWorld(f, fixtures.AMLWorldOptions{Rows: rows, Seed: seed}); err != nil {
		f.Close()
		return "", err
	}
	return path, f.Close()
}

// ingestedCase generates the N-row AMLworld-shaped file in a work directory and ingests it
// into dbName there (in a child process), returning the case's path, how long that took and
// the cleanup of the directory.
func ingestedCase(ctx context.Context, o IngestOptions, prefix, dbName string) (string, time.Duration, func(), error) {
	dir, cleanup, err := workDir(o, prefix)
	if err != nil {
		return "", 0, nil, err
	}
	csvPath, err := writeAMLWorld(dir, o.Rows, o.Seed)
	if err != nil {
		cleanup()
		return "", 0, nil, err
	}
	dbPath := filepath.Join(dir, dbName)
	prep := time.Now()
	if _, err := child(ctx, o.Exe, StepIngestAMLW, csvPath, dbPath); err != nil {
		cleanup()
		return "", 0, nil, err
	}
	return dbPath, time.Since(prep), cleanup, nil
}

// emit prints a step's result line for the parent process.
func emit(w io.Writer, r StepResult) error {
	r.PeakRSS = ownPeakRSS()
	b, _ := json.Marshal(r)
	_, err := fmt.Fprintf(w, "%s%s\n", stepResultPrefix, b)
	return err
}

// ownPeakRSS is this process's peak resident set since its program started (VmHWM of
// /proc/self/status, Linux), 0 when unknown. The rusage of a child counts the resident set
// its parent had when it forked (the bench's parent prepares the case in-process), so a step
// reports its own.
func ownPeakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb * 1024
		}
	}
	return 0
}

// IngestOptions shapes the ingest benchmark.
type IngestOptions struct {
	Rows int
	// Dir holds the generated file and databases (a temporary directory when empty).
	Dir string
	// Exe is the moneytrail binary that runs each step.
	Exe  string
	Seed uint64
	// Keep leaves the generated files in Dir.
	Keep bool
	// Rounds is the number of times `bench trace` takes its steps, in turns (one when 0);
	// it reports each step's median.
	Rounds int
}

// Ingest measures, in the same run, DuckDB alone loading an AMLworld-shaped CSV of N rows
// into a file database (the baseline) and `moneytrail ingest --format amlworld` of the same
// file into a new case, and prints throughput, peak memory and the ratio.
func Ingest(ctx context.Context, w io.Writer, o IngestOptions) error {
	dir, cleanup, err := workDir(o, "moneytrail-bench-")
	if err != nil {
		return err
	}
	defer cleanup()
	gen := time.Now()
	csvPath, err := writeAMLWorld(dir, o.Rows, o.Seed)
	if err != nil {
		return err
	}
	st, _ := os.Stat(csvPath)
	fmt.Fprintf(w, "generated %s: %d rows, %.0f MB in %s\n", csvPath, o.Rows, float64(st.Size())/1e6, time.Since(gen).Round(time.Millisecond))
	// Warm the page cache so neither step pays for the first read.
	if err := warm(csvPath); err != nil {
		return err
	}
	a, err := child(ctx, o.Exe, StepDuckDBCSV, csvPath, filepath.Join(dir, "baseline.duckdb"))
	if err != nil {
		return err
	}
	b, err := child(ctx, o.Exe, StepIngestAMLW, csvPath, filepath.Join(dir, "case.duckdb"))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%-48s %10s %10s %14s %12s\n", "step", "seconds", "CPU s", "rows/s", "peak RSS")
	for _, r := range []StepResult{a, b} {
		fmt.Fprintf(w, "%-48s %10.2f %10.2f %14.0f %9.0f MiB\n", label(r.Name), r.Elapsed.Seconds(), r.CPU.Seconds(), r.RowsPerSec(), float64(r.PeakRSS)/(1<<20))
	}
	// On a shared machine the wall-time ratio moves with the neighbours' load; the CPU ratio
	// (user+system time of each step's process) says what each step cost.
	fmt.Fprintf(w, "ratio moneytrail/duckdb (b/a): %.2f (target <= 1.5), CPU %.2f; peak RSS %.2f GiB (target <= 3 GiB)\n",
		b.Elapsed.Seconds()/a.Elapsed.Seconds(), b.CPU.Seconds()/a.CPU.Seconds(), float64(b.PeakRSS)/(1<<30))
	return nil
}

func label(step string) string {
	switch step {
	case StepDuckDBCSV:
		return "(a) DuckDB CREATE TABLE AS read_csv"
	case StepIngestAMLW:
		return "(b) moneytrail ingest --format amlworld"
	}
	return step
}

func warm(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(io.Discard, f)
	return err
}
