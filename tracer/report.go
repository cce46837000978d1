package tracer

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"sync"
)

// Position is where money of one origin sits after the replay: in an account, or gone to an
// exit (Report.IsExit of the holder). For an exit it is everything of that origin that
// reached it. Sixteen bytes: a trace of a large case keeps millions.
type Position struct {
	Holder int32
	Origin Origin
	Cents  int64
}

// Flow is one hop of evidence: the part of transaction Txn's amount that carried Origin.
// At is the transaction's time, 0 when the batches carried none.
type Flow struct {
	Txn      int64
	At       int64
	From, To int32
	Origin   Origin
	Cents    int64
}

// Unexplained is what an account paid out beyond its known balance: Cents in total over
// Count debits. It does not depend on the method.
type Unexplained struct {
	Account int32
	Cents   int64
	Count   int32
}

// Overdrawn is what an Overdraft account owed its bank over the replay, in cents: Drawn in
// all over Debits debits beyond its balance (and its opening debt), Repaid by credits, Owed at
// the end; Deepest is the most it owed, first at DeepestAt, and FirstAt the time it first
// owed the bank (0 for an opening debt, like DeepestAt). It does not depend on the method.
type Overdrawn struct {
	Account                      int32
	Drawn, Repaid, Owed, Deepest int64
	DeepestAt, FirstAt           int64
	Debits                       int32
}

// SeedResult is one seed under one method. Credit is the seed credit's amount; Traced is the
// part relabelled with the seed's origin, that is Credit less what was already another
// seed's money (under Poison, the whole Credit). Replayed is false when the seed's
// transaction never came up, for example because it lies after AsOf.
type SeedResult struct {
	Txn      int64
	Origin   Origin
	Replayed bool
	Credit   int64
	Traced   int64
}

// OriginResult sums up one tainted origin (one seed, or one seed group) under one method.
// Traced is the sum over its seeds; Held is what sits in accounts and Exited what reached
// exits, so Traced == Held + Exited for every conserving method. HeldWithUnexplained is the
// part of Held sitting in accounts that had unexplained funds, where the trace rests on money
// from outside the data.
type OriginResult struct {
	Origin              Origin
	Traced              int64
	Held                int64
	Exited              int64
	HeldWithUnexplained int64
}

// Result is the outcome of one method. Positions are sorted by (Holder, Origin); Flows are
// in replay order and, within a transaction, by Origin; Seeds by Txn; Origins by Origin.
type Result struct {
	Method    Method
	Positions []Position
	Flows     []Flow
	Seeds     []SeedResult
	Origins   []OriginResult
}

// Report is the outcome of a replay under every method of the configuration.
type Report struct {
	// Results holds one Result per method, in Config.Methods order.
	Results []Result
	// Unexplained lists, by account, every account that paid out more than it held.
	Unexplained []Unexplained
	// Overdrawn lists, by account, every Overdraft account that owed its bank at some time.
	Overdrawn []Overdrawn
	// Txns is the number of transactions replayed.
	Txns int64

	org  origins
	bal  []int64
	exit []bool
}

// IsExit reports whether account a is an exit (cash, abroad, assets, or outside the traced
// universe): its positions are what reached it, not what it holds.
func (r *Report) IsExit(a int32) bool { return r.exit[a] }

// Origin describes origin o of this report.
func (r *Report) Origin(o Origin) OriginInfo { return r.org.info(o) }

// UnexplainedOrigin returns the origin that carries account's unexplained funds (the one
// origin of all unexplained funds when Config.GroupUnexplained is set).
func (r *Report) UnexplainedOrigin(account int32) Origin { return r.org.unexplained(account) }

// Result returns the result of method m, or nil if m was not replayed.
func (r *Report) Result(m Method) *Result {
	for i := range r.Results {
		if r.Results[i].Method == m {
			return &r.Results[i]
		}
	}
	return nil
}

// sharedPart is the part of a report that does not depend on the method, as it stood after
// txns transactions.
type sharedPart struct {
	txns        int64
	bal         []int64
	exit        []bool
	unexplained []Unexplained
	overdrawn   []Overdrawn
}

func (e *Engine) sharedPart() *sharedPart {
	sh := &sharedPart{txns: e.txns, bal: make([]int64, len(e.acct)), exit: make([]bool, len(e.acct))}
	for a := range e.acct {
		sh.bal[a], sh.exit[a] = e.acct[a].bal, e.isExit(int32(a))
	}
	sh.unexplained = e.Unexplained()
	for k, d := range e.debt {
		if d.overdrawn {
			sh.overdrawn = append(sh.overdrawn, Overdrawn{Account: e.org.overdrafts[k], Drawn: d.drawn, Repaid: d.repaid,
				Owed: d.owed, Deepest: d.deepest, DeepestAt: d.deepestAt, FirstAt: d.firstAt, Debits: d.debits})
		}
	}
	return sh
}

