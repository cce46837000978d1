package amlworld

import (
	"bytes"
	"testing"
)

func TestReadRules(t *testing.T) {
	in := Header + "\n" +
		"2022/09/01 00:20,10,8000EBD30,10,8000EBD30,3697.34,US Dollar,3697.34,US Dollar,Reinvestment,0\n" +
		"2022/09/01 00:20,3208,8000F4580,1,8000F5340,0.01,US Dollar,0.01,US Dollar,Cheque,1\n" +
		"2022/09/01 00:15,3209,8000F4670,3209,8000F4670,14675.57,Euro,13580.00,US Dollar,Wire,0\n" +
		"2022/09/01 00:20,1,A,2,B,1.00,Dinar,1.00,US Dollar,Wire,0\n"
	b, err := Read([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Txns) != 3 || len(b.Errors) != 1 || len(b.Labels) != 1 || b.Records != 4 {
		t.Fatalf("%d txns, %d errors, %d labels, %d records", len(b.Txns), len(b.Errors), len(b.Labels), b.Records)
	}
	x := b.Txns[2]
	if x.From != "amlworld:3209:8000F4670" || x.Amount.String() != "13580" || x.Currency != "USD" ||
		x.Received.Decimal.String() != "14675.57" || x.ReceivedCurrency != "EUR" || x.Record != 4 || x.Channel != "transfer" {
		t.Errorf("txn %+v", x)
	}
	if b.Labels[0].Record != 3 || b.Errors[0].Field != "Receiving Currency" || b.Errors[0].Record != 5 {
		t.Errorf("label %+v error %+v", b.Labels[0], b.Errors[0])
	}
}

// FuzzRead checks that Read never panics and accounts for every line after the header.
func FuzzRead(f *testing.F) {
	f.Add([]byte(Header + "\n2022/09/01 00:20,10,8000EBD30,10,8000EBD30,3697.34,US Dollar,3697.34,US Dollar,Reinvestment,0\n"))
	f.Add([]byte(Header + "\r\n\r\n2022/09/01 00:20,,,,,,,,,,\n2022/09/01 00:20,1,A,2,B,1.1234567,Euro,0,Euro,Cash,1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Read(data)
		if err != nil {
			return
		}
		if len(b.Txns)+len(b.Errors) != b.Records {
			t.Fatalf("%d + %d != %d", len(b.Txns), len(b.Errors), b.Records)
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, x := range b.Txns {
			if x.Record < 2 || x.Record > lines || !x.Amount.IsPositive() {
				t.Fatalf("bad txn %+v", x)
			}
		}
	})
}
