package tracer

import (
	"errors"
	"fmt"
	"slices"
)

// Account describes one account of the traced universe, known to the engine by its index in
// Config.Accounts.
type Account struct {
	// Exit marks an account outside the universe (kind cash, external or asset, or out of
	// scope): money that reaches it leaves the trace and is reported with holder kind "exit".
	// An exit holds no lots; when it pays, the money is fresh clean money from outside.
	Exit bool
	// Opening is a known opening balance in cents, held as a clean lot before the first
	// transaction. It must be >= 0 unless Overdraft is set, and is ignored for exits.
	Opening int64
	// Overdraft marks an account whose statements show its balance below zero: the part of
	// a debit beyond its balance is then the bank's credit (an origin of kind KindOverdraft
	// of its own, not unexplained), and a credit while the account owes the bank first repays
	// it: that part goes, origins kept, to the exit Lender. A negative Opening is the debt
	// the account opens with.
	Overdraft bool
	// Lender is the index of the exit that receives an Overdraft account's repayments.
	Lender int32
}

// Seed marks one credit transaction as the start of tainted money.
type Seed struct {
	// Txn is the transaction's key as it appears in Batch.Txn.
	Txn int64
	// Group folds seeds into one tainted origin: seeds with the same non-zero Group share an
	// origin; a seed with Group 0 has an origin of its own. Folding keeps proportional methods
	// cheap when per-seed detail is not needed (their cost grows with origins per account).
	Group int32
}

// FlowMode chooses which hop-by-hop flows the engine records.
type FlowMode uint8

const (
	// FlowsTainted records flows of seed origins only (the default).
	FlowsTainted FlowMode = iota
	// FlowsAll also records clean and unexplained flows; this is as large as the data.
	FlowsAll
	// FlowsNone records no flows, only positions and summaries.
	FlowsNone
)

// flowModeNames are the FlowMode names of the CLI and the manifest, in FlowMode order.
var flowModeNames = [...]string{"tainted", "all", "none"}

// String is the mode's name: tainted, all or none.
func (f FlowMode) String() string { return flowModeNames[f] }

// ParseFlowMode reads a flow mode's name (tainted, all or none).
func ParseFlowMode(s string) (FlowMode, error) {
	for i, n := range flowModeNames {
		if n == s {
			return FlowMode(i), nil
		}
	}
	return 0, fmt.Errorf("flows %q: use tainted, all or none", s)
}

// Config is the input of a trace apart from its transactions.
type Config struct {
	// Accounts are indexed by the dense account indexes used in batches.
	Accounts []Account
	// Seeds mark the credits whose money is traced.
	Seeds []Seed
	// Methods are replayed side by side in one pass, in this order; AllMethods gives
	// "method all". At least one is required.
	Methods []Method
	// GroupUnexplained gives all unexplained funds one origin instead of one per account.
	// Per-account unexplained totals are reported either way; grouping only keeps
	// proportional methods from carrying one share per shortfall account.
	GroupUnexplained bool
	// Flows chooses which flows are recorded, for every method but Poison.
	Flows FlowMode
	// PoisonFlows records Poison's flows too (tainted origins only). They are off by default
	// because every debit of a poisoned account yields one row per origin that ever reached
	// it, each for the whole amount: on busy accounts that is debits x origins rows.
	PoisonFlows bool
	// AsOf, when non-nil, stops the replay before the first transaction whose time is after
	// *AsOf. It requires batches that carry times.
	AsOf *int64
	// GroupPoison replays Poison with every seed as one origin, "all seeds", whose
	// OriginInfo has Group -1, while the other methods keep their per-seed origins. Poison
	// per seed costs accounts x origins (every origin that ever touched an account stays with
	// it); grouped, it costs one mark per account. Report.Sensitivity then sets the other
	// methods' seed totals beside Poison's in the "all seeds" rows.
	GroupPoison bool
	// Labels is the number of inflow labels (see Batch.Label): money an exit pays in with
	// label l has its own tainted origin, Engine.LabelOrigin(l), instead of being clean.
	// Backward tracing labels every inflow into its universe this way.
	Labels int
	// Capture lists transactions whose parts, every origin included, are kept for every
	// method whatever Flows says (Engine.Captured): the composition of a debit.
	Capture []int64
}

