package tracer

import (
	"fmt"
	"io"
	"os"
	"sync"
	"testing"
	"time"
)

// Benchmark shapes: an AMLworld-like graph (power-law receivers, uniform senders, 2% exits,
// the first inflow of 1% of accounts seeded) and a busy-hub graph where 80% of transactions
// run between the 1,000 busiest accounts, which therefore both send and receive heavily.
// With -short they shrink tenfold.
var benchShapes = []struct {
	name string
	sh   shape
}{
	{"aml", shape{txns: 1_000_000, accounts: 100_000, exitShare: 0.02, seedShare: 0.01, selfShare: 0.01, maxCents: 10_000_000}},
	{"hub", shape{txns: 1_000_000, accounts: 100_000, hubs: 1000, hubShare: 0.8, exitShare: 0.02, seedShare: 0.01, selfShare: 0.01, maxCents: 10_000_000}},
}

type benchCase struct {
	accounts []Account
	seeds    []Seed
	batches  []Batch
	txns     int
}

var benchCache sync.Map

// benchData generates a shape once per process and cuts it into columnar batches of 65,536
// rows, the way Arrow record batches arrive from DuckDB.
func benchData(b *testing.B, name string, sh shape) *benchCase {
	if testing.Short() {
		sh.txns /= 10
		sh.accounts /= 10
		sh.hubs /= 10
	}
	key := fmt.Sprint(name, sh.txns)
	if c, ok := benchCache.Load(key); ok {
		return c.(*benchCase)
	}
	accounts, txns, seeds := generate(sh, 42)
	c := &benchCase{accounts: accounts, seeds: seeds, txns: len(txns)}
	const rows = 1 << 16
	for start := 0; start < len(txns); start += rows {
		var bt Batch
		for _, t := range txns[start:min(start+rows, len(txns))] {
			bt.Txn = append(bt.Txn, t.Txn)
			bt.From = append(bt.From, t.From)
			bt.To = append(bt.To, t.To)
			bt.Cents = append(bt.Cents, t.Cents)
			bt.At = append(bt.At, t.At)
		}
		c.batches = append(c.batches, bt)
	}
	benchCache.Store(key, c)
	return c
}

type batchSource struct {
	batches []Batch
	i       int
}

func (s *batchSource) Next() (*Batch, error) {
	if s.i >= len(s.batches) {
		return nil, io.EOF
	}
	s.i++
	return &s.batches[s.i-1], nil
}

// origins is how a benchmark numbers origins.
type originMode struct {
	name        string
	groupSeeds  bool // all seeds one origin
	groupUnexpl bool // all unexplained funds one origin
	slow        bool // skipped unless MONEYTRAIL_BENCH_SLOW is set
}

// BenchmarkReplay replays each shape under fifo, prorata, libr and all methods, with three
// ways of numbering origins: one per seed and one per shortfall account ("perorigin"), one
// per seed and one for all unexplained funds ("perseed"), and one for all seeds and one for
// all unexplained funds ("grouped"). Proportional methods carry one share per origin per
// account, so on the busy-hub shape "perorigin" runs for many minutes: it is skipped unless
// MONEYTRAIL_BENCH_SLOW is set. Each iteration is a whole replay including Report;
// txns/s is the throughput.
func BenchmarkReplay(b *testing.B) {
	methods := []struct {
		name string
		ms   []Method
	}{
		{"fifo", []Method{FIFO}},
		{"prorata", []Method{ProRata}},
		{"libr", []Method{LIBR}},
		{"all", AllMethods},
	}
	for _, bs := range benchShapes {
		for _, m := range methods {
			for _, om := range []originMode{
				{"perorigin", false, false, bs.name == "hub" && m.name != "fifo"},
				{"perseed", false, true, false},
				{"grouped", true, true, false},
			} {
				b.Run(bs.name+"/"+m.name+"/"+om.name, func(b *testing.B) {
					if om.slow && os.Getenv("MONEYTRAIL_BENCH_SLOW") == "" {
						b.Skip("set MONEYTRAIL_BENCH_SLOW=1 to run; takes many minutes")
					}
					c := benchData(b, bs.name, bs.sh)
					cfg := Config{Accounts: c.accounts, Seeds: c.seeds, Methods: m.ms, GroupUnexplained: om.groupUnexpl}
					if om.groupSeeds {
						cfg.Seeds = make([]Seed, len(c.seeds))
						for i, s := range c.seeds {
							cfg.Seeds[i] = Seed{Txn: s.Txn, Group: 1}
						}
					}
					b.ReportAllocs()
					var elapsed time.Duration
					for b.Loop() {
						start := time.Now()
						rep, err := Run(cfg, &batchSource{batches: c.batches})
						elapsed += time.Since(start)
						if err != nil {
							b.Fatal(err)
						}
						if rep.Txns != int64(c.txns) {
							b.Fatalf("replayed %d of %d", rep.Txns, c.txns)
						}
					}
					b.ReportMetric(float64(c.txns)*float64(b.N)/elapsed.Seconds(), "txns/s")
				})
			}
		}
	}
}

