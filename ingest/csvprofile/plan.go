package csvprofile

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/moneytrail/moneytrail/internal/money"
)

// plan is a validated profile with its regular expressions compiled. Read builds one per
// call so that a Profile is never mutated.
type plan struct {
	p         *Profile
	enc       encoding
	delim     byte
	quote     byte // 0: no quoting
	headerRE  *regexp.Regexp
	preamble  []*regexp.Regexp
	acctRE    *regexp.Regexp
	acctNumRE *regexp.Regexp
	notation  money.Notation
	extract   []extractRule
	channels  []channelRule
	pending   *matcher
	rows      []rowRule
	cpNumRE   map[*CounterpartyMap]*regexp.Regexp
	virtual   []string // names of extract groups, in order
	fixedCurr string
}

type matcher struct {
	cols []string
	re   *regexp.Regexp
}

type extractRule struct {
	col string
	re  *regexp.Regexp
}

type channelRule struct {
	channel, direction string
	m                  matcher
}

type rowRule struct {
	RowRule
	m matcher
}

var preambleGroups = map[string]bool{"account": true, "bank": true, "number": true, "holder": true,
	"currency": true, "opening": true, "closing": true, "start": true, "end": true}

var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

// compile validates p and builds its plan. The steps run in a fixed order: of mistakes in
// several parts of a profile, the earliest step's is reported.
func compile(p *Profile) (*plan, error) {
	if p == nil {
		return nil, fmt.Errorf("%w: no profile", ErrProfile)
	}
	pl := &plan{p: p, cpNumRE: map[*CounterpartyMap]*regexp.Regexp{}}
	for _, step := range []func() error{
		pl.checkFormat, pl.checkHeader, pl.compilePreamble, pl.compileExtract, pl.checkAccount,
		pl.checkTimes, pl.checkNumber, pl.checkAmount, pl.checkCurrency, pl.checkColumns,
		pl.checkCounterparties, pl.compileChannels, pl.compileRows, pl.checkSignature,
	} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return pl, nil
}

// checkFormat checks the profile's name and the file format it reads, with that format's own
// options (delimiter, quoting and encoding, or the sheet).
func (pl *plan) checkFormat() error {
	p := pl.p
	if !nameRE.MatchString(p.Name) {
		return perr(p, "name", "%q must be lower-case letters, digits and dashes", p.Name)
	}
	switch p.Format {
	case "", "csv":
		return pl.checkCSV()
	case "xlsx":
		return pl.checkSheet()
	default:
		return perr(p, "format", "%q must be csv or xlsx", p.Format)
	}
}

// checkHeader compiles the header pattern and checks that a profile either has a header or
// says how many fields its rows have, never both.
func (pl *plan) checkHeader() error {
	p := pl.p
	if p.HeaderPattern != "" {
		if p.NoHeader {
			return perr(p, "header_pattern", "cannot be used with no_header")
		}
		re, err := regexp.Compile(p.HeaderPattern)
		if err != nil {
			return perr(p, "header_pattern", "%v", err)
		}
		pl.headerRE = re
	}
	if p.NoHeader && p.Fields < 1 {
		return perr(p, "fields", "a profile with no_header must say how many fields a row has")
	}
	if !p.NoHeader && p.Fields != 0 {
		return perr(p, "fields", "only for no_header profiles: the header gives the number of fields")
	}
	return nil
}

// compilePreamble compiles the preamble's patterns, whose named groups may only be the
// statement facts the reader knows how to store.
func (pl *plan) compilePreamble() error {
	p := pl.p
	for i, r := range p.Preamble {
		re, err := regexp.Compile(r.Pattern)
		if err != nil {
			return perr(p, fmt.Sprintf("preamble[%d].pattern", i), "%v", err)
		}
		for _, g := range re.SubexpNames()[1:] {
			if g != "" && !preambleGroups[g] {
				return perr(p, fmt.Sprintf("preamble[%d].pattern", i), "group %q is not one of account, bank, number, holder, currency, opening, closing, start, end", g)
			}
		}
		pl.preamble = append(pl.preamble, re)
	}
	return nil
}

// compileExtract compiles the extract rules and records their named groups as virtual
// columns, which the column references after it may name: each group is defined once.
func (pl *plan) compileExtract() error {
	p := pl.p
	for i, x := range p.Extract {
		field := fmt.Sprintf("extract[%d]", i)
		if err := pl.checkRef(field+".column", x.Column); err != nil {
			return err
		}
		re, err := regexp.Compile(x.Pattern)
		if err != nil {
			return perr(p, field+".pattern", "%v", err)
		}
		named := 0
		for _, g := range re.SubexpNames()[1:] {
			if g == "" {
				continue
			}
			named++
			for _, v := range pl.virtual {
				if v == g {
					return perr(p, field+".pattern", "group %q is already defined by another extract rule", g)
				}
			}
			pl.virtual = append(pl.virtual, g)
		}
		if named == 0 {
			return perr(p, field+".pattern", "has no named group (?P<name>...)")
		}
		pl.extract = append(pl.extract, extractRule{col: x.Column, re: re})
	}
	return nil
}

