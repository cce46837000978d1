package casetrace

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/tracer"
)

// PositionRow is one row of positions.csv and trace_positions (casedb.PositionRow).
type PositionRow = casedb.PositionRow

// FlowRow is one row of flows.csv and trace_flows (casedb.FlowRow).
type FlowRow = casedb.FlowRow

// SummaryRow is one tainted origin (a seed, or the seed group) under one method.
type SummaryRow struct {
	Method string
	Origin string
	// Seeds are the txn_ids of the origin's seeds, space-separated.
	Seeds string
	// Credit is the seed credits' amount, Traced the part relabelled as tainted.
	Credit, Traced, Held int64
	// Exited maps the exits' account kind (cash, external, asset; "other" for an account
	// outside the scope) to the amount that reached them.
	ExitedCash, ExitedExternal, ExitedAsset, ExitedOther int64
	// HeldWithUnexplained is the part of Held sitting in accounts that paid out more than
	// they were seen to receive.
	HeldWithUnexplained int64
}

// Exited is the total that reached exits.
func (s SummaryRow) Exited() int64 {
	return s.ExitedCash + s.ExitedExternal + s.ExitedAsset + s.ExitedOther
}

// SensitivityRow is one origin with one holder, the amount under each method side by side.
type SensitivityRow struct {
	Origin     string
	Holder     string
	HolderKind string
	Cents      []int64 // per Outcome.Methods()
}

// UnexplainedRow is an account that paid out more than it held.
type UnexplainedRow struct {
	Account string
	Cents   int64
	Debits  int32
}

// Methods returns the replayed methods' names in order.
func (out *Outcome) Methods() []string { return out.Manifest.Methods }

// OriginLabel names an origin as the outputs do: the seed's txn_id, "seeds" for the group of
// all seeds, "clean", "unexplained:ACCOUNT" (or "unexplained" when grouped).
func (out *Outcome) OriginLabel(o tracer.Origin) string {
	info := out.Report.Origin(o)
	switch info.Kind {
	case tracer.KindClean:
		return "clean"
	case tracer.KindSeed:
		if info.Group != 0 {
			return "seeds"
		}
		return out.txnIDs[info.Seeds[0]]
	case tracer.KindOverdraft:
		return "overdraft:" + out.names.id(info.Account)
	}
	if info.Account < 0 {
		return "unexplained"
	}
	return "unexplained:" + out.names.id(info.Account)
}

func (out *Outcome) holderKind(exit bool) string {
	if exit {
		return "exit"
	}
	return "account"
}

// labels caches origin labels.
type labels struct {
	out *Outcome
	m   map[tracer.Origin]string
}

func (l *labels) get(o tracer.Origin) string {
	s, ok := l.m[o]
	if !ok {
		s = l.out.OriginLabel(o)
		l.m[o] = s
	}
	return s
}

func (out *Outcome) labels() *labels { return &labels{out: out, m: map[tracer.Origin]string{}} }

// Positions returns every method's positions, by method order, holder and origin label. For
// a backward trace of a balance they are the target account's composition.
func (out *Outcome) Positions() []PositionRow {
	if b := out.back; b != nil {
		if b.kind != "balance" {
			return nil
		}
		var rows []PositionRow
		for _, c := range out.Composition() {
			rows = append(rows, PositionRow{Method: c.Method, Holder: out.names.id(b.account), HolderKind: "account", Origin: c.Origin, Cents: c.Cents})
		}
		return rows
	}
	l := out.labels()
	var rows []PositionRow
	for _, res := range out.Report.Results {
		start := len(rows)
		for _, p := range res.Positions {
			rows = append(rows, PositionRow{Method: res.Method.String(), Holder: out.names.id(p.Holder),
				HolderKind: out.holderKind(out.Report.IsExit(p.Holder)), Origin: l.get(p.Origin), Cents: p.Cents})
		}
		// Holder indexes follow account id order already: only each holder's origins sort,
		// by label.
		for i := start; i < len(rows); {
			j := i + 1
			for j < len(rows) && rows[j].Holder == rows[i].Holder {
				j++
			}
			if j-i > 1 {
				slices.SortStableFunc(rows[i:j], func(a, b PositionRow) int { return strings.Compare(a.Origin, b.Origin) })
			}
			i = j
		}
	}
	return rows
}

// Flows returns every method's flows in replay order, within a transaction by origin label.
// For a backward trace of a debit they are the debit's composition.
func (out *Outcome) Flows() []FlowRow {
	if b := out.back; b != nil {
		if b.kind != "debit" {
			return nil
		}
		var rows []FlowRow
		for _, c := range out.Composition() {
			rows = append(rows, FlowRow{Method: c.Method, TxnID: b.txnID, BookedAt: time.UnixMicro(b.txnAt).UTC(),
				From: out.names.id(b.account), To: out.names.id(b.txnTo), Origin: c.Origin, Cents: c.Cents})
		}
		return rows
	}
	l := out.labels()
	var rows []FlowRow
	for _, res := range out.Report.Results {
		for i := 0; i < len(res.Flows); {
			j := i + 1
			for j < len(res.Flows) && res.Flows[j].Txn == res.Flows[i].Txn {
				j++
			}
			start := len(rows)
			for _, f := range res.Flows[i:j] {
				rows = append(rows, FlowRow{Method: res.Method.String(), TxnID: out.txnIDs[f.Txn],
					BookedAt: time.UnixMicro(out.bookedAt(f.Txn, f.At)).UTC(), From: out.names.id(f.From), To: out.names.id(f.To),
					Origin: l.get(f.Origin), Cents: f.Cents})
			}
			if j-i > 1 {
				slices.SortFunc(rows[start:], func(a, b FlowRow) int { return strings.Compare(a.Origin, b.Origin) })
			}
			i = j
		}
	}
	return rows
}

