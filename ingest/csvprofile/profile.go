package csvprofile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/moneytrail/moneytrail/internal/canon"
)

// ErrProfile reports a profile that is not valid; the message names the YAML field.
var ErrProfile = errors.New("invalid profile")

// Profile describes one bank's CSV or XLSX layout. It is read from YAML (see README.md in this
// package for the format with a commented example); Validate reports what is wrong with it.
// A Profile is never modified by Read, so one value may be shared by concurrent readers.
type Profile struct {
	// Name identifies the profile (lower case, digits and dashes: "raiffeisen-at").
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// Bank and Country describe the statement account's bank (Country: ISO 3166 alpha-2).
	Bank    string `yaml:"bank"`
	Country string `yaml:"country"`

	// Format is the kind of file the profile reads: "csv" (the default) or "xlsx" (an
	// Office Open XML workbook, read by package ingest/xlsx through DecodeRows). The
	// fields from Encoding (in Notation) to SkipLines are for CSV only; Sheet, HeaderRow,
	// SkipHiddenRows and SerialDates are for XLSX only.
	Format string `yaml:"format"`
	// Sheet names the worksheet an XLSX profile reads: its name, or its 1-based position
	// in the workbook written as a number (2) or "#2" (a sheet whose name is the number
	// wins). Empty means the first sheet.
	Sheet string `yaml:"sheet"`
	// HeaderRow is the spreadsheet row number (1-based, as Excel shows it) of an XLSX
	// profile's header; the rows above it are the preamble. Zero means row 1, unless
	// HeaderPattern finds the header.
	HeaderRow int `yaml:"header_row"`
	// SkipHiddenRows reports data rows the sheet hides as skipped ("hidden") instead of
	// loading them. Hidden rows are loaded by default, and a note lists them.
	SkipHiddenRows bool `yaml:"skip_hidden_rows"`
	// SerialDates reads a number cell without a date format in a date column as an Excel
	// serial date (for exports that write 45292 for 2024-01-01 with the General format).
	// Number cells with a date format are always read as dates.
	SerialDates bool `yaml:"serial_dates"`

	// Notation gives the encoding, the date layouts and the number notation (YAML keys
	// encoding, date_layouts, number; shared with the operator profiles of ingest/mto).
	Notation `yaml:",inline"`
	// FallbackEncoding, with a utf-8 Encoding, is used for files that hold no valid
	// multi-byte UTF-8 character but some byte that is not UTF-8 (banks that changed
	// their export's encoding over time). A file mixing both stays UTF-8 and its bad
	// records are quarantined.
	FallbackEncoding string `yaml:"fallback_encoding"`
	// Delimiter is the field separator: one ASCII character, or "tab".
	Delimiter string `yaml:"delimiter"`
	// Quote is the quote character; empty means '"', "none" disables quoting.
	Quote string `yaml:"quote"`
	// LazyQuotes accepts a quote character inside an unquoted field as text; otherwise
	// such a row is quarantined.
	LazyQuotes bool `yaml:"lazy_quotes"`

	// SkipLines is the number of physical lines (the preamble) before the header, or
	// before the first data row when there is no header.
	SkipLines int `yaml:"skip_lines"`
	// HeaderPattern, instead of SkipLines (HeaderRow for XLSX), finds the header: the first
	// line matching this regular expression; the lines before it are the preamble. An XLSX
	// row is matched as its cells joined with a tab.
	HeaderPattern string `yaml:"header_pattern"`
	// NoHeader says the file has no header row: columns are named "#1", "#2", ... and
	// Fields gives their number.
	NoHeader bool `yaml:"no_header"`
	Fields   int  `yaml:"fields"`
	// AllowExtraFields accepts rows with more fields than the header; the extra fields
	// are appended, space-separated, to the last column. Otherwise such rows are
	// quarantined ("row has N fields, header has M").
	AllowExtraFields bool `yaml:"allow_extra_fields"`
	// AllowMissingFields accepts rows with fewer fields than the header; the missing
	// trailing fields read as empty.
	AllowMissingFields bool `yaml:"allow_missing_fields"`
	// Signature is the exact header (cells in order, trimmed) by which Detect recognises
	// the layout. Profiles without one are only used when named.
	Signature []string `yaml:"signature"`

	// Preamble rules read facts from the lines before the header.
	Preamble []PreambleRule `yaml:"preamble"`
	// Account says where the statement account comes from.
	Account AccountRule `yaml:"account"`

	// TimeLayouts are Go time layouts for the booked_time column.
	TimeLayouts []string `yaml:"time_layouts"`
	// Amount is the amount model.
	Amount AmountRule `yaml:"amount"`
	// Currency is the fixed currency of the file, when it has no currency column.
	Currency string `yaml:"currency"`

	// Columns maps canonical fields to columns.
	Columns ColumnMap `yaml:"columns"`
	// Counterparty says where the other side of an entry is; CounterpartyCredit and
	// CounterpartyDebit, when set, replace it for credits or debits (layouts with separate
	// payer and payee columns).
	Counterparty       CounterpartyMap  `yaml:"counterparty"`
	CounterpartyCredit *CounterpartyMap `yaml:"counterparty_credit"`
	CounterpartyDebit  *CounterpartyMap `yaml:"counterparty_debit"`

	// Extract rules split a column with a regular expression; each named group becomes a
	// virtual column that the other rules may name.
	Extract []ExtractRule `yaml:"extract"`
	// Channels are tried in order; the first match gives the channel, else "transfer".
	Channels []ChannelRule `yaml:"channels"`
	// Pending marks rows the bank shows as not yet booked.
	Pending *MatchRule `yaml:"pending"`
	// Rows classify rows that are not transactions: opening and closing balances and
	// summary or notice rows to skip. The first matching rule wins.
	Rows []RowRule `yaml:"rows"`
}