// checkTimes checks the date layouts, and that a booking-time column comes with the layouts
// that read it.
func (pl *plan) checkTimes() error {
	p := pl.p
	if err := p.CheckDates(); err != nil {
		return fieldErr(p, err)
	}
	if p.Columns.BookedTime != "" && len(p.TimeLayouts) == 0 {
		return perr(p, "time_layouts", "required when columns.booked_time is set")
	}
	return nil
}

// checkCurrency checks that the currency is given exactly once: fixed for the whole file
// (an ISO 4217 code) or read from a column.
func (pl *plan) checkCurrency() error {
	p := pl.p
	switch {
	case p.Currency != "" && p.Columns.Currency != "":
		return perr(p, "currency", "give either a fixed currency or columns.currency, not both")
	case p.Currency != "":
		if !currencyRE.MatchString(p.Currency) {
			return perr(p, "currency", "%q is not an ISO 4217 code", p.Currency)
		}
		pl.fixedCurr = p.Currency
	case p.Columns.Currency == "":
		return perr(p, "currency", "give a fixed currency or columns.currency")
	}
	return nil
}

// checkColumns checks that the booking date has a column and that every other column the
// profile names exists (see checkRef).
func (pl *plan) checkColumns() error {
	p := pl.p
	if p.Columns.BookedAt == "" {
		return perr(p, "columns.booked_at", "required")
	}
	// In the order of the profile reference, so that of several bad references the same one
	// is always reported.
	refs := [][2]string{
		{"columns.booked_at", p.Columns.BookedAt}, {"columns.booked_time", p.Columns.BookedTime},
		{"columns.value_date", p.Columns.ValueDate}, {"columns.currency", p.Columns.Currency},
		{"columns.balance_after", p.Columns.BalanceAfter}, {"columns.source_id", p.Columns.SourceID},
		{"columns.end_to_end", p.Columns.EndToEnd},
	}
	for i, r := range p.Columns.Reference {
		refs = append(refs, [2]string{fmt.Sprintf("columns.reference[%d]", i), r})
	}
	for _, fr := range refs {
		if err := pl.checkRef(fr[0], fr[1]); err != nil {
			return err
		}
	}
	return nil
}

// checkCounterparties checks the counterparty mapping and the optional ones that replace it
// for credits or debits.
func (pl *plan) checkCounterparties() error {
	p := pl.p
	if err := pl.checkCounterparty("counterparty", &p.Counterparty); err != nil {
		return err
	}
	if p.CounterpartyCredit != nil {
		if err := pl.checkCounterparty("counterparty_credit", p.CounterpartyCredit); err != nil {
			return err
		}
	}
	if p.CounterpartyDebit != nil {
		if err := pl.checkCounterparty("counterparty_debit", p.CounterpartyDebit); err != nil {
			return err
		}
	}
	return nil
}

// compileChannels compiles the rules that give a row its channel, and the one that marks a
// row pending.
func (pl *plan) compileChannels() error {
	p := pl.p
	for i, c := range p.Channels {
		field := fmt.Sprintf("channels[%d]", i)
		if !validChannel(c.Channel) {
			return perr(p, field+".channel", "%q is not a channel (transfer, cash_deposit, cash_withdrawal, card, fee, interest, fx, other, ...)", c.Channel)
		}
		if c.Direction != "" && c.Direction != "credit" && c.Direction != "debit" {
			return perr(p, field+".direction", "%q must be credit, debit or empty", c.Direction)
		}
		m, err := pl.matcher(field, c.MatchRule)
		if err != nil {
			return err
		}
		pl.channels = append(pl.channels, channelRule{channel: c.Channel, direction: c.Direction, m: m})
	}
	if p.Pending != nil {
		m, err := pl.matcher("pending", *p.Pending)
		if err != nil {
			return err
		}
		pl.pending = &m
	}
	return nil
}

// compileRows compiles the rules for rows that are not transactions: opening and closing
// balances, and rows skipped for a stated reason.
func (pl *plan) compileRows() error {
	p := pl.p
	for i, r := range p.Rows {
		field := fmt.Sprintf("rows[%d]", i)
		switch r.Kind {
		case "opening", "closing":
		case "skip":
			if r.Reason == "" {
				return perr(p, field+".reason", "a skip rule must say why the rows are skipped")
			}
		default:
			return perr(p, field+".kind", "%q must be opening, closing or skip", r.Kind)
		}
		if err := pl.checkRef(field+".amount", r.Amount); err != nil {
			return err
		}
		if err := pl.checkRef(field+".date", r.Date); err != nil {
			return err
		}
		m, err := pl.matcher(field, r.MatchRule)
		if err != nil {
			return err
		}
		pl.rows = append(pl.rows, rowRule{RowRule: r, m: m})
	}
	return nil
}

