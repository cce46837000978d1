package ledger

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/moneytrail/moneytrail/internal/canon/canontest"
)

func TestReadPositionsAndErrors(t *testing.T) {
	in := "txn_id,booked_at,from_account,to_account,amount,currency,channel,reference\n" +
		"a,2024-01-01,X,Y,1.50,EUR,,\"multi\nline\"\n" + // the row spans lines 2-3
		"b,2024-01-02T10:00:00+02:00,X,Y,2,EUR,card,\n" + // line 4
		"c,2024-01-02,X,Y,2,EUR,teleport,\n" // line 5
	b, err := Read([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Txns) != 2 || len(b.Errors) != 1 || b.Records != 3 {
		t.Fatalf("txns %d errors %d records %d", len(b.Txns), len(b.Errors), b.Records)
	}
	if b.Txns[0].Record != 2 || b.Txns[1].Record != 4 || b.Errors[0].Record != 5 || b.Errors[0].Field != "channel" {
		t.Errorf("positions: %d %d %+v", b.Txns[0].Record, b.Txns[1].Record, b.Errors[0])
	}
	if got := b.Txns[1].BookedAt.Format("2006-01-02 15:04"); got != "2024-01-02 08:00" {
		t.Errorf("offset time stored as %s, want UTC 08:00", got)
	}
	if b.Txns[0].Reference != "multi\nline" || b.Txns[1].Channel != "card" || b.Txns[0].Channel != "transfer" {
		t.Errorf("fields: %+v", b.Txns)
	}
}

func TestHeaderErrors(t *testing.T) {
	for _, in := range []string{
		"",
		"id,booked_at,from_account,to_account,amount,currency\n",
		"txn_id,booked_at,from_account,to_account,amount\n",
		"txn_id,booked_at,from_account,to_account,amount,currency,reference\n",
		"txn_id,booked_at,from_account,to_account,amount,currency,channel,reference,extra\n",
	} {
		if _, err := Read([]byte(in)); err == nil {
			t.Errorf("header %q accepted", in)
		}
	}
}

func TestWriteRoundTrip(t *testing.T) {
	in := "txn_id,booked_at,from_account,to_account,amount,currency,channel,reference\n" +
		"a,2024-01-01,X,Y,1.50,EUR,transfer,\"q \"\"x\"\", y\"\n" +
		"b,2024-01-02T10:00:00,X,Y,0.125,EUR,card,\n"
	b, err := Read([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w := NewWriter(&out)
	for _, x := range b.Txns {
		w.Write(Row{TxnID: x.SourceID, BookedAt: x.BookedAt, From: x.From, To: x.To, Amount: x.Amount, Currency: x.Currency, Channel: x.Channel, Reference: x.Reference})
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if out.String() != in {
		t.Errorf("round trip:\n%s\nwant\n%s", out.String(), in)
	}
	if got := FormatAmount(decimal.RequireFromString("100")); got != "100.00" {
		t.Errorf("FormatAmount(100) = %s", got)
	}
}

// FuzzRead checks that Read never panics, that every record becomes a transaction or an error
// with a line inside the file, and that every transaction it accepts is well formed.
func FuzzRead(f *testing.F) {
	f.Add([]byte("txn_id,booked_at,from_account,to_account,amount,currency\nt1,2024-01-01,A,B,1.00,EUR\n"))
	f.Add([]byte("txn_id,booked_at,from_account,to_account,amount,currency,channel,reference\nt1,2024-01-01T10:00:00,A,B,0.5,EUR,card,\"x\ny\"\nt1,2024-13-01,A,,x,eu,z\n"))
	f.Add([]byte("txn_id,booked_at,from_account,to_account,amount,currency\n\"unterminated,2024-01-01,A,B,1,EUR\n"))
	canontest.SeedMutants(f, []byte("txn_id,booked_at,from_account,to_account,amount,currency,channel,reference\nt1,2024-01-01,A,B,24187.50,EUR,,\"two\nlines\"\nt2,2024-01-02,B,C,1,EUR,fee,x"), 2)
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Read(data)
		if err != nil {
			return
		}
		canontest.CheckAccounting(t, "fuzz", b, nil, len(ledgerRow.FindAll(data, -1)))
		lines := bytes.Count(data, []byte("\n")) + 1
		if len(b.Txns)+len(b.Errors) != b.Records {
			t.Fatalf("%d txns + %d errors != %d records", len(b.Txns), len(b.Errors), b.Records)
		}
		for _, x := range b.Txns {
			if x.Record < 2 || x.Record > lines || !x.Amount.IsPositive() || x.From == "" || x.To == "" || len(x.Currency) != 3 {
				t.Fatalf("bad txn %+v (lines %d)", x, lines)
			}
		}
		for _, e := range b.Errors {
			if e.Record > lines || strings.TrimSpace(e.Reason) == "" {
				t.Fatalf("bad error %+v", e)
			}
		}
	})
}
