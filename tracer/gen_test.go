package tracer

import (
	"math"
	"math/rand/v2"
)

// shape describes a synthetic AMLworld-like graph for property tests and benchmarks.
type shape struct {
	txns, accounts int
	hubs           int     // with hubShare > 0: the busiest accounts, which both send and receive
	hubShare       float64 // share of transactions between two hubs
	exitShare      float64 // share of accounts that are exits
	seedShare      float64 // share of accounts whose first inflow is a seed
	selfShare      float64 // share of transfers to the same account
	maxCents       int64   // amounts are log-uniform in [1, maxCents]
	groups         int32   // > 0: seeds are spread over this many groups
}

// generate returns accounts, a time-ordered stream and seeds for sh, reproducibly from seed.
// Receivers follow a power law (a Zipf rank over a shuffled account order); senders are
// uniform, except between hubs.
func generate(sh shape, seed uint64) ([]Account, []Txn, []Seed) {
	rng := rand.New(rand.NewPCG(seed, 0x6d6f6e6579))
	accounts := make([]Account, sh.accounts)
	for i := range accounts {
		switch {
		case rng.Float64() < sh.exitShare:
			accounts[i].Exit = true
		case rng.IntN(3) == 0:
			accounts[i].Opening = logUniform(rng, sh.maxCents)
		}
	}
	perm := rng.Perm(sh.accounts)
	zipf := rand.NewZipf(rng, 1.2, 1, uint64(sh.accounts-1))
	isSeedAcct := make([]bool, sh.accounts)
	for i := range isSeedAcct {
		isSeedAcct[i] = rng.Float64() < sh.seedShare
	}
	seeded := make([]bool, sh.accounts)
	txns := make([]Txn, 0, sh.txns)
	var seeds []Seed
	for k := range sh.txns {
		var from, to int
		switch {
		case sh.hubShare > 0 && rng.Float64() < sh.hubShare:
			from, to = perm[rng.IntN(sh.hubs)], perm[rng.IntN(sh.hubs)]
		default:
			from, to = rng.IntN(sh.accounts), perm[zipf.Uint64()]
		}
		if rng.Float64() < sh.selfShare {
			to = from
		}
		t := Txn{Txn: int64(k), From: int32(from), To: int32(to), Cents: logUniform(rng, sh.maxCents), At: int64(k / 3)}
		txns = append(txns, t)
		if isSeedAcct[to] && !seeded[to] {
			seeded[to] = true
			var g int32
			if sh.groups > 0 {
				g = 1 + rng.Int32N(sh.groups)
			}
			seeds = append(seeds, Seed{Txn: t.Txn, Group: g})
		}
	}
	return accounts, txns, seeds
}

func logUniform(rng *rand.Rand, top int64) int64 {
	return max(int64(math.Exp(rng.Float64()*math.Log(float64(top)))), 1)
}
