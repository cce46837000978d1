package camt

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/corpus"
	"github.com/shopspring/decimal"
)

// doc wraps entries into a minimal camt.053.001.02 statement of DE89370400440532013000 with
// an opening balance of 100.00 EUR and the given closing balance.
func doc(closing string, entries ...string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId></GrpHdr><Stmt><Id>S1</Id>
<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-01-01</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">` + closing + `</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-01-31</Dt></Dt></Bal>
` + strings.Join(entries, "\n") + `</Stmt></BkToCstmrStmt></Document>`)
}

// ntry builds one entry; extra goes inside <Ntry> after the dates, dtls inside <NtryDtls>.
func ntry(amt, cdi, extra, dtls string) string {
	return `<Ntry><Amt Ccy="EUR">` + amt + `</Amt><CdtDbtInd>` + cdi + `</CdtDbtInd>` + extra +
		`<BookgDt><Dt>2024-01-10</Dt></BookgDt><ValDt><Dt>2024-01-11</Dt></ValDt>` +
		`<NtryDtls>` + dtls + `</NtryDtls></Ntry>`
}

const own = "DE89370400440532013000"

func TestDirectionAndCounterparty(t *testing.T) {
	in := ntry("10.00", "CRDT", "", `<TxDtls><Refs><EndToEndId>E2E-1</EndToEndId><UETR>8a562c67-ca16-48ba-b074-65581be6f011</UETR></Refs>
<RltdPties><Dbtr><Nm>Anna Payer</Nm></Dbtr><DbtrAcct><Id><IBAN>GB29 NWBK 6016 1331 9268 19</IBAN></Id></DbtrAcct></RltdPties>
<RltdAgts><DbtrAgt><FinInstnId><BIC>NWBKGB2L</BIC></FinInstnId></DbtrAgt></RltdAgts>
<RmtInf><Ustrd>invoice 1</Ustrd><Ustrd>and 2</Ustrd></RmtInf></TxDtls>`)
	out := ntry("4.00", "DBIT", "", `<TxDtls><RltdPties><Cdtr><Nm>Shop</Nm></Cdtr><CdtrAcct><Id><Othr><Id>12 345</Id></Othr></Id></CdtrAcct></RltdPties>
<RltdAgts><CdtrAgt><FinInstnId><BICFI>SHOPDEFF</BICFI></FinInstnId></CdtrAgt></RltdAgts></TxDtls>`)
	res, err := Parse(doc("106.00", in, out), Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := res.Batch
	if len(b.Txns) != 2 || len(b.Errors) != 0 {
		t.Fatalf("txns %d errors %v", len(b.Txns), b.Errors)
	}
	c, d := b.Txns[0], b.Txns[1]
	if c.From != "GB29NWBK60161331926819" || c.To != own || c.Reference != "invoice 1 and 2" ||
		c.EndToEnd != "E2E-1" || c.UETR != "8a562c67-ca16-48ba-b074-65581be6f011" ||
		c.Counterparty != "Anna Payer | GB29 NWBK 6016 1331 9268 19 | NWBKGB2L" || c.Record != 1 || c.Seq != 1 {
		t.Errorf("credit = %+v", c)
	}
	if d.From != own || d.To != "acct:SHOPDEFF:12345" || d.Record != 2 || d.Channel != canon.ChannelTransfer {
		t.Errorf("debit = %+v", d)
	}
	if !d.ValueDate.Equal(d.BookedAt.AddDate(0, 0, 1)) {
		t.Errorf("value date %v, booked %v", d.ValueDate, d.BookedAt)
	}
	if p := res.Periods[0]; !p.Reconciled || !p.Credits.Equal(decimal.RequireFromString("10")) || !p.Debits.Equal(decimal.RequireFromString("4")) {
		t.Errorf("period = %+v", p)
	}
	if b.StatementAccount != own || b.Records != 2 {
		t.Errorf("StatementAccount %q Records %d", b.StatementAccount, b.Records)
	}
}

// A reversal keeps the side CdtDbtInd names (ISO 20022: "if CdtDbtInd is CRDT and RvslInd is
// true, the original operation was a debit"), with a positive amount and a marked reference;
// the balances reconcile only that way.
func TestReversal(t *testing.T) {
	rev := ntry("5.00", "CRDT", "<RvslInd>true</RvslInd>", `<TxDtls><RltdPties><Dbtr><Nm>Shop</Nm></Dbtr></RltdPties><RmtInf><Ustrd>refund</Ustrd></RmtInf></TxDtls>`)
	res, err := Parse(doc("105.00", rev), Options{})
	if err != nil {
		t.Fatal(err)
	}
	x := res.Batch.Txns[0]
	if x.To != own || x.From != "external:name:shop" || !x.Amount.Equal(decimal.RequireFromString("5")) || x.Reference != "REVERSAL: refund" {
		t.Errorf("reversal = %+v", x)
	}
	if !res.Periods[0].Reconciled {
		t.Errorf("period = %+v", res.Periods[0])
	}
}

func TestQuarantine(t *testing.T) {
	cases := []struct {
		name, entry, field, reason string
	}{
		{"zero amount", ntry("0.00", "DBIT", "", ""), "Amt", "zero"},
		{"negative amount", ntry("-1.00", "DBIT", "", ""), "Amt", "negative"},
		{"bad side", ntry("1.00", "XXXX", "", ""), "CdtDbtInd", "neither"},
		{"bad date", strings.Replace(ntry("1.00", "DBIT", "", ""), "2024-01-10", "2024-02-30", 1), "BookgDt", "not an ISO date"},
		{"no date", `<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>DBIT</CdtDbtInd></Ntry>`, "BookgDt", "neither"},
		{"bad status", ntry("1.00", "DBIT", "<Sts>WHAT</Sts>", ""), "Sts", "status"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			good := ntry("2.00", "CRDT", "", "")
			res, err := Parse(doc("102.00", tc.entry, good), Options{})
			if err != nil {
				t.Fatal(err)
			}
			b := res.Batch
			if len(b.Errors) != 1 || len(b.Txns) != 1 || b.Records != 2 {
				t.Fatalf("errors %v txns %d records %d", b.Errors, len(b.Txns), b.Records)
			}
			e := b.Errors[0]
			if e.Record != 1 || e.Field != tc.field || !strings.Contains(e.Reason, tc.reason) || !strings.HasPrefix(e.Raw, "<Ntry>") ||
				!strings.HasPrefix(e.Reason, "entry 1 at line ") {
				t.Errorf("error = %+v", e)
			}
			if b.Txns[0].Record != 2 {
				t.Errorf("good entry has record %d", b.Txns[0].Record)
			}
		})
	}
}

// A counterparty IBAN that fails its check does not quarantine the entry: the movement on
// the statement account loads, the counterparty is kept as written as an unverified external
// account, and a warning names the field, the reason and the entry's line.
func TestBadCounterpartyIBANLoads(t *testing.T) {
	cases := []struct {
		name, entry, field, from, to string
	}{
		{"IBAN", ntry("1.00", "DBIT", "", `<TxDtls><RltdPties><CdtrAcct><Id><IBAN>DE89 3704 0044 0532 0130 01</IBAN></Id></CdtrAcct></RltdPties></TxDtls>`),
			"RltdPties/CdtrAcct/Id/IBAN", own, "external:unverified-iban:DE89370400440532013001"},
		{"Othr", ntry("1.00", "CRDT", "", `<TxDtls><RltdPties><DbtrAcct><Id><Othr><Id>DE89370400440532013001</Id></Othr></Id></DbtrAcct></RltdPties></TxDtls>`),
			"RltdPties/DbtrAcct/Id/Othr/Id", "external:unverified-iban:DE89370400440532013001", own},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := doc("102.00", ntry("2.00", "CRDT", "", ""), tc.entry)
			res, err := Parse(data, Options{})
			if err != nil {
				t.Fatal(err)
			}
			b := res.Batch
			if len(b.Errors) != 0 || len(b.Txns) != 2 || b.Records != 2 {
				t.Fatalf("errors %v txns %d records %d", b.Errors, len(b.Txns), b.Records)
			}
			x := b.Txns[1]
			if x.Record != 2 || x.From != tc.from || x.To != tc.to || x.Amount.String() != "1" {
				t.Errorf("txn %+v", x)
			}
			// The second <Ntry> starts on the line after the first (doc puts each on its own).
			line := strings.Count(string(data[:strings.LastIndex(string(data), "<Ntry>")]), "\n") + 1
			var warns []canon.Note
			for _, n := range b.Notes {
				if n.Kind == canon.NoteWarning {
					warns = append(warns, n)
				}
			}
			want := fmt.Sprintf("field %s: entry 2 at line %d: invalid IBAN", tc.field, line)
			if len(warns) != 1 || warns[0].Record != 2 || !strings.HasPrefix(warns[0].Text, want) || !strings.Contains(warns[0].Text, "mod-97") {
				t.Errorf("warnings %+v, want one starting %q", warns, want)
			}
			for _, a := range b.Accounts {
				if strings.HasPrefix(a.ID, canon.UnverifiedPrefix) && a.Kind != canon.KindExternal {
					t.Errorf("account %+v is not external", a)
				}
			}
		})
	}
}

// A batch entry is split per TxDtls when each has its own amount and they sum to the entry;
// otherwise it stays one transaction. Either way the transactions sum to the entry amount.
func TestBatchEntries(t *testing.T) {
	det := func(amt, name string) string {
		return `<TxDtls><Refs><AcctSvcrRef>R-` + name + `</AcctSvcrRef></Refs><AmtDtls><TxAmt><Amt Ccy="EUR">` + amt + `</Amt></TxAmt></AmtDtls><RltdPties><Dbtr><Nm>` + name + `</Nm></Dbtr></RltdPties></TxDtls>`
	}
	cases := []struct {
		name   string
		dtls   string
		amount []string
		cp     []string
	}{
		{"split", det("7.50", "A") + det("2.50", "B"), []string{"7.5", "2.5"}, []string{"external:name:a", "external:name:b"}},
		{"sum differs", det("7.50", "A") + det("2.00", "B"), []string{"10"}, []string{"external:name:a"}},
		{"other currency", det("10.00", "A") + strings.Replace(det("0.00", "B"), "EUR", "USD", 1), []string{"10"}, []string{"external:name:a"}},
		{"single", det("3.00", "A"), []string{"10"}, []string{"external:name:a"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Parse(doc("110.00", ntry("10.00", "CRDT", "<AcctSvcrRef>E1</AcctSvcrRef>", tc.dtls)), Options{})
			if err != nil {
				t.Fatal(err)
			}
			b := res.Batch
			if len(b.Txns) != len(tc.amount) {
				t.Fatalf("txns = %d, want %d", len(b.Txns), len(tc.amount))
			}
			sum := decimal.Zero
			for i, x := range b.Txns {
				sum = sum.Add(x.Amount)
				if x.Record != 1 || x.Seq != int64(i+1) || !x.Amount.Equal(decimal.RequireFromString(tc.amount[i])) || x.From != tc.cp[i] {
					t.Errorf("txn %d = %+v", i, x)
				}
			}
			if !sum.Equal(decimal.RequireFromString("10")) || !res.Periods[0].Reconciled {
				t.Errorf("sum %s, period %+v", sum, res.Periods[0])
			}
			if tc.name == "split" && (b.Txns[0].SourceID != "R-A" || b.Txns[1].SourceID != "R-B") {
				t.Errorf("source ids %q %q", b.Txns[0].SourceID, b.Txns[1].SourceID)
			}
			if tc.name == "sum differs" && !strings.HasPrefix(b.Txns[0].Counterparty, "batch of 2 transactions") {
				t.Errorf("counterparty %q", b.Txns[0].Counterparty)
			}
		})
	}
}

func TestPendingAndChannels(t *testing.T) {
	code := func(d, f, s string) string {
		return `<BkTxCd><Domn><Cd>` + d + `</Cd><Fmly><Cd>` + f + `</Cd><SubFmlyCd>` + s + `</SubFmlyCd></Fmly></Domn></BkTxCd>`
	}
	entries := []string{
		ntry("1.00", "DBIT", "<Sts><Cd>PDNG</Cd></Sts>", ""),
		ntry("2.00", "DBIT", "<Sts>BOOK</Sts>"+code("PMNT", "CCRD", "CWDL"), ""),
		ntry("3.00", "CRDT", code("PMNT", "CNTR", "CDPT"), ""),
		ntry("4.00", "DBIT", code("ACMT", "MDOP", "CHRG"), ""),
		ntry("5.00", "CRDT", code("ACMT", "MDOP", "INTR"), ""),
		ntry("6.00", "DBIT", code("PMNT", "CCRD", "POSD"), ""),
		ntry("7.00", "DBIT", `<BkTxCd><Prtry><Cd>NMSC+083+000</Cd><Issr>DK</Issr></Prtry></BkTxCd>`, ""),
	}
	res, err := Parse(doc("89.00", entries...), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		pending bool
		channel string
		from    string
		to      string
	}{
		{true, canon.ChannelTransfer, own, "external:unknown"},
		{false, canon.ChannelCashWithdrawal, own, "cash:" + own},
		{false, canon.ChannelCashDeposit, "cash:" + own, own},
		{false, canon.ChannelFee, own, "external:unknown"},
		{false, canon.ChannelInterest, "external:unknown", own},
		{false, canon.ChannelCard, own, "external:unknown"},
		{false, canon.ChannelCashWithdrawal, own, "cash:" + own},
	}
	for i, w := range want {
		x := res.Batch.Txns[i]
		if x.Pending != w.pending || x.Channel != w.channel || x.From != w.from || x.To != w.to {
			t.Errorf("entry %d = %+v, want %+v", i+1, x, w)
		}
	}
	// 100 - 2 + 3 - 4 + 5 - 6 - 7 = 89: the pending 1.00 is left out.
	if !res.Periods[0].Reconciled {
		t.Errorf("period = %+v", res.Periods[0])
	}
}

func TestUnsafeXML(t *testing.T) {
	deep := strings.Repeat("<a>", MaxDepth+1) + strings.Repeat("</a>", MaxDepth+1)
	cases := map[string][]byte{
		"doctype":       []byte(`<?xml version="1.0"?><!DOCTYPE Document [<!ENTITY x "y">]><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&x;</Document>`),
		"external":      []byte(`<?xml version="1.0"?><!DOCTYPE Document SYSTEM "file:///etc/passwd"><Document/>`),
		"undeclared":    []byte(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&xxe;</Document>`),
		"deep":          []byte(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">` + deep + `</Document>`),
		"too large":     make([]byte, MaxSize+1),
		"not xml":       []byte("hello"),
		"empty":         nil,
		"two roots":     []byte(`<a/><b/>`),
		"other ns":      []byte(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn/></Document>`),
		"bad encoding":  []byte(`<?xml version="1.0" encoding="no-such"?><Document/>`),
		"no statements": []byte(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr/></BkToCstmrStmt></Document>`),
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Read(in, Options{FileName: "x.xml"})
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, ErrUnsafeXML) && !errors.Is(err, ErrNotCamt) {
				t.Errorf("error %v is neither ErrUnsafeXML nor ErrNotCamt", err)
			}
			if !strings.HasPrefix(err.Error(), "x.xml: ") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
	for _, name := range []string{"doctype", "external", "deep", "too large"} {
		if _, err := Read(cases[name], Options{}); !errors.Is(err, ErrUnsafeXML) {
			t.Errorf("%s: %v, want ErrUnsafeXML", name, err)
		}
	}
}

