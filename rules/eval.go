package rules

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/moneytrail/moneytrail/internal/casedb"
)

// Labels that mark laundering in the case's labels table: transaction labels (AMLworld
// is_laundering, AMLSim is_sar) and account labels (AMLSim is_fraud and is_sar); value 1 or
// true.
var (
	TxnLabels     = []string{"is_laundering", "is_sar"}
	AccountLabels = []string{"is_fraud", "is_sar"}
)

// Score is precision and recall of one set of predictions against labels.
type Score struct {
	// Labelled is the number of labelled positives; 0 means no labels of this kind, and
	// precision and recall are then not defined.
	Labelled, Predicted, TruePositives int64
}

// Precision is TP / predicted (0 when nothing was predicted).
func (s Score) Precision() float64 {
	if s.Predicted == 0 {
		return 0
	}
	return float64(s.TruePositives) / float64(s.Predicted)
}

// Recall is TP / labelled (0 when nothing is labelled).
func (s Score) Recall() float64 {
	if s.Labelled == 0 {
		return 0
	}
	return float64(s.TruePositives) / float64(s.Labelled)
}

// EvalRow is the evaluation of one rule, or of a whole pack (Rule "*").
type EvalRow struct {
	Pack, Rule string
	Findings   int64
	// Txns scores the evidence transactions against transaction labels.
	Txns Score
	// Accounts scores the implicated accounts against account labels: the subject when it
	// is an account, the accounts of a party subject, and both ends of every evidence
	// transaction that are not exits (cash, external, asset).
	Accounts Score
}

// Eval scores a stored rules run against the case's labels, per rule and per pack (the union
// of its rules' predictions), in the run's pack and rule order.
func Eval(ctx context.Context, db *casedb.DB, runID string) ([]EvalRow, error) {
	return eval(ctx, db, runID, true, nil)
}

// EvalAccounts scores a stored rules run like Eval, against a list of the accounts known to
// be involved (any ground truth: a generated case's flagged accounts, a list of labelled
// accounts from elsewhere) instead of the case's labels. Transaction scores are then empty.
// Ids not among the case's accounts still count as labelled: a rule cannot find them.
func EvalAccounts(ctx context.Context, db *casedb.DB, runID string, accounts []string) ([]EvalRow, error) {
	if accounts == nil {
		accounts = []string{}
	}
	return eval(ctx, db, runID, false, accounts)
}

