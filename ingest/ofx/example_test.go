package ofx_test

import (
	"fmt"

	"github.com/moneytrail/moneytrail/ingest/ofx"
)

func ExampleParse() {
	doc := []byte(`OFXHEADER:100
DATA:OFXSGML
VERSION:102
ENCODING:USASCII
CHARSET:1252

<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STMTRS><CURDEF>EUR
<BANKACCTFROM><BANKID>RZBAATWW<ACCTID>AT611904300234573201<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20240301<DTEND>20240331
<STMTTRN><TRNTYPE>POS<DTPOSTED>20240305183000[+1:CET]<TRNAMT>-24.50<FITID>A1<NAME>Grocer<MEMO>receipt 7</STMTTRN>
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20240310<TRNAMT>500,00<FITID>A2<NAME>Employer</STMTTRN>
</BANKTRANLIST><LEDGERBAL><BALAMT>575.50<DTASOF>20240331</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>`)
	res, err := ofx.Parse(doc, ofx.Options{FileName: "march.ofx"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range res.Batch.Txns {
		fmt.Println(t.Record, t.BookedAt.Format("2006-01-02 15:04Z07:00"), t.From, "->", t.To, t.Amount, t.Currency, t.Channel, t.SourceID)
	}
	p := res.Periods[0]
	fmt.Println("closing", p.Closing.Decimal, "credits", p.Credits, "debits", p.Debits, "opening known", p.Opening.Valid, "implied opening", p.ImpliedOpening.Decimal)
	// Output:
	// 1 2024-03-05 17:30Z AT611904300234573201 -> external:name:grocer 24.5 EUR card A1
	// 2 2024-03-10 00:00Z external:name:employer -> AT611904300234573201 500 EUR transfer A2
	// closing 575.5 credits 500 debits 24.5 opening known false implied opening 100
}