// A statement declared ISO-8859-1 is decoded: the bytes 0xE4 and 0xE9 are "ä" and "é" in the
// text that is stored; the same bytes declared UTF-8 are not valid text and the file is
// refused.
func TestLegacyEncoding(t *testing.T) {
	in := string(doc("102.00", ntry("2.00", "CRDT", "", "<TxDtls><RltdPties><Dbtr><Nm>Ren\xe9 Payer</Nm></Dbtr></RltdPties><RmtInf><Ustrd>Miete M\xe4rz</Ustrd></RmtInf></TxDtls>")))
	latin := []byte(strings.Replace(in, `encoding="UTF-8"`, `encoding="ISO-8859-1"`, 1))
	b, err := Read(latin, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Txns) != 1 || b.Txns[0].Reference != "Miete März" || b.Txns[0].Counterparty != "René Payer" || b.Txns[0].From != "external:name:rene payer" {
		t.Errorf("decoded %+v", b.Txns)
	}
	if _, err := Read([]byte(in), Options{}); err == nil {
		t.Error("bytes 0xE4, 0xE9 declared UTF-8 were accepted")
	}
}

func TestAccountOverride(t *testing.T) {
	b, err := Read(doc("102.00", ntry("2.00", "CRDT", "", "")), Options{Account: "acct:BANK:42"})
	if err != nil {
		t.Fatal(err)
	}
	if b.StatementAccount != "acct:BANK:42" || b.Txns[0].To != "acct:BANK:42" || b.Statements[0].Account != "acct:BANK:42" {
		t.Errorf("override not applied: %+v", b)
	}
}

