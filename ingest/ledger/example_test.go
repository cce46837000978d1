package ledger_test

import (
	"fmt"

	"github.com/moneytrail/moneytrail/ingest/ledger"
)

func ExampleRead() {
	b, err := ledger.Read([]byte("txn_id,booked_at,from_account,to_account,amount,currency\n" +
		"t1,2024-03-01,cash:collector,BA391290079401028494,1500.00,EUR\n" +
		"t2,2024-03-02,BA391290079401028494,SI56192001234567892,abc,EUR\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range b.Txns {
		fmt.Println(t.Record, t.SourceID, t.From, "->", t.To, t.Amount, t.Currency)
	}
	for _, e := range b.Errors {
		fmt.Println(e.Error())
	}
	// Output:
	// 2 t1 cash:collector -> BA391290079401028494 1500 EUR
	// line 3, field amount: not an amount: "abc" (unexpected "a")
}