// checkSignature refuses a header signature on a profile without a header.
func (pl *plan) checkSignature() error {
	if len(pl.p.Signature) > 0 && pl.p.NoHeader {
		return perr(pl.p, "signature", "a profile with no_header has no header to recognise")
	}
	return nil
}

// checkRef checks a column reference that may be empty: "#N" must be in range for
// headerless profiles, and headerless profiles cannot name columns.
func (pl *plan) checkRef(field, ref string) error {
	if ref == "" {
		return nil
	}
	i, err := colIndex(ref)
	if err != nil {
		return perr(pl.p, field, "%v", err)
	}
	if pl.p.NoHeader && i < 0 && !pl.isVirtual(ref) {
		return perr(pl.p, field, "%q: a profile with no_header names columns by position (#1, #2, ...) or extract groups", ref)
	}
	if pl.p.NoHeader && i >= pl.p.Fields {
		return perr(pl.p, field, "%q is beyond fields: %d", ref, pl.p.Fields)
	}
	return nil
}

func (pl *plan) isVirtual(name string) bool {
	for _, v := range pl.virtual {
		if v == name {
			return true
		}
	}
	return false
}

func (pl *plan) matcher(field string, r MatchRule) (matcher, error) {
	if len(r.Columns) == 0 {
		return matcher{}, perr(pl.p, field+".columns", "at least one column is required")
	}
	for i, c := range r.Columns {
		if c == "" {
			return matcher{}, perr(pl.p, fmt.Sprintf("%s.columns[%d]", field, i), "empty column name")
		}
		if err := pl.checkRef(fmt.Sprintf("%s.columns[%d]", field, i), c); err != nil {
			return matcher{}, err
		}
	}
	re, err := regexp.Compile(r.Pattern)
	if err != nil {
		return matcher{}, perr(pl.p, field+".pattern", "%v", err)
	}
	if r.Pattern == "" {
		return matcher{}, perr(pl.p, field+".pattern", "required")
	}
	return matcher{cols: r.Columns, re: re}, nil
}

func (pl *plan) checkAccount() error {
	a := pl.p.Account
	switch a.Source {
	case "", "option":
	case "column":
		if a.Column == "" {
			return perr(pl.p, "account.column", "required when account.source is column")
		}
		if err := pl.checkRef("account.column", a.Column); err != nil {
			return err
		}
	case "preamble":
		has := false
		for _, re := range pl.preamble {
			for _, g := range re.SubexpNames() {
				has = has || g == "account" || g == "number"
			}
		}
		if !has {
			return perr(pl.p, "account.source", "preamble needs a preamble rule with an account or number group")
		}
	case "fixed":
		if a.Value == "" {
			return perr(pl.p, "account.value", "required when account.source is fixed")
		}
	default:
		return perr(pl.p, "account.source", "%q must be option, column, preamble or fixed", a.Source)
	}
	if a.Pattern != "" {
		re, err := regexp.Compile(a.Pattern)
		if err != nil {
			return perr(pl.p, "account.pattern", "%v", err)
		}
		pl.acctRE = re
	}
	if a.NumberPattern != "" {
		re, err := regexp.Compile(a.NumberPattern)
		if err != nil {
			return perr(pl.p, "account.number_pattern", "%v", err)
		}
		pl.acctNumRE = re
	}
	if a.Scheme != "" && !nameRE.MatchString(a.Scheme) {
		return perr(pl.p, "account.scheme", "%q must be lower-case letters and digits", a.Scheme)
	}
	return pl.checkRef("account.holder_column", a.HolderColumn)
}

func (pl *plan) checkNumber() error {
	n, err := pl.p.Number.Money()
	pl.notation = n
	return fieldErr(pl.p, err)
}

