package tracer

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
)

// Engine replays a transaction stream under one or more methods at once. It holds, per
// method, the lots of every account; its memory grows with live lots, not with the number
// of transactions (except for the flows it records). An Engine is not safe for concurrent
// use.
type Engine struct {
	// Per account: the balance (of a non-exit account, the same under every method) and
	// the unexplained funds in one 16-byte slot, so that a debit reads and writes one cache
	// line for both; the exit marks as bits (31 KiB per 250,000 accounts, which stay in
	// cache); the number of shortfalls.
	acct   []acctState
	exit   []uint64
	nshort []int32
	org    origins
	seeds  seedTable
	credit []int64 // per seed: the credit's amount
	seen   []bool  // per seed: replayed
	runs   []*run
	asOf   *int64
	lastAt int64
	timed  bool
	done   bool
	txns   int64
	labels int32
	// capture: the transactions of Config.Capture (nil when none).
	capture map[int64]bool
	// ctxs is the batch being replayed (see Apply); parallel is set when the methods may
	// replay it side by side (see sideBySide).
	ctxs     []txnCtx
	parallel bool
	// shared is the report's part that does not depend on the method, worked out ahead
	// (see ReportShared), or nil.
	shared *sharedPart
	// od marks the Overdraft accounts (bits, like exit); odOf gives each its number k
	// (origins.overdrafts) and debt[k] what it owes the bank.
	od   []uint64
	odOf map[int32]int32
	debt []overdraftState
	lend []int32 // per overdraft number: the lender exit
}

// overdraftState is what an Overdraft account owes its bank and how it came to.
type overdraftState struct {
	owed, drawn, repaid int64
	deepest, deepestAt  int64
	firstAt             int64
	overdrawn           bool // has owed the bank at some time
	debits              int32
}

// isOverdraft reports whether account a is an Overdraft account.
func (e *Engine) isOverdraft(a int32) bool { return e.od[uint32(a)/64]&(1<<(uint32(a)%64)) != 0 }

// acctState is an account's balance and unexplained funds (the sum of its shortfalls).
type acctState struct {
	bal    int64
	unexpl int64
}

// isExit reports whether account a is an exit.
func (e *Engine) isExit(a int32) bool { return e.exit[uint32(a)/64]&(1<<(uint32(a)%64)) != 0 }

