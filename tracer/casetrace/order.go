package casetrace

import (
	"cmp"
	"container/heap"
	"fmt"
	"slices"
	"strings"
)

// Same-day order (DESIGN.md §4). Each account's statement lists its entries in the bank's
// booking order, and a transfer matched across two statements (duplicate_of) is one event on
// both accounts' chains. The natural replay order, (booked_at, seq), keeps every chain's order
// as long as no transfer is matched: the chains' rows are then the events themselves, in the
// order of their own keys. A matched transfer replays as its kept row, whose key says nothing
// about where the other statement booked it, so the receiver could spend money that has not
// arrived yet. The replay order is therefore a topological order of the events under every
// chain's order, taking among the events free to run the one with the smallest natural key:
// without matches it is the natural order itself, and with them it moves only the events a
// chain holds back, to just after what holds them back.
//
// A chain is the rows of one source for one of its statement accounts (the statements table)
// in (booked_at, seq) order, so booking times decide where a source has them; a source without
// statements (a ledger, an operator's records) is one chain of its own rows. Only chains that
// hold a matched row can break the natural order, so only they are read.
//
// Two statements may order the same pair of transfers differently (a cycle): the replay then
// takes the event of the cycle with the smallest natural key first (the kept rows' booking
// times, then ingest order), and each chain order so overridden is a contradiction in the
// manifest.

// SameDayOrder is what the manifest says about the replay order where matched transfers tie
// statements together; it is absent when the case has no matched transfer.
type SameDayOrder struct {
	// Shared is the number of replayed events on a chain that holds a matched transfer.
	Shared int `json:"shared_events"`
	// Reordered is the number of events replayed later than their own booking key, held back
	// by a statement's order.
	Reordered int `json:"reordered"`
	// Contradictions lists the statement orders the replay could not keep.
	Contradictions []OrderContradiction `json:"contradictions,omitempty"`
}

// OrderContradiction is one statement order the replay overrode because other statements
// order the same events the other way round.
type OrderContradiction struct {
	// File and Account name the statement: the source file and its statement account (empty
	// for a source without statements).
	File    string `json:"file"`
	Account string `json:"account,omitempty"`
	// Before and After are the transactions (kept rows' txn_id) the statement books in that
	// order; the replay ran After first.
	Before string `json:"before"`
	After  string `json:"after"`
	// Assumed says which order the replay used and why.
	Assumed string `json:"assumed"`
}

// delay is an event replayed later than its natural key: at (rat, rseq, rsub) in the
// replay order, where the natural key of every other row is (booked_at, seq, 0).
type delay struct {
	k, at     int64 // rowid and booked_at (Unix µs)
	rat, rseq int64
	rsub      int32
}

// replayOrder is the outcome of computeOrder.
type replayOrder struct {
	delayed []delay
	report  *SameDayOrder
}

// orderEvent is an event on a chain that holds a matched row: its rowid and natural key.
type orderEvent struct{ k, at, seq int64 }

// orderEdge says that event from precedes event to on chain.
type orderEdge struct{ from, to, chain int32 }

// orderChain names a chain for the contradictions.
type orderChain struct {
	source  int64
	account string
}

