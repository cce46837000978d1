package tracer

import (
	"errors"
	"io"
	"slices"
	"testing"
)

// TestSeedInSeed seeds a credit whose payer already holds another seed's money. X has 200.00
// of its own (opening) and receives seed S1 of 500.00; X pays 600.00 to Y, and that payment
// is seed S2. The parts of S1's money keep their origin; only the rest becomes S2's, so S2's
// traced amount is its credit less S1's share, and no cent is counted twice.
func TestSeedInSeed(t *testing.T) {
	tests := []struct {
		method   Method
		traced2  int64 // S2's traced amount
		s1InY    int64
		s1InX    int64
		explains string
	}{
		{FIFO, 20000, 40000, 10000, "own 200 first, then 400 of S1"},
		{LIBR, 20000, 40000, 10000, "untainted 200 first, then 400 of S1"},
		{LIFO, 10000, 50000, 0, "S1's 500 is newest, then 100 own"},
		{TaintedFirst, 10000, 50000, 0, "S1's 500 first, then 100 own"},
		{ProRata, 17143, 42857, 7143, "600 of 200/500: 171.428.. own and 428.571.., the cent to own"},
		{Poison, 60000, 60000, 0, "poison traces the whole credit; X's balance is 100 of S1"},
	}
	s := newScenario()
	s.opening("X", 20000)
	k1 := s.seed("external:a", "X", 50000, 0)
	k2 := s.seed("X", "Y", 60000, 0)
	rep := s.run(t, AllMethods...)
	o1, o2 := seedOrigin(t, rep, k1), seedOrigin(t, rep, k2)
	for _, tt := range tests {
		res := rep.Result(tt.method)
		got := []int64{res.Seeds[1].Traced, s.at(rep, tt.method, "Y", o2), s.at(rep, tt.method, "Y", o1), s.at(rep, tt.method, "X", o1)}
		want := []int64{tt.traced2, tt.traced2, tt.s1InY, tt.s1InX}
		if tt.method == Poison {
			want[3] = 10000
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s (%s): S2 traced, S2 in Y, S1 in Y, S1 in X = %v, want %v", tt.method, tt.explains, got, want)
		}
		if res.Seeds[0].Traced != 50000 || res.Seeds[1].Credit != 60000 {
			t.Errorf("%s: seeds %+v", tt.method, res.Seeds)
		}
	}
}

// TestUnexplained pays out of an account with no known balance: the shortfall becomes an
// unexplained lot before the debit and is reported per account, whatever the method.
func TestUnexplained(t *testing.T) {
	for _, group := range []bool{false, true} {
		s := newScenario()
		s.group = group
		s.pay("X", "cash:out", 500)           // X holds nothing: 500 unexplained
		s.pay("external:a", "X", 100)         // 100 clean
		s.pay("X", "cash:out", 300)           // 100 clean + 200 unexplained
		k := s.seed("external:b", "Z", 50, 0) // Z: a seed of 0.50 ...
		s.pay("Z", "cash:out", 80)            // ... spent with 0.30 from nowhere
		s.seed("external:c", "Z", 40, 0)      // a second seed stays in Z
		rep := s.run(t, FIFO, ProRata)
		want := []Unexplained{{Account: s.index["X"], Cents: 700, Count: 2}, {Account: s.index["Z"], Cents: 30, Count: 1}}
		if !slices.Equal(rep.Unexplained, want) {
			t.Fatalf("group %v: unexplained %+v, want %+v", group, rep.Unexplained, want)
		}
		ux := rep.UnexplainedOrigin(s.index["X"])
		if info := rep.Origin(ux); info.Kind != KindUnexplained || (!group && info.Account != s.index["X"]) || (group && info.Account != -1) {
			t.Errorf("group %v: unexplained origin %+v", group, info)
		}
		if got := s.at(rep, FIFO, "cash:out", ux); (!group && got != 700) || (group && got != 730) {
			t.Errorf("group %v: unexplained money at the exit %d", group, got)
		}
		if got := s.at(rep, FIFO, "cash:out", Clean); got != 100 {
			t.Errorf("group %v: clean money at the exit %d, want 100", group, got)
		}
		if o := rep.Result(FIFO).Origins[1]; o.Held != 40 || o.HeldWithUnexplained != 40 {
			t.Errorf("group %v: second seed %+v, want 40 held in an account with unexplained funds", group, o)
		}
		if o := rep.Result(FIFO).Origins[0]; o.Origin != seedOrigin(t, rep, k) || o.Exited != 50 {
			t.Errorf("group %v: first seed %+v, want 50 exited", group, o)
		}
	}
}

