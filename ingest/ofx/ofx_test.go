package ofx

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/moneytrail/moneytrail/internal/canon"
)

const sgmlHeader = "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n"

// sgml wraps STMTTRN elements into a one-statement OFX 1.x bank file.
func sgml(acctid, trns string) string {
	return sgmlHeader + "<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STMTRS><CURDEF>EUR<BANKACCTFROM><BANKID>BANK<ACCTID>" + acctid +
		"<ACCTTYPE>CHECKING</BANKACCTFROM><BANKTRANLIST><DTSTART>20240301<DTEND>20240331" + trns +
		"</BANKTRANLIST><LEDGERBAL><BALAMT>100.00<DTASOF>20240331</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>"
}

func trn(typ, posted, amt, extra string) string {
	return "<STMTTRN><TRNTYPE>" + typ + "<DTPOSTED>" + posted + "<TRNAMT>" + amt + extra + "</STMTTRN>"
}

func TestDirectionChannelCounterparty(t *testing.T) {
	doc := sgml("DE89370400440532013000",
		trn("ATM", "20240302", "-50.00", "<FITID>1<NAME>ATM Main St")+
			trn("FEE", "20240303", "-1,50", "<FITID>2<NAME>Bank")+
			trn("INT", "20240304", "0.12", "<FITID>3")+
			trn("POS", "20240305", "-9.99", "<FITID>4<NAME>Café Noir &amp; Co")+
			trn("XFER", "20240306", "200", "<FITID>5<NAME>Ana<BANKACCTTO><BANKID>X<ACCTID>GB29NWBK60161331926819<ACCTTYPE>CHECKING</BANKACCTTO>")+
			trn("CHECK", "20240307", "-30", "<FITID>6<CHECKNUM>1001<PAYEE><NAME>Landlord<ADDR1>1 Road</PAYEE><MEMO>rent")+
			trn("DEP", "20240308", "+75.5", "<FITID>7<BANKACCTTO><BANKID>021<ACCTID>555 123<ACCTTYPE>SAVINGS</BANKACCTTO>"))
	res, err := Parse([]byte(doc), Options{})
	if err != nil {
		t.Fatal(err)
	}
	const acct = "DE89370400440532013000"
	want := []struct{ from, to, amount, channel, ref string }{
		{acct, "cash:" + acct, "50", canon.ChannelCashWithdrawal, ""},
		{acct, "external:name:bank", "1.5", canon.ChannelFee, ""},
		{"external:unknown", acct, "0.12", canon.ChannelInterest, ""},
		{acct, "external:name:cafe noir co", "9.99", canon.ChannelCard, ""},
		{"GB29NWBK60161331926819", acct, "200", canon.ChannelTransfer, ""},
		{acct, "external:name:landlord", "30", canon.ChannelTransfer, "rent | check 1001"},
		{"ofx:021:555123", acct, "75.5", canon.ChannelTransfer, ""},
	}
	b := res.Batch
	if len(b.Txns) != len(want) {
		t.Fatalf("%d txns, errors %v", len(b.Txns), b.Errors)
	}
	for i, w := range want {
		x := b.Txns[i]
		if x.From != w.from || x.To != w.to || x.Amount.String() != w.amount || x.Channel != w.channel || x.Reference != w.ref || x.SourceID != b.Txns[i].SourceID {
			t.Errorf("txn %d = %s -> %s %s %s %q, want %+v", i, x.From, x.To, x.Amount, x.Channel, x.Reference, w)
		}
		if x.Record != i+1 || x.Seq != int64(i) || x.SourceID == "" {
			t.Errorf("txn %d record %d seq %d source %q", i, x.Record, x.Seq, x.SourceID)
		}
	}
	if b.Accounts[0].ID != acct || b.Accounts[0].IBAN != acct || !b.Accounts[0].Statement || b.StatementAccount != acct {
		t.Errorf("account %+v", b.Accounts[0])
	}
	p := res.Periods[0]
	if p.Credits.String() != "275.62" || p.Debits.String() != "91.49" || p.ImpliedOpening.Decimal.String() != "-84.13" {
		t.Errorf("credits %s debits %s implied %s", p.Credits, p.Debits, p.ImpliedOpening.Decimal)
	}
}