// New returns an engine ready to replay transactions under cfg.Methods. Known opening
// balances become clean lots before the first transaction.
func New(cfg Config) (*Engine, error) {
	if len(cfg.Methods) == 0 {
		return nil, fmt.Errorf("%w: no method", ErrInput)
	}
	seenMethod := [numMethods]bool{}
	for _, m := range cfg.Methods {
		if m >= numMethods {
			return nil, fmt.Errorf("%w: unknown method %d", ErrInput, m)
		}
		if seenMethod[m] {
			return nil, fmt.Errorf("%w: method %s given twice", ErrInput, m)
		}
		seenMethod[m] = true
	}
	if !seenMethod[Poison] {
		cfg.GroupPoison = false
	}
	if len(cfg.Accounts) >= 1<<31-1 {
		return nil, fmt.Errorf("%w: %d accounts is too many", ErrInput, len(cfg.Accounts))
	}
	n := len(cfg.Accounts)
	e := &Engine{
		acct:     make([]acctState, n),
		exit:     make([]uint64, (n+63)/64),
		nshort:   make([]int32, n),
		asOf:     cfg.AsOf,
		parallel: runtime.GOMAXPROCS(0) > 1,
	}
	var err error
	if e.seeds, err = buildSeeds(&cfg, &e.org); err != nil {
		return nil, err
	}
	if cfg.Labels < 0 || cfg.Labels >= 1<<31-1 {
		return nil, fmt.Errorf("%w: %d inflow labels", ErrInput, cfg.Labels)
	}
	e.org.labels, e.labels = cfg.Labels, int32(cfg.Labels)
	e.org.unexplainedBase = Origin(len(e.org.seedOrigins) + cfg.Labels + 1)
	e.org.groupUnexpl = cfg.GroupUnexplained
	e.org.n = int(e.org.unexplainedBase) + 1
	if !cfg.GroupUnexplained {
		e.org.n = int(e.org.unexplainedBase) + n
	}
	e.od = make([]uint64, (n+63)/64)
	for i, a := range cfg.Accounts {
		if !a.Overdraft || a.Exit {
			continue
		}
		if a.Lender < 0 || int(a.Lender) >= n || !cfg.Accounts[a.Lender].Exit {
			return nil, fmt.Errorf("%w: account %d: overdraft lender %d is not an exit", ErrInput, i, a.Lender)
		}
		if e.odOf == nil {
			e.odOf = map[int32]int32{}
			e.org.overdraftBase = Origin(e.org.n)
		}
		e.odOf[int32(i)] = int32(len(e.org.overdrafts))
		e.org.overdrafts = append(e.org.overdrafts, int32(i))
		e.lend = append(e.lend, a.Lender)
		e.od[i/64] |= 1 << (i % 64)
	}
	e.org.n += len(e.org.overdrafts)
	e.debt = make([]overdraftState, len(e.org.overdrafts))
	if e.org.n >= 1<<31-1 {
		return nil, fmt.Errorf("%w: too many origins (%d)", ErrInput, e.org.n)
	}
	if len(cfg.Capture) > 0 {
		e.capture = make(map[int64]bool, len(cfg.Capture))
		for _, k := range cfg.Capture {
			e.capture[k] = true
		}
	}
	e.credit = make([]int64, len(e.seeds.keys))
	e.seen = make([]bool, len(e.seeds.keys))
	for _, m := range cfg.Methods {
		fm := cfg.Flows
		if m == Poison {
			fm = FlowsNone
			if cfg.PoisonFlows {
				fm = FlowsTainted
			}
		}
		r := newRun(m, n, &e.org, len(e.seeds.keys), fm)
		if m == Poison {
			r.allSeeds = e.org.allSeeds
		}
		e.runs = append(e.runs, r)
	}
	for i, a := range cfg.Accounts {
		if a.Exit {
			e.exit[i/64] |= 1 << (i % 64)
		}
		if a.Opening < 0 && !a.Exit {
			k, ok := e.odOf[int32(i)]
			if !ok {
				return nil, fmt.Errorf("%w: account %d: negative opening balance %d without an overdraft", ErrInput, i, a.Opening)
			}
			e.debt[k] = overdraftState{owed: -a.Opening, drawn: -a.Opening, deepest: -a.Opening, overdrawn: true}
			continue
		}
		if a.Exit || a.Opening == 0 {
			continue
		}
		e.acct[i].bal = a.Opening
		for _, r := range e.runs {
			r.one[0] = lot{Clean, a.Opening}
			r.store.put(int32(i), r.one[:])
		}
	}
	return e, nil
}

// Done reports whether the replay has reached Config.AsOf; later transactions are ignored.
func (e *Engine) Done() bool { return e.done }

// txnCtx is one transaction as every method sees it.
type txnCtx struct {
	key        int64
	at         int64
	from, to   int32
	cents      int64
	short      int64 // shortfall turned into an unexplained lot in from before the debit
	shortOrig  Origin
	fromExit   bool
	toExit     bool
	seed       int32 // seed number, or -1
	seedOrigin Origin
	inflow     Origin // origin of money paid in by an exit payer
	capture    bool
	selfShort  bool  // a transfer to the same account: only its shortfall is recorded
	repay      int64 // the part of the credit that repays the receiver's overdraft, to lender
	lender     int32
}

// Apply replays the transactions of b in order. It returns an error wrapping ErrInput or
// ErrTimeOrder, naming the transaction, for a malformed row; rows before it have been
// applied. After Config.AsOf is passed, Apply ignores the rest of the stream.
//
// A batch is replayed in two passes: the first works out what every method shares (balances,
// shortfalls, seeds, exits) for each row; the second replays the rows under each method.
// Methods keep separate state, so with several methods and more than one CPU each replays the
// batch in a goroutine of its own; the outcome does not depend on it.
func (e *Engine) Apply(b *Batch) error {
	if err := e.check(b); err != nil {
		return err
	}
	ctxs, err := e.prepare(b, !e.sideBySide(), e.ctxs[:0])
	e.ctxs = ctxs
	e.replay(ctxs)
	return err
}