// TestFlows checks the hop-by-hop evidence of the taint example under FIFO: only tainted
// flows by default, every origin with FlowsAll, one row per transaction and origin.
func TestFlows(t *testing.T) {
	s := newScenario()
	k := s.seed("external:victim", "A", 300, 0)
	s.pay("external:income", "A", 700)
	s.pay("A", "cash:out1", 100)
	s.pay("A", "cash:out3", 300)
	s.pay("A", "cash:out6", 600)
	a, v, inc, o1, o3, o6 := s.index["A"], s.index["external:victim"], s.index["external:income"], s.index["cash:out1"], s.index["cash:out3"], s.index["cash:out6"]
	S := Origin(1)
	tainted := []Flow{
		{Txn: k, At: 1, From: v, To: a, Origin: S, Cents: 300},
		{Txn: 3, At: 3, From: a, To: o1, Origin: S, Cents: 100},
		{Txn: 4, At: 4, From: a, To: o3, Origin: S, Cents: 200},
	}
	all := []Flow{
		tainted[0],
		{Txn: 2, At: 2, From: inc, To: a, Origin: Clean, Cents: 700},
		tainted[1],
		{Txn: 4, At: 4, From: a, To: o3, Origin: Clean, Cents: 100},
		tainted[2],
		{Txn: 5, At: 5, From: a, To: o6, Origin: Clean, Cents: 600},
	}
	for _, tt := range []struct {
		mode FlowMode
		want []Flow
	}{{FlowsTainted, tainted}, {FlowsAll, all}, {FlowsNone, nil}} {
		cfg := s.config(FIFO)
		cfg.Flows = tt.mode
		rep, err := Run(cfg, &SliceSource{Txns: s.txns, WithTimes: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := rep.Results[0].Flows; !slices.Equal(got, tt.want) {
			t.Errorf("mode %d: flows\n%+v\nwant\n%+v", tt.mode, got, tt.want)
		}
	}
}

// TestSeedGroups folds Barlow Clowes' two investors into one origin: FIFO leaves 2400 of it
// in the fund; each seed still reports its own traced amount.
func TestSeedGroups(t *testing.T) {
	s := newScenario()
	a := s.seed("external:A", "F", 1000_00, 7)
	b := s.seed("external:B", "F", 2000_00, 7)
	s.pay("F", "cash:payout", 600_00)
	rep := s.run(t, FIFO, ProRata)
	o := seedOrigin(t, rep, a)
	if seedOrigin(t, rep, b) != o {
		t.Fatal("grouped seeds have different origins")
	}
	if info := rep.Origin(o); info.Kind != KindSeed || info.Group != 7 || !slices.Equal(info.Seeds, []int64{a, b}) {
		t.Errorf("origin info %+v", info)
	}
	for _, m := range []Method{FIFO, ProRata} {
		res := rep.Result(m)
		if got := s.at(rep, m, "F", o); got != 2400_00 {
			t.Errorf("%s: F holds %d", m, got)
		}
		want := OriginResult{Origin: o, Traced: 3000_00, Held: 2400_00, Exited: 600_00}
		if len(res.Origins) != 1 || res.Origins[0] != want {
			t.Errorf("%s: origins %+v, want %+v", m, res.Origins, want)
		}
		if res.Seeds[0].Traced != 1000_00 || res.Seeds[1].Traced != 2000_00 {
			t.Errorf("%s: seeds %+v", m, res.Seeds)
		}
	}
}

// TestSelfTransferAndExitPayer: a transfer to the same account moves nothing (the FIFO order
// of A's lots is unchanged), unless it is short, when the shortfall is recorded; an exit
// that pays brings fresh clean money and keeps nothing back.
func TestSelfTransferAndExitPayer(t *testing.T) {
	s := newScenario()
	k := s.seed("external:victim", "A", 300, 0)
	s.pay("external:income", "A", 700)
	s.pay("A", "A", 500)
	s.pay("A", "cash:out", 100)
	s.pay("B", "B", 50)
	s.pay("cash:out", "B", 30)
	rep := s.run(t, FIFO)
	o := seedOrigin(t, rep, k)
	if got := s.at(rep, FIFO, "cash:out", o); got != 100 {
		t.Errorf("exit got %d of the seed, want 100 (FIFO order unchanged)", got)
	}
	if got := s.at(rep, FIFO, "B", Clean); got != 30 {
		t.Errorf("B holds %d clean, want 30", got)
	}
	if want := []Unexplained{{Account: s.index["B"], Cents: 50, Count: 1}}; !slices.Equal(rep.Unexplained, want) {
		t.Errorf("unexplained %+v, want %+v", rep.Unexplained, want)
	}
	if got := s.at(rep, FIFO, "B", rep.UnexplainedOrigin(s.index["B"])); got != 50 {
		t.Errorf("B's unexplained lot %d, want 50", got)
	}
}

// TestAsOf stops the taint example after its third transaction.
func TestAsOf(t *testing.T) {
	s := newScenario()
	k := s.seed("external:victim", "A", 300, 0)
	s.pay("external:income", "A", 700)
	s.pay("A", "cash:out1", 100)
	s.pay("A", "cash:out3", 300)
	late := s.seed("external:late", "A", 5, 0)
	cfg := s.config(FIFO)
	cfg.AsOf = new(int64(3))
	rep, err := Run(cfg, &SliceSource{Txns: s.txns, BatchSize: 1, WithTimes: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Txns != 3 {
		t.Errorf("replayed %d transactions, want 3", rep.Txns)
	}
	if got := s.at(rep, FIFO, "A", seedOrigin(t, rep, k)); got != 200 {
		t.Errorf("A holds %d of the seed, want 200", got)
	}
	if sr := rep.Results[0].Seeds[1]; sr.Txn != late || sr.Replayed || sr.Credit != 0 {
		t.Errorf("late seed %+v, want not replayed", sr)
	}
}

func TestInputErrors(t *testing.T) {
	ok := []Account{{}, {Exit: true}}
	tests := []struct {
		name string
		cfg  Config
		txns []Txn
		want error
	}{
		{"backwards in time", Config{Accounts: ok, Methods: []Method{FIFO}},
			[]Txn{{Txn: 1, From: 1, To: 0, Cents: 5, At: 10}, {Txn: 2, From: 0, To: 1, Cents: 5, At: 9}}, ErrTimeOrder},
		{"account out of range", Config{Accounts: ok, Methods: []Method{FIFO}},
			[]Txn{{Txn: 1, From: 0, To: 2, Cents: 5}}, ErrInput},
		{"negative account", Config{Accounts: ok, Methods: []Method{FIFO}},
			[]Txn{{Txn: 1, From: -1, To: 0, Cents: 5}}, ErrInput},
		{"zero amount", Config{Accounts: ok, Methods: []Method{FIFO}},
			[]Txn{{Txn: 1, From: 0, To: 1, Cents: 0}}, ErrInput},
		{"seed given twice", Config{Accounts: ok, Methods: []Method{FIFO}, Seeds: []Seed{{Txn: 1}, {Txn: 1, Group: 2}}},
			nil, ErrInput},
		{"seed replayed twice", Config{Accounts: ok, Methods: []Method{FIFO}, Seeds: []Seed{{Txn: 1}}},
			[]Txn{{Txn: 1, From: 1, To: 0, Cents: 5}, {Txn: 1, From: 1, To: 0, Cents: 5}}, ErrInput},
		{"no method", Config{Accounts: ok}, nil, ErrInput},
		{"method twice", Config{Accounts: ok, Methods: []Method{FIFO, FIFO}}, nil, ErrInput},
		{"negative opening", Config{Accounts: []Account{{Opening: -1}}, Methods: []Method{FIFO}}, nil, ErrInput},
		{"as-of without times", Config{Accounts: ok, Methods: []Method{FIFO}, AsOf: new(int64(5))},
			[]Txn{{Txn: 1, From: 1, To: 0, Cents: 5}}, ErrInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(tt.cfg, &SliceSource{Txns: tt.txns, WithTimes: tt.cfg.AsOf == nil})
			if !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
		})
	}
}

type failingSource struct{}

func (failingSource) Next() (*Batch, error) { return nil, io.ErrUnexpectedEOF }

func TestSourceErrorAndRaggedBatch(t *testing.T) {
	cfg := Config{Accounts: []Account{{}}, Methods: []Method{FIFO}}
	if _, err := Run(cfg, failingSource{}); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("source error %v, want it wrapped", err)
	}
	e, _ := New(cfg)
	if err := e.Apply(&Batch{Txn: []int64{1}, From: []int32{0}}); !errors.Is(err, ErrInput) {
		t.Errorf("ragged batch: %v", err)
	}
}

// TestCheckDetects breaks a result on purpose and expects Check to say so.
func TestCheckDetects(t *testing.T) {
	s := newScenario()
	s.seed("external:A", "F", 1000, 0)
	s.pay("F", "cash:payout", 600)
	rep := s.run(t, FIFO)
	rep.Results[0].Positions[0].Cents--
	rep.Results[0].Origins[0].Held--
	if err := rep.Check(); !errors.Is(err, ErrConservation) {
		t.Errorf("Check of a broken report: %v", err)
	}

	// Synthetic reports of n accounts holding one position each: small, and large enough
	// for Check to work in two parts.
	for _, n := range []int{10, 1<<20 + 3} {
		build := func(m Method) *Report {
			rep := &Report{bal: make([]int64, n), exit: make([]bool, n)}
			pos := make([]Position, n)
			for a := range pos {
				rep.bal[a] = int64(a%7 + 1)
				pos[a] = Position{Holder: int32(a), Origin: 1, Cents: rep.bal[a]}
			}
			rep.Results = []Result{{Method: m, Positions: pos}}
			return rep
		}
		if err := build(FIFO).Check(); err != nil {
			t.Fatalf("%d accounts: a sound report fails: %v", n, err)
		}
		for _, c := range []struct {
			name   string
			m      Method
			break_ func(r *Report)
		}{
			{"short in the last account", FIFO, func(r *Report) { r.Results[0].Positions[n-1].Cents-- }},
			{"moved to the next account", FIFO, func(r *Report) { r.Results[0].Positions[n/2].Holder++ }},
			{"out of holder order", FIFO, func(r *Report) {
				p := r.Results[0].Positions
				p[n/2], p[n/2+1] = p[n/2+1], p[n/2]
			}},
			{"holder out of range", FIFO, func(r *Report) { r.Results[0].Positions[n-1].Holder = int32(n) }},
			{"poison above the balance", Poison, func(r *Report) { r.Results[0].Positions[n-2].Cents++ }},
		} {
			rep := build(c.m)
			c.break_(rep)
			if err := rep.Check(); !errors.Is(err, ErrConservation) {
				t.Errorf("%d accounts, %s: Check gives %v", n, c.name, err)
			}
		}
	}
}

func TestSensitivity(t *testing.T) {
	s := newScenario()
	a := s.seed("external:A", "F", 1000_00, 0)
	s.seed("external:B", "F", 2000_00, 0)
	s.pay("F", "cash:payout", 600_00)
	rep := s.run(t, AllMethods...)
	sens := rep.Sensitivity()
	if !slices.Equal(sens.Methods, AllMethods) {
		t.Fatalf("methods %v", sens.Methods)
	}
	oa := seedOrigin(t, rep, a)
	want := []SensitivityRow{
		{Origin: oa, Holder: s.index["F"], Cents: []int64{400_00, 1000_00, 800_00, 800_00, 400_00, 2400_00}},
		{Origin: oa, Holder: s.index["cash:payout"], Exit: true, Cents: []int64{600_00, 0, 200_00, 200_00, 600_00, 600_00}},
	}
	for i, w := range want {
		if g := sens.Holdings[i]; g.Origin != w.Origin || g.Holder != w.Holder || g.Exit != w.Exit || !slices.Equal(g.Cents, w.Cents) {
			t.Errorf("row %d: %+v, want %+v", i, g, w)
		}
	}
	if len(sens.Holdings) != 4 || len(sens.Origins) != 2 {
		t.Errorf("%d holding rows and %d origin rows, want 4 and 2", len(sens.Holdings), len(sens.Origins))
	}
	if got := sens.Origins[0].Held; !slices.Equal(got, []int64{400_00, 1000_00, 800_00, 800_00, 400_00, 2400_00}) {
		t.Errorf("origin A held %v", got)
	}
}

func TestParseMethods(t *testing.T) {
	if got, err := ParseMethods("all"); err != nil || !slices.Equal(got, AllMethods) {
		t.Errorf("all: %v %v", got, err)
	}
	if got, err := ParseMethods("LIBR, tainted-first"); err != nil || !slices.Equal(got, []Method{LIBR, TaintedFirst}) {
		t.Errorf("list: %v %v", got, err)
	}
	for _, bad := range []string{"", "fifo,fifo", "lowest"} {
		if _, err := ParseMethods(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	for _, m := range AllMethods {
		if got, err := ParseMethods(m.String()); err != nil || got[0] != m {
			t.Errorf("%s does not round-trip", m)
		}
	}
}

// TestPoisonFlows: with PoisonFlows, every output of the taint example carries the seed in
// full; without it, poison records no flows.
func TestPoisonFlows(t *testing.T) {
	s := newScenario()
	s.seed("external:victim", "A", 300, 0)
	s.pay("external:income", "A", 700)
	s.pay("A", "cash:out1", 100)
	s.pay("A", "cash:out3", 300)
	for _, on := range []bool{false, true} {
		cfg := s.config(Poison)
		cfg.PoisonFlows = on
		rep, err := Run(cfg, &SliceSource{Txns: s.txns})
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, f := range rep.Results[0].Flows {
			got = append(got, f.Txn, f.Cents)
		}
		want := []int64{1, 300, 3, 100, 4, 300}
		if !on {
			want = nil
		}
		if !slices.Equal(got, want) {
			t.Errorf("PoisonFlows %v: (txn, cents) %v, want %v", on, got, want)
		}
	}
}

// TestFIFOSteadyStateAllocs replays transfers between accounts whose lot buffers already
// exist: the FIFO hot path allocates nothing per transaction.
func TestFIFOSteadyStateAllocs(t *testing.T) {
	accounts := []Account{{Opening: 1000}, {Opening: 1000}, {Exit: true}, {}}
	e, err := New(Config{Accounts: accounts, Methods: []Method{FIFO}, Seeds: []Seed{{Txn: 1 << 40}}})
	if err != nil {
		t.Fatal(err)
	}
	b := &Batch{
		Txn:   []int64{1, 2, 3, 4, 5},
		From:  []int32{0, 1, 2, 3, 1},
		To:    []int32{1, 0, 3, 1, 2},
		Cents: []int64{300, 500, 50, 70, 20},
	}
	warm := func() {
		if err := e.Apply(b); err != nil {
			t.Fatal(err)
		}
	}
	for range 10 {
		warm()
	}
	if n := testing.AllocsPerRun(100, warm); n != 0 {
		t.Errorf("%.1f allocations per batch of %d transactions, want 0", n, b.Len())
	}
}
