// Package demo runs the whole job on a built-in case: it generates the small synthetic
// smuggling case, loads every file, pairs transfers seen in two exports, runs the smuggling
// rule pack (with its trace step), traces the collected money under every method and writes
// the evidence report, then says what it found and checks it against the ground truth.
package demo

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/moneytrail/moneytrail/fixtures"
	"github.com/moneytrail/moneytrail/ingest"
	"github.com/moneytrail/moneytrail/ingest/match"
	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/internal/table"
	"github.com/moneytrail/moneytrail/report"
	"github.com/moneytrail/moneytrail/rules"
	"github.com/moneytrail/moneytrail/tracer"
	"github.com/moneytrail/moneytrail/tracer/casetrace"
)

// Options shapes a demo run.
type Options struct {
	// Out is the folder for the input files, the case database, the trace and the report.
	Out string
	// Output is the listing format: table, csv or json.
	Output string
	// Seed and Scale choose the generated case (default 1, small).
	Seed  uint64
	Scale string
	// ToolVersion goes into the run manifests.
	ToolVersion string
	// Now is the declared time of the run (ingest and run timestamps); zero means now.
	Now time.Time
}

// Summary is what the demo found, for its caller and its tests.
type Summary struct {
	Files, Loaded, Quarantined int64
	Pairs                      int
	CollectorsFound            []string
	OrganizersFound            []string
	// Recall and Precision per role ("collector", "organizer") against the ground truth.
	Recall, Precision map[string]float64
	TraceRunID        string
	RulesRunID        string
	ReportDir         string
}

// Run generates the case under o.Out/input, loads it into a fresh o.Out/case.duckdb and runs
// the investigation, printing each step to w.
func Run(ctx context.Context, w io.Writer, o Options) (*Summary, error) {
	start := time.Now()
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Scale == "" {
		o.Scale = fixtures.ScaleSmall
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	d := &demo{ctx: ctx, w: w, o: o, now: now, in: filepath.Join(o.Out, "input"), dbPath: filepath.Join(o.Out, "case.duckdb"),
		sum: &Summary{Recall: map[string]float64{}, Precision: map[string]float64{}}}
	truth, err := d.generate()
	if err != nil {
		return nil, err
	}
	if err := d.loadAndMatch(truth); err != nil {
		return nil, err
	}
	byRule, err := d.runRules()
	if err != nil {
		return nil, err
	}
	// The rest reads the case through one handle.
	db, err := casedb.Open(ctx, d.dbPath, casedb.Options{})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if err := d.compareWithTruth(db, truth, byRule); err != nil {
		return nil, err
	}
	if err := d.trace(db, byRule); err != nil {
		return nil, err
	}
	if err := d.report(db); err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "\ndone in %s. Explore the case: moneytrail --db %s sources | accounts | statements | sql \"...\"\n",
		time.Since(start).Round(100*time.Millisecond), d.dbPath)
	return d.sum, nil
}

// demo is one Run: its options, where it writes, and the summary its steps fill in.
type demo struct {
	ctx    context.Context
	w      io.Writer
	o      Options
	now    time.Time
	in     string // the generated input files
	dbPath string // the case database
	sum    *Summary
}

// generate writes the synthetic case and its ground truth under d.in, and removes the case
// database of an earlier run: the demo always starts from nothing.
func (d *demo) generate() (*fixtures.Truth, error) {
	os.RemoveAll(d.in)
	truth, err := fixtures.GenerateSmuggling(d.in, fixtures.SmugglingOptions{Seed: d.o.Seed, Scale: d.o.Scale})
	if err != nil {
		return nil, err
	}
	os.Remove(d.dbPath)
	os.Remove(d.dbPath + ".wal")
	fmt.Fprintf(d.w, "moneytrail demo: a synthetic smuggling case (seed %d, %s): %d files in %s\n", d.o.Seed, d.o.Scale, len(truth.Files), d.in)
	fmt.Fprintf(d.w, "  every person, company and account is invented; the ground truth is in %s\n\n", filepath.Join(d.in, "truth.json"))
	return truth, nil
}

// loadAndMatch creates the case database, loads every file into it (step 1) and pairs the
// transfers seen in two exports (step 2) on the handle that created it, closed before the
// rule pack opens its own.
func (d *demo) loadAndMatch(truth *fixtures.Truth) error {
	db, err := casedb.Open(d.ctx, d.dbPath, casedb.Options{Create: true})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := d.ingest(db, truth); err != nil {
		return err
	}
	return d.match(db)
}