// Summary returns one row per method and tainted origin, by method order and origin label;
// none for a backward trace.
func (out *Outcome) Summary() []SummaryRow {
	if out.back != nil {
		return nil
	}
	l := out.labels()
	var rows []SummaryRow
	for _, res := range out.Report.Results {
		start := len(rows)
		byOrigin := map[tracer.Origin]int{}
		for _, o := range res.Origins {
			info := out.Report.Origin(o.Origin)
			ids := make([]string, len(info.Seeds))
			for i, k := range info.Seeds {
				ids[i] = out.txnIDs[k]
			}
			slices.Sort(ids)
			byOrigin[o.Origin] = len(rows)
			rows = append(rows, SummaryRow{Method: res.Method.String(), Origin: l.get(o.Origin), Seeds: strings.Join(ids, " "),
				Traced: o.Traced, Held: o.Held, HeldWithUnexplained: o.HeldWithUnexplained})
		}
		for _, s := range res.Seeds {
			rows[byOrigin[s.Origin]].Credit += s.Credit
		}
		for _, p := range res.Positions {
			i, ok := byOrigin[p.Origin]
			if !ok || !out.Report.IsExit(p.Holder) {
				continue
			}
			r := &rows[i]
			switch out.names.kindOf(p.Holder) {
			case "cash":
				r.ExitedCash += p.Cents
			case "external":
				r.ExitedExternal += p.Cents
			case "asset":
				r.ExitedAsset += p.Cents
			default:
				r.ExitedOther += p.Cents
			}
		}
		slices.SortStableFunc(rows[start:], func(a, b SummaryRow) int { return strings.Compare(a.Origin, b.Origin) })
	}
	return rows
}

// Sensitivity returns, per tainted origin and holder, the amount under each method. For a
// backward trace the holder is the target (the account, or the debit's txn_id with holder
// kind "debit") and every origin of its composition has a row.
func (out *Outcome) Sensitivity() []SensitivityRow {
	if b := out.back; b != nil {
		holder, kind := out.names.id(b.account), "account"
		if b.kind == "debit" {
			holder, kind = b.txnID, "debit"
		}
		at := map[string]int{}
		var rows []SensitivityRow
		for i := range b.methods {
			for _, p := range b.parts[i] {
				j, ok := at[p.origin]
				if !ok {
					j = len(rows)
					at[p.origin] = j
					rows = append(rows, SensitivityRow{Origin: p.origin, Holder: holder, HolderKind: kind, Cents: make([]int64, len(b.methods))})
				}
				rows[j].Cents[i] = p.cents
			}
		}
		slices.SortFunc(rows, func(a, b SensitivityRow) int { return strings.Compare(a.Origin, b.Origin) })
		return rows
	}
	l := out.labels()
	s := out.sensitivity()
	rows := make([]SensitivityRow, 0, len(s.Holdings))
	for _, h := range s.Holdings {
		rows = append(rows, SensitivityRow{Origin: l.get(h.Origin), Holder: out.names.id(h.Holder),
			HolderKind: out.holderKind(h.Exit), Cents: h.Cents})
	}
	slices.SortStableFunc(rows, func(a, b SensitivityRow) int {
		return cmp.Or(strings.Compare(a.Origin, b.Origin), strings.Compare(a.Holder, b.Holder))
	})
	return rows
}

// sensitivity is the report's sensitivity table, worked out once: the store and the files
// both read it, and on a million positions it takes a second.
func (out *Outcome) sensitivity() *tracer.Sensitivity {
	if out.sens == nil {
		s := out.Report.Sensitivity()
		out.sens = &s
	}
	return out.sens
}

// Unexplained returns, by account id, every account that paid out more than it held.
func (out *Outcome) Unexplained() []UnexplainedRow {
	us := out.back.unexplained()
	if out.Report != nil {
		us = out.Report.Unexplained
	}
	rows := make([]UnexplainedRow, 0, len(us))
	for _, u := range us {
		rows = append(rows, UnexplainedRow{Account: out.names.id(u.Account), Cents: u.Cents, Debits: u.Count})
	}
	return rows
}

// formatCents writes an amount in cents as an exact decimal with two places: 12345 -> "123.45".
func formatCents(c int64) string {
	neg := c < 0
	u := uint64(c)
	if neg {
		u = -u
	}
	s := strconv.FormatUint(u/100, 10) + "." + string(rune('0'+u%100/10)) + string(rune('0'+u%10))
	if neg {
		return "-" + s
	}
	return s
}

// FormatCents writes an amount in cents as an exact decimal with two places.
func FormatCents(c int64) string { return formatCents(c) }

func (b *backward) unexplained() []tracer.Unexplained {
	if b == nil {
		return nil
	}
	return b.unexpl
}
