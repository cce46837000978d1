package bench

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/tracer"
	"github.com/moneytrail/moneytrail/tracer/casetrace"
)

// Trace steps: the read floor and one trace per method set.
const (
	StepTraceFloor = "trace-read-floor"
	stepTracePre   = "trace-"
)

// traceMethods are the measured method sets of `bench trace`.
var traceMethods = []string{"fifo", "prorata", "libr", "all"}

// benchSeeds selects the seeds: the first inflow (from another account) of every 100th
// account in account-id order.
const benchSeeds = `CREATE OR REPLACE TABLE bench_seeds AS
	WITH picked AS (SELECT account_id FROM (SELECT account_id, row_number() OVER (ORDER BY account_id) AS i FROM accounts) WHERE i % 100 = 0),
	firsts AS (SELECT txn_id, to_account, row_number() OVER (PARTITION BY to_account ORDER BY booked_at, seq) AS rn
		FROM txns WHERE from_account <> to_account AND to_account IN (SELECT account_id FROM picked))
	SELECT txn_id FROM firsts WHERE rn = 1 ORDER BY txn_id`

// IsTraceStep reports whether step is one of the trace benchmark's steps (see RunTraceStep).
func IsTraceStep(step string) bool { return strings.HasPrefix(step, stepTracePre) }