func eval(ctx context.Context, db *casedb.DB, runID string, useLabels bool, accounts []string) ([]EvalRow, error) {
	var mj string
	err := db.QueryRowContext(ctx, `SELECT manifest_json FROM runs WHERE run_id = ? AND kind = 'rules'`, runID).Scan(&mj)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: rules run %s", ErrNoRun, runID)
	}
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal([]byte(mj), &m); err != nil {
		return nil, fmt.Errorf("run %s: manifest: %w", runID, err)
	}
	rows, err := db.QueryContext(ctx, `
		WITH f AS (
			SELECT rowid AS fid, rule_id, pack, subject, evidence FROM findings WHERE run_id = $run
		),
		ord AS (
			SELECT rule_id, pack, count(*) AS findings FROM f GROUP BY rule_id, pack
		),
		truth_txn AS (
			SELECT DISTINCT substr(subject, 5) AS txn_id FROM labels
			WHERE $uselabels AND subject LIKE 'txn:%' AND list_contains($txnl, label) AND lower(value) IN ('1', 'true')
		),
		truth_acct AS (
			SELECT DISTINCT substr(subject, 9) AS account_id FROM labels
			WHERE $uselabels AND subject LIKE 'account:%' AND list_contains($acctl, label) AND lower(value) IN ('1', 'true')
			UNION SELECT unnest(CAST($given AS VARCHAR[]))
		),
		ev AS (
			SELECT DISTINCT rule_id, pack, txn_id FROM (
				SELECT rule_id, pack, unnest(string_split(evidence, ' ')) AS txn_id FROM f)
			WHERE txn_id <> ''
		),
		ends AS (
			SELECT ev.rule_id, ev.pack, unnest([t.from_account, t.to_account]) AS account_id
			FROM ev JOIN txns t USING (txn_id)
		),
		acct AS (
			SELECT rule_id, pack, subject AS account_id FROM f WHERE subject IN (SELECT account_id FROM accounts)
			UNION
			SELECT f.rule_id, f.pack, pl.account_id FROM f JOIN party_links pl ON f.subject = 'party:' || pl.party_id
			UNION
			SELECT e.rule_id, e.pack, e.account_id FROM ends e JOIN accounts a USING (account_id)
			WHERE a.kind NOT IN ('cash', 'external', 'asset')
		),
		pt AS (
			SELECT rule_id, pack, count(*) AS pt, count(*) FILTER (WHERE txn_id IN (SELECT txn_id FROM truth_txn)) AS tpt
			FROM ev GROUP BY rule_id, pack
		),
		pa AS (
			SELECT rule_id, pack, count(*) AS pa, count(*) FILTER (WHERE account_id IN (SELECT account_id FROM truth_acct)) AS tpa
			FROM acct GROUP BY rule_id, pack
		),
		ptp AS (
			SELECT pack, count(DISTINCT txn_id) AS pt, count(DISTINCT txn_id) FILTER (WHERE txn_id IN (SELECT txn_id FROM truth_txn)) AS tpt
			FROM ev GROUP BY pack
		),
		pap AS (
			SELECT pack, count(DISTINCT account_id) AS pa,
				count(DISTINCT account_id) FILTER (WHERE account_id IN (SELECT account_id FROM truth_acct)) AS tpa
			FROM acct GROUP BY pack
		),
		per_rule AS (
			SELECT o.pack, o.rule_id, o.findings, coalesce(pt.pt, 0) AS pt, coalesce(pt.tpt, 0) AS tpt,
				coalesce(pa.pa, 0) AS pa, coalesce(pa.tpa, 0) AS tpa
			FROM ord o LEFT JOIN pt USING (rule_id, pack) LEFT JOIN pa USING (rule_id, pack)
		),
		per_pack AS (
			SELECT o.pack, '*' AS rule_id, CAST(sum(o.findings) AS BIGINT) AS findings,
				coalesce(any_value(ptp.pt), 0) AS pt, coalesce(any_value(ptp.tpt), 0) AS tpt,
				coalesce(any_value(pap.pa), 0) AS pa, coalesce(any_value(pap.tpa), 0) AS tpa
			FROM ord o LEFT JOIN ptp USING (pack) LEFT JOIN pap USING (pack) GROUP BY o.pack
		)
		SELECT pack, rule_id, findings, pt, tpt, pa, tpa,
			(SELECT count(*) FROM truth_txn), (SELECT count(*) FROM truth_acct)
		FROM (SELECT * FROM per_rule UNION ALL SELECT * FROM per_pack)
		`,
		sql.Named("run", runID), sql.Named("txnl", TxnLabels), sql.Named("acctl", AccountLabels),
		sql.Named("uselabels", useLabels), sql.Named("given", givenList(accounts)))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	got := map[[2]string]EvalRow{}
	var lt, la int64
	for rows.Next() {
		var r EvalRow
		if err := rows.Scan(&r.Pack, &r.Rule, &r.Findings, &r.Txns.Predicted, &r.Txns.TruePositives,
			&r.Accounts.Predicted, &r.Accounts.TruePositives, &lt, &la); err != nil {
			return nil, err
		}
		got[[2]string{r.Pack, r.Rule}] = r
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(got) == 0 && useLabels {
		if err := db.QueryRowContext(ctx, `SELECT
			(SELECT count(DISTINCT subject) FROM labels WHERE subject LIKE 'txn:%' AND list_contains($1, label) AND lower(value) IN ('1', 'true')),
			(SELECT count(DISTINCT subject) FROM labels WHERE subject LIKE 'account:%' AND list_contains($2, label) AND lower(value) IN ('1', 'true'))`,
			TxnLabels, AccountLabels).Scan(&lt, &la); err != nil {
			return nil, err
		}
	}
	if len(got) == 0 && !useLabels {
		lt, la = 0, int64(len(slices.Compact(slices.Sorted(slices.Values(accounts)))))
	}
	var out []EvalRow
	for _, p := range m.Packs {
		for _, id := range append(slices.Clone(p.Rules), "*") {
			r, ok := got[[2]string{p.Name, id}]
			if !ok {
				r = EvalRow{Pack: p.Name, Rule: id}
			}
			r.Txns.Labelled, r.Accounts.Labelled = lt, la
			out = append(out, r)
		}
	}
	return out, nil
}

// givenList is the list of given accounts as a query parameter: nil (no list) binds as an
// empty list.
func givenList(accounts []string) []string {
	if accounts == nil {
		return []string{}
	}
	return accounts
}
