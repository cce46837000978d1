package mt940_test

import (
	"fmt"

	"github.com/moneytrail/moneytrail/ingest/mt940"
)

func ExampleParse() {
	file := []byte(`:20:STARTUMS
:25:37040044/532013000
:28C:7/1
:60F:C240131EUR1000,00
:61:2402010201D250,00NMSCNONREF
:86:083?00BARGELDAUSZAHLUNG?20GAA 0815
:61:2402020202C40,50NTRFNONREF
:86:166?00GUTSCHRIFT?20Miete Februar?31DE89370400440532013000?32Max Mustermann
:62F:C240202EUR790,50
-`)
	res, err := mt940.Parse(file, mt940.Options{FileName: "feb.sta"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range res.Batch.Txns {
		fmt.Println(t.Record, t.BookedAt.Format("2006-01-02"), t.From, "->", t.To, t.Amount, t.Currency, t.Channel)
	}
	p := res.Periods[0]
	fmt.Println("opening", p.Opening.Decimal, "closing", p.Closing.Decimal, "computed", p.Computed.Decimal, "reconciled", p.Reconciled)
	// Output:
	// 5 2024-02-01 acct:37040044:532013000 -> cash:acct:37040044:532013000 250 EUR cash_withdrawal
	// 7 2024-02-02 DE89370400440532013000 -> acct:37040044:532013000 40.5 EUR transfer
	// opening 1000 closing 790.5 computed 790.5 reconciled true
}