func TestDateTimes(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"20240305", "2024-03-05T00:00:00Z"},
		{"202403052359", "2024-03-05T23:59:00Z"},
		{"20240305120000", "2024-03-05T12:00:00Z"},
		{"20240305120000.123", "2024-03-05T12:00:00.123Z"},
		{"20240305220000.000[-5:EST]", "2024-03-06T03:00:00Z"},
		{"20240305220000[+5.30:IST]", "2024-03-05T16:30:00Z"},
		{"20240305120000[0:GMT]", "2024-03-05T12:00:00Z"},
		{"20091217162416.000[-:EST]", "2009-12-17T21:24:16Z"},
		{"20240305[-8]", "2024-03-05T08:00:00Z"},
	} {
		got, err := parseDateTime(c.in)
		if err != nil || got.Format(time.RFC3339Nano) != c.want {
			t.Errorf("parseDateTime(%q) = %s, %v; want %s", c.in, got.Format(time.RFC3339Nano), err, c.want)
		}
	}
	for _, bad := range []string{"", "2024030", "20240231", "201120000000", "20240305[-5:EST", "20240305[x:EST]", "20240305[-:XYZ]", "2024-03-05", "20180804093914:014"} {
		if _, err := parseDateTime(bad); err == nil {
			t.Errorf("parseDateTime(%q) accepted", bad)
		}
	}
}

