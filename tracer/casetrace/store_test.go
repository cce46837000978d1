package casetrace_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/moneytrail/moneytrail/tracer/casetrace"
)

// TestStoredRowsAreWrittenRows: every row the trace stores in trace_positions, trace_flows,
// trace_summary, trace_unexplained and trace_sensitivity is a row of the file written for
// it, and the other way round, amounts exact (the stored DECIMAL printed with two places;
// a sensitivity figure a method did not compute is empty in the file and NULL in the case).
// Forward traces store through staging tables of numbers, backward ones row by row.
func TestStoredRowsAreWrittenRows(t *testing.T) {
	db := newCase(t, "network.csv", "mixed-fund.csv")
	ctx := context.Background()
	cases := []struct {
		name, methods string
		opt           casetrace.Options
		seeds         []string
	}{
		{"all", "all", casetrace.Options{}, []string{"account:mule-1", "txn:MF2"}},
		{"fifo", "fifo", casetrace.Options{}, []string{"account:mule-1"}},
		{"grouped", "prorata,poison", casetrace.Options{GroupSeeds: true}, []string{"account:mule-1", "txn:MF2"}},
	}
	money := func(col string) string { return `coalesce(CAST(CAST(` + col + ` AS DECIMAL(38,2)) AS VARCHAR), '')` }
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := traceErr(db, c.methods, c.opt, c.seeds...)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := out.WriteDir(dir); err != nil {
				t.Fatal(err)
			}
			if err := out.Store(ctx, db); err != nil {
				t.Fatal(err)
			}
			multi := len(out.Methods()) > 1
			method := "method, "
			if !multi {
				method = ""
			}
			tables := []struct{ file, query string }{
				{"positions.csv", `SELECT ` + method + `holder, holder_kind, origin, ` + money("amount") + ` FROM trace_positions WHERE run_id = ?`},
				{"flows.csv", `SELECT ` + method + `txn_id, strftime(booked_at, '%Y-%m-%dT%H:%M:%S'), from_account, to_account, origin, ` + money("amount") + ` FROM trace_flows WHERE run_id = ?`},
				{"summary.csv", `SELECT ` + method + `origin, coalesce(seeds, ''), ` + money("amount") + `, ` + money("traced") + `, ` + money("held") + `, ` + money("exited") + `, ` +
					money("exited_cash") + `, ` + money("exited_external") + `, ` + money("exited_asset") + `, ` + money("exited_other") + `, ` + money("held_with_unexplained") + ` FROM trace_summary WHERE run_id = ?`},
				{"unexplained.csv", `SELECT account_id, ` + money("amount") + `, CAST(debits AS VARCHAR) FROM trace_unexplained WHERE run_id = ?`},
			}
			if multi {
				var cols []string
				for _, m := range out.Methods() {
					cols = append(cols, money(strings.ReplaceAll(m, "-", "_")))
				}
				tables = append(tables, struct{ file, query string }{"sensitivity.csv",
					`SELECT origin, holder, holder_kind, ` + strings.Join(cols, ", ") + ` FROM trace_sensitivity WHERE run_id = ?`})
			}
			for _, tb := range tables {
				want := readRows(t, filepath.Join(dir, tb.file))
				rows, err := db.QueryContext(ctx, tb.query, out.RunID)
				if err != nil {
					t.Fatalf("%s: %v", tb.file, err)
				}
				var got []string
				cols, _ := rows.Columns()
				for rows.Next() {
					vals := make([]string, len(cols))
					ptrs := make([]any, len(cols))
					for i := range vals {
						ptrs[i] = &vals[i]
					}
					if err := rows.Scan(ptrs...); err != nil {
						t.Fatal(err)
					}
					got = append(got, strings.Join(vals, "|"))
				}
				rows.Close()
				slices.Sort(got)
				if len(want) == 0 {
					t.Fatalf("%s: no rows written", tb.file)
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s: stored rows differ from the written ones:\nstored  %q\nwritten %q", tb.file, got, want)
				}
			}
		})
	}
}

// readRows reads a CSV file's rows after its header, each joined with "|", sorted.
func readRows(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, r := range recs[1:] {
		rows = append(rows, strings.Join(r, "|"))
	}
	slices.Sort(rows)
	return rows
}