// Cols is one column reference or several, written in YAML as a string or a list. A
// reference is a header name (trimmed, exact) or "#N", the N-th field (1-based).
type Cols []string

// UnmarshalYAML accepts a scalar or a sequence of scalars.
func (c *Cols) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*c = Cols{n.Value}
		return nil
	case yaml.SequenceNode:
		var s []string
		if err := n.Decode(&s); err != nil {
			return err
		}
		*c = s
		return nil
	}
	return fmt.Errorf("line %d: want a column name or a list of column names", n.Line)
}

// PreambleRule matches one preamble line with a regular expression whose named groups
// give facts: account (IBAN or number), bank, number, holder, currency, opening,
// closing, start, end (dates in DateLayouts).
type PreambleRule struct {
	Pattern string `yaml:"pattern"`
}

// AccountRule says where the statement account comes from: "option" (only the
// --account flag), "column" (a column, the same in every row; empty cells allowed),
// "preamble" (the account, or bank and number, groups of a preamble rule) or "fixed"
// (Value). Non-IBAN numbers become Scheme:Bank:number (canon.AccountID); Pattern, when
// set, must match the account as written or the file is refused.
type AccountRule struct {
	Source       string `yaml:"source"`
	Column       string `yaml:"column"`
	Value        string `yaml:"value"`
	Scheme       string `yaml:"scheme"`
	Bank         string `yaml:"bank"`
	Pattern      string `yaml:"pattern"`
	HolderColumn string `yaml:"holder_column"`
	// NumberPattern, when set, splits the account into named groups number and bank
	// ("123456789/0800" -> acct:0800:123456789).
	NumberPattern string `yaml:"number_pattern"`
}

// NumberRule gives the decimal and thousands separators and the currency symbols or
// codes to strip from amounts ("£", "EUR ", "|"): only what is declared is stripped.
type NumberRule struct {
	Decimal   string   `yaml:"decimal"`
	Thousands string   `yaml:"thousands"`
	Strip     []string `yaml:"strip"`
}

