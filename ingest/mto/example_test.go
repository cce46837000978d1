package mto_test

import (
	"fmt"

	"github.com/moneytrail/moneytrail/ingest/mto"
)

func ExampleParse() {
	csv := []byte(`operator,mtcn,status,send_time,payout_time,sender_name,sender_country,sender_birth_date,receiver_name,receiver_country,receiver_birth_date,send_amount,send_currency,fee,payout_amount,payout_currency,send_agent_id,send_agent_location,payout_agent_id,payout_agent_location,sender_city,sender_id_type,sender_id_number,sender_phone,receiver_city,receiver_id_type,receiver_id_number,receiver_phone
Western Union,5550001111,paid,2024-03-01 09:15,2024-03-01 14:40,Marko Petrović,AT,1985-03-12,Драган Јовановић,RS,1979-06-21,950.00,EUR,18.00,111245.00,RSD,AT-0412,Wien,RS-1101,Beograd,,,,,,,,
Western Union,5550001112,cancelled,2024-03-02 10:00,,Marko Petrović,AT,1985-03-12,Драган Јовановић,RS,1979-06-21,500.00,EUR,12.00,,,AT-0412,Wien,,,,,,,,,,
`)
	p, err := mto.Builtin("mto-generic")
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := mto.Parse(csv, p, mto.Options{FileName: "wu.csv"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range res.Batch.Txns {
		paid := ""
		if t.Received.Valid {
			paid = fmt.Sprintf(" (paid out %s %s)", t.Received.Decimal, t.ReceivedCurrency)
		}
		fmt.Printf("%d %s %s %s -> %s %s %s%s\n", t.Record, t.SourceID, t.Channel, t.From, t.To, t.Amount, t.Currency, paid)
	}
	for _, n := range res.Batch.Notes {
		fmt.Println("note", n.Record, n.Kind)
	}
	for _, pt := range res.Batch.Parties {
		fmt.Println("party", pt.ID, pt.Country)
	}
	// Output:
	// 2 western-union:5550001111 mto_send mto:western-union:party:marko petrovic|1985-03-12 -> mto:western-union:party:dragan jovanovic|1979-06-21 950 EUR (paid out 111245 RSD)
	// 2 western-union:5550001111:fee fee mto:western-union:party:marko petrovic|1985-03-12 -> mto:western-union:fees 18 EUR
	// 2 western-union:5550001111:payout mto_payout mto:western-union:party:dragan jovanovic|1979-06-21 -> cash:mto:western-union:party:dragan jovanovic|1979-06-21 950 EUR (paid out 111245 RSD)
	// note 3 mto_cancelled
	// party party:marko petrovic|1985-03-12 AT
	// party party:dragan jovanovic|1979-06-21 RS
}
