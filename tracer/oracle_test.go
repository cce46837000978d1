package tracer

import (
	"slices"
	"testing"
)

// probe names one (holder, seed) pair whose amount an oracle states.
type probe struct {
	holder string
	seed   int
}

// oracle is a worked example of DESIGN.md §4: a case, the pairs it asks about, and the
// expected amounts in cents per method, in the order of the probes.
type oracle struct {
	name   string
	build  func(s *scenario) []int64 // returns the seed keys
	probes []probe
	want   map[Method][]int64
}

var oracles = []oracle{
	{
		// Roscoe v Winder: Wigham pays £455 of the company's debts (the seed, from an exit
		// standing for the debtors) into his own account W, spends until the balance falls to
		// 25, then pays in 333 of his own (clean money from an exit), raising it to 358. Under
		// LIBR only the lowest intermediate balance, 25, is traceable; the 333 does not
		// restore the claim. FIFO, LIFO and prorata agree here because nothing clean precedes
		// the tainted money and the clean money comes after the lowest point.
		name: "roscoe v winder",
		build: func(s *scenario) []int64 {
			k := s.seed("external:debtors", "W", 455_00, 0)
			s.pay("W", "external:spending", 230_00)
			s.pay("W", "external:spending", 200_00)
			s.pay("external:wigham", "W", 333_00)
			return []int64{k}
		},
		probes: []probe{{"W", 0}, {"external:spending", 0}},
		want: map[Method][]int64{
			LIBR: {25_00, 430_00}, FIFO: {25_00, 430_00}, ProRata: {25_00, 430_00},
			LIFO: {25_00, 430_00}, TaintedFirst: {25_00, 430_00}, Poison: {358_00, 430_00},
		},
	},
	{
		// Roscoe v Winder again, with 100 of Wigham's own money already in the account as a
		// known opening balance: the spending of 530 takes his own 100 first under LIBR, so
		// the trust's 455 falls to the same lowest intermediate balance of 25. Prorata takes
		// 530 of 100 own + 455 trust as 95.49.. own and 434.50.. trust; the left-over cent goes
		// to the larger remainder (own), leaving the trust 20.50.
		name: "roscoe v winder, own money first",
		build: func(s *scenario) []int64 {
			s.opening("W", 100_00)
			k := s.seed("external:debtors", "W", 455_00, 0)
			s.pay("W", "external:spending", 530_00)
			s.pay("external:wigham", "W", 333_00)
			return []int64{k}
		},
		probes: []probe{{"W", 0}},
		want:   map[Method][]int64{LIBR: {25_00}, FIFO: {25_00}, LIFO: {0}, ProRata: {20_50}, TaintedFirst: {0}},
	},
	{
		// Barlow Clowes: investors A (1000) and B (2000) pay into the fund F, each payment a
		// seed of its own; F then pays 600 to an exit. What stays in F: FIFO A 400 B 2000, LIFO
		// A 1000 B 1400, prorata (pari passu) A 800 B 1600. LIBR has no clean money to spend
		// first, so it is rateable like prorata; tainted-first takes the oldest tainted lot.
		name: "barlow clowes",
		build: func(s *scenario) []int64 {
			a := s.seed("external:A", "F", 1000_00, 0)
			b := s.seed("external:B", "F", 2000_00, 0)
			s.pay("F", "cash:payout", 600_00)
			return []int64{a, b}
		},
		probes: []probe{{"F", 0}, {"F", 1}},
		want: map[Method][]int64{
			FIFO: {400_00, 2000_00}, LIFO: {1000_00, 1400_00}, ProRata: {800_00, 1600_00},
			LIBR: {800_00, 1600_00}, TaintedFirst: {400_00, 2000_00}, Poison: {2400_00, 2400_00},
		},
	},
	{
		// The Todd sequence: Paul +10, Michael +10, -10, Karen +10, -10, each deposit a seed,
		// into account T; the debits go to an exit. What stays in T for Paul/Michael/Karen:
		// FIFO 0/0/10, LIFO 10/0/0, prorata 2.5/2.5/5 (the second debit takes 10 of
		// 5/5/10 as 2.5/2.5/5).
		name: "todd",
		build: func(s *scenario) []int64 {
			p := s.seed("external:paul", "T", 10_00, 0)
			m := s.seed("external:michael", "T", 10_00, 0)
			s.pay("T", "cash:out", 10_00)
			k := s.seed("external:karen", "T", 10_00, 0)
			s.pay("T", "cash:out", 10_00)
			return []int64{p, m, k}
		},
		probes: []probe{{"T", 0}, {"T", 1}, {"T", 2}},
		want: map[Method][]int64{
			FIFO: {0, 0, 10_00}, LIFO: {10_00, 0, 0}, ProRata: {2_50, 2_50, 5_00}, LIBR: {2_50, 2_50, 5_00},
		},
	},
	{
		// The taint example: 3 tainted (the seed) then 7 clean arrive in account A; A pays 1,
		// 3 and 6 to three exits. Tainted content of the outputs: FIFO 1/2/0, prorata
		// 0.3/0.9/1.8, poison 1/3/6 (every output carries the whole amount), LIFO and LIBR
		// 0/0/3 (clean money goes first), tainted-first 1/2/0.
		name: "taint example",
		build: func(s *scenario) []int64 {
			k := s.seed("external:victim", "A", 3_00, 0)
			s.pay("external:income", "A", 7_00)
			s.pay("A", "cash:out1", 1_00)
			s.pay("A", "cash:out3", 3_00)
			s.pay("A", "cash:out6", 6_00)
			return []int64{k}
		},
		probes: []probe{{"cash:out1", 0}, {"cash:out3", 0}, {"cash:out6", 0}, {"A", 0}},
		want: map[Method][]int64{
			FIFO: {1_00, 2_00, 0, 0}, ProRata: {30, 90, 1_80, 0}, Poison: {1_00, 3_00, 6_00, 0},
			LIFO: {0, 0, 3_00, 0}, LIBR: {0, 0, 3_00, 0}, TaintedFirst: {1_00, 2_00, 0, 0},
		},
	},
	{
		// The mixed-fund exercise: the trustee's own 30k is a known opening balance of W; the
		// trust's 70k arrives as the seed; W buys jewellery for 50k (an asset: an exit), spends
		// 20k on living (an exit) and pays in 10k of his own. Trust money in W / jewellery /
		// living: LIBR and FIFO 30k/20k/20k, prorata 21k/35k/14k, tainted-first 0/50k/20k.
		name: "mixed fund",
		build: func(s *scenario) []int64 {
			s.opening("W", 30_000_00)
			k := s.seed("external:trust", "W", 70_000_00, 0)
			s.pay("W", "asset:jewellery", 50_000_00)
			s.pay("W", "external:living", 20_000_00)
			s.pay("external:own", "W", 10_000_00)
			return []int64{k}
		},
		probes: []probe{{"W", 0}, {"asset:jewellery", 0}, {"external:living", 0}},
		want: map[Method][]int64{
			LIBR: {30_000_00, 20_000_00, 20_000_00}, FIFO: {30_000_00, 20_000_00, 20_000_00},
			ProRata:      {21_000_00, 35_000_00, 14_000_00},
			TaintedFirst: {0, 50_000_00, 20_000_00}, LIFO: {0, 50_000_00, 20_000_00},
			Poison: {40_000_00, 50_000_00, 20_000_00},
		},
	},
}

func TestOracles(t *testing.T) {
	for _, o := range oracles {
		t.Run(o.name, func(t *testing.T) {
			s := newScenario()
			keys := o.build(s)
			rep := s.run(t, AllMethods...)
			for _, m := range AllMethods {
				want, ok := o.want[m]
				if !ok {
					continue
				}
				got := make([]int64, len(o.probes))
				for i, p := range o.probes {
					got[i] = s.at(rep, m, p.holder, seedOrigin(t, rep, keys[p.seed]))
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s: got %v, want %v", m, got, want)
				}
			}
		})
	}
}
