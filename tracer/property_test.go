package tracer

import (
	"fmt"
	"reflect"
	"runtime"
	"testing"
)

// propertyShapes are small random streams with small amounts, so that ties, shortfalls,
// self-transfers, exits that pay and seeds of seeded money all occur often.
var propertyShapes = []shape{
	{txns: 3000, accounts: 40, exitShare: 0.1, seedShare: 0.3, selfShare: 0.02, maxCents: 50},
	{txns: 3000, accounts: 60, hubs: 8, hubShare: 0.6, exitShare: 0.05, seedShare: 0.2, selfShare: 0.01, maxCents: 10_000},
	{txns: 2000, accounts: 30, exitShare: 0.1, seedShare: 0.5, maxCents: 1000, groups: 3},
}

func runShape(t *testing.T, sh shape, seed uint64, group bool, methods ...Method) *Report {
	t.Helper()
	accounts, txns, seeds := generate(sh, seed)
	cfg := Config{Accounts: accounts, Seeds: seeds, Methods: methods, GroupUnexplained: group, Flows: FlowsAll, PoisonFlows: true}
	rep, err := Run(cfg, &SliceSource{Txns: txns, BatchSize: 97, WithTimes: true})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestConservationProperty replays random streams and checks, for every conserving method,
// that each seed's traced amount equals the sum of its positions and each account's
// positions its balance; it also recomputes the per-origin sums from the positions and flows
// independently of Check.
func TestConservationProperty(t *testing.T) {
	for i, sh := range propertyShapes {
		for seed := uint64(1); seed <= 4; seed++ {
			for _, group := range []bool{false, true} {
				t.Run(fmt.Sprintf("shape%d/seed%d/group%v", i, seed, group), func(t *testing.T) {
					rep := runShape(t, sh, seed, group, AllMethods...)
					if err := rep.Check(); err != nil {
						t.Fatal(err)
					}
					unexplained := map[int32]bool{}
					for _, u := range rep.Unexplained {
						unexplained[u.Account] = true
					}
					for _, res := range rep.Results {
						for i := 1; i < len(res.Positions); i++ {
							if p, q := res.Positions[i-1], res.Positions[i]; p.Holder > q.Holder || p.Holder == q.Holder && p.Origin >= q.Origin {
								t.Fatalf("%s: positions %d and %d out of (holder, origin) order: %+v, %+v", res.Method, i-1, i, p, q)
							}
						}
						// The sums per seed origin, worked out again from the positions.
						want := map[Origin]OriginResult{}
						for _, p := range res.Positions {
							if rep.Origin(p.Origin).Kind != KindSeed {
								continue
							}
							o := want[p.Origin]
							switch {
							case rep.IsExit(p.Holder):
								o.Exited += p.Cents
							case unexplained[p.Holder]:
								o.HeldWithUnexplained += p.Cents
								fallthrough
							default:
								o.Held += p.Cents
							}
							want[p.Origin] = o
						}
						for _, o := range res.Origins {
							w := want[o.Origin]
							if o.Held != w.Held || o.Exited != w.Exited || o.HeldWithUnexplained != w.HeldWithUnexplained {
								t.Errorf("%s: origin %d: held %d, exited %d, with unexplained %d; the positions give %d, %d, %d",
									res.Method, o.Origin, o.Held, o.Exited, o.HeldWithUnexplained, w.Held, w.Exited, w.HeldWithUnexplained)
							}
						}
						if !res.Method.Conserves() {
							continue
						}
						traced := map[Origin]int64{}
						for _, s := range res.Seeds {
							traced[s.Origin] += s.Traced
							if s.Traced > s.Credit || s.Traced < 0 {
								t.Errorf("%s: seed %d traced %d of a credit of %d", res.Method, s.Txn, s.Traced, s.Credit)
							}
						}
						for _, p := range res.Positions {
							if p.Cents <= 0 {
								t.Errorf("%s: position %+v not positive", res.Method, p)
							}
							if rep.Origin(p.Origin).Kind == KindSeed {
								traced[p.Origin] -= p.Cents
							}
						}
						for o, d := range traced {
							if d != 0 {
								t.Errorf("%s: origin %d: traced - positions = %d", res.Method, o, d)
							}
						}
						// Every cent that reached an exit arrived by a flow into it.
						exits := map[[2]int64]int64{}
						for _, f := range res.Flows {
							exits[[2]int64{int64(f.To), int64(f.Origin)}] += f.Cents
						}
						for _, p := range res.Positions {
							if rep.IsExit(p.Holder) && exits[[2]int64{int64(p.Holder), int64(p.Origin)}] != p.Cents {
								t.Errorf("%s: exit position %+v, flows into it %d", res.Method, p, exits[[2]int64{int64(p.Holder), int64(p.Origin)}])
							}
						}
					}
				})
			}
		}
	}
}

// TestAllMethodsMatchSeparateRuns replays every method in one pass and each alone, and
// requires identical results.
func TestAllMethodsMatchSeparateRuns(t *testing.T) {
	for i, sh := range propertyShapes {
		t.Run(fmt.Sprint("shape", i), func(t *testing.T) {
			all := runShape(t, sh, 7, false, AllMethods...)
			for j, m := range AllMethods {
				one := runShape(t, sh, 7, false, m)
				if !reflect.DeepEqual(one.Results[0], all.Results[j]) {
					t.Errorf("%s alone differs from %s in one pass", m, m)
				}
				if !reflect.DeepEqual(one.Unexplained, all.Unexplained) {
					t.Errorf("%s: unexplained funds differ", m)
				}
			}
		})
	}
}

// TestDeterminism replays the same input twice and requires identical reports.
func TestDeterminism(t *testing.T) {
	for i, sh := range propertyShapes {
		a := runShape(t, sh, 11, false, AllMethods...)
		b := runShape(t, sh, 11, false, AllMethods...)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("shape %d: two replays differ", i)
		}
		if !reflect.DeepEqual(a.Sensitivity(), b.Sensitivity()) {
			t.Errorf("shape %d: two sensitivity tables differ", i)
		}
	}
}

// TestShareIndexSameResults lowers the length from which proportional shares keep an origin
// index, so that nearly every account uses it, and requires the same results as without.
func TestShareIndexSameResults(t *testing.T) {
	for i, sh := range propertyShapes {
		want := runShape(t, sh, 5, false, ProRata, LIBR)
		func() {
			defer func(old int) { indexFrom = old }(indexFrom)
			indexFrom = 2
			got := runShape(t, sh, 5, false, ProRata, LIBR)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("shape %d: results differ with the share index", i)
			}
		}()
	}
}

// TestReportSpansSameResults has Report work out positions over ranges of a few accounts
// side by side, and requires the same report as in one piece.
func TestReportSpansSameResults(t *testing.T) {
	for i, sh := range propertyShapes {
		want := runShape(t, sh, 9, false, AllMethods...)
		func() {
			defer func(old, procs int) { reportSpan = old; runtime.GOMAXPROCS(procs) }(reportSpan, runtime.GOMAXPROCS(3))
			reportSpan = 1
			got := runShape(t, sh, 9, false, AllMethods...)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("shape %d: results differ when worked out in spans", i)
			}
		}()
	}
}