// ReportShared works out, ahead of Report, the part of the report that does not depend on the
// method (balances, exits, unexplained funds), which Prepare completes: a reader may call it
// after its last Prepare, while Replay works through the last batches on another goroutine,
// and Report then uses it unless more transactions were prepared or applied since. It must
// not run at the same time as Prepare, Apply or Report.
func (e *Engine) ReportShared() { e.shared = e.sharedPart() }

// Report returns the outcome of the transactions applied so far. The engine may go on
// replaying afterwards; the report is not affected.
func (e *Engine) Report() *Report {
	sh := e.shared
	if sh == nil || sh.txns != e.txns {
		sh = e.sharedPart()
	}
	e.shared = nil // the report owns its slices
	rep := &Report{Txns: e.txns, org: e.org, bal: sh.bal, exit: sh.exit, Unexplained: sh.unexplained, Overdrawn: sh.overdrawn}
	for _, r := range e.runs {
		res := Result{Method: r.method, Flows: slices.Clip(r.flows)}
		sums := make([]OriginResult, len(e.org.seedOrigins))
		for i := range sums {
			sums[i].Origin = Origin(i + 1)
		}
		res.Positions = e.positions(r, rep.bal, rep.exit, sums)
		for s, key := range e.seeds.keys {
			o := e.seeds.origin[s]
			if r.allSeeds != 0 {
				o = r.allSeeds
			}
			res.Seeds = append(res.Seeds, SeedResult{Txn: key, Origin: o, Replayed: e.seen[s], Credit: e.credit[s], Traced: r.traced[s]})
			sums[o-1].Traced += r.traced[s]
		}
		if all := e.org.allSeeds; all != 0 {
			// The "all seeds" origin belongs to the grouped method only.
			if r.allSeeds != 0 {
				sums = sums[all-1 : all]
			} else {
				sums = slices.Delete(sums, int(all-1), int(all))
			}
		}
		res.Origins = sums
		rep.Results = append(rep.Results, res)
	}
	return rep
}

// reportSpan is the number of accounts from which Report works out positions over ranges of
// accounts side by side (a variable for tests).
var reportSpan = 1 << 14

