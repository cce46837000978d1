package tracer

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

// This file holds a deliberately simple, slow reference implementation of DESIGN.md §4 and
// the package comment's choices, written from the text and not from the engine: one plain
// list of (origin, cents) per account and method, origins named by strings. The engine must
// agree with it to the cent on thousands of small random ledgers, where ties, shortfalls,
// self-transfers, exits that pay, seeds of seeded money and labelled inflows are frequent.

type refLot struct {
	origin string
	cents  int64
}

type refLedger struct {
	accounts    []Account
	txns        []Txn
	labels      []int32 // per txn, -1 for none
	seeds       map[int64]string
	labelCount  int
	groupUnexpl bool
}

type refResult struct {
	held   map[string]int64 // "holder origin" -> cents, accounts and exits alike
	traced map[string]int64 // seed origin -> traced
}

func (l *refLedger) tainted(o string) bool { return o[0] == 's' || o[0] == 'l' }

func (l *refLedger) unexplained(a int32) string {
	if l.groupUnexpl {
		return "u"
	}
	return fmt.Sprint("u", a)
}

// refTake removes c cents from lots by method m and returns the parts in the order taken.
// present lists the account's origins in the order in which they arrived since they were
// last absent: the order of proportional parts and of their ties.
func refTake(m Method, lots []refLot, present []string, c int64, tainted func(string) bool) ([]refLot, []refLot) {
	var parts []refLot
	takeFrom := func(idx []int) {
		for _, i := range idx {
			if c == 0 {
				return
			}
			x := min(c, lots[i].cents)
			parts = append(parts, refLot{lots[i].origin, x})
			lots[i].cents -= x
			c -= x
		}
	}
	// rateably takes c from the lots at idx in proportion to their origins' totals, by the
	// largest-remainder rule, ties to the origin that arrived first; an origin's part comes
	// out of its lots oldest first.
	rateably := func(idx []int) {
		sums := map[string]int64{}
		var total int64
		for _, i := range idx {
			sums[lots[i].origin] += lots[i].cents
			total += lots[i].cents
		}
		var order []string
		for _, o := range present {
			if sums[o] > 0 {
				order = append(order, o)
			}
		}
		if total == 0 {
			return
		}
		want := min(c, total)
		q := make([]int64, len(order))
		rem := make([]int64, len(order))
		left := want
		for k, o := range order {
			q[k] = want * sums[o] / total // small amounts: no overflow
			rem[k] = want * sums[o] % total
			left -= q[k]
		}
		byRem := make([]int, len(order))
		for k := range byRem {
			byRem[k] = k
		}
		sort.SliceStable(byRem, func(a, b int) bool { return rem[byRem[a]] > rem[byRem[b]] })
		for _, k := range byRem[:left] {
			q[k]++
		}
		for k, o := range order {
			need := q[k]
			if need == 0 {
				continue
			}
			parts = append(parts, refLot{o, need})
			for _, i := range idx {
				if lots[i].origin == o && need > 0 {
					x := min(need, lots[i].cents)
					lots[i].cents -= x
					need -= x
				}
			}
		}
		c -= want
	}
	var all, clean, dirty []int
	for i := range lots {
		all = append(all, i)
		if tainted(lots[i].origin) {
			dirty = append(dirty, i)
		} else {
			clean = append(clean, i)
		}
	}
	switch m {
	case FIFO:
		takeFrom(all)
	case LIFO:
		slices.Reverse(all)
		takeFrom(all)
	case ProRata:
		rateably(all)
	case LIBR:
		takeFrom(clean)
		rateably(dirty)
	case TaintedFirst:
		takeFrom(dirty)
		takeFrom(clean)
	}
	keep := lots[:0]
	for _, l := range lots {
		if l.cents > 0 {
			keep = append(keep, l)
		}
	}
	return keep, parts
}

// refReplay replays the ledger under a conserving method m.
func (l *refLedger) refReplay(m Method) refResult {
	res := refResult{held: map[string]int64{}, traced: map[string]int64{}}
	lots := make([][]refLot, len(l.accounts))
	present := make([][]string, len(l.accounts))
	for a, acc := range l.accounts {
		if !acc.Exit && acc.Opening > 0 {
			lots[a], present[a] = []refLot{{"c", acc.Opening}}, []string{"c"}
		}
	}
	credit := func(a int32, parts []refLot) {
		for _, p := range parts {
			if !slices.Contains(present[a], p.origin) {
				present[a] = append(present[a], p.origin)
			}
		}
		lots[a] = append(lots[a], parts...)
	}
	balance := func(a int32) (b int64) {
		for _, x := range lots[a] {
			b += x.cents
		}
		return b
	}
	for i, t := range l.txns {
		var parts []refLot
		seed, isSeed := l.seeds[t.Txn]
		exit := l.accounts[t.From].Exit
		if b := balance(t.From); !exit && b < t.Cents {
			credit(t.From, []refLot{{l.unexplained(t.From), t.Cents - b}})
		}
		if t.From == t.To && !isSeed {
			continue
		}
		if exit {
			o := "c"
			if l.labels[i] >= 0 {
				o = fmt.Sprint("l", l.labels[i])
			}
			parts = []refLot{{o, t.Cents}}
		} else {
			lots[t.From], parts = refTake(m, lots[t.From], present[t.From], t.Cents, l.tainted)
			still := present[t.From][:0]
			for _, o := range present[t.From] {
				if slices.ContainsFunc(lots[t.From], func(x refLot) bool { return x.origin == o }) {
					still = append(still, o)
				}
			}
			present[t.From] = still
		}
		if isSeed {
			// A seed relabels what is not tainted already (seed or labelled money).
			for k := range parts {
				if !l.tainted(parts[k].origin) {
					res.traced[seed] += parts[k].cents
					parts[k].origin = seed
				}
			}
		}
		if l.accounts[t.To].Exit {
			for _, p := range parts {
				res.held[fmt.Sprint(t.To, " ", p.origin)] += p.cents
			}
			continue
		}
		credit(t.To, parts)
	}
	for a := range lots {
		for _, x := range lots[a] {
			res.held[fmt.Sprint(a, " ", x.origin)] += x.cents
		}
	}
	return res
}