func TestDetect(t *testing.T) {
	if !Detect(doc("1")) {
		t.Error("camt not detected")
	}
	for _, s := range []string{"", ":20:X\n:25:Y\n", `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>`} {
		if Detect([]byte(s)) {
			t.Errorf("detected %q", s)
		}
	}
}

// The UETR sample has no booking date; with one added, its UETR must come through.
func TestCorpusUETR(t *testing.T) {
	data := string(corpus.Read(t, "camt/genkgo__camt__camt054.v8-with-UETR.xml"))
	data = strings.Replace(data, "<BkTxCd>", "<BookgDt><Dt>2020-01-02</Dt></BookgDt><BkTxCd>", 1)
	b, err := Read([]byte(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Txns) != 1 || b.Txns[0].UETR != "255ae394-9965-4438-ac86-f406feada396" {
		t.Fatalf("txns %+v errors %v", b.Txns, b.Errors)
	}
}

// The Finnish camt.054 sample: a credit batch of two TxDtls (1900 + 100 = 2000) becomes two
// transactions of the same entry, and the INFO reversal entry is pending.
func TestCorpusFinnishBatch(t *testing.T) {
	b, err := Read(corpus.Read(t, "camt/moov-io__iso20022__FI_camt_054_sample.xml.xml"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range b.Txns {
		got = append(got, fmt.Sprintf("%d:%s:%v", x.Record, x.Amount.StringFixed(2), x.Pending))
	}
	want := "1:1900.00:false 1:100.00:false 2:400.00:false 2:100.00:false 3:2500.00:false 3:500.00:false " +
		"4:2000.02:false 4:1000.01:false 4:1230.02:false 5:500.00:false 5:500.00:false 6:40.00:true 6:60.00:true"
	if strings.Join(got, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
	if !strings.HasPrefix(b.Txns[11].Reference, "REVERSAL: ") {
		t.Errorf("reversal not marked: %q", b.Txns[11].Reference)
	}
}
