package tracer

import (
	"strings"
	"testing"
)

// scenario builds small named cases for tests: accounts by name (an id starting with
// "cash:", "external:" or "asset:" is an exit, as in a ledger file), transactions in the
// order written, at times 1, 2, 3, ... and keyed 1, 2, 3, ...
type scenario struct {
	names    []string
	index    map[string]int32
	accounts []Account
	txns     []Txn
	seeds    []Seed
	group    bool // fold all unexplained funds into one origin
}

func newScenario() *scenario { return &scenario{index: map[string]int32{}} }

func (s *scenario) acct(name string) int32 {
	if i, ok := s.index[name]; ok {
		return i
	}
	i := int32(len(s.names))
	s.index[name] = i
	s.names = append(s.names, name)
	exit := strings.HasPrefix(name, "cash:") || strings.HasPrefix(name, "external:") || strings.HasPrefix(name, "asset:")
	s.accounts = append(s.accounts, Account{Exit: exit})
	return i
}

// opening gives account name a known opening balance.
func (s *scenario) opening(name string, cents int64) { s.accounts[s.acct(name)].Opening = cents }

// pay appends a transaction and returns its key.
func (s *scenario) pay(from, to string, cents int64) int64 {
	key := int64(len(s.txns) + 1)
	s.txns = append(s.txns, Txn{Txn: key, From: s.acct(from), To: s.acct(to), Cents: cents, At: key})
	return key
}

// seed appends a transaction marked as a seed of the given group and returns its key.
func (s *scenario) seed(from, to string, cents int64, group int32) int64 {
	key := s.pay(from, to, cents)
	s.seeds = append(s.seeds, Seed{Txn: key, Group: group})
	return key
}

func (s *scenario) config(methods ...Method) Config {
	return Config{Accounts: s.accounts, Seeds: s.seeds, Methods: methods, GroupUnexplained: s.group}
}

func (s *scenario) run(t *testing.T, methods ...Method) *Report {
	t.Helper()
	rep, err := Run(s.config(methods...), &SliceSource{Txns: s.txns, BatchSize: 2, WithTimes: true})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := rep.Check(); err != nil {
		t.Fatalf("Check: %v", err)
	}
	return rep
}

// seedOrigin returns the origin of the seed with key.
func seedOrigin(t *testing.T, rep *Report, key int64) Origin {
	t.Helper()
	for _, sr := range rep.Results[0].Seeds {
		if sr.Txn == key {
			return sr.Origin
		}
	}
	t.Fatalf("no seed %d", key)
	return 0
}

// at returns what origin o holds with the named holder under method m.
func (s *scenario) at(rep *Report, m Method, holder string, o Origin) int64 {
	h := s.index[holder]
	for _, p := range rep.Result(m).Positions {
		if p.Holder == h && p.Origin == o {
			return p.Cents
		}
	}
	return 0
}
