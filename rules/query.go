package rules

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/moneytrail/moneytrail/internal/casedb"
)

// shape is what preparing a rule's query tells about it, before it runs.
type shape struct {
	hasScore, hasDetail bool
}

// Temporary tables a rule's query may read besides the case's tables and views.
const (
	tempPrior = `CREATE OR REPLACE TEMP TABLE prior_findings(rule_id VARCHAR, subject VARCHAR,
		amount DECIMAL(38,6), evidence VARCHAR[])`
	tempPositions = `CREATE OR REPLACE TEMP TABLE rule_positions(holder VARCHAR, holder_kind VARCHAR,
		origin VARCHAR, amount DECIMAL(38,6))`
	tempFlows = `CREATE OR REPLACE TEMP TABLE rule_flows(txn_id VARCHAR, booked_at TIMESTAMP,
		from_account VARCHAR, to_account VARCHAR, origin VARCHAR, amount DECIMAL(38,6))`
)

// prepare checks on conn, without running it, that q is one SELECT as DuckDB parses it
// (casedb.CheckUser), that its parameters are among params and that it returns subject,
// amount and evidence (a list), optionally score and detail. It returns the shape and the
// arguments to bind, named as the query names them.
func prepare(ctx context.Context, db *casedb.DB, conn *sql.Conn, q string, params RuleParams) (shape, []any, error) {
	var sh shape
	us, err := casedb.CheckUser(conn, q)
	if err != nil {
		return sh, nil, err
	}
	var args []any
	for _, name := range us.Params {
		v, ok := params[name]
		if !ok {
			return sh, nil, fmt.Errorf("parameter $%s is not among the rule's params", name)
		}
		args = append(args, v.Value.arg(name))
	}
	// Result types are unknown until parameters are bound: ask for the columns of an empty
	// result instead, which DuckDB answers without reading the case.
	rows, err := db.QueryUser(ctx, conn, `SELECT * FROM (`+trimQuery(q)+`
	) AS rule_query LIMIT 0`, args...)
	if err != nil {
		return sh, nil, err
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return sh, nil, err
	}
	cols := map[string]string{}
	var names []string
	for _, t := range types {
		cols[strings.ToLower(t.Name())] = t.DatabaseTypeName()
		names = append(names, t.Name())
	}
	var missing []string
	for _, c := range []string{"subject", "amount", "evidence"} {
		if _, ok := cols[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return sh, nil, fmt.Errorf("the query returns %s; it must return subject, amount and evidence (missing %s)",
			strings.Join(names, ", "), strings.Join(missing, ", "))
	}
	if t := cols["evidence"]; !strings.HasSuffix(t, "]") {
		return sh, nil, fmt.Errorf("evidence is %s; it must be a list of txn_ids (e.g. list(txn_id ORDER BY txn_id))", t)
	}
	_, sh.hasScore = cols["score"]
	_, sh.hasDetail = cols["detail"]
	return sh, args, rows.Close()
}

func trimQuery(q string) string {
	q = strings.TrimSpace(q)
	return strings.TrimSpace(strings.TrimSuffix(q, ";"))
}

// wrap turns a rule's query into the one the engine runs: fixed column types, evidence
// sorted and de-duplicated, score rounded (parallel float sums are not bit-stable), rows in a
// total order.
func wrap(q string, sh shape) string {
	score, detail := "NULL::DOUBLE", "NULL::VARCHAR"
	if sh.hasScore {
		score = "round(CAST(score AS DOUBLE), 6)"
	}
	if sh.hasDetail {
		detail = "CAST(detail AS VARCHAR)"
	}
	return `SELECT CAST(subject AS VARCHAR) AS subject,
		CAST(CAST(amount AS DECIMAL(38,6)) AS VARCHAR) AS amount,
		array_to_string(list_sort(list_distinct(CAST(evidence AS VARCHAR[]))), ' ') AS evidence,
		` + score + ` AS score, ` + detail + ` AS detail
	FROM (
` + trimQuery(q) + `
	) AS rule_query
	ORDER BY 1 NULLS LAST, 3, 2, 4, 5`
}

// fillPrior loads the findings so far into prior_findings on conn.
func fillPrior(ctx context.Context, conn *sql.Conn, fs []Finding) error {
	if _, err := conn.ExecContext(ctx, tempPrior); err != nil {
		return err
	}
	if len(fs) == 0 {
		return nil
	}
	var rule, subj, amt, ev []string
	for _, f := range fs {
		rule = append(rule, f.RuleID)
		subj = append(subj, f.Subject)
		amt = append(amt, f.Amount)
		ev = append(ev, strings.Join(f.Evidence, " "))
	}
	_, err := conn.ExecContext(ctx, `INSERT INTO prior_findings
		SELECT unnest($1::VARCHAR[]), unnest($2::VARCHAR[]), CAST(unnest($3::VARCHAR[]) AS DECIMAL(38,6)),
			string_split(unnest($4::VARCHAR[]), ' ')`, rule, subj, amt, ev)
	return err
}

// scanFindings reads the wrapped query's rows.
func scanFindings(rows *sql.Rows, p *Pack, r *Rule) ([]Finding, error) {
	defer rows.Close()
	var out []Finding
	for rows.Next() {
		var subj, amt, ev, detail sql.NullString
		var score sql.NullFloat64
		if err := rows.Scan(&subj, &amt, &ev, &score, &detail); err != nil {
			return nil, err
		}
		f := Finding{RuleID: r.ID, Pack: p.Name, PackVersion: p.Version, Subject: subj.String, Amount: amt.String,
			Evidence: strings.Fields(ev.String), Detail: detail.String}
		if score.Valid {
			s := score.Float64
			f.Score = &s
		}
		if f.Amount == "" {
			f.Amount = "0.000000"
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
