package tracer_test

import (
	"fmt"

	"github.com/moneytrail/moneytrail/tracer"
)

// The mixed-fund exercise of DESIGN.md §4: a trustee's account W holds 30,000 of his own,
// receives 70,000 of trust money (the seed), buys jewellery for 50,000, spends 20,000 on
// living and pays in 10,000 of his own.
func ExampleRun() {
	const (
		trust = iota // external: where the trust money came from
		w            // the trustee's account
		jewellery
		living
		own
	)
	accounts := []tracer.Account{
		trust:     {Exit: true},
		w:         {Opening: 30_000_00},
		jewellery: {Exit: true},
		living:    {Exit: true},
		own:       {Exit: true},
	}
	src := &tracer.SliceSource{WithTimes: true, Txns: []tracer.Txn{
		{Txn: 1, At: 1, From: trust, To: w, Cents: 70_000_00},
		{Txn: 2, At: 2, From: w, To: jewellery, Cents: 50_000_00},
		{Txn: 3, At: 3, From: w, To: living, Cents: 20_000_00},
		{Txn: 4, At: 4, From: own, To: w, Cents: 10_000_00},
	}}
	rep, err := tracer.Run(tracer.Config{
		Accounts: accounts,
		Seeds:    []tracer.Seed{{Txn: 1}},
		Methods:  []tracer.Method{tracer.LIBR, tracer.ProRata},
	}, src)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := rep.Check(); err != nil {
		fmt.Println(err)
		return
	}
	for _, res := range rep.Results {
		for _, p := range res.Positions {
			if rep.Origin(p.Origin).Kind == tracer.KindSeed {
				fmt.Printf("%-8s holder %d exit %-5v %9d cents\n", res.Method, p.Holder, rep.IsExit(p.Holder), p.Cents)
			}
		}
	}
	// Output:
	// libr     holder 1 exit false   3000000 cents
	// libr     holder 2 exit true    2000000 cents
	// libr     holder 3 exit true    2000000 cents
	// prorata  holder 1 exit false   2100000 cents
	// prorata  holder 2 exit true    3500000 cents
	// prorata  holder 3 exit true    1400000 cents
}