// ingest loads every file with the flags its bank's export needs (step 1), then shows that
// the statements reconcile and what the money-transfer operators moved.
func (d *demo) ingest(db *casedb.DB, truth *fixtures.Truth) error {
	for _, f := range truth.Files {
		res, err := ingest.File(d.ctx, db, filepath.Join(d.in, f.Name), ingest.Options{Format: f.Format, Profile: f.Profile,
			Account: f.Account, Operator: f.Operator, Now: d.now})
		if err != nil {
			return err
		}
		d.sum.Files++
		d.sum.Loaded += res.Loaded
		d.sum.Quarantined += res.Quarantined
	}
	fmt.Fprintf(d.w, "1. loaded %d files: %d records, %d quarantined (camt.053, MT940, XLSX and CSV statements, operator records, rates)\n", d.sum.Files, d.sum.Loaded, d.sum.Quarantined)
	if err := section(d.ctx, d.w, db, d.o.Output, "   statements: opening + credits - debits = closing",
		`SELECT count(*) AS statements, count(*) FILTER (WHERE reconciled) AS reconciled, count(*) FILTER (WHERE NOT reconciled) AS not_reconciled FROM statements`); err != nil {
		return err
	}

	// The operators' records: what was sent, charged and paid out in cash. A pay-out in
	// another currency than sent is booked in the send currency (the value that left the
	// receiver's operator account) with the cash paid in received_amount: valued at the
	// send day's fixing (as ingest values every pay-out), it equals the send, and it differs
	// from the cash by the operator's exchange margin: sent + revaluation (0) = cash paid out
	// + margin, to the cent; the revaluation column shows that the operator accounts empty.
	return section(d.ctx, d.w, db, d.o.Output, "   money-transfer operators: transfers, fees, pay-outs in cash to the receivers (base currency)",
		`WITH p AS (
			SELECT s.base_amount AS sent, p.base_amount AS paid_value, p.base_currency AS base,
				CASE WHEN p.received_currency = p.base_currency AND p.currency <> p.base_currency THEN p.received_amount ELSE p.base_amount END AS cash
			FROM transactions p JOIN transactions s ON s.txn_id || ':payout' = p.txn_id
			WHERE p.channel = 'mto_payout' AND s.channel = 'mto_send')
		SELECT (SELECT count(*) FROM transactions WHERE channel = 'mto_send') AS transfers,
			(SELECT sum(base_amount) FROM transactions WHERE channel = 'fee' AND to_account LIKE 'mto:%:fees') AS fees,
			count(*) AS paid_out, sum(sent) AS sent, sum(paid_value - sent) AS revaluation,
			sum(cash) AS cash_paid_out, sum(paid_value - cash) AS fx_margin
		FROM p`)
}

// match counts once the two sides of transfers seen in two banks' exports (step 2).
func (d *demo) match(db *casedb.DB) error {
	mr, err := match.Run(d.ctx, db, match.DefaultOptions())
	if err != nil {
		return err
	}
	d.sum.Pairs = len(mr.Pairs)
	fmt.Fprintf(d.w, "\n2. matched %d transfers seen in two exports (by EndToEndId, then amount and dates): each now counts once\n", len(mr.Pairs))
	return nil
}

// runRules runs the smuggling rule pack (step 3), prints the number of findings per rule in
// rule-id order and returns the findings by rule. The pack's SQL is untrusted: it runs on a
// sealed, read-only handle of the case; the findings are stored through a writable one
// afterwards (rules.RunCase).
func (d *demo) runRules() (map[string][]rules.Finding, error) {
	pack, err := rules.Load("smuggling")
	if err != nil {
		return nil, err
	}
	open := func(ctx context.Context, opt casedb.Options) (*casedb.DB, error) {
		return casedb.Open(ctx, d.dbPath, opt)
	}
	rr, err := rules.RunCase(d.ctx, open, []*rules.Pack{pack}, rules.Options{ToolVersion: d.o.ToolVersion, StartedAt: d.now, Tracer: casetrace.Rules{}})
	if err != nil {
		return nil, err
	}
	d.sum.RulesRunID = rr.RunID
	byRule := map[string][]rules.Finding{}
	for _, f := range rr.Findings {
		byRule[f.RuleID] = append(byRule[f.RuleID], f)
	}
	fmt.Fprintf(d.w, "\n3. smuggling pack v%s: %d findings (run %s)\n", pack.Version, len(rr.Findings), rr.RunID)
	var ids []string
	for id := range byRule {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		fmt.Fprintf(d.w, "   %-24s %4d\n", id, len(byRule[id]))
	}
	return byRule, nil
}

// compareWithTruth prints how the collectors and organizers that the findings name compare
// with the ground truth.
func (d *demo) compareWithTruth(db *casedb.DB, truth *fixtures.Truth, byRule map[string][]rules.Finding) error {
	ev, err := evaluate(d.ctx, db, truth, byRule)
	if err != nil {
		return err
	}
	d.sum.CollectorsFound, d.sum.OrganizersFound = ev.found["collector"], ev.found["organizer"]
	for _, role := range []string{"collector", "organizer"} {
		d.sum.Recall[role], d.sum.Precision[role] = ev.recall[role], ev.precision[role]
		fmt.Fprintf(d.w, "   %ss found: %d of the %d in the ground truth, through %d flagged accounts and parties (recall %.2f, precision %.2f)\n",
			role, ev.hits[role], ev.want[role], len(ev.found[role]), ev.recall[role], ev.precision[role])
	}
	for _, s := range ev.found["organizer"] {
		fmt.Fprintf(d.w, "     organizer: %s\n", s)
	}
	return nil
}

