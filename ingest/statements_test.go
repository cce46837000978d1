package ingest

import (
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/moneytrail/moneytrail/internal/canon"
)

// TestReconcile pins the loader's own statement check (bank CSV, XLSX and ledger files,
// whose readers do not check their statements) with figures worked out by hand: money into
// the statement account is a credit, money out a debit; pending entries, self-transfers and
// entries of other accounts are left out; without both balances nothing is reconciled.
func TestReconcile(t *testing.T) {
	const a = "AT611904300234573201"
	day := func(d int) time.Time { return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC) }
	dec := func(s string) decimal.Decimal { return decimal.RequireFromString(s) }
	bal := func(s string) decimal.NullDecimal {
		if s == "" {
			return decimal.NullDecimal{}
		}
		return decimal.NewNullDecimal(dec(s))
	}
	txn := func(d int, from, to, amt string) canon.Txn {
		return canon.Txn{BookedAt: day(d), From: from, To: to, Amount: dec(amt), Currency: "EUR"}
	}
	in, out := txn(2, "external:ana", a, "50.00"), txn(3, a, "external:shop", "30.25")
	pending := txn(4, a, "external:shop", "10.00")
	pending.Pending = true
	cases := []struct {
		name      string
		stmts     []canon.Statement
		txns      []canon.Txn
		statement string // credits debits computed difference reconciled, per statement
		entries   int
	}{
		// 100.00 + 50.00 - 30.25 = 119.75.
		{"credit in, debit out", []canon.Statement{{Account: a, Opening: bal("100.00"), Closing: bal("119.75")}},
			[]canon.Txn{in, out}, "50 30.25 119.75 0 true", 2},
		// With the signs flipped the file's closing would be 100.00 - 50.00 + 30.25 = 80.25:
		// the check must fail, by 80.25 - 119.75 = -39.50.
		{"flipped signs do not reconcile", []canon.Statement{{Account: a, Opening: bal("100.00"), Closing: bal("80.25")}},
			[]canon.Txn{in, out}, "50 30.25 119.75 -39.5 false", 2},
		// A negative opening: -20.00 + 50.00 - 30.25 = -0.25.
		{"overdrawn", []canon.Statement{{Account: a, Opening: bal("-20.00"), Closing: bal("-0.25")}},
			[]canon.Txn{in, out}, "50 30.25 -0.25 0 true", 2},
		{"pending, self-transfer and other accounts left out", []canon.Statement{{Account: a, Opening: bal("100.00"), Closing: bal("119.75")}},
			[]canon.Txn{in, out, pending, txn(5, a, a, "5.00"), txn(6, "external:x", "external:y", "7.00")}, "50 30.25 119.75 0 true", 2},
		{"no closing balance: unknown", []canon.Statement{{Account: a, Opening: bal("100.00")}},
			[]canon.Txn{in, out}, "50 30.25 119.75 - -", 2},
		{"no opening balance: unknown", []canon.Statement{{Account: a, Closing: bal("119.75")}},
			[]canon.Txn{in, out}, "50 30.25 - - -", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			recs := Reconcile(canon.Batch{Statements: c.stmts, Txns: c.txns})
			if len(recs) != 1 {
				t.Fatalf("%d reconciliations", len(recs))
			}
			r := recs[0]
			if got := describe(r); got != c.statement || r.Entries != c.entries {
				t.Errorf("got %q with %d entries, want %q with %d", got, r.Entries, c.statement, c.entries)
			}
		})
	}

	// Two statements of one account in one file: each takes the entries booked in its period.
	two := Reconcile(canon.Batch{Statements: []canon.Statement{
		{Account: a, PeriodStart: day(1), PeriodEnd: day(2), Opening: bal("100.00"), Closing: bal("150.00")},
		{Account: a, PeriodStart: day(3), PeriodEnd: day(31), Opening: bal("150.00"), Closing: bal("119.75")},
	}, Txns: []canon.Txn{in, out}})
	if len(two) != 2 || describe(two[0]) != "50 0 150 0 true" || describe(two[1]) != "0 30.25 119.75 0 true" {
		t.Errorf("two statements: %q, %q", describe(two[0]), describe(two[1]))
	}
	// A statement file without balances (a ledger or bank CSV with --account) still gets its
	// row: credits and debits, period, not reconciled.
	bare := Reconcile(canon.Batch{StatementAccount: a, Txns: []canon.Txn{in, out}})
	if len(bare) != 1 || describe(bare[0]) != "50 30.25 - - -" || !bare[0].PeriodStart.Equal(day(2)) || !bare[0].PeriodEnd.Equal(day(3)) {
		t.Errorf("bare statement: %q %+v", describe(bare[0]), bare[0])
	}
}

// TestOwnStatementsReconcile ingests the project's own statements (testdata/statements,
// figures in its README, worked out by hand) and checks every stored statement: the signs
// of each format's credits and debits, negative openings, and that a statement without an
// opening balance is not called reconciled. It needs no corpus.
func TestOwnStatementsReconcile(t *testing.T) {
	cases := []struct {
		file string
		opt  Options
		want []string // opening credits debits closing reconciled, per statement
	}{
		{"bank-bancoposta.csv", Options{Account: "IT60X0542811101000000123456"}, []string{"1000 1500 252.9 2247.1 true"}},
		{"mt940-two-statements.sta", Options{}, []string{"100 1000 52.95 1047.05 true", "-200 250 10 40 true"}},
		{"camt053-overdrawn.xml", Options{}, []string{"-20 100 30 50 true"}},
		{"ofx102.ofx", Options{}, []string{"- 1000 52.95 1047.05 -"}},
		{"ledger-account.csv", Options{Account: "AT611904300234573201"}, []string{"- 1000 52.95 - -"}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			db := newCase(t)
			res := ingestFile(t, db, "testdata/statements/"+c.file, c.opt)
			if res.Quarantined != 0 || res.Loaded != res.Records {
				t.Fatalf("result %+v", res)
			}
			rows, err := db.Query(`SELECT coalesce(CAST(opening AS VARCHAR), '-'), CAST(credits AS VARCHAR), CAST(debits AS VARCHAR),
				coalesce(CAST(closing AS VARCHAR), '-'), coalesce(CAST(reconciled AS VARCHAR), '-')
				FROM statements WHERE source_id = ? ORDER BY statement_no`, res.SourceID)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			plain := func(s string) string {
				if s == "-" {
					return s
				}
				return decimal.RequireFromString(s).String()
			}
			var got []string
			for rows.Next() {
				var op, cr, dr, cl, rec string
				if err := rows.Scan(&op, &cr, &dr, &cl, &rec); err != nil {
					t.Fatal(err)
				}
				got = append(got, fmt.Sprintf("%s %s %s %s %s", plain(op), plain(cr), plain(dr), plain(cl), rec))
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("statements %q, want %q", got, c.want)
			}
		})
	}
}

// describe gives a reconciliation as "credits debits computed difference reconciled", "-"
// for what is unknown.
func describe(r Reconciliation) string {
	nd := func(d decimal.NullDecimal) string {
		if !d.Valid {
			return "-"
		}
		return d.Decimal.String()
	}
	rec := "-"
	if r.Reconciled != nil {
		rec = fmt.Sprint(*r.Reconciled)
	}
	return fmt.Sprintf("%s %s %s %s %s", r.Credits, r.Debits, nd(r.Computed), nd(r.Difference), rec)
}
