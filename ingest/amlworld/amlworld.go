// Package amlworld describes IBM's AMLworld transactions CSV (Timestamp, From Bank, Account, To
// Bank, Account, Amount Received, Receiving Currency, Amount Paid, Payment Currency, Payment
// Format, Is Laundering) and reads it into canonical records. The case loader streams large
// files through DuckDB's CSV reader with the same rules (see ingest); Read here is the
// reference the loader is tested against, and the fuzzing target.
package amlworld

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/money"
)

// Header is the first line of an AMLworld transactions file.
const Header = "Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,Amount Paid,Payment Currency,Payment Format,Is Laundering"

// Fields is the number of fields of every row.
const Fields = 11

// TimeLayout is how AMLworld writes timestamps ("2022/09/01 00:20").
const TimeLayout = "2006/01/02 15:04"

// TimeLayoutSQL is TimeLayout for DuckDB's strptime.
const TimeLayoutSQL = "%Y/%m/%d %H:%M"

// AmountPattern is what an amount must look like: digits with at most six decimals.
const AmountPattern = `[0-9]+(\.[0-9]{1,6})?`

var amountRE = regexp.MustCompile(`^` + AmountPattern + `$`)

// Scheme is the account-id scheme of AMLworld accounts: amlworld:BANK:ACCOUNT.
const Scheme = "amlworld"

// Currencies maps AMLworld's currency names to ISO 4217 codes (Bitcoin as XBT).
var Currencies = [][2]string{
	{"US Dollar", "USD"}, {"Euro", "EUR"}, {"Yuan", "CNY"}, {"Yen", "JPY"}, {"Rupee", "INR"},
	{"Ruble", "RUB"}, {"Brazil Real", "BRL"}, {"Mexican Peso", "MXN"}, {"Canadian Dollar", "CAD"},
	{"Australian Dollar", "AUD"}, {"UK Pound", "GBP"}, {"Swiss Franc", "CHF"}, {"Shekel", "ILS"},
	{"Saudi Riyal", "SAR"}, {"Bitcoin", "XBT"},
}

// Channels maps AMLworld's payment formats to canonical channels; the raw format is kept in the
// transaction's reference.
var Channels = [][2]string{
	{"ACH", canon.ChannelTransfer}, {"Wire", canon.ChannelTransfer}, {"Cheque", canon.ChannelTransfer},
	{"Reinvestment", canon.ChannelTransfer}, {"Credit Card", canon.ChannelCard}, {"Cash", canon.ChannelOther},
	{"Bitcoin", canon.ChannelOther},
}

// LabelName is the label Is Laundering is stored under (only rows labelled 1 are stored;
// every other transaction of the source is labelled 0 by absence).
const LabelName = "is_laundering"

func lookup(table [][2]string, k string) (string, bool) {
	for _, kv := range table {
		if kv[0] == k {
			return kv[1], true
		}
	}
	return "", false
}

// AccountID is the canonical id of an AMLworld account.
func AccountID(bank, account string) string { return canon.AccountID(Scheme, bank, account) }

// Detect reports whether data starts with the AMLworld header.
func Detect(data []byte) bool {
	return bytes.HasPrefix(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), []byte(Header))
}

// Read parses a whole AMLworld file. Rows are split on commas (AMLworld never quotes); a row
// that breaks a rule becomes a RecordError with its line and field. Txn.Record is the line.
func Read(data []byte) (canon.Batch, error) {
	var b canon.Batch
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	head, rest, _ := bytes.Cut(data, []byte("\n"))
	if strings.TrimRight(string(head), "\r") != Header {
		return b, fmt.Errorf("not an AMLworld transactions file: line 1 must be %q", Header)
	}
	line := 1
	for len(rest) > 0 {
		var l []byte
		l, rest, _ = bytes.Cut(rest, []byte("\n"))
		line++
		b.Records++
		t, field, reason := parseRow(strings.TrimRight(string(l), "\r"), line)
		if reason != "" {
			b.Errors = append(b.Errors, canon.RecordError{Record: line, Field: field, Raw: string(l), Reason: reason})
			continue
		}
		t.Seq = int64(line)
		b.Txns = append(b.Txns, t)
		if strings.HasSuffix(strings.TrimRight(string(l), "\r"), ",1") {
			// An empty subject means "the transaction of this record": its id is the loader's.
			b.Labels = append(b.Labels, canon.Label{Label: LabelName, Value: "1", Record: line})
		}
	}
	return b, nil
}

// parseRow applies the row rules and returns the failing field and reason ("" when the row is
// good). The SQL loader implements the same rules in the same order.
func parseRow(l string, line int) (canon.Txn, string, string) {
	if l == "" {
		return canon.Txn{}, "", "blank line"
	}
	f := strings.Split(l, ",")
	if len(f) != Fields {
		return canon.Txn{}, "", fmt.Sprintf("row has %d fields, header has %d", len(f), Fields)
	}
	at, err := time.Parse(TimeLayout, f[0])
	if err != nil {
		return canon.Txn{}, "Timestamp", fmt.Sprintf("%q is not a timestamp (2022/09/01 00:20)", f[0])
	}
	if f[1] == "" || f[2] == "" {
		return canon.Txn{}, "From Bank/Account", "empty"
	}
	if f[3] == "" || f[4] == "" {
		return canon.Txn{}, "To Bank/Account", "empty"
	}
	if !amountRE.MatchString(f[5]) {
		return canon.Txn{}, "Amount Received", fmt.Sprintf("%q is not an amount (digits, at most 6 decimals)", f[5])
	}
	recvCur, ok := lookup(Currencies, f[6])
	if !ok {
		return canon.Txn{}, "Receiving Currency", fmt.Sprintf("unknown currency %q", f[6])
	}
	if !amountRE.MatchString(f[7]) {
		return canon.Txn{}, "Amount Paid", fmt.Sprintf("%q is not an amount (digits, at most 6 decimals)", f[7])
	}
	paid, _ := money.Parse(f[7], money.Dot)
	if !paid.IsPositive() {
		return canon.Txn{}, "Amount Paid", "amount is zero"
	}
	payCur, ok := lookup(Currencies, f[8])
	if !ok {
		return canon.Txn{}, "Payment Currency", fmt.Sprintf("unknown currency %q", f[8])
	}
	ch, ok := lookup(Channels, f[9])
	if !ok {
		return canon.Txn{}, "Payment Format", fmt.Sprintf("unknown payment format %q", f[9])
	}
	if f[10] != "0" && f[10] != "1" {
		return canon.Txn{}, "Is Laundering", fmt.Sprintf("%q is neither 0 nor 1", f[10])
	}
	recv, _ := money.Parse(f[5], money.Dot)
	return canon.Txn{Record: line, BookedAt: at, From: AccountID(f[1], f[2]), To: AccountID(f[3], f[4]),
		Amount: paid, Currency: payCur, Received: nullDec(recv), ReceivedCurrency: recvCur,
		Channel: ch, Reference: f[9]}, "", ""
}