// BenchmarkAllocate measures the allocation step of each method alone: a debit of a third of
// an account's balance held in k lots (or shares) of different tainted origins and one clean
// lot, taken by the method and credited to a second account, which pays it straight back.
// One op is the two transfers.
func BenchmarkAllocate(b *testing.B) {
	for _, m := range AllMethods {
		for _, k := range []int{1, 16, 256} {
			b.Run(fmt.Sprintf("%s/lots=%d", m, k), func(b *testing.B) {
				org := &origins{seedOrigins: make([][]int64, k), seedGroups: make([]int32, k), groupUnexpl: true}
				org.unexplainedBase = Origin(k + 1)
				org.n = k + 2
				st := newStore(m, 2, org, newSplitter(org.n))
				var bal int64
				st.put(0, []lot{{Clean, 1_000_000}})
				bal += 1_000_000
				for o := 1; o <= k; o++ {
					st.put(0, []lot{{Origin(o), 10_000 + int64(o)}})
					bal += 10_000 + int64(o)
				}
				c := bal / 3
				var parts []lot
				b.ReportAllocs()
				for b.Loop() {
					parts = st.take(0, c, parts[:0])
					st.put(1, parts)
					parts = st.take(1, c, parts[:0])
					st.put(0, parts)
				}
			})
		}
	}
}

// BenchmarkPrepareReplay replays the AMLworld-like shape, one origin per seed, through
// Engine.Prepare and Engine.Replay one batch after the other, the two passes a pipeline runs
// side by side, and reports each pass's share of the time (prepare-ns/op and replay-ns/op,
// Report excluded).
func BenchmarkPrepareReplay(b *testing.B) {
	bs := benchShapes[0]
	for _, m := range []struct {
		name string
		ms   []Method
	}{{"fifo", []Method{FIFO}}, {"prorata", []Method{ProRata}}, {"libr", []Method{LIBR}}, {"all", AllMethods}} {
		b.Run(m.name, func(b *testing.B) {
			c := benchData(b, bs.name, bs.sh)
			cfg := Config{Accounts: c.accounts, Seeds: c.seeds, Methods: m.ms, GroupUnexplained: true}
			var prep, repl time.Duration
			for b.Loop() {
				e, err := New(cfg)
				if err != nil {
					b.Fatal(err)
				}
				var p Prepared
				for i := range c.batches {
					t0 := time.Now()
					e.Prepare(&c.batches[i], &p)
					t1 := time.Now()
					if err := e.Replay(&p); err != nil {
						b.Fatal(err)
					}
					prep, repl = prep+t1.Sub(t0), repl+time.Since(t1)
				}
				if e.Txns() != int64(c.txns) {
					b.Fatalf("replayed %d of %d", e.Txns(), c.txns)
				}
			}
			b.ReportMetric(float64(prep.Nanoseconds())/float64(b.N), "prepare-ns/op")
			b.ReportMetric(float64(repl.Nanoseconds())/float64(b.N), "replay-ns/op")
		})
	}
}
