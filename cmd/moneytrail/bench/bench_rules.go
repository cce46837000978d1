package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/rules"
	"github.com/moneytrail/moneytrail/tracer/casetrace"
)

// RulesPack is the pack `bench rules` measures.
const RulesPack = "typologies"

// RulesMemoryLimit is DuckDB's memory_limit in each rule's process (moneytrail's
// --memory-limit): without it DuckDB may take 80% of the RAM before spilling, and the rules
// that pair accounts peaked at 4.1–4.4 GiB on 5M rows; at 3GB they stay near 3 GiB and take
// no longer.
const RulesMemoryLimit = "3GB"

// RunRulesStep runs one rule of the typologies pack (its id is step) on the case at dbPath in
// this process, stores its findings, and prints its result line to w: the child side of
// `bench rules`, reached through the hidden `moneytrail rules bench-step STEP DB`.
func RunRulesStep(ctx context.Context, w io.Writer, step, dbPath string) error {
	p, err := rules.Load(RulesPack)
	if err != nil {
		return err
	}
	if p, err = p.Subset(step); err != nil {
		return err
	}
	start := time.Now()
	open := func(ctx context.Context, opt casedb.Options) (*casedb.DB, error) {
		opt.MemoryLimit = RulesMemoryLimit
		return casedb.Open(ctx, dbPath, opt)
	}
	res, err := rules.RunCase(ctx, open, []*rules.Pack{p}, rules.Options{ToolVersion: "bench", StartedAt: time.Unix(0, 0).UTC(), Tracer: casetrace.Rules{}})
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	ev := 0
	for _, f := range res.Findings {
		ev += len(f.Evidence)
	}
	fmt.Fprintf(os.Stderr, "  %-16s %6.2f s, %d findings, %d evidence transactions\n", step, elapsed.Seconds(), len(res.Findings), ev)
	return emit(w, StepResult{Name: step, Rows: res.Manifest.Txns, Elapsed: elapsed, Findings: len(res.Findings)})
}

// RulesOptions shapes the rules benchmark.
type RulesOptions = IngestOptions

// Rules measures the typologies pack on an AMLworld-shaped case of N transactions: each rule
// in its own process (its time and peak memory), and their sum as the pack's time.
func Rules(ctx context.Context, w io.Writer, o RulesOptions) error {
	dbPath, prepTime, cleanup, err := ingestedCase(ctx, o, "moneytrail-bench-rules-", "rules-case.duckdb")
	if err != nil {
		return err
	}
	defer cleanup()
	fmt.Fprintf(w, "case: %d AMLworld-shaped transactions, prepared in %s; pack %s with its default parameters; --memory-limit %s\n",
		o.Rows, prepTime.Round(time.Millisecond), RulesPack, RulesMemoryLimit)
	p, err := rules.Load(RulesPack)
	if err != nil {
		return err
	}
	var total, cpu time.Duration
	var peak int64
	var findings int
	var res []StepResult
	for _, r := range p.Rules {
		sr, err := rulesChild(ctx, o.Exe, r.ID, dbPath)
		if err != nil {
			return err
		}
		res = append(res, sr)
		total += sr.Elapsed
		cpu += sr.CPU
		findings += sr.Findings
		peak = max(peak, sr.PeakRSS)
	}
	fmt.Fprintf(w, "%-20s %10s %10s %14s %10s %12s\n", "rule", "seconds", "cpu s", "txns/s", "findings", "peak RSS")
	for _, r := range res {
		fmt.Fprintf(w, "%-20s %10.2f %10.2f %14.0f %10d %9.0f MiB\n", r.Name, r.Elapsed.Seconds(), r.CPU.Seconds(), r.RowsPerSec(), r.Findings, float64(r.PeakRSS)/(1<<20))
	}
	fmt.Fprintf(w, "%-20s %10.2f %10.2f %14s %10d %9.0f MiB\n", "pack (sum)", total.Seconds(), cpu.Seconds(), "", findings, float64(peak)/(1<<20))
	fmt.Fprintln(w, "targets at 5M rows on 2 cores: the pack under 60 s, no rule over 20 s, peak RSS under 4 GiB")
	fmt.Fprintln(w, "(seconds: wall time of the rule's query; cpu s: user+system time of its whole process, which on a busy machine says what the rule cost when the wall time also counts waiting)")
	return nil
}

func rulesChild(ctx context.Context, exe, step, dbPath string) (StepResult, error) {
	return runChild(ctx, exe, "rules", "bench-step", step, dbPath)
}