// Prepared is a batch after Prepare, the first of Apply's two passes: what every method needs
// of each of its rows. Prepare reuses its buffers.
type Prepared struct {
	ctxs []txnCtx
	err  error
}

// Len is the number of rows Replay will replay.
func (p *Prepared) Len() int { return len(p.ctxs) }

// Prepare runs Apply's first pass over b into p: it checks the rows, updates the state every
// method shares (balances, shortfalls, seeds, as-of) and keeps what the methods need of
// each row; Replay(p) runs the second pass. Prepare and Replay touch different state, so a
// pipeline may prepare the next batch in one goroutine while the previous one replays in
// another; batches are prepared and replayed in the same order, every prepared batch is
// replayed before Report, and Prepare is not called concurrently with itself (nor Replay).
// A malformed row's error comes from Replay, after the rows before it.
func (e *Engine) Prepare(b *Batch, p *Prepared) {
	p.ctxs, p.err = p.ctxs[:0], e.check(b)
	if p.err == nil {
		p.ctxs, p.err = e.prepare(b, false, p.ctxs)
	}
}

// Replay runs Apply's second pass over a prepared batch (see Prepare).
func (e *Engine) Replay(p *Prepared) error {
	e.replay(p.ctxs)
	return p.err
}

// check is what Apply checks of a whole batch before its rows.
func (e *Engine) check(b *Batch) error {
	if err := b.validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInput, err)
	}
	if e.asOf != nil && b.At == nil && b.Len() > 0 {
		return fmt.Errorf("%w: as-of needs transaction times, batch has none", ErrInput)
	}
	return nil
}

// sideBySide reports whether the methods replay a batch in goroutines of their own.
func (e *Engine) sideBySide() bool { return len(e.runs) > 1 && e.parallel }

// replay is the second pass: the prepared rows under every method, side by side when
// sideBySide.
func (e *Engine) replay(ctxs []txnCtx) {
	if len(ctxs) == 0 {
		return
	}
	if !e.sideBySide() {
		for _, r := range e.runs {
			r.applyAll(ctxs)
		}
		return
	}
	var wg sync.WaitGroup
	for _, r := range e.runs[1:] {
		wg.Go(func() { r.applyAll(ctxs) })
	}
	e.runs[0].applyAll(ctxs)
	wg.Wait()
}