// trace follows the collected money, seeded by the collector rules that found something,
// under every method (step 4), stores the run, writes its files and shows where the
// proceeds are.
func (d *demo) trace(db *casedb.DB, byRule map[string][]rules.Finding) error {
	methods, _ := tracer.ParseMethods("all")
	var seeds []string
	for _, r := range roleRules["collector"].rules {
		if len(byRule[r]) > 0 {
			seeds = append(seeds, "finding:"+r)
		}
	}
	if len(seeds) == 0 {
		return fmt.Errorf("the smuggling pack found no collection account or person: nothing to trace")
	}
	out, err := casetrace.Trace(d.ctx, db, casetrace.Options{Seeds: seeds,
		Methods: methods, GroupSeeds: true, GroupUnexplained: true, ToolVersion: d.o.ToolVersion, StartedAt: d.now})
	if err != nil {
		return err
	}
	if err := out.Store(d.ctx, db); err != nil {
		return err
	}
	traceDir := filepath.Join(d.o.Out, "trace")
	if err := out.WriteDir(traceDir); err != nil {
		return err
	}
	d.sum.TraceRunID = out.RunID
	fmt.Fprintf(d.w, "\n4. traced the collected proceeds (run %s, files in %s)\n", out.RunID, traceDir)
	if err := section(d.ctx, d.w, db, d.o.Output, "   where the proceeds are, per method: held in accounts whose statements are in the case (can be frozen);\n"+
		"   in accounts without a statement in the case (the trail ends there: ask for their statements, or a third party\n"+
		"   such as a seller); paid out in cash by the operators (the trail breaks at the cash, and picks up again at the\n"+
		"   deposits naming a collector); withdrawn in cash from banks; spent on assets; paid to others",
		`SELECT method, sum(amount) FILTER (WHERE holder_kind = 'account' AND a.has_statement) AS held_statement_accounts,
			sum(amount) FILTER (WHERE holder_kind = 'account' AND NOT coalesce(a.has_statement, false)) AS held_no_statement,
			sum(amount) FILTER (WHERE holder LIKE 'cash:mto:%') AS operator_cash,
			sum(amount) FILTER (WHERE holder LIKE 'cash:%' AND holder NOT LIKE 'cash:mto:%') AS bank_cash,
			sum(amount) FILTER (WHERE holder LIKE 'asset:%') AS assets,
			sum(amount) FILTER (WHERE holder_kind = 'exit' AND holder NOT LIKE 'cash:%' AND holder NOT LIKE 'asset:%') AS other_exits
		FROM trace_positions p LEFT JOIN accounts a ON a.account_id = p.holder
		WHERE run_id = ? AND origin <> 'clean' AND origin NOT LIKE 'unexplained%'
		GROUP BY method ORDER BY method`, out.RunID); err != nil {
		return err
	}
	return section(d.ctx, d.w, db, d.o.Output, "   largest holders of traced proceeds (libr: lowest intermediate balance)",
		`SELECT p.holder, coalesce(a.holder_name, '') AS holder_name,
			CASE WHEN a.has_statement THEN 'yes' ELSE 'no' END AS statement_in_case, p.amount
		FROM trace_positions p LEFT JOIN accounts a ON a.account_id = p.holder
		WHERE p.run_id = ? AND p.method = 'libr' AND p.holder_kind = 'account' AND p.origin <> 'clean' AND p.origin NOT LIKE 'unexplained%'
		ORDER BY p.amount DESC, p.holder LIMIT 8`, out.RunID)
}

// report writes the evidence report of the latest trace run (this one) and the latest rules
// run (the pack above) (step 5).
func (d *demo) report(db *casedb.DB) error {
	repDir := filepath.Join(d.o.Out, "report")
	if err := report.Write(d.ctx, db, "", repDir, report.Options{ToolVersion: d.o.ToolVersion, Method: "libr"}); err != nil {
		return err
	}
	d.sum.ReportDir = repDir
	fmt.Fprintf(d.w, "\n5. evidence report: %s (workbook), %s (open in a browser)\n", filepath.Join(repDir, report.WorkbookFile), filepath.Join(repDir, "report.html"))
	return nil
}

func section(ctx context.Context, w io.Writer, db *casedb.DB, format, title, q string, args ...any) error {
	t, err := table.Query(ctx, db, q, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", strings.TrimSpace(title), err)
	}
	fmt.Fprintln(w, title)
	return t.Write(w, format)
}
