package tracer

import (
	"reflect"
	"testing"
)

// TestInflowLabels checks the composition of a debit and of the balance left behind, by the
// label of each inflow: an account fed by cash 300 and a transfer of 700 from A (both from
// outside the universe) pays 500.
func TestInflowLabels(t *testing.T) {
	const cash, a, target, shop = 0, 1, 2, 3
	accounts := []Account{{Exit: true}, {Exit: true}, {}, {Exit: true}}
	txns := []Txn{
		{Txn: 1, From: cash, To: target, Cents: 300_00, At: 1},
		{Txn: 2, From: a, To: target, Cents: 700_00, At: 2},
		{Txn: 3, From: target, To: shop, Cents: 500_00, At: 3},
	}
	labels := []int32{0, 1, -1}
	e, err := New(Config{Accounts: accounts, Methods: AllMethods, Labels: 2, Capture: []int64{3}, Flows: FlowsNone})
	if err != nil {
		t.Fatal(err)
	}
	b := &Batch{Label: labels}
	for _, x := range txns {
		b.Txn, b.From, b.To, b.Cents, b.At = append(b.Txn, x.Txn), append(b.From, x.From), append(b.To, x.To), append(b.Cents, x.Cents), append(b.At, x.At)
	}
	if err := e.Apply(b); err != nil {
		t.Fatal(err)
	}
	lc, la := e.LabelOrigin(0), e.LabelOrigin(1)
	if info := e.Origin(la); info.Kind != KindInflow || info.Label != 1 {
		t.Fatalf("origin %d: %+v, want inflow label 1", la, info)
	}
	want := map[Method]struct{ debit, balance [2]int64 }{
		FIFO:         {[2]int64{300_00, 200_00}, [2]int64{0, 500_00}},
		LIFO:         {[2]int64{0, 500_00}, [2]int64{300_00, 200_00}},
		ProRata:      {[2]int64{150_00, 350_00}, [2]int64{150_00, 350_00}},
		LIBR:         {[2]int64{150_00, 350_00}, [2]int64{150_00, 350_00}},
		TaintedFirst: {[2]int64{300_00, 200_00}, [2]int64{0, 500_00}},
		Poison:       {[2]int64{500_00, 500_00}, [2]int64{500_00, 500_00}},
	}
	captured, held := e.Captured(), e.Holdings(target)
	for i, m := range AllMethods {
		var debit, balance [2]int64
		for _, f := range captured[i] {
			if f.Txn != 3 {
				t.Errorf("%s: captured txn %d", m, f.Txn)
			}
			switch f.Origin {
			case lc:
				debit[0] += f.Cents
			case la:
				debit[1] += f.Cents
			default:
				t.Errorf("%s: debit part of origin %d", m, f.Origin)
			}
		}
		for _, p := range held[i] {
			switch p.Origin {
			case lc:
				balance[0] += p.Cents
			case la:
				balance[1] += p.Cents
			default:
				t.Errorf("%s: holding of origin %d", m, p.Origin)
			}
		}
		if debit != want[m].debit || balance != want[m].balance {
			t.Errorf("%s: debit %v balance %v, want %v %v", m, debit, balance, want[m].debit, want[m].balance)
		}
	}
	if e.Balance(target) != 500_00 {
		t.Errorf("balance %d, want 50000", e.Balance(target))
	}
	if _, err := New(Config{Accounts: accounts, Methods: []Method{FIFO}, Labels: 1}); err != nil {
		t.Fatal(err)
	}
	e, _ = New(Config{Accounts: accounts, Methods: []Method{FIFO}, Labels: 1})
	if err := e.Apply(b); err == nil {
		t.Error("label 1 of 1 accepted")
	}
}

// TestGroupPoison replays every method with Poison grouped: Poison equals a Poison run with
// every seed in one group, the other methods equal their runs without grouping (origins
// shifted by the "all seeds" origin), and in the sensitivity table Poison's "all seeds" row
// is at least every other method's total of tainted money with the holder.
func TestGroupPoison(t *testing.T) {
	for i, sh := range propertyShapes {
		accounts, txns, seeds := generate(sh, 3)
		for j := range seeds {
			seeds[j].Group = 0
		}
		run := func(cfg Config) *Report {
			cfg.Accounts, cfg.Flows = accounts, FlowsNone
			rep, err := Run(cfg, &SliceSource{Txns: txns, BatchSize: 101, WithTimes: true})
			if err != nil {
				t.Fatal(err)
			}
			if err := rep.Check(); err != nil {
				t.Fatal(err)
			}
			return rep
		}
		grouped := run(Config{Seeds: seeds, Methods: AllMethods, GroupPoison: true})
		plain := run(Config{Seeds: seeds, Methods: AllMethods})
		one := make([]Seed, len(seeds))
		for j, s := range seeds {
			one[j] = Seed{Txn: s.Txn, Group: 1}
		}
		poison := run(Config{Seeds: one, Methods: []Method{Poison}})
		if !reflect.DeepEqual(*grouped.Result(Poison), poison.Results[0]) {
			t.Errorf("shape %d: grouped poison differs from poison over one seed group", i)
		}
		if info := grouped.Origin(1); info.Group != -1 || len(info.Seeds) != len(seeds) {
			t.Errorf("shape %d: origin 1 %+v, want all seeds", i, info)
		}
		for _, m := range AllMethods[:len(AllMethods)-1] {
			g, p := grouped.Result(m), plain.Result(m)
			// Every origin but clean moves up by one behind the "all seeds" origin.
			shifted := func(o Origin) Origin {
				if o == Clean {
					return o
				}
				return o + 1
			}
			if len(g.Positions) != len(p.Positions) || len(g.Origins) != len(p.Origins) {
				t.Fatalf("shape %d %s: %d positions %d origins, want %d %d", i, m, len(g.Positions), len(g.Origins), len(p.Positions), len(p.Origins))
			}
			for k, pp := range p.Positions {
				pp.Origin = shifted(pp.Origin)
				if g.Positions[k] != pp {
					t.Fatalf("shape %d %s: position %+v, want %+v", i, m, g.Positions[k], pp)
				}
			}
		}
		s := grouped.Sensitivity()
		for _, row := range s.Holdings {
			for k, m := range s.Methods {
				switch {
				case m == Poison && row.Origin != 1 && row.Cents[k] != NotReplayed:
					t.Errorf("shape %d: per-seed row %+v has a poison figure", i, row)
				case m != Poison && row.Origin == 1 && row.Cents[k] > row.Cents[len(s.Methods)-1]:
					t.Errorf("shape %d: holder %d: %s %d above poison %d", i, row.Holder, m, row.Cents[k], row.Cents[len(s.Methods)-1])
				}
			}
		}
	}
}
