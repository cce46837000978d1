package rules

import (
	"context"
	"errors"
	"fmt"

	"github.com/moneytrail/moneytrail/internal/casedb"
)

// Check validates a pack without running it on a case: its structure (Load and Parse have
// done that), and that every rule's query prepares against the views of an empty in-memory
// case with its default parameters and returns subject, amount and evidence. Every failing
// rule is reported, each error naming the pack and the rule.
func Check(ctx context.Context, p *Pack) error {
	db, err := casedb.Open(ctx, ":memory:", casedb.Options{Create: true, Sealed: true, Threads: 1})
	if err != nil {
		return err
	}
	defer db.Close()
	params, err := resolve([]*Pack{p}, nil)
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range p.Rules {
		if err := checkRule(ctx, db, r, params[r.ID]); err != nil {
			errs = append(errs, fmt.Errorf("%w: %s: rule %s: %w", ErrPack, p.Origin, r.ID, err))
		}
	}
	return errors.Join(errs...)
}

func checkRule(ctx context.Context, db *casedb.DB, r *Rule, rp RuleParams) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	defer conn.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS temp.prior_findings; DROP TABLE IF EXISTS temp.rule_positions; DROP TABLE IF EXISTS temp.rule_flows`)
	if err := fillPrior(ctx, conn, nil); err != nil {
		return err
	}
	if r.Trace != nil {
		if err := fillTrace(ctx, conn, nil); err != nil {
			return err
		}
	}
	sh, args, err := prepare(ctx, db, conn, r.SQL, rp)
	if err != nil {
		return err
	}
	rows, err := db.QueryUser(ctx, conn, wrap(r.SQL, sh), args...)
	if err != nil {
		return err
	}
	return rows.Close()
}
