package camt_test

import (
	"fmt"

	"github.com/moneytrail/moneytrail/ingest/camt"
)

func ExampleParse() {
	doc := []byte(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
<Stmt><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-03-01</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">75.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-03-31</Dt></Dt></Bal>
<Ntry><Amt Ccy="EUR">24.50</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2024-03-05</Dt></BookgDt>
<NtryDtls><TxDtls><RltdPties><Cdtr><Pty><Nm>Grocer</Nm></Pty></Cdtr><CdtrAcct><Id><IBAN>GB29NWBK60161331926819</IBAN></Id></CdtrAcct></RltdPties>
<RmtInf><Ustrd>receipt 7</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>`)
	res, err := camt.Parse(doc, camt.Options{FileName: "march.xml"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range res.Batch.Txns {
		fmt.Println(t.Record, t.BookedAt.Format("2006-01-02"), t.From, "->", t.To, t.Amount, t.Currency, t.Reference)
	}
	p := res.Periods[0]
	fmt.Println("opening", p.Opening.Decimal, "closing", p.Closing.Decimal, "computed", p.Computed.Decimal, "reconciled", p.Reconciled)
	// Output:
	// 1 2024-03-05 DE89370400440532013000 -> GB29NWBK60161331926819 24.5 EUR receipt 7
	// opening 100 closing 75.5 computed 75.5 reconciled true
}
