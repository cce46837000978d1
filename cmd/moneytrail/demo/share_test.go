package demo

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/moneytrail/moneytrail/fixtures"
	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/tracer"
	"github.com/moneytrail/moneytrail/tracer/casetrace"
)

// trueShare is what a trace from the true proceeds leaves with the organizers, in cents.
type trueShare struct {
	paid       int64 // the migrants' fee payments (base currency)
	banked     int64 // the collectors' cash deposits into the funnel accounts
	traced     int64 // traced amount of every seed
	organizers int64 // held in the organizers' and their companies' accounts at the end
}

func (s trueShare) String() string {
	return fmt.Sprintf("fees paid %s, banked %s, traced %s, organizers hold %s (%.1f%% of the fees, %.1f%% of the banked cash)",
		casetrace.FormatCents(s.paid), casetrace.FormatCents(s.banked), casetrace.FormatCents(s.traced),
		casetrace.FormatCents(s.organizers), 100*float64(s.organizers)/float64(s.paid), 100*float64(s.organizers)/float64(s.banked))
}

// checkTrueProceedsShare traces from the TRUE proceeds of truth.json — not from what the
// rules found — and checks the share the organizers hold under libr and tainted-first
// against a reference worked out here, independently of the tracer.
//
// Seeds: the proceeds where they enter the banked case: every fee payment (the migrants'
// operator transfers to the collectors) and every cash deposit of collected cash into a
// funnel account. The operator pays the fees out to the collectors in cash, where the trail
// breaks; the deposit slips pick it up again. The later stages (funnel -> organizer, the
// shell cycle, spending) are the same money moving on, which the trace follows.
//
// Reference: with all seeds as one tainted origin, each account holds untainted money U
// (opening balance, clean credits, unexplained funds) and tainted money T. Replaying every
// booked transaction in (booked_at, seq) order with its base amount in cents: a debit larger
// than U+T first adds the shortfall to U (unexplained funds); libr then takes from U first,
// tainted-first from T first; the receiver gets what was taken, and a seeded credit gets all
// of it as T; cash, external and asset accounts hold nothing and pay untainted money.
// The organizers' share is the T left in their and their companies' accounts. (Only one
// tainted origin makes the order of lots irrelevant for these two methods, which is why
// fifo and lifo are not worked out here: they depend on the order of lots in an account.)
func checkTrueProceedsShare(t *testing.T, ctx context.Context, db *casedb.DB, truth *fixtures.Truth) map[string]trueShare {
	t.Helper()
	org := map[string]bool{}
	for _, p := range truth.Parties {
		if p.Role == fixtures.RoleOrganizer || p.Role == fixtures.RoleCompany {
			for _, a := range p.Accounts {
				org[a] = true
			}
		}
	}
	seeds := map[string]bool{}
	var selectors []string
	var paid, banked int64
	for _, p := range truth.Proceeds {
		if p.Stage != fixtures.StageFeePayment && p.Stage != fixtures.StageCashDeposit {
			continue
		}
		id := ""
		for _, s := range p.Sightings {
			if s.Account != "" && s.Account != p.To {
				continue
			}
			var err error
			if s.TxnID != "" {
				id = s.TxnID
			} else {
				err = db.QueryRowContext(ctx, `SELECT t.txn_id FROM transactions t JOIN sources s USING (source_id)
					WHERE s.file_name = ? AND t.source_record = ?`, s.File, s.Record).Scan(&id)
			}
			if err != nil {
				t.Fatalf("proceeds %s: sighting %+v: %v", p.ID, s, err)
			}
		}
		if id == "" {
			t.Fatalf("proceeds %s (%s) has no sighting on the receiving side", p.ID, p.Stage)
		}
		var c int64
		if err := db.QueryRowContext(ctx, `SELECT CAST(round(base_amount * 100) AS BIGINT) FROM transactions WHERE txn_id = ?`, id).Scan(&c); err != nil {
			t.Fatalf("proceeds %s: %s: %v", p.ID, id, err)
		}
		if p.Stage == fixtures.StageFeePayment {
			paid += c
		} else {
			banked += c
		}
		seeds[id] = true
		selectors = append(selectors, "txn:"+id)
	}

	// The tracer.
	methods, err := tracer.ParseMethods("libr,tainted-first")
	if err != nil {
		t.Fatal(err)
	}
	out, err := casetrace.Trace(ctx, db, casetrace.Options{Seeds: selectors, Methods: methods, GroupSeeds: true,
		GroupUnexplained: true, ToolVersion: "test", StartedAt: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Store(ctx, db); err != nil {
		t.Fatal(err)
	}
	got := map[string]trueShare{}
	rows, err := db.QueryContext(ctx, `SELECT method, holder, holder_kind, CAST(round(amount * 100) AS BIGINT) FROM trace_positions
		WHERE run_id = ? AND origin <> 'clean' AND origin NOT LIKE 'unexplained%'`, out.RunID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var method, holder, kind string
		var c int64
		if err := rows.Scan(&method, &holder, &kind, &c); err != nil {
			t.Fatal(err)
		}
		s := got[method]
		s.traced += c
		if kind == "account" && org[holder] {
			s.organizers += c
		}
		got[method] = s
	}
	rows.Close()

	// The reference.
	want := referenceShare(t, ctx, db, seeds, org)
	for _, m := range []string{"libr", "tainted-first"} {
		g, w := got[m], want[m]
		g.paid, g.banked, w.paid, w.banked = paid, banked, paid, banked
		got[m] = g
		if g != w {
			t.Errorf("%s: tracer: %v\nreference: %v", m, g, w)
		}
	}
	return got
}

// referenceShare replays the case as checkTrueProceedsShare describes, for libr and
// tainted-first.
func referenceShare(t *testing.T, ctx context.Context, db *casedb.DB, seeds, org map[string]bool) map[string]trueShare {
	t.Helper()
	type hold struct{ u, tainted int64 }
	exit := map[string]bool{}
	opening := map[string]int64{}
	rows, err := db.QueryContext(ctx, `SELECT account_id, kind, CAST(round(coalesce(opening_balance, 0) * 100) AS BIGINT) FROM accounts`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, kind string
		var c int64
		if err := rows.Scan(&id, &kind, &c); err != nil {
			t.Fatal(err)
		}
		exit[id] = kind == "cash" || kind == "external" || kind == "asset"
		opening[id] = c
	}
	rows.Close()
	out := map[string]trueShare{}
	order := referenceOrder(t, ctx, db)
	for _, untaintedFirst := range []bool{true, false} {
		acct := map[string]*hold{}
		get := func(id string) *hold {
			h := acct[id]
			if h == nil {
				h = &hold{u: opening[id]}
				acct[id] = h
			}
			return h
		}
		var traced int64
		for _, r := range order {
			id, from, to, c := r.id, r.from, r.to, r.cents
			var takeU, takeT int64
			if exit[from] {
				takeU = c
			} else {
				h := get(from)
				if short := c - h.u - h.tainted; short > 0 {
					h.u += short
				}
				if untaintedFirst {
					takeU = min(c, h.u)
					takeT = c - takeU
				} else {
					takeT = min(c, h.tainted)
					takeU = c - takeT
				}
				h.u -= takeU
				h.tainted -= takeT
			}
			if seeds[id] {
				traced += takeU
				takeT, takeU = takeT+takeU, 0
			}
			if !exit[to] {
				h := get(to)
				h.u += takeU
				h.tainted += takeT
			}
		}
		var s trueShare
		s.traced = traced
		for id, h := range acct {
			if org[id] {
				s.organizers += h.tainted
			}
		}
		if untaintedFirst {
			out["libr"] = s
		} else {
			out["tainted-first"] = s
		}
	}
	return out
}
