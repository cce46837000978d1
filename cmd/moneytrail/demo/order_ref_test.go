package demo

import (
	"context"
	"database/sql"
	"testing"

	"github.com/moneytrail/moneytrail/internal/casedb"
)

// refTxn is one replayed transaction of the reference replay.
type refTxn struct {
	id, from, to string
	cents        int64
}

// referenceOrder returns the case's replayable transactions in the order DESIGN.md §4 asks
// for, worked out naively and apart from the tracer's code: every statement (a source's rows
// for one of its statement accounts; a source without statements is one) lists its entries
// in booking order, a matched transfer is one event on both statements, and the replay takes
// again and again the first transaction, in (booked_at, seq) order, that is next on every
// statement it is on. It fails the test if the statements contradict each other (the demo's
// do not, so any order they allow gives the same figures).
func referenceOrder(t *testing.T, ctx context.Context, db *casedb.DB) []refTxn {
	t.Helper()
	statement := map[[2]any]bool{}
	hasStatements := map[int64]bool{}
	rows, err := db.QueryContext(ctx, `SELECT DISTINCT source_id, account_id FROM statements`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s int64
		var a string
		if err := rows.Scan(&s, &a); err != nil {
			t.Fatal(err)
		}
		statement[[2]any{s, a}], hasStatements[s] = true, true
	}
	rows.Close()
	// Every row, duplicates included, in (booked_at, seq) order: the order of each statement,
	// and, of the kept rows, the order of preference.
	var q *sql.Rows
	q, err = db.QueryContext(ctx, `SELECT txn_id, coalesce(duplicate_of, ''), source_id, from_account, to_account,
			CAST(round(coalesce(base_amount, 0) * 100) AS BIGINT)
		FROM transactions WHERE NOT pending ORDER BY booked_at, seq`)
	if err != nil {
		t.Fatal(err)
	}
	var events []refTxn
	index := map[string]int{}
	chains := map[[2]any][]string{}
	type row struct {
		id, dup, from, to string
		source            int64
	}
	var all []row
	for q.Next() {
		var r row
		var c int64
		if err := q.Scan(&r.id, &r.dup, &r.source, &r.from, &r.to, &c); err != nil {
			t.Fatal(err)
		}
		all = append(all, r)
		if r.dup == "" && c > 0 {
			index[r.id] = len(events)
			events = append(events, refTxn{r.id, r.from, r.to, c})
		}
	}
	q.Close()
	for _, r := range all {
		ev := r.id
		if r.dup != "" {
			ev = r.dup
		}
		if _, ok := index[ev]; !ok {
			continue
		}
		if !hasStatements[r.source] {
			chains[[2]any{r.source, ""}] = append(chains[[2]any{r.source, ""}], ev)
			continue
		}
		for _, a := range []string{r.from, r.to} {
			if k := [2]any{r.source, a}; statement[k] && (a == r.from || r.to != r.from) {
				chains[k] = append(chains[k], ev)
			}
		}
	}
	// on[e]: the statements event e is on; head[c]: how far statement c has been replayed.
	on := map[string][][2]any{}
	for k, c := range chains {
		for _, e := range c {
			on[e] = append(on[e], k)
		}
	}
	head := map[[2]any]int{}
	done := make([]bool, len(events))
	var out []refTxn
	for len(out) < len(events) {
		picked := -1
		for i, e := range events {
			if done[i] {
				continue
			}
			ready := true
			for _, k := range on[e.id] {
				if chains[k][head[k]] != e.id {
					ready = false
					break
				}
			}
			if ready {
				picked = i
				break
			}
		}
		if picked < 0 {
			t.Fatal("reference order: the statements contradict each other")
		}
		done[picked] = true
		out = append(out, events[picked])
		for _, k := range on[events[picked].id] {
			head[k]++
		}
	}
	return out
}
