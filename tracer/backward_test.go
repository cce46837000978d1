package tracer

import (
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