// refPoison replays the ledger under poison: the tainted origins that ever reached each
// account, each holding the whole balance and carried in full by every debit.
func (l *refLedger) refPoison() refResult {
	res := refResult{held: map[string]int64{}, traced: map[string]int64{}}
	set := make([]map[string]bool, len(l.accounts))
	bal := make([]int64, len(l.accounts))
	for a, acc := range l.accounts {
		set[a] = map[string]bool{}
		if !acc.Exit {
			bal[a] = acc.Opening
		}
	}
	for i, t := range l.txns {
		var carried []string
		if l.accounts[t.From].Exit {
			if l.labels[i] >= 0 {
				carried = append(carried, fmt.Sprint("l", l.labels[i]))
			}
		} else {
			bal[t.From] = max(bal[t.From], t.Cents) - t.Cents
			for o := range set[t.From] {
				carried = append(carried, o)
			}
		}
		if !l.accounts[t.To].Exit {
			bal[t.To] += t.Cents
		}
		seed, isSeed := l.seeds[t.Txn]
		if t.From == t.To && !isSeed {
			continue
		}
		if isSeed {
			res.traced[seed] = t.Cents
			if !slices.Contains(carried, seed) {
				carried = append(carried, seed)
			}
		}
		for _, o := range carried {
			if l.accounts[t.To].Exit {
				res.held[fmt.Sprint(t.To, " ", o)] += t.Cents
			} else {
				set[t.To][o] = true
			}
		}
	}
	for a := range set {
		for o := range set[a] {
			if bal[a] > 0 {
				res.held[fmt.Sprint(a, " ", o)] = bal[a]
			}
		}
	}
	return res
}

// randomLedger draws a small ledger with frequent ties, shortfalls and self-transfers.
func randomLedger(rng *rand.Rand) (*refLedger, Config) {
	n := 3 + rng.IntN(6)
	l := &refLedger{seeds: map[int64]string{}, labelCount: rng.IntN(3), groupUnexpl: rng.IntN(2) == 0}
	for range n {
		var a Account
		switch rng.IntN(4) {
		case 0:
			a.Exit = true
		case 1:
			a.Opening = int64(1 + rng.IntN(20))
		}
		l.accounts = append(l.accounts, a)
	}
	cfg := Config{Accounts: l.accounts, Labels: l.labelCount, GroupUnexplained: l.groupUnexpl, Flows: FlowsNone}
	for k := range 10 + rng.IntN(40) {
		t := Txn{Txn: int64(100 + k), From: int32(rng.IntN(n)), To: int32(rng.IntN(n)), Cents: int64(1 + rng.IntN(30)), At: int64(k)}
		if rng.IntN(8) == 0 {
			t.To = t.From
		}
		l.txns = append(l.txns, t)
		lb := int32(-1)
		if l.labelCount > 0 && rng.IntN(2) == 0 {
			lb = rng.Int32N(int32(l.labelCount))
		}
		l.labels = append(l.labels, lb)
		if !l.accounts[t.To].Exit && rng.IntN(5) == 0 {
			cfg.Seeds = append(cfg.Seeds, Seed{Txn: t.Txn})
		}
	}
	return l, cfg
}

// key names an origin of rep as the reference does.
func refKey(rep *Report, o Origin) string {
	info := rep.Origin(o)
	switch info.Kind {
	case KindClean:
		return "c"
	case KindSeed:
		return fmt.Sprint("s", info.Seeds[0])
	case KindInflow:
		return fmt.Sprint("l", info.Label)
	}
	if info.Account < 0 {
		return "u"
	}
	return fmt.Sprint("u", info.Account)
}

