package tracer

import "slices"

// run is the state of one method: its store, its flows, exits and traced amounts.
type run struct {
	method   Method
	store    store
	org      *origins
	flowMode FlowMode
	parts    []lot
	one      [1]lot
	flows    []Flow
	stamp    int64
	flowTxn  []int64 // per origin: stamp of the last flow row
	flowAt   []int32 // per origin: index of that row in flows
	exits    map[uint64]int64
	traced   []int64 // per seed
	captured []Flow  // parts of the transactions of Config.Capture
	allSeeds Origin  // non-zero: every seed credit takes this origin (Config.GroupPoison)
}

func newRun(m Method, accounts int, org *origins, seeds int, fm FlowMode) *run {
	r := &run{
		method:   m,
		store:    newStore(m, accounts, org, newSplitter(org.n)),
		org:      org,
		flowMode: fm,
		exits:    make(map[uint64]int64),
		traced:   make([]int64, seeds),
	}
	if fm != FlowsNone {
		r.flowTxn = make([]int64, org.n)
		r.flowAt = make([]int32, org.n)
	}
	return r
}

func exitKey(a int32, o Origin) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(o)) }

// applyAll replays the transactions of a batch in order.
func (r *run) applyAll(ts []txnCtx) {
	for i := range ts {
		r.applyOne(&ts[i])
	}
}

// applyOne replays one transaction, or records the shortfall of a transfer to the same
// account.
func (r *run) applyOne(t *txnCtx) {
	if t.selfShort {
		r.one[0] = lot{t.shortOrig, t.short}
		r.store.put(t.from, r.one[:])
		return
	}
	r.apply(t)
}

// apply replays one transaction: shortfall lot, debit, seed relabelling, flows, credit.
func (r *run) apply(t *txnCtx) {
	parts := r.parts[:0]
	if t.fromExit {
		parts = append(parts, lot{t.inflow, t.cents})
	} else {
		if t.short > 0 {
			r.one[0] = lot{t.shortOrig, t.short}
			r.store.put(t.from, r.one[:])
		}
		parts = r.store.take(t.from, t.cents, parts)
	}
	if r.allSeeds != 0 && t.seed >= 0 {
		grouped := *t
		grouped.seedOrigin = r.allSeeds
		t = &grouped
	}
	if r.method == Poison {
		parts = r.poisonParts(t, parts)
	} else if t.seed >= 0 {
		for i := range parts {
			if !r.org.tainted(parts[i].origin) {
				r.traced[t.seed] += parts[i].cents
				parts[i].origin = t.seedOrigin
			}
		}
	}
	r.parts = parts
	if t.capture {
		for _, p := range parts {
			r.captured = append(r.captured, Flow{Txn: t.key, At: t.at, From: t.from, To: t.to, Origin: p.origin, Cents: p.cents})
		}
	}
	if r.flowMode != FlowsNone {
		r.record(t, parts)
	}
	if t.toExit {
		for _, p := range parts {
			r.exits[exitKey(t.to, p.origin)] += p.cents
		}
		return
	}
	r.store.put(t.to, parts)
	if t.repay > 0 && r.method != Poison {
		r.repayBank(t)
	}
}

// repayBank pays t.repay cents of the credit t just put into its overdrawn receiver to the
// receiver's lender, as a debit taken under the method, origins kept: an overdrawn account
// holds no lots but the credit's, so the repayment comes out of the credit. Poison, an upper
// bound, keeps every mark in the account instead.
func (r *run) repayBank(t *txnCtx) {
	parts := r.store.take(t.to, t.repay, r.parts[:0])
	for _, p := range parts {
		r.exits[exitKey(t.lender, p.origin)] += p.cents
	}
	r.parts = parts
}

// poisonParts keeps only tainted origins, each carrying the whole debit, and adds the seed's
// origin to a seeded credit; a seed's traced amount under poison is its whole credit.
func (r *run) poisonParts(t *txnCtx, parts []lot) []lot {
	keep := parts[:0]
	hasSeed := false
	for _, p := range parts {
		if r.org.tainted(p.origin) {
			keep = append(keep, lot{p.origin, t.cents})
			hasSeed = hasSeed || p.origin == t.seedOrigin
		}
	}
	if t.seed >= 0 {
		r.traced[t.seed] = t.cents
		if !hasSeed {
			keep = append(keep, lot{t.seedOrigin, t.cents})
		}
	}
	return keep
}

// record appends the transaction's flows, one row per origin, in origin order.
func (r *run) record(t *txnCtx, parts []lot) {
	r.stamp++
	start := len(r.flows)
	for _, p := range parts {
		if r.flowMode != FlowsAll && !r.org.tainted(p.origin) {
			continue
		}
		if r.flowTxn[p.origin] == r.stamp {
			r.flows[r.flowAt[p.origin]].Cents += p.cents
			continue
		}
		r.flowTxn[p.origin] = r.stamp
		r.flowAt[p.origin] = int32(len(r.flows))
		r.flows = append(r.flows, Flow{Txn: t.key, At: t.at, From: t.from, To: t.to, Origin: p.origin, Cents: p.cents})
	}
	if len(r.flows)-start > 1 {
		slices.SortFunc(r.flows[start:], func(a, b Flow) int { return int(a.Origin) - int(b.Origin) })
	}
}