// orderQuery selects, for every chain holding a matched row, its entries in chain order with
// the event each entry is (the row itself, or the kept row of a duplicate) and the event's
// natural key. %s is the replay filter (replayable events only).
const orderQuery = `WITH st AS (SELECT DISTINCT source_id, account_id FROM statements),
	ev AS (SELECT t.rowid AS k, t.txn_id, epoch_us(t.booked_at) AS at, t.seq FROM transactions t WHERE %s),
	kept AS (SELECT DISTINCT duplicate_of AS txn_id FROM transactions WHERE duplicate_of IS NOT NULL),
	r AS (SELECT t.rowid AS k0, t.source_id AS s, t.from_account AS fa, t.to_account AS ta,
			epoch_us(t.booked_at) AS at, t.seq, t.duplicate_of AS dup,
			t.duplicate_of IS NOT NULL OR t.txn_id IN (SELECT txn_id FROM kept) AS matched
		FROM transactions t WHERE NOT t.pending),
	en AS (SELECT r.*, r.fa AS acct FROM r JOIN st ON st.source_id = r.s AND st.account_id = r.fa
		UNION ALL SELECT r.*, r.ta FROM r JOIN st ON st.source_id = r.s AND st.account_id = r.ta AND r.ta <> r.fa
		UNION ALL SELECT r.*, '' FROM r WHERE r.s NOT IN (SELECT source_id FROM st)),
	touched AS (SELECT DISTINCT s, acct FROM en WHERE matched),
	te AS (SELECT en.* FROM en JOIN touched USING (s, acct))
SELECT te.s, te.acct, ev.k, ev.at, ev.seq, te.at AS rat, te.seq AS rseq FROM te JOIN ev ON te.dup IS NULL AND ev.k = te.k0
UNION ALL
SELECT te.s, te.acct, ev.k, ev.at, ev.seq, te.at, te.seq FROM te JOIN ev ON te.dup IS NOT NULL AND ev.txn_id = te.dup
ORDER BY 1, 2, 6, 7`

// computeOrder works out the replay order of the case's matched transfers (see above) into
// t.order; it leaves t.order nil when nothing is matched, and the natural order stands.
func (t *run) computeOrder() error {
	var dups int64
	if err := t.conn.QueryRowContext(t.ctx, `SELECT count(*) FROM transactions WHERE duplicate_of IS NOT NULL AND NOT pending`).Scan(&dups); err != nil {
		return fmt.Errorf("same-day order: %w", err)
	}
	if dups == 0 {
		return nil
	}
	rows, err := t.conn.QueryContext(t.ctx, fmt.Sprintf(orderQuery, t.replayFilter()))
	if err != nil {
		return fmt.Errorf("same-day order: %w", err)
	}
	defer rows.Close()
	var events []orderEvent
	node := map[int64]int32{}
	var chains []orderChain
	type entry struct{ chain, node int32 }
	var entries []entry
	for rows.Next() {
		var c orderChain
		var e orderEvent
		var rat, rseq int64
		if err := rows.Scan(&c.source, &c.account, &e.k, &e.at, &e.seq, &rat, &rseq); err != nil {
			return fmt.Errorf("same-day order: %w", err)
		}
		if n := len(chains); n == 0 || chains[n-1] != c {
			chains = append(chains, c)
		}
		id, ok := node[e.k]
		if !ok {
			id = int32(len(events))
			node[e.k] = id
			events = append(events, e)
		}
		entries = append(entries, entry{int32(len(chains) - 1), id})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("same-day order: %w", err)
	}
	rows.Close()
	// Node ids in natural order: the priority of the topological sort is the id.
	perm := make([]int32, len(events))
	for i := range perm {
		perm[i] = int32(i)
	}
	slices.SortFunc(perm, func(a, b int32) int {
		return cmp.Or(cmp.Compare(events[a].at, events[b].at), cmp.Compare(events[a].seq, events[b].seq))
	})
	rank := make([]int32, len(events))
	sorted := make([]orderEvent, len(events))
	for r, i := range perm {
		rank[i], sorted[r] = int32(r), events[i]
	}
	var edges []orderEdge
	for i := 1; i < len(entries); i++ {
		p, e := entries[i-1], entries[i]
		if p.chain == e.chain && p.node != e.node {
			edges = append(edges, orderEdge{rank[p.node], rank[e.node], e.chain})
		}
	}
	seq, broken := topoOrder(len(sorted), edges)
	t.order = &replayOrder{report: &SameDayOrder{Shared: len(sorted)}}
	t.order.delayed = delays(sorted, seq)
	t.order.report.Reordered = len(t.order.delayed)
	return t.describeContradictions(sorted, chains, edges, broken)
}

// delays gives the replay key of every event of seq (node ids in replay order) that runs
// later than its natural key: right after the event before it, which holds it back.
func delays(ev []orderEvent, seq []int32) []delay {
	var out []delay
	var at, sq int64
	var sub int32
	for i, v := range seq {
		e := ev[v]
		if i == 0 || e.at > at || (e.at == at && e.seq > sq) {
			at, sq, sub = e.at, e.seq, 0
			continue
		}
		sub++
		out = append(out, delay{k: e.k, at: e.at, rat: at, rseq: sq, rsub: sub})
	}
	return out
}