// AmountRule is the amount model: "signed" (one column, credits positive; Negate when
// the bank writes debits positive), "debit_credit" (two columns, signs ignored: the
// column says the direction) or "indicator" (an unsigned amount plus a column whose
// value is in CreditValues or DebitValues).
type AmountRule struct {
	Model        string   `yaml:"model"`
	Column       string   `yaml:"column"`
	Negate       bool     `yaml:"negate"`
	Debit        string   `yaml:"debit"`
	Credit       string   `yaml:"credit"`
	Indicator    string   `yaml:"indicator"`
	CreditValues []string `yaml:"credit_values"`
	DebitValues  []string `yaml:"debit_values"`
}

// ColumnMap maps canonical transaction fields to columns. Text fields (reference,
// counterparty) may name several columns, joined with " | ".
type ColumnMap struct {
	BookedAt     string `yaml:"booked_at"`
	BookedTime   string `yaml:"booked_time"`
	ValueDate    string `yaml:"value_date"`
	Currency     string `yaml:"currency"`
	Reference    Cols   `yaml:"reference"`
	BalanceAfter string `yaml:"balance_after"`
	SourceID     string `yaml:"source_id"`
	EndToEnd     string `yaml:"end_to_end"`
}

// CounterpartyMap names the counterparty columns. Number is a non-IBAN account number
// (an IBAN found there is validated as one) with Bank its bank code; NumberPattern,
// when set, splits Number into named groups number and bank ("123456789/0800").
type CounterpartyMap struct {
	Name          Cols   `yaml:"name"`
	IBAN          string `yaml:"iban"`
	BIC           string `yaml:"bic"`
	Number        string `yaml:"number"`
	Bank          string `yaml:"bank"`
	NumberPattern string `yaml:"number_pattern"`
}

// ExtractRule applies Pattern to Column; named groups become virtual columns. A row where
// it does not match gets empty virtual columns.
type ExtractRule struct {
	Column  string `yaml:"column"`
	Pattern string `yaml:"pattern"`
}

// MatchRule matches a regular expression against the text of Columns (joined with " ").
type MatchRule struct {
	Columns Cols   `yaml:"columns"`
	Pattern string `yaml:"pattern"`
}

// ChannelRule gives Channel to rows matching the rule; Direction ("credit" or "debit")
// restricts it to one side.
type ChannelRule struct {
	Channel   string `yaml:"channel"`
	Direction string `yaml:"direction"`
	MatchRule `yaml:",inline"`
}

// RowRule classifies rows that are not transactions. Kind "opening" or "closing" reads
// the row's amount (by the amount model, or from Amount when set, signed) as a balance
// and its Date column (default booked_at) as the balance date; kind "skip" reports the
// row with Reason.
type RowRule struct {
	Kind      string `yaml:"kind"`
	Reason    string `yaml:"reason"`
	Amount    string `yaml:"amount"`
	Date      string `yaml:"date"`
	MatchRule `yaml:",inline"`
}

// Parse reads and validates a profile from YAML. Unknown fields are errors, so a typo
// does not silently disable a rule.
func Parse(data []byte) (*Profile, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var p Profile
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrProfile, err)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// Load reads and validates a profile from a YAML file.
func Load(path string) (*Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	p, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

var nameRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Validate checks the profile and reports the first problem, naming the YAML field.
func (p *Profile) Validate() error {
	_, err := compile(p)
	return err
}

// perr builds a validation error naming the YAML field.
func perr(p *Profile, field, format string, args ...any) error {
	return fmt.Errorf("%w %q: %s: %s", ErrProfile, p.Name, field, fmt.Sprintf(format, args...))
}

// colIndex resolves a "#N" reference to a 0-based index, or -1 for a header name.
func colIndex(ref string) (int, error) {
	if !strings.HasPrefix(ref, "#") {
		return -1, nil
	}
	n, err := strconv.Atoi(ref[1:])
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%q is not a column position (#1, #2, ...)", ref)
	}
	return n - 1, nil
}

func validChannel(c string) bool { return canon.ValidChannel(c) }