// Origin identifies where money came from, densely numbered within one engine: 0 is clean
// money, then one origin per seed (or seed group) in the order of their first seed's Txn
// key, then one per inflow label (Config.Labels), then the unexplained origins. Report.Origin describes an origin.
type Origin int32

// Clean is the origin of untainted money: known opening balances and money paid in by exits.
const Clean Origin = 0

// OriginKind tells clean, seed and unexplained origins apart.
type OriginKind uint8

const (
	// KindClean is money that is known and untainted.
	KindClean OriginKind = iota
	// KindSeed is tainted money from one seed or seed group.
	KindSeed
	// KindUnexplained is money an account paid out beyond its known balance.
	KindUnexplained
	// KindInflow is money paid into the universe by an exit under an inflow label
	// (Batch.Label); it counts as tainted for every method.
	KindInflow
	// KindOverdraft is the bank's credit to an overdrawn account (Account.Overdraft): what
	// it paid out beyond its balance. It is not tainted.
	KindOverdraft
)

// String returns "clean", "seed" or "unexplained".
func (k OriginKind) String() string {
	switch k {
	case KindClean:
		return "clean"
	case KindSeed:
		return "seed"
	case KindUnexplained:
		return "unexplained"
	case KindInflow:
		return "inflow"
	case KindOverdraft:
		return "overdraft"
	}
	return fmt.Sprintf("OriginKind(%d)", uint8(k))
}

// OriginInfo describes an origin.
type OriginInfo struct {
	Kind OriginKind
	// Seeds are the Txn keys of the seeds sharing this origin, in ascending order (KindSeed).
	Seeds []int64
	// Group is the seeds' group, 0 for a single ungrouped seed, -1 for the "all seeds"
	// origin of Config.GroupPoison (KindSeed).
	Group int32
	// Account is the account whose shortfall created the money (KindUnexplained), or -1 when
	// Config.GroupUnexplained folds all unexplained funds into one origin; of KindOverdraft,
	// the overdrawn account.
	Account int32
	// Label is the inflow label (KindInflow), -1 otherwise.
	Label int32
}

// Errors returned by the engine, wrapped with the transaction they concern.
var (
	// ErrTimeOrder reports a stream that goes backwards in time.
	ErrTimeOrder = errors.New("transactions out of time order")
	// ErrInput reports a malformed transaction or configuration.
	ErrInput = errors.New("invalid trace input")
)

// origins numbers the origins of one engine.
type origins struct {
	seedOrigins     [][]int64 // index o-1: the seed keys of seed origin o
	seedGroups      []int32
	labels          int    // inflow labels, origins len(seedOrigins)+1 onwards
	allSeeds        Origin // the "all seeds" origin of Config.GroupPoison, or 0
	unexplainedBase Origin
	groupUnexpl     bool
	overdraftBase   Origin  // the first overdraft origin, 0 when no account has one
	overdrafts      []int32 // the Overdraft accounts, in index order: origin overdraftBase+k is k's
	n               int
}

// overdraft is the origin of the bank's credit to account a, the k-th Overdraft account.
func (t *origins) overdraft(k int32) Origin { return t.overdraftBase + Origin(k) }

// tainted reports whether o is seed or inflow money: what LIBR keeps longest, tainted-first
// spends first, poison follows and flows record by default.
func (t *origins) tainted(o Origin) bool { return uint32(o-1) < uint32(len(t.seedOrigins)+t.labels) }

// seed reports whether o is a seed origin.
func (t *origins) seed(o Origin) bool { return uint32(o-1) < uint32(len(t.seedOrigins)) }

func (t *origins) label(l int32) Origin { return Origin(len(t.seedOrigins)+1) + Origin(l) }