// topoOrder returns a topological order of nodes 0..n-1 under edges, taking the smallest free
// node first, and the indexes of the edges it had to ignore to break cycles. Stuck on a cycle,
// it walks back from the smallest node left along edges from nodes not yet placed until a node
// repeats, and ignores the cycle's edge into the cycle's smallest node.
func topoOrder(n int, edges []orderEdge) (seq []int32, broken []int) {
	outStart, outEdge := csr(n, edges, func(e orderEdge) int32 { return e.from })
	inStart, inEdge := csr(n, edges, func(e orderEdge) int32 { return e.to })
	indeg := make([]int32, n)
	for _, e := range edges {
		indeg[e.to]++
	}
	ignored := make([]bool, len(edges))
	done := make([]bool, n)
	h := &nodeHeap{}
	for v := range n {
		if indeg[v] == 0 {
			heap.Push(h, int32(v))
		}
	}
	next := 0
	seq = make([]int32, 0, n)
	for len(seq) < n {
		if h.Len() == 0 {
			for done[next] {
				next++
			}
			x, ei := cycleEdge(int32(next), done, ignored, edges, inStart, inEdge)
			ignored[ei] = true
			broken = append(broken, ei)
			if indeg[x]--; indeg[x] == 0 {
				heap.Push(h, x)
			}
			continue
		}
		v := heap.Pop(h).(int32)
		done[v] = true
		seq = append(seq, v)
		for _, ei := range outEdge[outStart[v]:outStart[v+1]] {
			if w := edges[ei].to; !ignored[ei] {
				if indeg[w]--; indeg[w] == 0 {
					heap.Push(h, w)
				}
			}
		}
	}
	slices.Sort(broken)
	return seq, broken
}

// cycleEdge finds, from node start (not placed, held back), a cycle among the nodes not yet
// placed and returns the cycle's smallest node and the index of the cycle's edge into it.
func cycleEdge(start int32, done, ignored []bool, edges []orderEdge, inStart []int32, inEdge []int) (int32, int) {
	pos := map[int32]int{}
	var path []int32 // path[i+1] precedes path[i] through via[i]
	var via []int
	v := start
	for {
		if i, seen := pos[v]; seen {
			best := i
			for j := i; j < len(path); j++ {
				if path[j] < path[best] {
					best = j
				}
			}
			return path[best], via[best]
		}
		pos[v] = len(path)
		path = append(path, v)
		found := false
		for _, ei := range inEdge[inStart[v]:inStart[v+1]] {
			if u := edges[ei].from; !ignored[ei] && !done[u] {
				via = append(via, ei)
				v, found = u, true
				break
			}
		}
		if !found {
			// Cannot happen: every node not placed has an edge from one not placed.
			panic("casetrace: same-day order: a held-back event has no predecessor")
		}
	}
}

// csr indexes edges by the node key gives: the edges of node v are idx[start[v]:start[v+1]].
func csr(n int, edges []orderEdge, key func(orderEdge) int32) (start []int32, idx []int) {
	start = make([]int32, n+1)
	for _, e := range edges {
		start[key(e)+1]++
	}
	for v := range n {
		start[v+1] += start[v]
	}
	fill := slices.Clone(start[:n])
	idx = make([]int, len(edges))
	for i, e := range edges {
		k := key(e)
		idx[fill[k]] = i
		fill[k]++
	}
	return start, idx
}

// nodeHeap is a min-heap of node ids.
type nodeHeap []int32

