package casetrace

import (
	"cmp"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strings"

	"github.com/moneytrail/moneytrail/tracer"
)

// Directions of a trace.
const (
	// Forward follows seeded money to where it went (the default).
	Forward = "forward"
	// Backward decomposes a target balance or debit by the origin of its money.
	Backward = "backward"
)

// Origin groupings of a backward trace: what names the origin of money that enters the
// universe.
const (
	// OriginByAccount names the account that paid the money in (the default).
	OriginByAccount = "account"
	// OriginByParty names the party of that account, or the account when its party is unknown.
	OriginByParty = "party"
	// OriginByChannel names the channel of the transaction that brought the money in.
	OriginByChannel = "channel"
)

// backward is the result of a backward trace.
type backward struct {
	kind    string // "balance" or "debit"
	account int32  // the account whose balance or debit is decomposed
	txnKey  int64  // the debit's rowid (kind debit)
	txnID   string
	txnAt   int64
	txnTo   int32
	total   int64 // the balance or the debit, in cents
	seen    bool  // the debit was replayed
	names   []string
	methods []tracer.Method
	parts   [][]part // per method: origin label and cents, by amount descending
	unexpl  []tracer.Unexplained
	txns    int64
}

type part struct {
	origin string
	cents  int64
}

// CompositionRow is one row of composition.csv: the part of the target that came from one
// origin under one method, and its share of the target amount.
type CompositionRow struct {
	Method string
	Origin string
	Cents  int64
	// Share is Cents over the target amount, rounded half up to six decimal places. Under
	// poison the shares can sum to more than 1.
	Share string
}

// Backward reports whether the outcome is a backward trace.
func (out *Outcome) Backward() bool { return out.back != nil }

// Target describes the target of a backward trace: its kind ("balance" or "debit"), the
// account, the debit's txn_id (empty for a balance) and the amount decomposed.
func (out *Outcome) Target() (kind, account, txnID string, cents int64) {
	b := out.back
	if b == nil {
		return "", "", "", 0
	}
	return b.kind, out.names.id(b.account), b.txnID, b.total
}

// Composition returns, per method in order, the parts of the target by origin, largest first
// (ties by origin label). It is empty for a forward trace.
func (out *Outcome) Composition() []CompositionRow {
	b := out.back
	if b == nil {
		return nil
	}
	var rows []CompositionRow
	for i, m := range b.methods {
		for _, p := range b.parts[i] {
			rows = append(rows, CompositionRow{Method: m.String(), Origin: p.origin, Cents: p.cents, Share: share(p.cents, b.total)})
		}
	}
	return rows
}

// share is c/total rounded half up to six decimal places.
func share(c, total int64) string {
	if total <= 0 {
		return ""
	}
	n := new(big.Int).Mul(big.NewInt(c), big.NewInt(2_000_000))
	n.Add(n, big.NewInt(total))
	n.Quo(n, big.NewInt(2*total))
	q := n.Int64()
	return fmt.Sprintf("%d.%06d", q/1_000_000, q%1_000_000)
}