// RunTraceStep runs one trace step on the prepared case at dbPath in this process and prints
// its result line to w: the child side of `bench trace`.
func RunTraceStep(ctx context.Context, w io.Writer, step, dbPath string) error {
	db, err := casedb.Open(ctx, dbPath, casedb.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if path := os.Getenv("MONEYTRAIL_BENCH_CPUPROFILE"); path != "" {
		// A CPU profile of the step, for finding where its time goes (go tool pprof).
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	var rows int64
	if step == StepTraceFloor {
		if rows, err = casetrace.ReadFloor(ctx, db); err != nil {
			return err
		}
	} else {
		// A suffix "/per-account-unexplained" measures the trace without grouping unexplained
		// funds (not part of the suite; run by hand with bench-step).
		name, perAccount := strings.CutSuffix(strings.TrimPrefix(step, stepTracePre), "/per-account-unexplained")
		ms, err := tracer.ParseMethods(name)
		if err != nil {
			return err
		}
		last := time.Now()
		phase := "start"
		out, err := casetrace.Trace(ctx, db, casetrace.Options{
			Seeds: []string{"sql:SELECT txn_id FROM bench_seeds"}, Methods: ms, Flows: tracer.FlowsNone, GroupUnexplained: !perAccount,
			ToolVersion: "bench", StartedAt: time.Unix(0, 0),
			Progress: func(s string) {
				fmt.Fprintf(os.Stderr, "  %-30s %6.2f s\n", phase, time.Since(last).Seconds())
				phase, last = s, time.Now()
			},
		})
		fmt.Fprintf(os.Stderr, "  %-30s %6.2f s\n", phase, time.Since(last).Seconds())
		if err != nil {
			return err
		}
		rows = out.Report.Txns
		positions := 0
		for _, r := range out.Report.Results {
			positions += len(r.Positions)
		}
		fmt.Fprintf(os.Stderr, "  %s: %d seeds, %d accounts in scope, %d positions\n", step, len(out.Report.Results[0].Seeds), out.Manifest.AccountsInScope, positions)
	}
	return emit(w, StepResult{Name: step, Rows: rows, Elapsed: time.Since(start)})
}

// TraceOptions shapes the trace benchmark.
type TraceOptions = IngestOptions

// Trace measures, in the same run on one AMLworld-shaped case of N transactions with the
// first inflows of 1% of the accounts as seeds: (a) the read floor, streaming the ordered
// replay columns from DuckDB into Go and discarding them, and (b) the trace under fifo,
// prorata, libr and all, each in its own process with its peak memory.
func Trace(ctx context.Context, w io.Writer, o TraceOptions) error {
	dbPath, prepTime, cleanup, err := ingestedCase(ctx, o, "moneytrail-bench-trace-", "trace-case.duckdb")
	if err != nil {
		return err
	}
	defer cleanup()
	ingested := time.Now()
	seeds, err := prepareTraceCase(ctx, dbPath)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "case: %d AMLworld-shaped transactions, %d seeds (first inflows of 1%% of the accounts), prepared in %s\n",
		o.Rows, seeds, (prepTime + time.Since(ingested)).Round(time.Millisecond))
	fmt.Fprintln(w, "amounts: AMLworld carries no FX table, so every amount is taken as its own base amount (a declared 1:1 rate)")
	fmt.Fprintln(w, "trace: per-seed origins, unexplained funds as one origin (--group-unexplained), no flows kept, scope reachable")
	fmt.Fprintf(w, "       (one read of the ordered columns in time pages, spooled to a temporary file for the replay);\n")
	fmt.Fprintf(w, "       poison inside all: all seeds as one origin (more than %d seeds)\n",
		casetrace.PoisonPerSeedMax)
	fmt.Fprintln(w, "floor: the accounts' numbers and ranks (no text), then the ordered replay columns of every transaction, streamed and discarded")
	steps := []string{StepTraceFloor}
	for _, m := range traceMethods {
		steps = append(steps, stepTracePre+m)
	}
	// Several rounds take the steps in turns, so that a slow spell of a shared machine falls
	// on every step alike; each step's median is reported, with its range.
	rounds := max(o.Rounds, 1)
	runs := make([][]StepResult, len(steps))
	for range rounds {
		for i, s := range steps {
			r, err := traceChild(ctx, o.Exe, s, dbPath)
			if err != nil {
				return err
			}
			runs[i] = append(runs[i], r)
		}
	}
	res := make([]StepResult, len(steps))
	for i := range runs {
		res[i] = median(runs[i])
	}
	if rounds > 1 {
		fmt.Fprintf(w, "each step %d times, the steps in turns: medians (seconds and CPU separately), the largest peak RSS, the range of seconds\n", rounds)
	}
	floor := res[0].Elapsed.Seconds()
	floorCPU := res[0].CPU.Seconds()
	fmt.Fprintf(w, "%-44s %10s %8s %14s %12s %8s %8s\n", "step", "seconds", "CPU s", "txns/s", "peak RSS", "x floor", "CPU x")
	for i, r := range res {
		name := "(a) read floor: ordered replay columns via " + casetrace.StreamPath
		if i > 0 {
			name = "(b) trace --method " + strings.TrimPrefix(r.Name, stepTracePre)
		}
		fmt.Fprintf(w, "%-44s %10.2f %8.2f %14.0f %9.0f MiB %8.2f %8.2f", name, r.Elapsed.Seconds(), r.CPU.Seconds(), r.RowsPerSec(),
			float64(r.PeakRSS)/(1<<20), r.Elapsed.Seconds()/floor, r.CPU.Seconds()/floorCPU)
		if rounds > 1 {
			lo, hi := runs[i][0].Elapsed, runs[i][0].Elapsed
			for _, x := range runs[i] {
				lo, hi = min(lo, x.Elapsed), max(hi, x.Elapsed)
			}
			fmt.Fprintf(w, "   %.2f-%.2f", lo.Seconds(), hi.Seconds())
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "targets at 5M rows: single methods <= 2x the floor, all <= 4x, peak RSS < 2 GiB (in wall time; the CPU ratio says")
	fmt.Fprintln(w, "what a step cost on a machine shared with other work, where the wall time also says how long it waited)")
	return nil
}

// prepareTraceCase gives every transaction a base amount (and its micro-units) and stores the
// seeds.
func prepareTraceCase(ctx context.Context, dbPath string) (int64, error) {
	db, err := casedb.Open(ctx, dbPath, casedb.Options{})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `UPDATE transactions SET base_amount = amount, base_micros = `+casedb.MicrosOf("amount")+`, base_currency = currency WHERE base_amount IS NULL`); err != nil {
		return 0, err
	}
	if _, err := db.ExecContext(ctx, benchSeeds); err != nil {
		return 0, err
	}
	var n int64
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM bench_seeds`).Scan(&n)
	return n, err
}

func traceChild(ctx context.Context, exe, step, dbPath string) (StepResult, error) {
	return runChild(ctx, exe, "bench-step", step, "-", dbPath)
}

// median is the step whose time is the median of rs (the lower middle one of an even
// number), with the median CPU time and the largest peak RSS of them.
func median(rs []StepResult) StepResult {
	byTime := slices.SortedFunc(slices.Values(rs), func(a, b StepResult) int { return cmp.Compare(a.Elapsed, b.Elapsed) })
	m := byTime[(len(byTime)-1)/2]
	cpu := make([]time.Duration, 0, len(rs))
	for _, r := range rs {
		cpu = append(cpu, r.CPU)
		m.PeakRSS = max(m.PeakRSS, r.PeakRSS)
	}
	slices.Sort(cpu)
	m.CPU = cpu[(len(cpu)-1)/2]
	return m
}
