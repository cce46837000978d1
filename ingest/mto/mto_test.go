package mto

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/shopspring/decimal"
)

func generic(t *testing.T) *Profile {
	t.Helper()
	p, err := Builtin("mto-generic")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSample checks testdata/mto-generic-sample.csv against figures worked out with a
// Python csv script over the file (rows 2-17 are the good ones by construction): 14
// transfers (12 paid, 1 refunded after pay-out, 1 pending) sending 12439.00 EUR and 400.00
// BAM, paying out 9459.00 EUR, 139012.00 RSD and 73800.00 MKD; 13 fees of 199.50 EUR and
// 10.00 BAM; 13 pay-outs to cash (all but the pending one) of 11639.00 EUR and 400.00 BAM
// (three of them in another currency than sent, booked in the send currency: lines 3, 12,
// 17); 3 notes (cancelled, refunded, refunded after pay-out); 11 parties; 24 accounts (18
// pseudo-accounts and operators' fee accounts, and the cash of the 6 receivers paid by an
// operator); one quarantined row of each kind on lines 18-30.
func TestSample(t *testing.T) {
	data, err := os.ReadFile("testdata/mto-generic-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Parse(data, generic(t), Options{FileName: "sample.csv"})
	if err != nil {
		t.Fatal(err)
	}
	b := res.Batch
	sums := map[string]decimal.Decimal{}
	transfers, fees, payouts, pending := 0, 0, 0, 0
	for _, x := range b.Txns {
		switch x.Channel {
		case canon.ChannelMTOSend:
			transfers++
			sums["send "+x.Currency] = sums["send "+x.Currency].Add(x.Amount)
			if x.Received.Valid {
				sums["paid "+x.ReceivedCurrency] = sums["paid "+x.ReceivedCurrency].Add(x.Received.Decimal)
			}
			if !strings.HasPrefix(x.From, "mto:") || !strings.Contains(x.To, ":party:") || !strings.HasSuffix(x.SourceID, strings.TrimSuffix(strings.Fields(x.Reference)[1], ";")) {
				t.Errorf("transfer %+v", x)
			}
		case canon.ChannelFee:
			fees++
			sums["fee "+x.Currency] = sums["fee "+x.Currency].Add(x.Amount)
			if !strings.HasSuffix(x.To, ":fees") || !strings.HasSuffix(x.SourceID, ":fee") {
				t.Errorf("fee %+v", x)
			}
		case canon.ChannelMTOPayout:
			payouts++
			sums["payout "+x.Currency] = sums["payout "+x.Currency].Add(x.Amount)
			if x.To != "cash:"+x.From || !strings.HasSuffix(x.SourceID, ":payout") || x.Pending {
				t.Errorf("payout %+v", x)
			}
		default:
			t.Errorf("channel %q", x.Channel)
		}
		if x.Pending {
			pending++
		}
	}
	want := map[string]string{"send EUR": "12439", "send BAM": "400", "paid EUR": "9459", "paid RSD": "139012",
		"paid MKD": "73800", "fee EUR": "199.5", "fee BAM": "10",
		"payout EUR": "11639", "payout BAM": "400"}
	for k, v := range want {
		if sums[k].String() != v {
			t.Errorf("%s = %s, want %s", k, sums[k], v)
		}
	}
	if len(sums) != len(want) || transfers != 14 || fees != 13 || payouts != 13 || pending != 2 {
		t.Errorf("sums %v, %d transfers, %d fees, %d payouts, %d pending", sums, transfers, fees, payouts, pending)
	}
	wantErr := map[int]string{18: "mtcn", 19: "status", 20: "send_time", 21: "send_amount", 22: "send_currency",
		23: "fee", 24: "payout_amount", 25: "sender_name", 26: "receiver_birth_date", 27: "mtcn", 28: "payout_time",
		29: "", 30: "operator"}
	if len(b.Errors) != len(wantErr) {
		t.Fatalf("errors %v", b.Errors)
	}
	for _, e := range b.Errors {
		if f, ok := wantErr[e.Record]; !ok || f != e.Field || e.Raw == "" || e.Reason == "" {
			t.Errorf("error %+v, want field %q", e, f)
		}
	}
	kinds := map[int]string{}
	for _, n := range b.Notes {
		kinds[n.Record] = n.Kind
	}
	if kinds[8] != "mto_cancelled" || kinds[9] != "mto_refunded" || kinds[10] != "mto_refunded_after_payout" || len(b.Notes) != 3 {
		t.Errorf("notes %+v", b.Notes)
	}
	if b.Records != 14+13 || len(b.Parties) != 11 || len(b.PartyLinks) != 15 || len(b.Accounts) != 24 {
		t.Errorf("records %d parties %d links %d accounts %d", b.Records, len(b.Parties), len(b.PartyLinks), len(b.Accounts))
	}
	var hub canon.Party
	for _, p := range b.Parties {
		if p.Name == "Драган Јовановић" {
			hub = p
		}
	}
	if hub.ID != "party:dragan jovanovic|1979-06-21" || hub.Country != "RS" || hub.Identifiers != "id_card:007654321, phone:+381641112223, city:Beograd" ||
		!hub.BirthDate.Equal(time.Date(1979, 6, 21, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("hub party %+v", hub)
	}
	first := b.Txns[0]
	if first.From != "mto:western-union:party:marko petrovic|1985-03-12" || first.To != "mto:western-union:party:dragan jovanovic|1979-06-21" ||
		first.BookedAt != time.Date(2024, 3, 1, 9, 15, 0, 0, time.UTC) || first.ValueDate != time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC) ||
		first.Reference != "MTCN 1234567801; sent: AT-WU-0412 Wien Favoriten; paid: RS-WU-1101 Beograd Zemun" || first.SourceID != "western-union:1234567801" {
		t.Errorf("first transfer %+v", first)
	}
}

func TestProfileOptions(t *testing.T) {
	yaml := `name: semicolon-wu
operator: Western Union
encoding: windows-1250
delimiter: ";"
utc_offset: "+01:00"
date_layouts: ["02.01.2006 15:04"]
number: {decimal: ",", thousands: "."}
status: {paid: [Isplaćeno], cancelled: [Storno]}
columns: {mtcn: MTCN, status: Status, send_time: Poslano, sender_name: Pošiljatelj, receiver_name: Primatelj,
  send_amount: Iznos, send_currency: Valuta, fee: Naknada}
`
	p, err := ParseProfile([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	// "Isplaćeno", "Pošiljatelj" and "Kovač" in Windows-1250.
	csv := "MTCN;Status;Poslano;Po\x9ailjatelj;Primatelj;Iznos;Valuta;Naknada\n" +
		"111 222 333;ISPLA\xc6ENO;01.03.2024 10:00;Ivo Kova\xe8;Ana;1.234,50;EUR;12,00\n" +
		"111222334;Storno;01.03.2024 11:00;Ivo Kova\xe8;Ana;10,00;EUR;\n"
	res, err := Parse([]byte(csv), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := res.Batch
	// The paid transfer has no pay-out time: paid out at the send time, with a note.
	if len(b.Txns) != 3 || b.Txns[0].Amount.String() != "1234.5" || b.Txns[0].SourceID != "western-union:111222333" ||
		b.Txns[0].BookedAt != time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC) || b.Parties[0].Name != "Ivo Kovač" ||
		b.Parties[0].ID != "party:ivo kovac|unknown" || b.Txns[1].Amount.String() != "12" {
		t.Errorf("txns %+v parties %+v errors %v", b.Txns, b.Parties, b.Errors)
	}
	if b.Txns[2].Channel != canon.ChannelMTOPayout || !b.Txns[2].BookedAt.Equal(b.Txns[0].BookedAt) || b.Txns[2].Amount.String() != "1234.5" {
		t.Errorf("payout %+v", b.Txns[2])
	}
	if len(b.Notes) != 2 || b.Notes[0].Kind != "mto_payout_time_unknown" || b.Notes[1].Kind != "mto_cancelled" {
		t.Errorf("notes %+v", b.Notes)
	}
	res, err = Parse([]byte(csv), p, Options{Operator: "MoneyGram"})
	if err != nil || res.Batch.Txns[0].SourceID != "moneygram:111222333" {
		t.Errorf("operator override: %v %+v", err, res)
	}
	for _, bad := range []string{"name: x", "name: x\ndate_layouts: [a]\nstatus: {paid: [p]}\ncolumns: {mtcn: m}", "name: x\nbogus: 1"} {
		if _, err := ParseProfile([]byte(bad)); !errors.Is(err, ErrProfile) {
			t.Errorf("ParseProfile(%q) err = %v", bad, err)
		}
	}
	if _, err := Parse([]byte("a,b\n1,2\n"), generic(t), Options{}); !errors.Is(err, ErrLayout) {
		t.Errorf("missing columns: %v", err)
	}
	if _, err := Parse([]byte("\xff\xfe"), generic(t), Options{}); err == nil {
		t.Error("invalid UTF-8 accepted")
	}
	if _, err := Resolve("no-such-profile"); !errors.Is(err, ErrProfile) {
		t.Errorf("Resolve: %v", err)
	}
	if got := Builtins(); len(got) != 1 || got[0] != "mto-generic" {
		t.Errorf("Builtins = %v", got)
	}
}

func TestSameParty(t *testing.T) {
	csv := "operator,mtcn,status,send_time,sender_name,sender_country,receiver_name,receiver_country,send_amount,send_currency\n" +
		"WU,1,paid,2024-03-01,Ana Ban,HR,Ána  Bán,HR,10,EUR\n"
	p := generic(t)
	p.Columns = Columns{Operator: "operator", MTCN: "mtcn", Status: "status", SendTime: "send_time", SenderName: "sender_name",
		SenderCountry: "sender_country", ReceiverName: "receiver_name", ReceiverCountry: "receiver_country",
		SendAmount: "send_amount", SendCurrency: "send_currency"}
	res, err := Parse([]byte(csv), p, Options{})
	if err != nil || len(res.Batch.Errors) != 1 || res.Batch.Errors[0].Field != "receiver_name" || len(res.Batch.Parties) != 0 {
		t.Errorf("%v %+v", err, res)
	}
}

func dec(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestAppUnits(t *testing.T) {
	rev := "Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,Balance\n" +
		"TOPUP,Current,2024-01-01 10:00:00,2024-01-01 10:00:01,Top-Up,100.00,0.00,EUR,COMPLETED,100.00\n" +
		"ATM,Current,2024-01-02 10:00:00,2024-01-02 10:00:01,ATM Wien,-50.00,1.50,EUR,COMPLETED,48.50\n" +
		"EXCHANGE,Current,2024-01-03 10:00:00,2024-01-03 10:00:01,Exchanged to USD,-20.00,0.00,EUR,COMPLETED,28.50\n" +
		"EXCHANGE,Current,2024-01-03 10:00:00,2024-01-03 10:00:01,Exchanged from EUR,21.70,0.00,USD,COMPLETED,21.70\n" +
		"CARD_PAYMENT,Current,2024-01-04 10:00:00,,Shop,-5.00,0.00,EUR,DECLINED,\n" +
		"TRANSFER,Current,2024-01-05 10:00:00,2024-01-05 10:00:01,To Ana,-x,0.00,EUR,COMPLETED,1\n" +
		"TRANSFER,Current,2024-01-05 10:00:00,2024-01-05 10:00:01,To Ana,-1,0.00,EUR,WEIRD,1\n"
	res, err := ParseApp([]byte(rev), Options{Account: "acct:revolut:LT00"})
	if err != nil {
		t.Fatal(err)
	}
	b := res.Batch
	if len(b.Statements) != 2 || b.Statements[1].Currency != "USD" || b.StatementAccount != "" {
		t.Fatalf("statements %+v", b.Statements)
	}
	if p := res.Periods[0]; !p.Reconciled || p.Opening.Decimal.String() != "0" || p.Closing.Decimal.String() != "28.5" || p.Debits.String() != "71.5" {
		t.Errorf("EUR period %+v", p)
	}
	chans := ""
	for _, x := range b.Txns {
		chans += x.Channel + " "
	}
	if chans != "transfer cash_withdrawal fee fx fx " || b.Txns[1].To != "cash:acct:revolut:LT00" || b.Txns[2].To != "mto:revolut:fees" {
		t.Errorf("channels %q txns %+v", chans, b.Txns)
	}
	if len(b.Errors) != 2 || b.Errors[0].Field != "Amount" || b.Errors[1].Field != "State" || b.Notes[0].Kind != "app_declined" {
		t.Errorf("errors %+v notes %+v", b.Errors, b.Notes)
	}
	if _, err := ParseApp([]byte("Date,Amount\n"), Options{}); err == nil {
		t.Error("unknown layout accepted")
	}
}

// TestPayout checks every kind of pay-out against figures worked out by hand, and that the
// receivers' pseudo-accounts are emptied to the cent in the currency they were credited in.
func TestPayout(t *testing.T) {
	csv := "operator,mtcn,status,send_time,payout_time,sender_name,sender_birth_date,receiver_name,receiver_birth_date,send_amount,send_currency,fee,payout_amount,payout_currency\n" +
		// 950.00 EUR sent, 950.00 EUR paid: pay-out 950.00.
		"WU,1001,paid,2024-03-01 09:15,2024-03-01 14:40,Ana Ban,1980-01-01,Ivo Kos,1970-01-01,950.00,EUR,18.00,950.00,EUR\n" +
		// 300.00 EUR sent, 291.50 EUR paid: pay-out 291.50 and an 8.50 charge deducted.
		"WU,1002,paid,2024-03-02 10:00,2024-03-03 08:00,Ana Ban,1980-01-01,Ivo Kos,1970-01-01,300.00,EUR,6.00,291.50,EUR\n" +
		// 500.00 USD sent, 460.83 EUR paid: pay-out 500.00 USD, received 460.83 EUR (0.92166 EUR per USD).
		"WU,1003,paid,2024-03-04 11:00,2024-03-05 09:30,Ana Ban,1980-01-01,Ivo Kos,1970-01-01,500.00,USD,12.50,460.83,EUR\n" +
		// 100.00 EUR sent, 120.00 EUR paid: pay-out 120.00, 20.00 not in the record (a note).
		"WU,1004,paid,2024-03-06 12:00,2024-03-06 13:00,Ana Ban,1980-01-01,Ivo Kos,1970-01-01,100.00,EUR,5.00,120.00,EUR\n" +
		// Paid, no pay-out time or amount: 200.00 EUR paid out at the send time (a note).
		"WU,1005,paid,2024-03-07 12:00,,Ana Ban,1980-01-01,Ivo Kos,1970-01-01,200.00,EUR,5.00,,\n" +
		// Pending: not paid out.
		"WU,1006,pending,2024-03-08 12:00,,Ana Ban,1980-01-01,Ivo Kos,1970-01-01,70.00,EUR,3.00,,\n"
	p := generic(t)
	p.Columns = Columns{Operator: "operator", MTCN: "mtcn", Status: "status", SendTime: "send_time", PayoutTime: "payout_time",
		SenderName: "sender_name", SenderBirthDate: "sender_birth_date", ReceiverName: "receiver_name",
		ReceiverBirthDate: "receiver_birth_date", SendAmount: "send_amount", SendCurrency: "send_currency", Fee: "fee",
		PayoutAmount: "payout_amount", PayoutCurrency: "payout_currency"}
	res, err := Parse([]byte(csv), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := res.Batch
	const recv, cash, fees = "mto:wu:party:ivo kos|1970-01-01", "cash:mto:wu:party:ivo kos|1970-01-01", "mto:wu:fees"
	type row struct{ id, channel, from, to, amount, ccy, received, at string }
	want := []row{
		{"wu:1001", "mto_send", "mto:wu:party:ana ban|1980-01-01", recv, "950", "EUR", "950 EUR", "2024-03-01 09:15"},
		{"wu:1001:fee", "fee", "mto:wu:party:ana ban|1980-01-01", fees, "18", "EUR", "", "2024-03-01 09:15"},
		{"wu:1001:payout", "mto_payout", recv, cash, "950", "EUR", "", "2024-03-01 14:40"},
		{"wu:1002", "mto_send", "mto:wu:party:ana ban|1980-01-01", recv, "300", "EUR", "291.5 EUR", "2024-03-02 10:00"},
		{"wu:1002:fee", "fee", "mto:wu:party:ana ban|1980-01-01", fees, "6", "EUR", "", "2024-03-02 10:00"},
		{"wu:1002:payout", "mto_payout", recv, cash, "291.5", "EUR", "", "2024-03-03 08:00"},
		{"wu:1002:payout-fee", "fee", recv, fees, "8.5", "EUR", "", "2024-03-03 08:00"},
		{"wu:1003", "mto_send", "mto:wu:party:ana ban|1980-01-01", recv, "500", "USD", "460.83 EUR", "2024-03-04 11:00"},
		{"wu:1003:fee", "fee", "mto:wu:party:ana ban|1980-01-01", fees, "12.5", "USD", "", "2024-03-04 11:00"},
		{"wu:1003:payout", "mto_payout", recv, cash, "500", "USD", "460.83 EUR", "2024-03-05 09:30"},
		{"wu:1004", "mto_send", "mto:wu:party:ana ban|1980-01-01", recv, "100", "EUR", "120 EUR", "2024-03-06 12:00"},
		{"wu:1004:fee", "fee", "mto:wu:party:ana ban|1980-01-01", fees, "5", "EUR", "", "2024-03-06 12:00"},
		{"wu:1004:payout", "mto_payout", recv, cash, "120", "EUR", "", "2024-03-06 13:00"},
		{"wu:1005", "mto_send", "mto:wu:party:ana ban|1980-01-01", recv, "200", "EUR", "", "2024-03-07 12:00"},
		{"wu:1005:fee", "fee", "mto:wu:party:ana ban|1980-01-01", fees, "5", "EUR", "", "2024-03-07 12:00"},
		{"wu:1005:payout", "mto_payout", recv, cash, "200", "EUR", "", "2024-03-07 12:00"},
		{"wu:1006", "mto_send", "mto:wu:party:ana ban|1980-01-01", recv, "70", "EUR", "", "2024-03-08 12:00"},
		{"wu:1006:fee", "fee", "mto:wu:party:ana ban|1980-01-01", fees, "3", "EUR", "", "2024-03-08 12:00"},
	}
	if len(b.Txns) != len(want) {
		t.Fatalf("%d txns, want %d: %+v", len(b.Txns), len(want), b.Txns)
	}
	balance := map[string]decimal.Decimal{} // pseudo-account and currency -> credits - debits
	for i, x := range b.Txns {
		rec := ""
		if x.Received.Valid {
			rec = x.Received.Decimal.String() + " " + x.ReceivedCurrency
		}
		got := row{x.SourceID, x.Channel, x.From, x.To, x.Amount.String(), x.Currency, rec, x.BookedAt.Format("2006-01-02 15:04")}
		if got != want[i] {
			t.Errorf("txn %d = %+v, want %+v", i, got, want[i])
		}
		if x.Seq != int64(i) {
			t.Errorf("txn %d seq %d", i, x.Seq)
		}
		if !x.Pending {
			balance[x.To+" "+x.Currency] = balance[x.To+" "+x.Currency].Add(x.Amount)
			balance[x.From+" "+x.Currency] = balance[x.From+" "+x.Currency].Sub(x.Amount)
		}
	}
	if r := b.Txns[9].Reference; r != "pay-out of MTCN 1003; 500.00 USD paid out as 460.83 EUR (operator's rate 0.92166 EUR per USD)" {
		t.Errorf("cross-currency pay-out reference %q", r)
	}
	// Emptied to the cent: only 1004 pays out 20.00 more than it received (unexplained funds).
	if got := balance[recv+" EUR"].String(); got != "-20" || !balance[recv+" USD"].IsZero() {
		t.Errorf("receiver's pseudo-account ends at %s EUR and %s USD, want -20 and 0", got, balance[recv+" USD"])
	}
	// Cash: 950 + 291.50 + 120 + 200 = 1561.50 EUR and 500.00 USD (paid as 460.83 EUR);
	// fees 18 + 6 + 8.50 + 5 + 5 = 42.50 EUR and 12.50 USD (the pending transfer's 3.00 is pending).
	if balance[cash+" EUR"].String() != "1561.5" || balance[cash+" USD"].String() != "500" ||
		balance[fees+" EUR"].String() != "42.5" || balance[fees+" USD"].String() != "12.5" {
		t.Errorf("balances %v", balance)
	}
	var notes []string
	for _, n := range b.Notes {
		notes = append(notes, fmt.Sprintf("%d %s", n.Record, n.Kind))
	}
	if strings.Join(notes, ", ") != "5 mto_payout_exceeds_send, 6 mto_payout_time_unknown" {
		t.Errorf("notes %v", notes)
	}
	var cashAcct canon.Account
	for _, a := range b.Accounts {
		if a.ID == cash {
			cashAcct = a
		}
	}
	if cashAcct.Kind != canon.KindCash || cashAcct.HolderName != "" {
		t.Errorf("cash account %+v", cashAcct)
	}
}

// TestProfileNotation checks the encoding, date_layouts and number keys, which mto profiles
// share with bank CSV profiles (csvprofile.Notation): every built-in profile loads, a bad
// value is an ErrProfile naming the profile and the YAML key, and declared symbols are
// stripped from amounts.
func TestProfileNotation(t *testing.T) {
	for _, n := range Builtins() {
		if p, err := Builtin(n); err != nil || p.Name != n {
			t.Errorf("built-in profile %s: %v", n, err)
		}
	}
	const base = "name: x\nstatus: {paid: [p]}\ncolumns: {mtcn: m, status: s, send_time: t, sender_name: a, receiver_name: b, send_amount: v, send_currency: c}\n"
	for _, c := range []struct{ yaml, want string }{
		{"date_layouts: [\"2006-01-02\"]\nencoding: cp866\nnumber: {decimal: \",\", thousands: \" \", strip: [EUR]}", ""},
		{"date_layouts: [\"2006-01-02\"]\nencoding: windows-1251", ""},
		{"date_layouts: [\"2006-01-02\"]\nencoding: ebcdic", `invalid MTO profile "x": encoding: "ebcdic" is not one of`},
		{"encoding: utf-8", `invalid MTO profile "x": date_layouts: at least one Go time layout is required`},
		{"date_layouts: [\"2006-01-02\"]\nnumber: {decimal: \";\"}", `invalid MTO profile "x": number.decimal: ";" must be "." or ","`},
		{"date_layouts: [\"2006-01-02\"]\nnumber: {decimal: \",\", thousands: \",\"}", `invalid MTO profile "x": number.thousands: must differ from number.decimal`},
		{"date_layouts: [\"2006-01-02\"]\nnumber: {strip: [\" \"]}", `invalid MTO profile "x": number.strip[0]: must not be blank`},
	} {
		_, err := ParseProfile([]byte(base + c.yaml))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q: %v", c.yaml, err)
		case c.want != "" && (!errors.Is(err, ErrProfile) || !strings.HasPrefix(err.Error(), c.want)):
			t.Errorf("%q: err = %v, want %s...", c.yaml, err, c.want)
		}
	}
	p, err := ParseProfile([]byte(base + "date_layouts: [\"2006-01-02\"]\nnumber: {decimal: \",\", thousands: \".\", strip: [EUR, €]}"))
	if err != nil {
		t.Fatal(err)
	}
	csv := "m,s,t,a,b,v,c\n1,p,2024-03-01,Ana,Ivo,\"EUR 1.234,50\",EUR\n2,p,2024-03-02,Ana,Ivo,\"- 7,00 €\",EUR\n"
	b, err := Read([]byte(csv), p, Options{Operator: "Ria"})
	if err != nil {
		t.Fatal(err)
	}
	// The first record: a transfer of 1234.50 and its pay-out; the second a negative amount.
	if len(b.Txns) != 2 || b.Txns[0].Amount.StringFixed(2) != "1234.50" || len(b.Errors) != 1 || b.Errors[0].Record != 3 ||
		!strings.Contains(b.Errors[0].Reason, "-7 is not positive") {
		t.Errorf("txns %+v errors %+v", b.Txns, b.Errors)
	}
}