// prepare is Apply's first pass: it checks the rows of b, updates the state every method
// shares and appends to ctxs one txnCtx per row to replay, up to the first bad row (reported
// by the error) or the end of as-of. With direct set it replays each row under every method
// at once instead and appends none: one pass, without a buffer of a batch's rows.
func (e *Engine) prepare(b *Batch, direct bool, ctxs []txnCtx) ([]txnCtx, error) {
	na := uint32(len(e.acct))
	if !direct {
		// Once, rather than by doubling: 65,536 rows take 4 MiB.
		ctxs = slices.Grow(ctxs, b.Len())
	}
	var t txnCtx
	for i := range b.Len() {
		if e.done {
			return ctxs, nil
		}
		t = txnCtx{key: b.Txn[i], from: b.From[i], to: b.To[i], cents: b.Cents[i], seed: -1}
		if uint32(t.from) >= na || uint32(t.to) >= na {
			return ctxs, fmt.Errorf("%w: txn %d (batch row %d): account index %d -> %d outside 0..%d",
				ErrInput, t.key, i, t.from, t.to, na-1)
		}
		if t.cents <= 0 {
			return ctxs, fmt.Errorf("%w: txn %d (batch row %d): amount %d cents, want > 0", ErrInput, t.key, i, t.cents)
		}
		if b.At != nil {
			t.at = b.At[i]
			if e.timed && t.at < e.lastAt {
				return ctxs, fmt.Errorf("%w: txn %d (batch row %d) at %d follows a transaction at %d",
					ErrTimeOrder, t.key, i, t.at, e.lastAt)
			}
			if e.asOf != nil && t.at > *e.asOf {
				e.done = true
				return ctxs, nil
			}
			e.lastAt, e.timed = t.at, true
		}
		if s := e.seeds.lookup(t.key); s >= 0 {
			if e.seen[s] {
				return ctxs, fmt.Errorf("%w: seed txn %d (batch row %d) replayed twice", ErrInput, t.key, i)
			}
			e.seen[s], e.credit[s] = true, t.cents
			t.seed, t.seedOrigin = s, e.seeds.origin[s]
		}
		t.fromExit, t.toExit = e.isExit(t.from), e.isExit(t.to)
		if t.fromExit && b.Label != nil {
			if l := b.Label[i]; l >= 0 {
				if l >= e.labels {
					return ctxs, fmt.Errorf("%w: txn %d (batch row %d): inflow label %d outside 0..%d", ErrInput, t.key, i, l, e.labels-1)
				}
				t.inflow = e.org.label(l)
			}
		}
		t.capture = e.capture != nil && e.capture[t.key]
		switch {
		case t.fromExit:
		case e.odOf != nil && e.isOverdraft(t.from):
			e.overdraw(&t)
		default:
			// Without branches on the freshly loaded balance: a shortfall is too frequent
			// and too random for the branch predictor on many cases.
			a := &e.acct[t.from]
			short := max(t.cents-a.bal, 0)
			a.unexpl += short
			a.bal += short - t.cents
			e.nshort[t.from] += int32(uint64(-short) >> 63)
			t.short, t.shortOrig = short, e.org.unexplained(t.from)
		}
		if !t.toExit {
			if e.odOf != nil && e.isOverdraft(t.to) {
				e.repay(&t)
			}
			e.acct[t.to].bal += t.cents - t.repay
		}
		e.txns++
		if t.from == t.to && t.seed < 0 && t.repay == 0 {
			// A transfer to the same account moves nothing: only its shortfall, if any,
			// is recorded. A seeded one is replayed so that it taints the balance, and one
			// that draws on an overdraft repays it at once.
			if t.short == 0 {
				continue
			}
			t.selfShort = true
		}
		if direct {
			for _, r := range e.runs {
				r.applyOne(&t)
			}
			continue
		}
		ctxs = append(ctxs, t)
	}
	return ctxs, nil
}

// Run replays src with a new engine for cfg and returns its report. It stops at the end of
// the stream or at Config.AsOf.
func Run(cfg Config, src Source) (*Report, error) {
	e, err := New(cfg)
	if err != nil {
		return nil, err
	}
	for !e.done {
		b, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("tracer: reading transactions: %w", err)
		}
		if err := e.Apply(b); err != nil {
			return nil, err
		}
	}
	return e.Report(), nil
}

// overdraw is the debit side of t from an Overdraft account: the part beyond the balance is
// the bank's credit, a lot of the account's overdraft origin put in before the debit.
func (e *Engine) overdraw(t *txnCtx) {
	a := &e.acct[t.from]
	k := e.odOf[t.from]
	short := max(t.cents-a.bal, 0)
	a.bal += short - t.cents
	if short == 0 {
		return
	}
	d := &e.debt[k]
	if !d.overdrawn {
		d.overdrawn, d.firstAt = true, t.at
	}
	d.owed += short
	d.drawn += short
	d.debits++
	if d.owed > d.deepest {
		d.deepest, d.deepestAt = d.owed, t.at
	}
	t.short, t.shortOrig = short, e.org.overdraft(k)
}

// repay is the credit side of t into an Overdraft account: while it owes the bank, the
// credit repays it first.
func (e *Engine) repay(t *txnCtx) {
	k := e.odOf[t.to]
	d := &e.debt[k]
	if d.owed == 0 {
		return
	}
	t.repay, t.lender = min(t.cents, d.owed), e.lend[k]
	d.owed -= t.repay
	d.repaid += t.repay
}
