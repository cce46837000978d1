package rules

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/internal/money"
)

// executor runs the rules of one run in order.
type executor struct {
	db     *casedb.DB
	opt    Options
	res    *Result
	failed map[string]bool
	traces map[string]*traced
}

// traced is what a trace step gave: its positions and flows (nil: nothing to trace).
type traced struct {
	positions []casedb.PositionRow
	flows     []casedb.FlowRow
}

// rule runs one rule on a connection of its own to the sealed case: the temporary tables it
// reads (filled by moneytrail before the rule's statement runs) live and die with it, and
// nothing the rule does outlives it but its findings.
func (ex *executor) rule(ctx context.Context, p *Pack, r *Rule, rp RuleParams) ([]Finding, error) {
	if ex.opt.RuleTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, ex.opt.RuleTimeout)
		defer cancel()
	}
	var out *traced
	if r.Trace != nil {
		var err error
		if out, err = ex.trace(ctx, r, rp); err != nil {
			return nil, err
		}
	}
	conn, err := ex.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	defer conn.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS temp.prior_findings; DROP TABLE IF EXISTS temp.rule_positions; DROP TABLE IF EXISTS temp.rule_flows`)
	if err := fillPrior(ctx, conn, ex.res.Findings); err != nil {
		return nil, err
	}
	if r.Trace != nil {
		if err := fillTrace(ctx, conn, out); err != nil {
			return nil, err
		}
	}
	sh, args, err := prepare(ctx, ex.db, conn, r.SQL, rp)
	if err != nil {
		return nil, err
	}
	rows, err := ex.db.QueryUser(ctx, conn, wrap(r.SQL, sh), args...)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("stopped after %v: %w", ex.opt.RuleTimeout, ctx.Err())
		}
		return nil, err
	}
	return scanFindings(rows, p, r)
}

// trace seeds the tracer with the evidence of the step's seed rules: the credits among them
// into accounts that are not exits (cash, external, asset). Traces with the same seeds and
// method are shared within a run.
func (ex *executor) trace(ctx context.Context, r *Rule, rp RuleParams) (*traced, error) {
	m, err := r.traceMethod(rp)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, s := range r.Trace.Seeds {
		if ex.failed[s] {
			return nil, fmt.Errorf("trace: seed rule %s failed", s)
		}
		for _, f := range ex.res.Findings {
			if f.RuleID == s {
				ids = append(ids, f.Evidence...)
			}
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	key := fmt.Sprintf("%s|%v|%s", m, r.Trace.GroupSeeds, strings.Join(ids, " "))
	if out, ok := ex.traces[key]; ok {
		return out, nil
	}
	seeds, err := creditSeeds(ctx, ex.db, ids)
	if err != nil {
		return nil, err
	}
	if len(seeds) == 0 {
		ex.res.Notes = append(ex.res.Notes, fmt.Sprintf("rule %s: the seed rules (%s) found no credit to trace", r.ID, strings.Join(r.Trace.Seeds, ", ")))
		return nil, nil
	}
	if ex.opt.Tracer == nil {
		return nil, fmt.Errorf("trace: rule %s has a trace step and the run was given no tracer (Options.Tracer)", r.ID)
	}
	pos, flows, err := ex.opt.Tracer.TraceSeeds(ctx, ex.db, seeds, m, r.Trace.GroupSeeds, ex.opt.ToolVersion)
	if err != nil {
		return nil, fmt.Errorf("trace: %w", err)
	}
	out := &traced{positions: pos, flows: flows}
	if ex.traces == nil {
		ex.traces = map[string]*traced{}
	}
	ex.traces[key] = out
	return out, nil
}

// creditSeeds keeps the ids that are credits into accounts the tracer replays (not exits),
// sorted.
func creditSeeds(ctx context.Context, db *casedb.DB, ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := db.QueryContext(ctx, `SELECT DISTINCT t.txn_id FROM txns t LEFT JOIN accounts a ON a.account_id = t.to_account
		WHERE t.txn_id IN (SELECT unnest(?::VARCHAR[])) AND NOT t.pending
			AND coalesce(a.kind, 'bank') NOT IN ('cash', 'external', 'asset')
		ORDER BY t.txn_id`, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// fillTrace loads the tainted positions and flows of a trace into rule_positions and
// rule_flows (empty when out is nil: there was nothing to trace).
func fillTrace(ctx context.Context, conn *sql.Conn, out *traced) error {
	for _, q := range []string{tempPositions, tempFlows} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	if out == nil {
		return nil
	}
	var holder, kind, origin, amt []string
	for _, p := range out.positions {
		if !tainted(p.Origin) {
			continue
		}
		holder, kind, origin = append(holder, p.Holder), append(kind, p.HolderKind), append(origin, p.Origin)
		amt = append(amt, money.Format(money.FromMinor(p.Cents, 2), 2))
	}
	if len(holder) > 0 {
		if _, err := conn.ExecContext(ctx, `INSERT INTO rule_positions SELECT unnest($1::VARCHAR[]), unnest($2::VARCHAR[]),
			unnest($3::VARCHAR[]), CAST(unnest($4::VARCHAR[]) AS DECIMAL(38,6))`, holder, kind, origin, amt); err != nil {
			return err
		}
	}
	var txn, at, from, to []string
	origin, amt = origin[:0], amt[:0]
	for _, f := range out.flows {
		if !tainted(f.Origin) {
			continue
		}
		txn, at, from, to = append(txn, f.TxnID), append(at, f.BookedAt.UTC().Format("2006-01-02 15:04:05.999999")), append(from, f.From), append(to, f.To)
		origin, amt = append(origin, f.Origin), append(amt, money.Format(money.FromMinor(f.Cents, 2), 2))
	}
	if len(txn) > 0 {
		if _, err := conn.ExecContext(ctx, `INSERT INTO rule_flows SELECT unnest($1::VARCHAR[]), CAST(unnest($2::VARCHAR[]) AS TIMESTAMP),
			unnest($3::VARCHAR[]), unnest($4::VARCHAR[]), unnest($5::VARCHAR[]), CAST(unnest($6::VARCHAR[]) AS DECIMAL(38,6))`,
			txn, at, from, to, origin, amt); err != nil {
			return err
		}
	}
	return nil
}

// tainted tells a seed origin from clean money and unexplained funds.
func tainted(origin string) bool {
	return origin != "clean" && origin != "unexplained" && !strings.HasPrefix(origin, "unexplained:")
}
