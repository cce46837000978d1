package mto

import (
	"errors"
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
// 10.00 BAM; 3 notes (cancelled, refunded, refunded after pay-out); 11 parties; one
// quarantined row of each kind on lines 18-30.
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
	transfers, fees, pending := 0, 0, 0
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
		default:
			t.Errorf("channel %q", x.Channel)
		}
		if x.Pending {
			pending++
		}
	}
	want := map[string]string{"send EUR": "12439", "send BAM": "400", "paid EUR": "9459", "paid RSD": "139012",
		"paid MKD": "73800", "fee EUR": "199.5", "fee BAM": "10"}
	for k, v := range want {
		if sums[k].String() != v {
			t.Errorf("%s = %s, want %s", k, sums[k], v)
		}
	}
	if len(sums) != len(want) || transfers != 14 || fees != 13 || pending != 2 {
		t.Errorf("sums %v, %d transfers, %d fees, %d pending", sums, transfers, fees, pending)
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
	if b.Records != 14+13 || len(b.Parties) != 11 || len(b.PartyLinks) != 15 || len(b.Accounts) != 18 {
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
	if len(b.Txns) != 2 || b.Txns[0].Amount.String() != "1234.5" || b.Txns[0].SourceID != "western-union:111222333" ||
		b.Txns[0].BookedAt != time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC) || b.Parties[0].Name != "Ivo Kovač" ||
		b.Parties[0].ID != "party:ivo kovac|unknown" || b.Txns[1].Amount.String() != "12" {
		t.Errorf("txns %+v parties %+v errors %v", b.Txns, b.Parties, b.Errors)
	}
	if len(b.Notes) != 1 || b.Notes[0].Kind != "mto_cancelled" {
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
