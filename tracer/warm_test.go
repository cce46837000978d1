package tracer

import (
	"reflect"
	"testing"
)

// TestWarmSameResults replays a stream large enough for Engine.Warm to prepare the lots'
// chunks and the report's positions, through a pipeline whose reader warms after every batch
// while the replay runs, and requires the same report as a replay without warming; it also
// requires that warming took place and that the report's positions are the ones prepared.
func TestWarmSameResults(t *testing.T) {
	if testing.Short() {
		t.Skip("a large replay")
	}
	sh := shape{txns: 100_000, accounts: 3000, exitShare: 0.05, seedShare: 0.6, maxCents: 1_000_000}
	accounts, txns, seeds := generate(sh, 3)
	cfg := Config{Accounts: accounts, Seeds: seeds, Methods: []Method{FIFO, ProRata, LIBR, Poison}}
	want, err := Run(cfg, &SliceSource{Txns: txns, BatchSize: 4096, WithTimes: true})
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b := &Batch{}
	for _, x := range txns {
		b.Txn, b.From, b.To, b.Cents, b.At = append(b.Txn, x.Txn), append(b.From, x.From), append(b.To, x.To), append(b.Cents, x.Cents), append(b.At, x.At)
		b.Label = append(b.Label, -1)
	}
	if err := pipelined(e, b, 4096, true); err != nil {
		t.Fatal(err)
	}
	groups := 0
	warmed := map[Method][]Position{}
	for _, r := range e.runs {
		for _, st := range r.slabs {
			groups += len(st.ready.ready)
		}
		if r.posReady > 0 {
			warmed[r.method] = r.posWarm
		}
	}
	t.Logf("%d groups of lots ready, positions prepared for %d methods", groups, len(warmed))
	if groups == 0 || warmed[ProRata] == nil || warmed[Poison] != nil {
		t.Fatalf("warming prepared %d groups of lots and positions for %d methods (prorata among them: %v, poison: %v)", groups, len(warmed), warmed[ProRata] != nil, warmed[Poison] != nil)
	}
	got := e.Report()
	if !reflect.DeepEqual(got, want) {
		t.Fatal("the report with warming differs from the one without")
	}
	for m, w := range warmed {
		if pos := got.Result(m).Positions; len(pos) == 0 || &pos[0] != &w[0] {
			t.Errorf("%s: the report's positions are not the ones prepared", m)
		}
	}
}

// TestReportShared works out the shared part of the report ahead (Engine.ReportShared), once
// after the last transaction and once half-way (stale by the end), and requires the same
// report as without.
func TestReportShared(t *testing.T) {
	for i, sh := range propertyShapes {
		accounts, txns, seeds := generate(sh, 21)
		cfg := Config{Accounts: accounts, Seeds: seeds, Methods: AllMethods, Flows: FlowsAll}
		want, err := Run(cfg, &SliceSource{Txns: txns, BatchSize: 97, WithTimes: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, at := range []int{len(txns), len(txns) / 2} {
			e, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			for j, x := range txns {
				if j == at {
					e.ReportShared()
				}
				b := Batch{Txn: []int64{x.Txn}, From: []int32{x.From}, To: []int32{x.To}, Cents: []int64{x.Cents}, At: []int64{x.At}}
				if err := e.Apply(&b); err != nil {
					t.Fatal(err)
				}
			}
			if at == len(txns) {
				e.ReportShared()
			}
			if got := e.Report(); !reflect.DeepEqual(got, want) {
				t.Errorf("shape %d: with the shared part worked out after %d of %d transactions, the report differs", i, at, len(txns))
			}
		}
	}
}
