package ecbrates

import "testing"

func TestRead(t *testing.T) {
	in := "Date,USD,JPY,CYP,\n2024-03-05,1.0857,162.9,N/A,\n2024-03-04,1.0844,abc,,\nyesterday,1,2,3,\n"
	b, err := Read([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Rates) != 3 || len(b.Errors) != 2 || b.Records != 3 {
		t.Fatalf("rates %d errors %+v records %d", len(b.Rates), b.Errors, b.Records)
	}
	if r := b.Rates[0]; r.Currency != "USD" || r.Base != "EUR" || r.Rate.String() != "1.0857" || r.Day.Format("2006-01-02") != "2024-03-05" || r.Record != 2 {
		t.Errorf("%+v", r)
	}
	if e := b.Errors[0]; e.Field != "JPY" || e.Record != 3 {
		t.Errorf("%+v", e)
	}
	if Detect([]byte("Date,usd\n")) || Detect([]byte("txn_id,booked_at\n")) || !Detect([]byte("Date,USD,\n")) {
		t.Error("Detect")
	}
}

// FuzzRead checks that Read never panics and only yields positive rates.
func FuzzRead(f *testing.F) {
	f.Add([]byte("Date,USD,JPY,\n2024-03-05,1.0857,162.9,\n"))
	f.Add([]byte("Date,USD\n2024-03-05,-1\n2024-02-30,1\n,,,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Read(data)
		if err != nil {
			return
		}
		for _, r := range b.Rates {
			if !r.Rate.IsPositive() || len(r.Currency) != 3 {
				t.Fatalf("bad rate %+v", r)
			}
		}
	})
}
