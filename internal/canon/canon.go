// Package canon holds the canonical records every reader produces (transactions, accounts,
// parties, statement periods, per-record errors), independent of any database, so that the
// format readers under ingest/ stay pure: bytes in, canon records and errors out.
package canon

import (
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Account kinds (accounts.kind).
const (
	KindBank     = "bank"
	KindMTO      = "mto"
	KindCash     = "cash"
	KindExternal = "external"
	KindAsset    = "asset"
)

// Channels (transactions.channel).
const (
	ChannelTransfer       = "transfer"
	ChannelCashDeposit    = "cash_deposit"
	ChannelCashWithdrawal = "cash_withdrawal"
	ChannelCard           = "card"
	ChannelMTOSend        = "mto_send"
	ChannelMTOPayout      = "mto_payout"
	ChannelFee            = "fee"
	ChannelInterest       = "interest"
	ChannelFX             = "fx"
	ChannelOther          = "other"
)

// Channels lists every valid channel in a fixed order.
var Channels = []string{ChannelTransfer, ChannelCashDeposit, ChannelCashWithdrawal, ChannelCard,
	ChannelMTOSend, ChannelMTOPayout, ChannelFee, ChannelInterest, ChannelFX, ChannelOther}

// ValidChannel reports whether c is one of Channels.
func ValidChannel(c string) bool {
	for _, x := range Channels {
		if x == c {
			return true
		}
	}
	return false
}

// ValidCurrency reports whether c has the form of an ISO 4217 code: three upper-case ASCII
// letters.
func ValidCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if c[i] < 'A' || c[i] > 'Z' {
			return false
		}
	}
	return true
}

// Account describes an account as a source shows it. ID is the canonical account id (see
// AccountID); the other fields are what the source says and may be empty.
type Account struct {
	ID         string
	Kind       string
	IBAN       string
	BIC        string
	Bank       string
	Number     string
	HolderName string
	Country    string
	Currency   string
	// Statement is true when the source is a statement of this account (has_statement).
	Statement bool
	// Opening is the account's known balance before its first transaction in the data, when
	// the source states one (a clean lot for the tracer).
	Opening decimal.NullDecimal
}

// Merge adds what b, another record of the same account, says to a: every field a leaves
// empty takes b's, the statement flag is set when either has it, and the opening balance is
// a's when known, else b's.
func (a *Account) Merge(b Account) {
	a.Statement = a.Statement || b.Statement
	for _, f := range [...]struct {
		dst *string
		src string
	}{{&a.Kind, b.Kind}, {&a.IBAN, b.IBAN}, {&a.BIC, b.BIC},
		{&a.Bank, b.Bank}, {&a.Number, b.Number}, {&a.HolderName, b.HolderName}, {&a.Country, b.Country}, {&a.Currency, b.Currency}} {
		if *f.dst == "" {
			*f.dst = f.src
		}
	}
	if !a.Opening.Valid {
		a.Opening = b.Opening
	}
}

// AccountIndex finds a batch's accounts by id, so that a reader records each account once,
// in the order first seen, merging what later records say (see Account.Merge).
type AccountIndex map[string]int

// Add appends a to b.Accounts, or merges it into the account with the same id already there.
func (ix AccountIndex) Add(b *Batch, a Account) {
	if i, ok := ix[a.ID]; ok {
		b.Accounts[i].Merge(a)
		return
	}
	ix[a.ID] = len(b.Accounts)
	b.Accounts = append(b.Accounts, a)
}

// Txn is one canonical transaction: Amount > 0, money moves From -> To.
type Txn struct {
	// Record is the 1-based line number (or entry number) of the record in its source.
	Record int
	// SourceID is the source's own transaction id where the format carries one (ledger
	// txn_id, AMLSim tran_id, a money-transfer number); empty otherwise.
	SourceID string
	// Seq orders transactions with equal BookedAt (statement order); readers set it to the
	// order in which they emit records.
	Seq       int64
	BookedAt  time.Time
	ValueDate time.Time // zero when the source gives none
	From      string
	To        string
	Amount    decimal.Decimal
	Currency  string
	// Received and ReceivedCurrency are what the receiver got, when the source shows a
	// different amount or currency on the receiving side (FX, operator fees).
	Received         decimal.NullDecimal
	ReceivedCurrency string
	Channel          string
	Reference        string
	EndToEnd         string
	UETR             string
	// Counterparty is the counterparty as the source wrote it (name, account text), kept raw.
	Counterparty string
	// BalanceAfter is the statement account's balance after this entry, when given.
	BalanceAfter decimal.NullDecimal
	// Pending marks entries the source shows as not yet booked; they are stored but excluded
	// from reconciliation.
	Pending bool
}

