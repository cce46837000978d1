// Package ecbrates reads the European Central Bank's historical euro reference-rate CSV
// (eurofxref-hist.csv: "Date,USD,JPY,...", one row a fixing day, "N/A" where there is no rate):
// each cell is the number of units of that currency one euro buys on that day.
package ecbrates

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/money"
)

// Base is the currency the ECB quotes against.
const Base = "EUR"

// SourceName is recorded in fx_rates.source.
const SourceName = "ECB euro reference rates"

// ErrLayout reports a file that is not the ECB reference-rate CSV.
var ErrLayout = errors.New("not an ECB reference-rate CSV")

// Detect reports whether data starts with the ECB header: "Date" then three-letter codes.
func Detect(data []byte) bool {
	line, _, _ := bytes.Cut(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), []byte("\n"))
	f := strings.Split(strings.TrimRight(string(line), "\r,"), ",")
	if len(f) < 2 || strings.TrimSpace(f[0]) != "Date" {
		return false
	}
	for _, c := range f[1:] {
		if !canon.ValidCurrency(strings.TrimSpace(c)) {
			return false
		}
	}
	return true
}

// Read parses the file into rates (base EUR). "N/A" and empty cells are no rate and are not
// errors; anything else that is not a positive number is a record error naming the currency.
func Read(data []byte) (canon.Batch, error) {
	var b canon.Batch
	if !Detect(data) {
		return b, fmt.Errorf("%w: the header must be Date followed by currency codes", ErrLayout)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	r.FieldsPerRecord = -1
	head, _ := r.Read()
	codes := make([]string, len(head))
	for i, h := range head {
		codes[i] = strings.TrimSpace(h)
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		b.Records++
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			b.Errors = append(b.Errors, canon.RecordError{Record: line, Reason: err.Error()})
			continue
		}
		line, _ := r.FieldPos(0)
		raw := strings.Join(rec, ",")
		day, err := time.Parse("2006-01-02", strings.TrimSpace(rec[0]))
		if err != nil {
			b.Errors = append(b.Errors, canon.RecordError{Record: line, Field: "Date", Raw: raw, Reason: fmt.Sprintf("%q is not a date (2006-01-02)", rec[0])})
			continue
		}
		for i := 1; i < len(rec) && i < len(codes); i++ {
			v := strings.TrimSpace(rec[i])
			if codes[i] == "" || v == "" || v == "N/A" {
				continue
			}
			d, err := money.Parse(v, money.Dot)
			if err == nil && !d.IsPositive() {
				err = fmt.Errorf("rate %s is not positive", v)
			}
			if err != nil {
				b.Errors = append(b.Errors, canon.RecordError{Record: line, Field: codes[i], Raw: raw, Reason: err.Error()})
				continue
			}
			b.Rates = append(b.Rates, canon.Rate{Day: day, Currency: codes[i], Base: Base, Rate: d, Record: line})
		}
		if len(rec) > len(codes) {
			b.Errors = append(b.Errors, canon.RecordError{Record: line, Raw: raw, Reason: fmt.Sprintf("row has %d fields, header has %d", len(rec), len(codes))})
		}
	}
	return b, nil
}