// pipelined replays b in batches of size rows through Engine.Prepare, run in a goroutine of
// its own, and Engine.Replay, as a reader feeding a replay would.
func pipelined(e *Engine, b *Batch, size int) error {
	ring := make([]Prepared, 3)
	full, free := make(chan *Prepared, len(ring)-1), make(chan *Prepared, len(ring))
	for i := range ring {
		free <- &ring[i]
	}
	go func() {
		defer close(full)
		for lo := 0; lo < b.Len(); lo += size {
			hi := min(lo+size, b.Len())
			part := &Batch{Txn: b.Txn[lo:hi], From: b.From[lo:hi], To: b.To[lo:hi], Cents: b.Cents[lo:hi], At: b.At[lo:hi], Label: b.Label[lo:hi]}
			p := <-free
			e.Prepare(part, p)
			full <- p
		}
	}()
	var err error
	for p := range full {
		if err == nil {
			err = e.Replay(p)
		}
		free <- p
	}
	return err
}

func TestDifferential(t *testing.T) {
	ledgers := 3000
	if testing.Short() {
		ledgers = 300
	}
	rng := rand.New(rand.NewPCG(4, 4))
	for n := range ledgers {
		l, cfg := randomLedger(rng)
		for _, s := range cfg.Seeds {
			l.seeds[s.Txn] = fmt.Sprint("s", s.Txn)
		}
		cfg.Methods = AllMethods
		e, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		// A third of the ledgers replay the methods side by side in goroutines, a third in one
		// pass, and a third as a pipeline: batches of 7 rows prepared in one goroutine while
		// the one before replays in another.
		e.parallel = n%3 != 1
		b := &Batch{}
		for i, x := range l.txns {
			b.Txn, b.From, b.To, b.Cents, b.At = append(b.Txn, x.Txn), append(b.From, x.From), append(b.To, x.To), append(b.Cents, x.Cents), append(b.At, x.At)
			b.Label = append(b.Label, l.labels[i])
		}
		if n%3 == 2 {
			if err := pipelined(e, b, 7); err != nil {
				t.Fatal(err)
			}
		} else if err := e.Apply(b); err != nil {
			t.Fatal(err)
		}
		rep := e.Report()
		if err := rep.Check(); err != nil {
			t.Fatalf("ledger %d: %v", n, err)
		}
		for _, res := range rep.Results {
			want := l.refPoison()
			if res.Method != Poison {
				want = l.refReplay(res.Method)
			}
			got := refResult{held: map[string]int64{}, traced: map[string]int64{}}
			for _, p := range res.Positions {
				if p.Cents <= 0 {
					t.Fatalf("ledger %d %s: position %+v", n, res.Method, p)
				}
				k := fmt.Sprint(p.Holder, " ", refKey(rep, p.Origin))
				got.held[k] += p.Cents
			}
			for _, s := range res.Seeds {
				if s.Replayed && s.Traced > 0 {
					got.traced[refKey(rep, s.Origin)] += s.Traced
				}
			}
			for k, c := range want.held {
				if c == 0 {
					delete(want.held, k)
				}
			}
			for k, c := range want.traced {
				if c == 0 {
					delete(want.traced, k)
				}
			}
			if fmt.Sprint(got.held) != fmt.Sprint(want.held) || fmt.Sprint(got.traced) != fmt.Sprint(want.traced) {
				t.Fatalf("ledger %d %s:\nengine    %v traced %v\nreference %v traced %v\nledger %+v labels %v seeds %v",
					n, res.Method, got.held, got.traced, want.held, want.traced, l.txns, l.labels, l.seeds)
			}
		}
	}
}

// TestMethodProperties checks on random ledgers that poison holds at least what every
// other method holds of each origin with each holder, and that every conserving method
// leaves each account the same balance.
func TestMethodProperties(t *testing.T) {
	for i, sh := range propertyShapes {
		for seed := uint64(1); seed <= 3; seed++ {
			rep := runShape(t, sh, seed, true, AllMethods...)
			poison := map[[2]int64]int64{}
			for _, p := range rep.Result(Poison).Positions {
				poison[[2]int64{int64(p.Holder), int64(p.Origin)}] = p.Cents
			}
			var balances map[int32]int64
			for _, res := range rep.Results {
				if res.Method == Poison {
					continue
				}
				bal := map[int32]int64{}
				for _, p := range res.Positions {
					if p.Cents < 0 {
						t.Errorf("shape %d: %s position %+v negative", i, res.Method, p)
					}
					if !rep.IsExit(p.Holder) {
						bal[p.Holder] += p.Cents
					}
					if rep.Origin(p.Origin).Kind == KindSeed && p.Cents > poison[[2]int64{int64(p.Holder), int64(p.Origin)}] {
						t.Errorf("shape %d seed %d: %s holds %d of origin %d with %d, poison %d", i, seed, res.Method, p.Cents,
							p.Origin, p.Holder, poison[[2]int64{int64(p.Holder), int64(p.Origin)}])
					}
				}
				if balances == nil {
					balances = bal
				} else if fmt.Sprint(bal) != fmt.Sprint(balances) {
					t.Errorf("shape %d seed %d: %s balances differ from fifo's", i, seed, res.Method)
				}
			}
		}
	}
}