func (pl *plan) checkAmount() error {
	a := pl.p.Amount
	switch a.Model {
	case "signed":
		if a.Column == "" {
			return perr(pl.p, "amount.column", "required for model signed")
		}
		return pl.checkRef("amount.column", a.Column)
	case "debit_credit":
		if a.Debit == "" || a.Credit == "" {
			return perr(pl.p, "amount.debit", "model debit_credit needs amount.debit and amount.credit")
		}
		if err := pl.checkRef("amount.debit", a.Debit); err != nil {
			return err
		}
		return pl.checkRef("amount.credit", a.Credit)
	case "indicator":
		if a.Column == "" || a.Indicator == "" {
			return perr(pl.p, "amount.indicator", "model indicator needs amount.column and amount.indicator")
		}
		if len(a.CreditValues) == 0 || len(a.DebitValues) == 0 {
			return perr(pl.p, "amount.credit_values", "model indicator needs credit_values and debit_values")
		}
		for _, c := range a.CreditValues {
			for _, d := range a.DebitValues {
				if c == d {
					return perr(pl.p, "amount.debit_values", "%q is also a credit value", c)
				}
			}
		}
		if err := pl.checkRef("amount.column", a.Column); err != nil {
			return err
		}
		return pl.checkRef("amount.indicator", a.Indicator)
	}
	return perr(pl.p, "amount.model", "%q must be signed, debit_credit or indicator", a.Model)
}

func (pl *plan) checkCounterparty(field string, c *CounterpartyMap) error {
	for i, n := range c.Name {
		if err := pl.checkRef(fmt.Sprintf("%s.name[%d]", field, i), n); err != nil {
			return err
		}
	}
	for f, ref := range map[string]string{"iban": c.IBAN, "bic": c.BIC, "number": c.Number, "bank": c.Bank} {
		if err := pl.checkRef(field+"."+f, ref); err != nil {
			return err
		}
	}
	if c.NumberPattern != "" {
		re, err := regexp.Compile(c.NumberPattern)
		if err != nil {
			return perr(pl.p, field+".number_pattern", "%v", err)
		}
		pl.cpNumRE[c] = re
	}
	return nil
}

// checkCSV checks the fields that only CSV profiles use, and that the XLSX fields are unset.
func (pl *plan) checkCSV() error {
	p := pl.p
	switch {
	case p.Sheet != "":
		return perr(p, "sheet", "only for format: xlsx")
	case p.HeaderRow != 0:
		return perr(p, "header_row", "only for format: xlsx (CSV profiles use skip_lines)")
	case p.SkipHiddenRows:
		return perr(p, "skip_hidden_rows", "only for format: xlsx")
	case p.SerialDates:
		return perr(p, "serial_dates", "only for format: xlsx")
	}
	enc, err := p.encoding()
	if err != nil {
		return fieldErr(p, err)
	}
	pl.enc = enc
	if p.FallbackEncoding != "" {
		fb, ok := lookupEncoding(p.FallbackEncoding)
		if !ok || fb.cm == nil {
			return perr(p, "fallback_encoding", "%q must be a single-byte encoding, one of %s", p.FallbackEncoding, strings.Join(Encodings(), ", "))
		}
		if enc.cm != nil {
			return perr(p, "fallback_encoding", "only with encoding utf-8")
		}
		pl.enc.fallback = fb.cm
		pl.enc.fallbackName = fb.name
	}
	switch d := p.Delimiter; {
	case d == "tab":
		pl.delim = '\t'
	case len(d) == 1 && d[0] > ' ' && d[0] < 0x7f && d[0] != '"':
		pl.delim = d[0]
	default:
		return perr(p, "delimiter", "%q must be one printable ASCII character (not a quote) or \"tab\"", d)
	}
	switch q := p.Quote; {
	case q == "":
		pl.quote = '"'
	case q == "none":
	case len(q) == 1 && q[0] > ' ' && q[0] < 0x7f && q[0] != pl.delim:
		pl.quote = q[0]
	default:
		return perr(p, "quote", "%q must be one ASCII character other than the delimiter, or \"none\"", q)
	}
	if p.SkipLines < 0 {
		return perr(p, "skip_lines", "must not be negative")
	}
	return nil
}

// checkSheet checks an XLSX profile: cells are already split and decoded, so the CSV
// notation fields must be unset, and the header is found by row number or pattern.
func (pl *plan) checkSheet() error {
	p := pl.p
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"encoding", p.Encoding != ""}, {"fallback_encoding", p.FallbackEncoding != ""},
		{"delimiter", p.Delimiter != ""}, {"quote", p.Quote != ""}, {"lazy_quotes", p.LazyQuotes},
		{"skip_lines", p.SkipLines != 0}, {"no_header", p.NoHeader},
	} {
		if f.set {
			return perr(p, f.name, "not used by format: xlsx (a workbook's cells are already split and decoded; the header is found with header_row or header_pattern)")
		}
	}
	if p.HeaderRow < 0 {
		return perr(p, "header_row", "must be a row number (1, 2, ...)")
	}
	if p.HeaderRow > 0 && p.HeaderPattern != "" {
		return perr(p, "header_row", "give header_row or header_pattern, not both")
	}
	pl.enc, _ = lookupEncoding("")
	return nil
}