// Statement is one statement period of one account as a source shows it.
type Statement struct {
	Account     string
	Currency    string
	PeriodStart time.Time
	PeriodEnd   time.Time
	Opening     decimal.NullDecimal
	Closing     decimal.NullDecimal
}

// Party is a person or organisation a source names.
type Party struct {
	ID          string
	Name        string
	Kind        string // person|organisation|unknown
	Country     string
	BirthDate   time.Time
	Identifiers string
}

// PartyLink ties a party to an account.
type PartyLink struct {
	PartyID    string
	AccountID  string
	Role       string
	Confidence float64
	Reason     string
}

// Label is an evaluation label (AMLworld's Is Laundering, AMLSim's is_sar) for one
// transaction or account. Labels are never read by rules or the tracer.
type Label struct {
	Subject string // txn:ID or account:ID
	Label   string
	Value   string
	Record  int
}

// Rate is one FX fixing: 1 unit of Base = Rate units of Currency on Day.
type Rate struct {
	Day      time.Time
	Currency string
	Base     string
	Rate     decimal.Decimal
	Record   int
}

// RecordError is a record that could not be read: it goes to quarantine with its reason.
type RecordError struct {
	Record int    // 1-based line or entry number
	Field  string // the field that failed, or "" for the whole record
	Raw    string // the record's raw text, as far as it is known
	Reason string
}

// Error implements error: "line 12, field amount: not an amount" (for formats counted in
// entries, the entry number stands where the line is).
func (e RecordError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Record, e.Reason)
	}
	return fmt.Sprintf("line %d, field %s: %s", e.Record, e.Field, e.Reason)
}

// Note is a record deliberately not loaded, or a fact a reader noticed about the file.
// Record is 0 for file-level notes.
type Note struct {
	Record int
	Kind   string
	Text   string
	Raw    string
}

// NoteWarning is the Kind of a Note that records a problem with one field of a record that
// was loaded all the same (a counterparty IBAN that fails its check): the record's movement is
// a fact of the statement, the field's problem is for the investigator to weigh.
const NoteWarning = "warning"

// Warning is the note of a field problem in record (1-based line or entry number) that did
// not stop the record from loading.
func Warning(record int, field, reason, raw string) Note {
	return Note{Record: record, Kind: NoteWarning, Text: "field " + field + ": " + reason, Raw: raw}
}

// Excerpt returns s cut to at most n bytes on a rune boundary, with "..." appended when it
// was cut: what an error may quote of an input of any length.
func Excerpt(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "..."
}

// MaxQuote is how much of an input's text an error message quotes (see Quote).
const MaxQuote = 64

// Quote quotes at most MaxQuote bytes of s (Go syntax, "..." marking a cut), for an error
// message about input of any length: a 5 MiB field is named, never echoed.
func Quote(s string) string { return strconv.Quote(Excerpt(s, MaxQuote)) }

// Batch is everything a reader got out of one file.
type Batch struct {
	Accounts   []Account
	Txns       []Txn
	Statements []Statement
	Parties    []Party
	PartyLinks []PartyLink
	Labels     []Label
	Rates      []Rate
	Errors     []RecordError
	// Notes are records deliberately not loaded as transactions (balance rows, zero
	// amounts, skipped summaries) and facts about the file a reader noticed (encoding
	// used, control bytes removed): kept with the source, never dropped silently.
	Notes []Note
	// Records is the number of data records the reader saw (loaded + quarantined).
	Records int
	// StatementAccount is the account the file is a statement of, when it is one.
	StatementAccount string
}
