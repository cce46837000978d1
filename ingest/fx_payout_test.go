package ingest

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFXPayoutAtSendRate: a money-transfer pay-out in a foreign currency, paid on a later
// fixing day than sent, takes the send day's rate, as does the charge deducted at it, so the
// receiver's operator account ends at zero in the base currency. Worked by hand from the ECB
// sample: 2024-03-04 1.0844 USD per EUR, 2024-03-05 1.0857.
func TestFXPayoutAtSendRate(t *testing.T) {
	db := newCase(t)
	ingestFile(t, db, "testdata/ecb-sample.csv", Options{})
	header := "operator,mtcn,status,send_time,payout_time,sender_name,sender_country,sender_city,sender_birth_date,sender_id_type,sender_id_number,sender_phone,receiver_name,receiver_country,receiver_city,receiver_birth_date,receiver_id_type,receiver_id_number,receiver_phone,send_amount,send_currency,fee,payout_amount,payout_currency,send_agent_id,send_agent_location,payout_agent_id,payout_agent_location\n"
	rows := "Western Union,5550001,paid,2024-03-04 10:00,2024-03-05 09:00,Ana Kovač,AT,Wien,1980-01-01,passport,P1,,Ivo Ivić,RS,Beograd,1979-06-21,id_card,ID1,,500.00,USD,10.00,500.00,USD,AT-1,Wien,RS-1,Beograd\n" +
		"Western Union,5550002,paid,2024-03-04 11:00,2024-03-05 10:00,Ana Kovač,AT,Wien,1980-01-01,passport,P1,,Ivo Ivić,RS,Beograd,1979-06-21,id_card,ID1,,300.00,USD,10.00,295.00,USD,AT-1,Wien,RS-1,Beograd\n"
	p := filepath.Join(t.TempDir(), "mto.csv")
	if err := os.WriteFile(p, []byte(header+rows), 0o644); err != nil {
		t.Fatal(err)
	}
	ingestFile(t, db, p, Options{Format: FormatMTO, Profile: "mto-generic"})
	// Sent 500.00 USD: 461.0844... = 461.08 EUR, the pay-out the same (at the pay-out day's
	// fixing it would be 460.53). Sent 300.00 USD: 276.65; paid 295.00: 272.04 and the charge
	// of 5.00: 4.61, together 276.65.
	got := one[string](t, db, `SELECT string_agg(channel || ' ' || CAST(amount AS VARCHAR) || '=' || CAST(base_amount AS VARCHAR) || '@' || strftime(fx_date, '%m-%d'), ', ' ORDER BY booked_at, seq)
		FROM transactions WHERE channel IN ('mto_send', 'mto_payout') OR (channel = 'fee' AND txn_id LIKE '%:payout-fee')`)
	want := "mto_send 500.000000=461.080000@03-04, mto_send 300.000000=276.650000@03-04, " +
		"mto_payout 500.000000=461.080000@03-04, mto_payout 295.000000=272.040000@03-04, fee 5.000000=4.610000@03-04"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	left := one[string](t, db, `SELECT CAST(sum(CASE WHEN t.to_account = a.account_id THEN t.base_amount ELSE -t.base_amount END) AS VARCHAR)
		FROM transactions t JOIN accounts a ON a.account_id IN (t.from_account, t.to_account)
		WHERE a.kind = 'mto' AND a.account_id NOT LIKE '%:fees' AND t.channel IN ('mto_send', 'mto_payout', 'fee') AND a.account_id = (SELECT to_account FROM transactions WHERE channel = 'mto_send' LIMIT 1)`)
	if left != "0.000000" {
		t.Errorf("the receiver's operator account holds %s EUR after the pay-outs, want 0", left)
	}
}