// resolveTarget reads --target: account:ID (its balance at as-of) or txn:ID (a debit).
func (t *run) resolveTarget() error {
	given := t.opt.Target
	kind, id, ok := strings.Cut(given, ":")
	if !ok || id == "" || (kind != "account" && kind != "txn") {
		return fmt.Errorf("%w: target %q: want account:ID or txn:ID", ErrInput, given)
	}
	b := &backward{account: -1, methods: t.opt.Methods}
	t.out.back = b
	if kind == "account" {
		b.kind = "balance"
		for i := range int32(t.out.names.len()) {
			if t.out.names.id(i) == id {
				b.account = i
				break
			}
		}
		if b.account < 0 {
			return fmt.Errorf("%w: target %q: unknown account %s", ErrInput, given, id)
		}
		if t.out.accounts[b.account].exitKind {
			return fmt.Errorf("%w: target %q: account %s is of kind %s, outside the traced data: it holds no balance to decompose",
				ErrInput, given, id, t.out.names.kindOf(b.account))
		}
		return nil
	}
	b.kind = "debit"
	var from, to int32
	var fromID string
	var dup sql.NullString
	var pending bool
	err := t.conn.QueryRowContext(t.ctx, `SELECT t.rowid, t.txn_id, coalesce(t.from_no, 0), coalesce(t.to_no, 0), t.from_account,
			epoch_us(t.booked_at), t.duplicate_of, t.pending
		FROM transactions t
		WHERE t.txn_id = ? ORDER BY t.rowid LIMIT 1`, id).Scan(&b.txnKey, &b.txnID, &from, &to, &fromID, &b.txnAt, &dup, &pending)
	from, to = t.indexOf(from), t.indexOf(to)
	if err == sql.ErrNoRows {
		return fmt.Errorf("%w: target %q: unknown transaction %s", ErrInput, given, id)
	}
	if err != nil {
		return err
	}
	switch {
	case dup.Valid:
		return fmt.Errorf("%w: target %q: transaction %s is a duplicate of %s; target that one", ErrInput, given, id, dup.String)
	case pending:
		return fmt.Errorf("%w: target %q: transaction %s is pending, not booked", ErrInput, given, id)
	case from < 0:
		return fmt.Errorf("%w: target %q: transaction %s is paid by %s, which is not in the accounts table", ErrInput, given, id, fromID)
	case t.out.accounts[from].exitKind:
		return fmt.Errorf("%w: target %q: transaction %s is paid by %s (kind %s), outside the traced data: there is no debit to decompose",
			ErrInput, given, id, fromID, t.out.names.kindOf(from))
	case from == to:
		return fmt.Errorf("%w: target %q: transaction %s is a transfer to the same account and moves nothing; target account:%s instead",
			ErrInput, given, id, fromID)
	case t.out.asOfEnd != nil && b.txnAt > *t.out.asOfEnd:
		return fmt.Errorf("%w: target %q: transaction %s is booked after --as-of %s", ErrInput, given, id, t.opt.AsOf)
	}
	b.account, b.txnTo = from, to
	// The replay stops after the debit's timestamp; later transactions cannot change it.
	at := b.txnAt
	t.out.asOfEnd = &at
	return nil
}