func (h nodeHeap) Len() int           { return len(h) }
func (h nodeHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h nodeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *nodeHeap) Push(x any)        { *h = append(*h, x.(int32)) }
func (h *nodeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// describeContradictions names the broken edges' statements and transactions in the report.
func (t *run) describeContradictions(ev []orderEvent, chains []orderChain, edges []orderEdge, broken []int) error {
	for _, ei := range broken {
		e := edges[ei]
		c := chains[e.chain]
		var oc OrderContradiction
		oc.Account = c.account
		if err := t.conn.QueryRowContext(t.ctx, `SELECT file_name FROM sources WHERE source_id = ?`, c.source).Scan(&oc.File); err != nil {
			return fmt.Errorf("same-day order: source %d: %w", c.source, err)
		}
		if err := t.conn.QueryRowContext(t.ctx, `SELECT (SELECT txn_id FROM transactions WHERE rowid = ?), (SELECT txn_id FROM transactions WHERE rowid = ?)`,
			ev[e.from].k, ev[e.to].k).Scan(&oc.Before, &oc.After); err != nil {
			return fmt.Errorf("same-day order: %w", err)
		}
		oc.Assumed = "other statements book " + oc.After + " before " + oc.Before + "; replayed " + oc.After +
			" first (the earlier booking time, then the earlier ingest, of the kept records)"
		t.order.report.Contradictions = append(t.order.report.Contradictions, oc)
	}
	return nil
}

// ordered reports whether the stream must follow the same-day order's replay keys.
func (t *run) ordered() bool { return t.order != nil && len(t.order.delayed) > 0 }

// orderTable makes the temporary table mt_order of the delayed events' replay keys on the
// trace's connection (once).
func (t *run) orderTable() error {
	if !t.ordered() || t.orderMade {
		return nil
	}
	if err := t.temp("mt_order", `(k BIGINT, rat BIGINT, rseq BIGINT, rsub INTEGER)`); err != nil {
		return err
	}
	var ks, rats, rseqs []int64
	var rsubs []int32
	for _, d := range t.order.delayed {
		ks, rats, rseqs, rsubs = append(ks, d.k), append(rats, d.rat), append(rseqs, d.rseq), append(rsubs, d.rsub)
	}
	if err := t.exec(`INSERT INTO mt_order SELECT unnest(?::BIGINT[]), unnest(?::BIGINT[]), unnest(?::BIGINT[]), unnest(?::INTEGER[])`,
		ks, rats, rseqs, rsubs); err != nil {
		return fmt.Errorf("same-day order: %w", err)
	}
	t.orderMade = true
	return nil
}

// replayAt is the SQL expression of a row's time in the replay order (Unix µs), orderBy the
// replay order itself (or its reverse).
func (t *run) replayAt() string {
	if t.ordered() {
		return `coalesce(o.rat, epoch_us(t.booked_at))`
	}
	return `epoch_us(t.booked_at)`
}

func (t *run) orderBy(desc bool) string {
	d := ""
	if desc {
		d = " DESC"
	}
	if !t.ordered() {
		return `t.booked_at` + d + `, t.seq` + d
	}
	return strings.Join([]string{`coalesce(o.rat, epoch_us(t.booked_at))` + d, `coalesce(o.rseq, t.seq)` + d, `coalesce(o.rsub, 0)` + d}, ", ")
}

// bookedAt is the booking time of the event with rowid k when the replay ran it later than
// booked (flows report the booking time), and at otherwise.
func (out *Outcome) bookedAt(k, at int64) int64 {
	if b, ok := out.booked[k]; ok {
		return b
	}
	return at
}

// movePages moves the delayed events' counts from the page of their booking time to the page
// of their replay time.
func (t *run) movePages(ps []page) {
	if !t.ordered() || len(ps) < 2 {
		return
	}
	find := func(at int64) int {
		i, _ := slices.BinarySearchFunc(ps, at, func(p page, at int64) int {
			switch {
			case !p.openHi && p.hi <= at:
				return -1
			case !p.openLo && p.lo > at:
				return 1
			}
			return 0
		})
		return min(i, len(ps)-1)
	}
	for _, d := range t.order.delayed {
		ps[find(d.at)].rows--
		ps[find(d.rat)].rows++
	}
}

// noteOrder puts the same-day order in the manifest and keeps the booking times of the events
// replayed later than booked.
func (t *run) noteOrder() {
	if t.order == nil {
		return
	}
	t.out.Manifest.SameDayOrder = t.order.report
	for _, d := range t.order.delayed {
		if d.rat != d.at {
			if t.out.booked == nil {
				t.out.booked = map[int64]int64{}
			}
			t.out.booked[d.k] = d.at
		}
	}
}