func TestQuarantine(t *testing.T) {
	doc := sgml("123",
		trn("DEBIT", "20240302", "abc", "")+
			trn("DEBIT", "", "-1", "")+
			trn("DEBIT", "20240230", "-2", "")+
			trn("CREDIT", "20240302", "3", "<BANKACCTTO><BANKID>X<ACCTID>DE00370400440532013000</BANKACCTTO>")+
			trn("CREDIT", "20240302", "0.00", "")+
			trn("CREDIT", "20240302", "1.1234567", "")+
			trn("CREDIT", "20240302", "4", "<CURRENCY><CURRATE>1<CURSYM>eur</CURRENCY>")+
			"<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240302</STMTTRN>"+
			trn("CREDIT", "20240302", "5.00", ""))
	res, err := Parse([]byte(doc), Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := res.Batch
	// Entry 4's ACCTID fails mod-97: it loads, with a warning (TestBadCounterpartyIBANLoads).
	wantFields := []string{"TRNAMT", "DTPOSTED", "DTPOSTED", "TRNAMT", "CURSYM", "TRNAMT"}
	if len(b.Errors) != len(wantFields) {
		t.Fatalf("errors %v", b.Errors)
	}
	for i, f := range wantFields {
		if b.Errors[i].Field != f || b.Errors[i].Raw == "" || !strings.HasPrefix(b.Errors[i].Raw, "<STMTTRN>") ||
			!strings.HasPrefix(b.Errors[i].Reason, fmt.Sprintf("entry %d at line ", b.Errors[i].Record)) {
			t.Errorf("error %d = %+v, want field %s", i, b.Errors[i], f)
		}
	}
	if len(b.Txns) != 2 || b.Txns[0].Record != 4 || b.Txns[1].Record != 9 || b.Records != 8 {
		t.Errorf("txns %+v records %d", b.Txns, b.Records)
	}
	if len(b.Notes) < 2 || b.Notes[0].Kind != canon.NoteWarning || b.Notes[0].Record != 4 || b.Notes[1].Kind != "zero_amount" || b.Notes[1].Record != 5 {
		t.Errorf("notes %+v", b.Notes)
	}
	if x := b.Txns[0]; x.From != "external:unverified-iban:DE00370400440532013000" || !strings.Contains(b.Notes[0].Text, "check digits 00") {
		t.Errorf("unverified counterparty %+v, note %+v", x, b.Notes[0])
	}
	p := res.Periods[0]
	if p.Entries != 9 || p.Quarantined != 6 || p.QuarantinedDebits.String() != "3" || p.QuarantinedCredits.String() != "5.1234567" {
		t.Errorf("period %+v", p)
	}
	if b.Txns[0].SourceID != "" {
		t.Errorf("SourceID %q without FITIDs", b.Txns[0].SourceID)
	}
}

func TestXMLAndEncodings(t *testing.T) {
	xml := `<?xml version="1.0" encoding="UTF-8"?><?OFX OFXHEADER="200" VERSION="220"?>
<OFX><CREDITCARDMSGSRSV1><CCSTMTTRNRS><CCSTMTRS><CURDEF>USD</CURDEF><CCACCTFROM><ACCTID>4111 1111</ACCTID></CCACCTFROM>
<BANKTRANLIST><DTSTART>20240101</DTSTART><DTEND>20240131</DTEND>
<STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20240105</DTPOSTED><TRNAMT>-12.00</TRNAMT><FITID>a</FITID><NAME><![CDATA[Zoë <b> &amp;]]></NAME></STMTTRN>
</BANKTRANLIST><LEDGERBAL><BALAMT>-12.00</BALAMT><DTASOF>20240131</DTASOF></LEDGERBAL></CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1></OFX>`
	res, err := Parse([]byte(xml), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != "220" || res.Batch.Statements[0].Account != "ofx::41111111" || res.Batch.Txns[0].Counterparty != "Zoë <b> &amp;" {
		t.Errorf("version %q statement %+v txn %+v", res.Version, res.Batch.Statements[0], res.Batch.Txns[0])
	}

	latin := []byte(sgml("1", trn("DEBIT", "20240302", "-1", "<NAME>Caf\xe9")))
	res, err = Parse(latin, Options{})
	if err != nil || res.Batch.Txns[0].Counterparty != "Café" {
		t.Fatalf("1252: %v %+v", err, res)
	}
	utf := []byte(sgml("1", trn("DEBIT", "20240302", "-1", "<NAME>Ђорђе")))
	res, err = Parse(utf, Options{})
	if err != nil || res.Batch.Txns[0].Counterparty != "Ђорђе" || len(res.Batch.Notes) == 0 {
		t.Fatalf("UTF-8 under CHARSET 1252: %v %+v", err, res)
	}
	res, err = Parse(latin, Options{Encoding: "ISO-8859-1", Account: "acct:mine:1"})
	if err != nil || res.Batch.Txns[0].From != "acct:mine:1" || res.Batch.StatementAccount != "acct:mine:1" {
		t.Fatalf("override: %v %+v", err, res)
	}
	if _, err := Parse(latin, Options{Encoding: "klingon"}); err == nil {
		t.Error("unknown encoding accepted")
	}

	u16 := []byte{0xFF, 0xFE}
	for _, r := range sgml("1", trn("DEBIT", "20240302", "-1", "")) {
		u16 = append(u16, byte(r), 0)
	}
	if !Detect(u16) {
		t.Error("Detect(UTF-16) = false")
	}
	if res, err := Parse(u16, Options{}); err != nil || len(res.Batch.Txns) != 1 {
		t.Errorf("UTF-16: %v", err)
	}
}

func TestFileErrors(t *testing.T) {
	inv := sgmlHeader + "<OFX><INVSTMTMSGSRSV1><INVSTMTTRNRS><INVSTMTRS><INVACCTFROM><BROKERID>b<ACCTID>9</INVACCTFROM></INVSTMTRS></INVSTMTTRNRS></INVSTMTMSGSRSV1>" +
		"<BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKACCTFROM><BANKID>B<ACCTID>1</BANKACCTFROM><BANKTRANLIST>" + trn("DEBIT", "20240302", "-1", "") + "</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>"
	res, err := Parse([]byte(inv), Options{})
	if err != nil || len(res.Batch.Txns) != 1 || res.Batch.Notes[0].Kind != "investment_statement" {
		t.Errorf("mixed investment and bank: %v %+v", err, res)
	}
	for _, c := range []struct {
		in   string
		want error
	}{
		{"", ErrNotOFX},
		{"hello", ErrNotOFX},
		{sgmlHeader + "<OFX><BANKMSGSRSV1><STMTTRNRS><STATUS><CODE>15500<SEVERITY>ERROR<MESSAGE>Bad password</STATUS></STMTTRNRS></BANKMSGSRSV1></OFX>", ErrServer},
		{sgmlHeader + "<OFX>", ErrNoStatement},
		{sgmlHeader + "<OFX><!-- open", ErrNotOFX},
		{sgmlHeader + "<OFX><STMTRS", ErrNotOFX},
		{sgmlHeader + "<OFX>" + strings.Repeat("<A>", MaxDepth+2), ErrNotOFX},
	} {
		_, err := Read([]byte(c.in), Options{FileName: "f.ofx"})
		if !errors.Is(err, c.want) {
			t.Errorf("Read(%.40q) err = %v, want %v", c.in, err, c.want)
		}
	}
	if Detect([]byte("Date,Amount\n")) || !Detect([]byte(sgmlHeader)) {
		t.Error("Detect")
	}
}

func TestTreeTolerance(t *testing.T) {
	root, _, err := parseBody("<OFX><A><NAME><MEMO>m</A><B>x</B><C/><D>1<E>2</OFX>")
	if err != nil {
		t.Fatal(err)
	}
	o := root.child("OFX")
	a := o.child("A")
	if a.str("NAME") != "" || a.str("MEMO") != "m" || o.str("B") != "x" || !o.has("C") || o.str("D") != "1" || o.str("E") != "2" {
		t.Errorf("tree: %+v", o)
	}
}

// A damaged structure never hides entries (issue 19.3): with one </STMTTRN> deleted, the
// next <STMTTRN> closes the open one and all nine entries load (the repair is noted); an
// entry moved outside the BANKTRANLIST is quarantined, not dropped.
func TestDamagedStructureLosesNoEntry(t *testing.T) {
	var trns string
	for i := 1; i <= 9; i++ {
		trns += trn("DEBIT", "20240302", "-1.00", fmt.Sprintf("<FITID>%d", i))
	}
	doc := strings.Replace(sgml("123", trns), "</STMTTRN>", "", 1)
	res, err := Parse([]byte(doc), Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := res.Batch
	if len(b.Txns) != 9 || len(b.Errors) != 0 || res.Periods[0].Debits.String() != "9" {
		t.Fatalf("txns %d errors %v period %+v", len(b.Txns), b.Errors, res.Periods[0])
	}
	noted := false
	for _, n := range b.Notes {
		noted = noted || strings.Contains(n.Text, "end tag is missing")
	}
	if !noted {
		t.Errorf("repair not noted: %+v", b.Notes)
	}

	moved := strings.Replace(sgml("123", trn("DEBIT", "20240302", "-1.00", "<FITID>1")), "</LEDGERBAL>", "</LEDGERBAL>"+trn("DEBIT", "20240303", "-2.00", "<FITID>2"), 1)
	res, err = Parse([]byte(moved), Options{})
	if err != nil {
		t.Fatal(err)
	}
	b = res.Batch
	if len(b.Txns) != 1 || len(b.Errors) != 1 || b.Records != 2 || !strings.Contains(b.Errors[0].Reason, "outside any statement's BANKTRANLIST") {
		t.Fatalf("txns %d errors %v records %d", len(b.Txns), b.Errors, b.Records)
	}
}

// OFX 2 with a DOCTYPE (issue 19.4) is refused, before or inside <OFX>; comments are not
// declarations.
func TestDeclarationsRefused(t *testing.T) {
	body := `<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR</CURDEF><BANKACCTFROM><BANKID>B</BANKID><ACCTID>1</ACCTID></BANKACCTFROM><BANKTRANLIST></BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>`
	head := `<?xml version="1.0"?><?OFX OFXHEADER="200" VERSION="220"?>`
	for name, doc := range map[string]string{
		"DOCTYPE before OFX": head + `<!DOCTYPE OFX [<!ENTITY x "y">]>` + body,
		"ENTITY inside OFX":  head + strings.Replace(body, "<BANKMSGSRSV1>", `<!ENTITY x SYSTEM "file:///etc/passwd"><BANKMSGSRSV1>`, 1),
	} {
		if _, err := Parse([]byte(doc), Options{}); !errors.Is(err, ErrUnsafe) {
			t.Errorf("%s: %v, want ErrUnsafe", name, err)
		}
	}
	if _, err := Parse([]byte(head+`<!-- a comment -->`+body), Options{}); err != nil {
		t.Errorf("comment: %v", err)
	}
}