// computeBackwardScope marks the accounts whose money can reach the target: one pass over
// the account columns in reverse replay order from the target on, in which the payer of
// every transaction into a marked account is marked. Exits (cash, external, asset) are never
// marked; money they pay in enters the universe at its boundary.
func (t *run) computeBackwardScope() error {
	b, accts := t.out.back, t.out.accounts
	nonExit := 0
	for _, a := range accts {
		if !a.exitKind {
			nonExit++
		}
	}
	if t.opt.Scope == ScopeAll {
		for i, a := range accts {
			t.inScope[i] = !a.exitKind
		}
		t.scopeAll, t.scoped = true, nonExit
		return nil
	}
	reached := t.inScope
	started := b.kind == "balance"
	if started {
		reached[b.account] = true
	}
	err := t.stream(streamSpec{cents: `CAST(1 AS BIGINT)`, desc: true}, func(bt *tracer.Batch) error {
		for i, k := range bt.Txn {
			from, to := bt.From[i], bt.To[i]
			if !started {
				if k == b.txnKey {
					started, reached[from] = true, true
				}
				continue
			}
			if reached[to] && !reached[from] && !accts[from].exitKind {
				reached[from] = true
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("scope: %w", err)
	}
	if !started {
		return fmt.Errorf("%w: target %q: transaction %s is not replayed (its amount rounds to 0 cents)", ErrInput, t.opt.Target, b.txnID)
	}
	for _, r := range reached {
		if r {
			t.scoped++
		}
	}
	t.scopeAll = t.scoped == nonExit
	return nil
}

// inflowLabels numbers the origins of money entering the universe: per account (labelOf maps
// a payer's index to its label) or per party, or, by channel, a SQL expression giving the
// label of each transaction.
func (t *run) inflowLabels() (labelOf []int32, expr string, err error) {
	b, accts := t.out.back, t.out.names
	switch t.opt.OriginBy {
	case OriginByAccount:
		labelOf = make([]int32, accts.len())
		for i := range int32(accts.len()) {
			labelOf[i] = i
			b.names = append(b.names, "account:"+accts.id(i))
		}
		return labelOf, "", nil
	case OriginByParty:
		labelOf = make([]int32, accts.len())
		byName := map[string]int32{}
		partyOf := map[string]string{}
		for i := range int32(accts.len()) {
			if p := accts.party(i); p != "" {
				partyOf[accts.id(i)] = p
			}
		}
		for i := range int32(accts.len()) {
			name := "account:" + accts.id(i)
			if p := accts.party(i); p != "" {
				name = "party:" + p
			} else if into, ok := strings.CutPrefix(accts.id(i), "cash:"); ok && accts.kindOf(i) == "cash" && partyOf[into] != "" {
				// Cash paid in has no payer in the data; what is known is whose account took
				// it, so cash paid into the accounts of one party is one origin, apart from
				// the party's transfers.
				name = "cash:party:" + partyOf[into]
			}
			l, ok := byName[name]
			if !ok {
				l = int32(len(b.names))
				byName[name] = l
				b.names = append(b.names, name)
			}
			labelOf[i] = l
		}
		return labelOf, "", nil
	}
	rows, err := t.conn.QueryContext(t.ctx, `SELECT DISTINCT channel FROM transactions ORDER BY channel`)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var quoted []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, "", err
		}
		b.names = append(b.names, "channel:"+c)
		quoted = append(quoted, `'`+strings.ReplaceAll(c, `'`, `''`)+`'`)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	if len(quoted) == 0 {
		return nil, "-1", nil
	}
	return nil, `coalesce(list_position([` + strings.Join(quoted, ", ") + `], t.channel), 0) - 1`, nil
}

// replayBackward replays the universe with every inflow labelled by its origin and keeps the
// composition of the target under each method.
func (t *run) replayBackward() error {
	o, b := t.opt, t.out.back
	labelOf, expr, err := t.inflowLabels()
	if err != nil {
		return err
	}
	accts := t.engineAccounts(false)
	cfg := tracer.Config{Accounts: accts, Methods: o.Methods, Labels: len(b.names), GroupUnexplained: o.GroupUnexplained,
		Flows: tracer.FlowsNone, AsOf: t.out.asOfEnd}
	if b.kind == "debit" {
		cfg.Capture = []int64{b.txnKey}
	}
	e, err := tracer.New(cfg)
	if err != nil {
		return err
	}
	var buf []int32
	err = t.replayStream(e, t.queryFeed(expr), func(bt *tracer.Batch) {
		if labelOf != nil {
			buf = buf[:0]
			for _, f := range bt.From {
				buf = append(buf, labelOf[f])
			}
			bt.Label = buf
		}
		if b.kind == "debit" && !b.seen {
			for i, k := range bt.Txn {
				if k == b.txnKey {
					b.seen, b.total = true, bt.Cents[i]
				}
			}
		}
	}, false)
	if err != nil {
		return err
	}
	label := func(or tracer.Origin) string {
		info := e.Origin(or)
		switch info.Kind {
		case tracer.KindInflow:
			return b.names[info.Label]
		case tracer.KindClean:
			return "opening"
		case tracer.KindOverdraft:
			return "overdraft:" + t.out.names.id(info.Account)
		case tracer.KindUnexplained:
			if info.Account >= 0 {
				return "unexplained:" + t.out.names.id(info.Account)
			}
			return "unexplained"
		}
		return fmt.Sprintf("origin:%d", or)
	}
	b.parts = make([][]part, len(o.Methods))
	if b.kind == "balance" {
		b.total = e.Balance(b.account)
		for i, ps := range e.Holdings(b.account) {
			for _, p := range ps {
				b.parts[i] = append(b.parts[i], part{label(p.Origin), p.Cents})
			}
		}
	} else {
		if !b.seen {
			return fmt.Errorf("%w: target %q: transaction %s is not replayed (its amount rounds to 0 cents)", ErrInput, o.Target, b.txnID)
		}
		// A method may take lots of one origin that are not adjacent: one part per origin.
		for i, fs := range e.Captured() {
			at := map[tracer.Origin]int{}
			for _, f := range fs {
				if j, ok := at[f.Origin]; ok {
					b.parts[i][j].cents += f.Cents
					continue
				}
				at[f.Origin] = len(b.parts[i])
				b.parts[i] = append(b.parts[i], part{label(f.Origin), f.Cents})
			}
		}
	}
	for i, m := range o.Methods {
		ps := b.parts[i]
		slices.SortFunc(ps, func(x, y part) int { return cmp.Or(cmp.Compare(y.cents, x.cents), strings.Compare(x.origin, y.origin)) })
		var sum int64
		for j, p := range ps {
			sum += p.cents
			if j > 0 && ps[j-1].origin == p.origin {
				return fmt.Errorf("internal error, please report: %s: origin %s appears twice in the composition", m, p.origin)
			}
		}
		if m.Conserves() && sum != b.total {
			return fmt.Errorf("internal error, please report: %s: the composition sums to %s, the target is %s",
				m, formatCents(sum), formatCents(b.total))
		}
	}
	b.unexpl = e.Unexplained()
	b.txns = e.Txns()
	t.txns = b.txns // the manifest counts what the backward replay read, as a forward one does
	return nil
}

// queryFeed streams the scope's transactions from the case, with inflow labels from the SQL
// expression label when not empty.
func (t *run) queryFeed(label string) func(fn func(*tracer.Batch) error) error {
	spec := streamSpec{cents: t.centsExpr(), label: label, scope: true, count: true}
	return func(fn func(*tracer.Batch) error) error { return t.stream(spec, fn) }
}

// replayStream replays the batches of feed into e, calling prepare on each batch before the
// engine sees it, and records the sources read for the manifest. The replay runs in a
// goroutine of its own (see pipeline) while feed reads on the caller's. reported says whether
// e.Report follows (see replayer).
func (t *run) replayStream(e *tracer.Engine, feed func(fn func(*tracer.Batch) error) error, prepare func(*tracer.Batch), reported bool) error {
	if err := t.loadSourceRanges(); err != nil {
		return err
	}
	rp := t.newReplayer(e, prepare, reported)
	p := rp.start()
	if err := feed(p.add); err != nil && !errors.Is(err, errPipeStopped) {
		p.abandon()
		return fmt.Errorf("replay: %w", err)
	}
	if err := p.close(); err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	return t.finishReplay(rp)
}

// replayer is the replay side of replayStream: it rounds amounts to cents, notes the sources
// of the transactions and applies them to the engine. It touches no database connection, so
// it can run beside a read. reported is set when the engine's Report follows the replay (a
// forward trace; a backward one reads holdings and unexplained funds instead).
type replayer struct {
	e        *tracer.Engine
	prepare  func(*tracer.Batch)
	reported bool
	sources  []sourceRange
	seen     []bool
	cur      int
	cb       centsBuf
}

func (t *run) newReplayer(e *tracer.Engine, prepare func(*tracer.Batch), reported bool) *replayer {
	return &replayer{e: e, prepare: prepare, reported: reported, sources: t.sources, seen: make([]bool, len(t.sources)), cur: -1}
}

// start starts a pipeline that replays the batches added to it: the engine's first pass
// (Engine.Prepare) runs on the reader's goroutine, the methods on the pipeline's. When a
// report follows, once it has handed on the last batch, the reader works out the report's
// shared part (Engine.ReportShared) while the replay finishes.
func (rp *replayer) start() *pipeline {
	st := stages{
		first: func(c *pipeBuf) { c.err = rp.prepareBatch(&c.b, &c.prep) },
		second: func(c *pipeBuf) error {
			if c.err != nil {
				return c.err
			}
			return rp.e.Replay(&c.prep)
		},
	}
	if rp.reported {
		st.ending = rp.e.ReportShared
	}
	return startStages(st)
}

// prepareBatch rounds b's amounts to cents, notes its sources and runs the engine's first
// pass over it into p.
func (rp *replayer) prepareBatch(b *tracer.Batch, p *tracer.Prepared) error {
	b = rp.cb.toCents(b)
	if rp.sources != nil {
		for _, k := range b.Txn {
			if rp.cur >= 0 && k >= rp.sources[rp.cur].lo && k <= rp.sources[rp.cur].hi {
				continue
			}
			rp.cur = sort.Search(len(rp.sources), func(i int) bool { return rp.sources[i].hi >= k })
			if rp.cur == len(rp.sources) || k < rp.sources[rp.cur].lo {
				return fmt.Errorf("transaction row %d is in no source's range", k)
			}
			rp.seen[rp.cur] = true
		}
	}
	if rp.prepare != nil {
		rp.prepare(b)
	}
	rp.e.Prepare(b, p)
	return nil
}

// finishReplay records what the replayer saw: the sub-cent amounts and the sources read.
func (t *run) finishReplay(rp *replayer) error {
	t.subCent = rp.cb.subCent
	if t.sources == nil {
		return t.sourcesBySQL()
	}
	ids := make([]int64, 0, len(rp.seen))
	for i, s := range rp.seen {
		if s {
			ids = append(ids, t.sources[i].id)
		}
	}
	return t.describeSources(ids)
}