func (t *origins) unexplained(account int32) Origin {
	if t.groupUnexpl {
		return t.unexplainedBase
	}
	return t.unexplainedBase + Origin(account)
}

func (t *origins) info(o Origin) OriginInfo {
	switch {
	case o == Clean:
		return OriginInfo{Kind: KindClean, Account: -1, Label: -1}
	case t.seed(o):
		return OriginInfo{Kind: KindSeed, Seeds: t.seedOrigins[o-1], Group: t.seedGroups[o-1], Account: -1, Label: -1}
	case t.tainted(o):
		return OriginInfo{Kind: KindInflow, Account: -1, Label: int32(o - t.label(0))}
	case t.overdraftBase != 0 && o >= t.overdraftBase:
		return OriginInfo{Kind: KindOverdraft, Account: t.overdrafts[o-t.overdraftBase], Label: -1}
	case t.groupUnexpl:
		return OriginInfo{Kind: KindUnexplained, Account: -1, Label: -1}
	default:
		return OriginInfo{Kind: KindUnexplained, Account: int32(o - t.unexplainedBase), Label: -1}
	}
}

// seedTable maps seed keys to seed numbers (index into the sorted seeds) and origins.
type seedTable struct {
	keys   []int64  // sorted seed keys
	origin []Origin // per seed
	filter []uint64 // bitset over keys < len(filter)*64, a fast "maybe a seed" test
	index  map[int64]int32
}

func buildSeeds(cfg *Config, t *origins) (seedTable, error) {
	seeds := slices.Clone(cfg.Seeds)
	slices.SortFunc(seeds, func(a, b Seed) int {
		if a.Txn < b.Txn {
			return -1
		}
		if a.Txn > b.Txn {
			return 1
		}
		return 0
	})
	st := seedTable{index: make(map[int64]int32, len(seeds))}
	groupOrigin := map[int32]Origin{}
	if cfg.GroupPoison && len(seeds) > 0 {
		all := make([]int64, len(seeds))
		for i, s := range seeds {
			all[i] = s.Txn
		}
		t.seedOrigins, t.seedGroups, t.allSeeds = append(t.seedOrigins, all), append(t.seedGroups, -1), 1
	}
	var maxKey int64 = -1
	for i, s := range seeds {
		if i > 0 && seeds[i-1].Txn == s.Txn {
			return st, fmt.Errorf("%w: seed txn %d given twice", ErrInput, s.Txn)
		}
		if s.Group < 0 {
			return st, fmt.Errorf("%w: seed txn %d: negative group %d", ErrInput, s.Txn, s.Group)
		}
		o, ok := groupOrigin[s.Group]
		if s.Group == 0 || !ok {
			o = Origin(len(t.seedOrigins) + 1)
			t.seedOrigins = append(t.seedOrigins, nil)
			t.seedGroups = append(t.seedGroups, s.Group)
			if s.Group != 0 {
				groupOrigin[s.Group] = o
			}
		}
		t.seedOrigins[o-1] = append(t.seedOrigins[o-1], s.Txn)
		st.keys = append(st.keys, s.Txn)
		st.origin = append(st.origin, o)
		st.index[s.Txn] = int32(i)
		maxKey = max(maxKey, s.Txn)
	}
	if maxKey >= 0 && maxKey < 1<<32 {
		st.filter = make([]uint64, maxKey/64+1)
		for _, k := range st.keys {
			if k >= 0 {
				st.filter[k/64] |= 1 << (k % 64)
			}
		}
	}
	return st, nil
}

// lookup returns the seed number of key, or -1.
func (s *seedTable) lookup(key int64) int32 {
	if len(s.keys) == 0 {
		return -1
	}
	if s.filter != nil && key >= 0 {
		// Every non-negative seed key is in the filter, so a miss is definite.
		if w := key >> 6; w >= int64(len(s.filter)) || s.filter[w]&(1<<(key&63)) == 0 {
			return -1
		}
	}
	if i, ok := s.index[key]; ok {
		return i
	}
	return -1
}