// positions returns the positions of run r, sorted by (holder, origin), and adds to sums
// (index o-1 for seed origin o) what each seed origin holds and what reached exits. With more
// than one CPU and many accounts, ranges of accounts are worked out side by side, each into
// its own stretch of the result, closed up at the end, and with sums of their own, added up
// at the end; the result does not depend on it.
func (e *Engine) positions(r *run, bal []int64, exit []bool, sums []OriginResult) []Position {
	// Accounts in index order, exits among them, give positions sorted by (holder, origin)
	// without sorting them all: exit keys sort as (holder, origin) too.
	keys := make([]uint64, 0, len(r.exits))
	for k, c := range r.exits {
		if c > 0 {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	workers := 1
	if len(bal) >= reportSpan {
		workers = min(runtime.GOMAXPROCS(0), 8)
	}
	type span struct {
		lo, hi int      // accounts
		keys   []uint64 // their exit keys
		off, n int      // their stretch of the result and how much of it they fill
		sums   []OriginResult
	}
	spans := make([]span, workers)
	// Size the positions once, as an upper bound: growing a slice of millions of rows by
	// doubling costs more than the replay of some methods.
	size := 0
	for w := range spans {
		sp := &spans[w]
		sp.lo, sp.hi = len(bal)*w/workers, len(bal)*(w+1)/workers
		i, _ := slices.BinarySearch(keys, uint64(sp.lo)<<32)
		j, _ := slices.BinarySearch(keys, uint64(sp.hi)<<32)
		sp.keys, sp.off = keys[i:j], size
		size += len(sp.keys)
		for a := sp.lo; a < sp.hi; a++ {
			if !exit[a] {
				size += r.store.held(int32(a), bal[a])
			}
		}
	}
	pos := make([]Position, size)
	spans[0].sums = sums
	for w := 1; w < workers; w++ {
		spans[w].sums = make([]OriginResult, len(sums))
	}
	fill := func(sp *span) {
		f := filler{origins: e.org.n, seeds: len(sums), bal: bal, exit: exit, acct: e.acct, sums: sp.sums}
		sp.n = r.fill(&f, sp.lo, sp.hi, sp.keys, pos[sp.off:])
	}
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		wg.Go(func() { fill(&spans[w]) })
	}
	fill(&spans[0])
	wg.Wait()
	for _, sp := range spans[1:] {
		for i, s := range sp.sums {
			sums[i].Held += s.Held
			sums[i].Exited += s.Exited
			sums[i].HeldWithUnexplained += s.HeldWithUnexplained
		}
	}
	n := spans[0].n
	for _, sp := range spans[1:] {
		n += copy(pos[n:], pos[sp.off:sp.off+sp.n])
	}
	return pos[:n]
}

// uniqueHoldings is a store whose holdings name each origin at most once: it writes an
// account's positions itself, without summing them up by origin first.
type uniqueHoldings interface {
	positions(a int32, pos []Position, scratch *[]uint64) int
}

// filler is what run.fill reads, and the sums it adds to: per seed origin (index o-1), what
// accounts hold, what of it accounts with unexplained funds hold and what reached exits.
type filler struct {
	origins, seeds int
	bal            []int64
	exit           []bool
	acct           []acctState
	sums           []OriginResult
}

// tally adds account a's positions to the sums.
func (f *filler) tally(a int, pos []Position) {
	exit, unexpl := f.exit[a], f.acct[a].unexpl > 0
	for _, p := range pos {
		if uint32(p.Origin-1) >= uint32(f.seeds) {
			continue
		}
		s := &f.sums[p.Origin-1]
		switch {
		case exit:
			s.Exited += p.Cents
		case unexpl:
			s.Held += p.Cents
			s.HeldWithUnexplained += p.Cents
		default:
			s.Held += p.Cents
		}
	}
}

// fill writes into pos the positions of accounts lo..hi-1, whose exit keys are keys (sorted),
// adds them to f's sums and returns their number. pos has room for them all.
func (r *run) fill(f *filler, lo, hi int, keys []uint64, pos []Position) int {
	bal, exit := f.bal, f.exit
	acc := make([]int64, f.origins)
	var touched []Origin
	add := func(o Origin, c int64) {
		if acc[o] == 0 {
			touched = append(touched, o)
		}
		acc[o] += c
	}
	u, unique := r.store.(uniqueHoldings)
	var sortKeys []uint64 // scratch for u
	n := 0
	for a := lo; a < hi; a++ {
		n0 := n
		switch {
		case exit[a]:
			for len(keys) > 0 && int(keys[0]>>32) == a {
				k := keys[0]
				pos[n] = Position{Holder: int32(a), Origin: Origin(uint32(k)), Cents: r.exits[k]}
				n++
				keys = keys[1:]
			}
		case unique:
			n += u.positions(int32(a), pos[n:], &sortKeys)
		default:
			touched = touched[:0]
			r.store.holdings(int32(a), bal[a], add)
			slices.Sort(touched)
			for _, o := range touched {
				if acc[o] > 0 {
					pos[n] = Position{Holder: int32(a), Origin: o, Cents: acc[o]}
					n++
				}
				acc[o] = 0
			}
		}
		f.tally(a, pos[n0:n])
	}
	return n
}

// ErrConservation reports a conserving method whose positions do not add up.
var ErrConservation = errors.New("conservation check failed")

// Check verifies the result's conservation: for a conserving method, each tainted origin's
// traced amount equals the sum of its positions, to the cent. It returns an error wrapping
// ErrConservation listing every origin that fails.
func (res *Result) Check() error {
	if !res.Method.Conserves() {
		return nil
	}
	var errs []error
	for _, o := range res.Origins {
		if o.Traced != o.Held+o.Exited {
			errs = append(errs, fmt.Errorf("%w: %s: origin %d traced %d, held %d + exited %d = %d",
				ErrConservation, res.Method, o.Origin, o.Traced, o.Held, o.Exited, o.Held+o.Exited))
		}
	}
	return errors.Join(errs...)
}

// Check verifies every result (see Result.Check) and, per account, that the positions of a
// conserving method add up to the account's balance, and under poison that no origin holds
// more than the balance. It returns nil when everything holds.
func (r *Report) Check() error {
	var errs []error
	for i := range r.Results {
		res := &r.Results[i]
		if err := res.Check(); err != nil {
			errs = append(errs, err)
		}
		// Each account's positions lie together (they are sorted by holder): the accounts'
		// ranges are checked side by side, each against its stretch of the positions.
		pos := res.Positions
		parts := 1
		if len(pos) >= 1<<20 {
			parts = min(runtime.GOMAXPROCS(0), 2)
		}
		perPart := make([][]error, parts)
		var wg sync.WaitGroup
		lo, from := 0, 0
		for k := range parts {
			hi := len(r.bal) * (k + 1) / parts
			to := from + sort.Search(len(pos)-from, func(j int) bool { return int(pos[from+j].Holder) >= hi })
			if k == parts-1 {
				to = len(pos)
			}
			accts, part := [2]int{lo, hi}, pos[from:to]
			wg.Go(func() { perPart[k] = r.checkHeld(res, accts[0], accts[1], part) })
			lo, from = hi, to
		}
		wg.Wait()
		for _, e := range perPart {
			errs = append(errs, e...)
		}
	}
	return errors.Join(errs...)
}

// checkHeld checks accounts lo..hi-1 against pos, which must be their positions in holder
// order (see Check).
func (r *Report) checkHeld(res *Result, lo, hi int, pos []Position) []error {
	var errs []error
	j := 0
	for a := lo; a < hi; a++ {
		var held int64
		for ; j < len(pos) && int(pos[j].Holder) == a; j++ {
			p := pos[j]
			switch {
			case r.exit[a]:
			case res.Method.Conserves():
				held += p.Cents
			case p.Cents > r.bal[a]:
				errs = append(errs, fmt.Errorf("%w: %s: account %d origin %d holds %d above its balance %d",
					ErrConservation, res.Method, a, p.Origin, p.Cents, r.bal[a]))
			}
		}
		if j < len(pos) && int(pos[j].Holder) < a {
			return append(errs, fmt.Errorf("%w: %s: a position of account %d is out of holder order", ErrConservation, res.Method, pos[j].Holder))
		}
		if !r.exit[a] && res.Method.Conserves() && held != r.bal[a] {
			errs = append(errs, fmt.Errorf("%w: %s: account %d positions sum to %d, balance %d",
				ErrConservation, res.Method, a, held, r.bal[a]))
		}
	}
	if j < len(pos) {
		errs = append(errs, fmt.Errorf("%w: %s: a position of account %d is out of holder order or range", ErrConservation, res.Method, pos[j].Holder))
	}
	return errs
}

// Holdings returns what account a holds now under each method, in Config.Methods order: one
// Position per origin, sorted by origin (under Poison, the whole balance for every tainted
// origin that has reached it). It returns nil for an exit. Unlike Report, it costs the size
// of one account's holdings, whatever the size of the universe.
func (e *Engine) Holdings(a int32) [][]Position {
	if a < 0 || int(a) >= len(e.acct) || e.isExit(a) {
		return nil
	}
	out := make([][]Position, len(e.runs))
	for i, r := range e.runs {
		acc := map[Origin]int64{}
		r.store.holdings(a, e.acct[a].bal, func(o Origin, c int64) { acc[o] += c })
		for o, c := range acc {
			if c > 0 {
				out[i] = append(out[i], Position{Holder: a, Origin: o, Cents: c})
			}
		}
		slices.SortFunc(out[i], func(x, y Position) int { return int(x.Origin) - int(y.Origin) })
	}
	return out
}

// Balance returns the balance of account a (0 for an exit): the same under every method.
func (e *Engine) Balance(a int32) int64 { return e.acct[a].bal }

// Captured returns, per method in Config.Methods order, the parts of the transactions of
// Config.Capture replayed so far, every origin included, in replay order and within a
// transaction in the order the method took them. A transaction to the same account moves
// nothing and is never captured.
func (e *Engine) Captured() [][]Flow {
	out := make([][]Flow, len(e.runs))
	for i, r := range e.runs {
		out[i] = slices.Clone(r.captured)
	}
	return out
}

// Unexplained lists, by account, every account that has paid out more than it held so far.
func (e *Engine) Unexplained() []Unexplained {
	n := 0
	for _, s := range e.acct {
		if s.unexpl > 0 {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]Unexplained, 0, n)
	for a, s := range e.acct {
		if s.unexpl > 0 {
			out = append(out, Unexplained{Account: int32(a), Cents: s.unexpl, Count: e.nshort[a]})
		}
	}
	return out
}

// Origin describes origin o of this engine.
func (e *Engine) Origin(o Origin) OriginInfo { return e.org.info(o) }

// LabelOrigin returns the origin of money paid in under inflow label l (see Config.Labels).
func (e *Engine) LabelOrigin(l int32) Origin { return e.org.label(l) }

// Txns returns the number of transactions replayed so far.
func (e *Engine) Txns() int64 { return e.txns }
