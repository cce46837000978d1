package tracer

import (
	"slices"
	"testing"
)

// overdraft makes name an Overdraft account opening with cents (negative: a debt) whose
// repayments go to the exit "external:bank-"+name.
func (s *scenario) overdraft(name string, cents int64) {
	a, bank := s.acct(name), s.acct("external:bank-"+name)
	s.accounts[a].Overdraft, s.accounts[a].Lender, s.accounts[a].Opening = true, bank, cents
}

// TestOverdraftRepayment: O owes its bank 100 (opening -100). M receives 60 of the seed, then
// 90 of its own, and pays all 150 to O, which first repays the bank 100, taken from the
// credit under the method like any debit. Worked by hand, seed money gone to the bank / left
// in O: FIFO (O's lots: seed 60, clean 90) 60/0; LIFO (M pays its newest first, so O's newest
// lot is the seed's) 60/0; prorata 100 x 60/150 = 40 / 20; LIBR (clean first) 10/50;
// tainted-first 60/0.
func TestOverdraftRepayment(t *testing.T) {
	s := newScenario()
	s.overdraft("O", -100_00)
	k := s.seed("external:victim", "M", 60_00, 0)
	s.pay("external:own", "M", 90_00)
	s.pay("M", "O", 150_00)
	rep := s.run(t, AllMethods...)
	want := map[Method][2]int64{
		FIFO: {60_00, 0}, LIFO: {60_00, 0}, ProRata: {40_00, 20_00}, LIBR: {10_00, 50_00}, TaintedFirst: {60_00, 0},
	}
	o := seedOrigin(t, rep, k)
	for m, w := range want {
		got := [2]int64{s.at(rep, m, "external:bank-O", o), s.at(rep, m, "O", o)}
		if got != w {
			t.Errorf("%s: bank, O %v, want %v", m, got, w)
		}
	}
	if len(rep.Unexplained) != 0 {
		t.Errorf("unexplained %v, want none", rep.Unexplained)
	}
	wantOD := []Overdrawn{{Account: s.index["O"], Drawn: 100_00, Repaid: 100_00, Deepest: 100_00}}
	if !slices.Equal(rep.Overdrawn, wantOD) {
		t.Errorf("overdrawn %+v, want %+v", rep.Overdrawn, wantOD)
	}
}

// TestOverdraftDraw: O (an overdraft account opening at 0) receives 100 of its own and 200
// of the seed, pays 400 to cash, the last 100 the bank's credit, then receives 150 of its own,
// which repays the 100 first. The cash holds all 200 of the seed under every method, O keeps
// 50 clean; nothing is unexplained, and the overdraft is 100 deep at the payment (time 3).
// Without the overdraft the 100 would be unexplained funds.
func TestOverdraftDraw(t *testing.T) {
	for _, od := range []bool{true, false} {
		s := newScenario()
		if od {
			s.overdraft("O", 0)
		}
		s.pay("external:own", "O", 100_00)
		k := s.seed("external:victim", "O", 200_00, 0)
		s.pay("O", "cash:out", 400_00)
		s.pay("external:own", "O", 150_00)
		rep := s.run(t, AllMethods...)
		o := seedOrigin(t, rep, k)
		for _, m := range AllMethods {
			if m == Poison {
				continue
			}
			if got := s.at(rep, m, "cash:out", o); got != 200_00 {
				t.Errorf("overdraft %v, %s: cash holds %d of the seed, want 20000", od, m, got)
			}
		}
		held := int64(0)
		for _, p := range rep.Result(FIFO).Positions {
			if p.Holder == s.index["O"] {
				held += p.Cents
			}
		}
		switch {
		case od && (len(rep.Unexplained) != 0 || held != 50_00 ||
			!slices.Equal(rep.Overdrawn, []Overdrawn{{Account: s.index["O"], Drawn: 100_00, Repaid: 100_00, Deepest: 100_00, DeepestAt: 3, FirstAt: 3, Debits: 1}})):
			t.Errorf("overdraft: unexplained %v, O holds %d, overdrawn %+v", rep.Unexplained, held, rep.Overdrawn)
		case !od && (len(rep.Unexplained) != 1 || rep.Unexplained[0].Cents != 100_00 || held != 150_00 || rep.Overdrawn != nil):
			t.Errorf("no overdraft: unexplained %v, O holds %d, overdrawn %+v", rep.Unexplained, held, rep.Overdrawn)
		}
	}
}
