package csvprofile

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/moneytrail/moneytrail/internal/canon"
)

// ErrNoAccount reports that the statement account is unknown: the profile has no way to
// find it in the file (or the file's value is not a valid account) and Options.Account
// is empty. The CLI should ask for --account.
var ErrNoAccount = errors.New("statement account unknown")

// ErrLayout reports a file that does not have the layout the profile describes (no
// header line, a column the profile names is missing): nothing is read from it.
var ErrLayout = errors.New("file does not match the profile")

// Options carries what the caller knows about the file.
type Options struct {
	// FileName names the file in error messages.
	FileName string
	// Account is the statement account given by the user (--account): a valid IBAN or a
	// canonical scheme:bank:number id. It wins over what the file says.
	Account string
}

// FileError is an error about the whole file; nothing of it should be stored.
type FileError struct {
	File  string
	Line  int    // 1-based physical line, 0 when the error is not about one line
	Field string // profile or canonical field, when one is at fault
	Err   error
}

// Error implements error: "statement.csv:14: field amount.column: ...".
func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.File == "" {
		b.WriteString("input")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Field != "" {
		fmt.Fprintf(&b, "field %s: ", e.Field)
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the underlying error (ErrNoAccount, ErrLayout, ErrEncoding, ...).
func (e *FileError) Unwrap() error { return e.Err }

// Skip is a row that is neither a transaction nor quarantined: a balance row, a summary
// or notice row the profile skips, or a row whose amount is zero.
type Skip struct {
	Line int
	// Kind is "opening", "closing", "skip", "zero_amount" or "empty".
	Kind   string
	Reason string
	Raw    string
}

// Result is everything Decode got out of a file: the canonical batch and the rows it
// deliberately did not load, each with its reason.
type Result struct {
	Batch   canon.Batch
	Skipped []Skip
}

// Read reads a bank CSV export with profile p. Rows that cannot be read are quarantined
// in Batch.Errors with their line, field and reason, and the rest is loaded; balance rows
// fill Batch.Statements. A non-nil error means the file as a whole cannot be read
// (*FileError wrapping ErrLayout, ErrNoAccount or ErrEncoding, or ErrProfile) and the
// batch must not be stored.
func Read(data []byte, p *Profile, opt Options) (canon.Batch, error) {
	r, err := Decode(data, p, opt)
	return r.Batch, err
}

// Decode is Read that also returns the skipped rows (balance, summary, zero-amount), so
// that a caller can report them as what they are.
func Decode(data []byte, p *Profile, opt Options) (Result, error) {
	pl, err := compile(p)
	if err != nil {
		return Result{}, err
	}
	if p.Format == "xlsx" {
		return Result{}, fmt.Errorf("%w %q: format: xlsx: read XLSX workbooks with package ingest/xlsx", ErrProfile, p.Name)
	}
	rd := newReader(pl, opt)
	if err := rd.run(data); err != nil {
		return Result{}, err
	}
	return Result{Batch: rd.batch, Skipped: rd.skipped}, nil
}

func newReader(pl *plan, opt Options) *reader {
	return &reader{pl: pl, opt: opt, seenID: map[string]int{}, cpSeen: map[string]bool{}}
}

// reader holds the state of one Decode call.
type reader struct {
	pl      *plan
	opt     Options
	batch   canon.Batch
	skipped []Skip

	width int            // number of columns (header or fields:)
	cols  map[string]int // column reference -> index (virtual columns after width)
	names []string       // column names for messages
	utf8  bool

	stmt      string // statement account id
	fileAcct  string // the statement account as the file writes it (column source)
	fileAcctN string // normalised for comparison
	facts     statementFacts
	seenID    map[string]int
	cpSeen    map[string]bool
	// warn is the field problem of the row being read that does not stop it loading (see
	// counterparty); row records it once the row is loaded.
	warn *rowError
	// pre holds the lines before the header (preamble), so that data rows among them are
	// told apart from a preamble (dataAbove).
	pre []preambleLine
	// lastCol is the shape of the last field of the loaded, line-terminated rows (cutShort).
	lastCol lastField
}

// statementFacts collects what the file says about the statement.
type statementFacts struct {
	account, bank, number, holder, currency string
	opening, closing                        decimal.NullDecimal
	openingLine, closingLine                int
	start, end                              time.Time
}

func (rd *reader) fail(line int, field string, err error) error {
	return &FileError{File: rd.opt.FileName, Line: line, Field: field, Err: err}
}

func (rd *reader) run(data []byte) error {
	pl, p := rd.pl, rd.pl.p
	text, isUTF8, err := pl.enc.decode(data)
	if err != nil {
		return rd.fail(0, "encoding", err)
	}
	rd.utf8 = isUTF8
	sc := newScanner(text, pl.delim, pl.quote, p.LazyQuotes)
	if err := rd.preamble(sc); err != nil {
		return err
	}
	headerLine := sc.line
	var header []string
	if p.NoHeader {
		rd.width = p.Fields
		for i := 1; i <= p.Fields; i++ {
			header = append(header, fmt.Sprintf("#%d", i))
		}
	} else {
		rec, ok := sc.next()
		if !ok {
			return rd.fail(headerLine, "", fmt.Errorf("%w: no header line", ErrLayout))
		}
		if rec.err != "" {
			return rd.fail(rec.line, "", fmt.Errorf("%w: header: %s", ErrLayout, rec.err))
		}
		if rd.utf8 && !utf8.ValidString(rec.raw) {
			return rd.fail(rec.line, "encoding", fmt.Errorf("%w: the header is not valid UTF-8", ErrEncoding))
		}
		for _, f := range rec.fields {
			header = append(header, strings.TrimSpace(f))
		}
		rd.width = len(header)
	}
	var recs []record
	for {
		rec, ok := sc.next()
		if !ok {
			break
		}
		recs = append(recs, rec)
	}
	return rd.body(header, headerLine, recs)
}

// body binds the header and reads the data records: it is shared by the CSV scanner
// and DecodeRows.
func (rd *reader) body(header []string, headerLine int, recs []record) error {
	if err := rd.bind(header, headerLine); err != nil {
		return err
	}
	if err := rd.statementAccount(recs); err != nil {
		return err
	}
	rd.dataAbove(headerLine)
	for _, rec := range recs {
		rd.row(rec)
	}
	rd.finish()
	return nil
}

// preambleLine is one line (or spreadsheet row) before the header, as text.
type preambleLine struct {
	line int
	text string
}

// preamble consumes the lines before the header and applies the preamble rules to them.
func (rd *reader) preamble(sc *scanner) error {
	pl, p := rd.pl, rd.pl.p
	var lines []preambleLine
	if pl.headerRE != nil {
		for {
			pos, line := sc.pos, sc.line
			text, ok := sc.skipLine()
			if !ok {
				return rd.fail(0, "header_pattern", fmt.Errorf("%w: no line matches %q", ErrLayout, p.HeaderPattern))
			}
			if pl.headerRE.MatchString(text) {
				sc.pos, sc.line = pos, line
				break
			}
			lines = append(lines, preambleLine{line, text})
		}
	} else {
		for i := 0; i < p.SkipLines; i++ {
			line := sc.line
			text, ok := sc.skipLine()
			if !ok {
				return rd.fail(0, "skip_lines", fmt.Errorf("%w: the file has %d lines, the profile skips %d before the header", ErrLayout, i, p.SkipLines))
			}
			lines = append(lines, preambleLine{line, text})
		}
	}
	rd.pre = lines
	return rd.applyPreamble(lines)
}

// dataAbove quarantines the lines before the header that no preamble rule reads and that
// look like transaction rows of the profile (startsLikeRow): a file whose rows were moved
// above its header must not lose them as preamble.
func (rd *reader) dataAbove(headerLine int) {
	pl := rd.pl
	for _, l := range rd.pre {
		text := strings.ToValidUTF8(l.text, "\uFFFD")
		matched := false
		for _, re := range pl.preamble {
			if re.MatchString(text) {
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		if !rd.startsLikeRow(l.text) {
			continue
		}
		rd.batch.Errors = append(rd.batch.Errors, canon.RecordError{Record: l.line, Raw: canon.Excerpt(text, maxRawRow),
			Reason: fmt.Sprintf("a transaction row above the header (line %d): rows out of order are quarantined, not read as preamble", headerLine)})
	}
}

// readsAsRow reports whether one physical line, on its own, reads as a transaction row of
// the profile: the header's number of fields, a booking date and an amount.
func (rd *reader) readsAsRow(line string) bool {
	pl := rd.pl
	rec, ok := newScanner(line, pl.delim, pl.quote, pl.p.LazyQuotes).next()
	if !ok || rec.err != "" || len(rec.fields) != rd.width {
		return false
	}
	fields := rec.fields
	for _, i := range rd.cols {
		for len(fields) <= i {
			fields = append(fields, "") // virtual (extracted) columns: empty here
		}
	}
	v := &rowView{rd: rd, fields: fields}
	if _, err := v.date(pl.p.Columns.BookedAt, pl.p.DateLayouts); err != nil {
		return false
	}
	_, e := rd.signedAmount(v)
	return e == nil
}

// maxRawRow bounds the raw text kept of a row that is not read.
const maxRawRow = 4 << 10

// applyPreamble applies the preamble rules to the lines before the header.
func (rd *reader) applyPreamble(lines []preambleLine) error {
	pl := rd.pl
	f := &rd.facts
	for _, l := range lines {
		text := strings.ToValidUTF8(l.text, "\uFFFD")
		for _, re := range pl.preamble {
			m := re.FindStringSubmatch(text)
			if m == nil {
				continue
			}
			for gi, g := range re.SubexpNames() {
				v := strings.TrimSpace(m[gi])
				if g == "" || v == "" {
					continue
				}
				if err := rd.fact(f, g, v); err != nil {
					return rd.fail(l.line, "preamble", err)
				}
			}
		}
	}
	return nil
}

// fact records one named group of a preamble rule; the first value found wins.
func (rd *reader) fact(f *statementFacts, g, v string) error {
	set := func(dst *string) {
		if *dst == "" {
			*dst = v
		}
	}
	switch g {
	case "account":
		set(&f.account)
	case "bank":
		set(&f.bank)
	case "number":
		set(&f.number)
	case "holder":
		set(&f.holder)
	case "currency":
		set(&f.currency)
	case "opening", "closing":
		d, err := rd.pl.parseAmount(v)
		if err != nil {
			return fmt.Errorf("%s balance: %w", g, err)
		}
		if g == "opening" && !f.opening.Valid {
			f.opening = decimal.NullDecimal{Decimal: d, Valid: true}
		} else if g == "closing" && !f.closing.Valid {
			f.closing = decimal.NullDecimal{Decimal: d, Valid: true}
		}
	case "start", "end":
		d, err := parseDate(v, rd.pl.p.DateLayouts)
		if err != nil {
			return fmt.Errorf("period %s: %w", g, err)
		}
		if g == "start" && f.start.IsZero() {
			f.start = d
		} else if g == "end" && f.end.IsZero() {
			f.end = d
		}
	}
	return nil
}

// bind resolves every column the profile names against the header.
func (rd *reader) bind(header []string, line int) error {
	pl, p := rd.pl, rd.pl.p
	rd.names = append(append([]string{}, header...), pl.virtual...)
	rd.cols = map[string]int{}
	count := map[string]int{}
	for _, h := range header {
		count[h]++
	}
	resolve := func(field, ref string) error {
		if ref == "" {
			return nil
		}
		if _, ok := rd.cols[ref]; ok {
			return nil
		}
		for i, v := range pl.virtual {
			if v == ref {
				if count[ref] > 0 {
					return rd.fail(line, field, fmt.Errorf("%w: extract group %q has the name of a header column", ErrProfile, ref))
				}
				rd.cols[ref] = rd.width + i
				return nil
			}
		}
		i, _ := colIndex(ref)
		switch {
		case i >= 0 && i >= rd.width:
			return rd.fail(line, field, fmt.Errorf("%w: column %s is beyond the header's %d columns", ErrLayout, ref, rd.width))
		case i >= 0:
			rd.cols[ref] = i
		case count[ref] == 0:
			return rd.fail(line, field, fmt.Errorf("%w: column %q is not in the header (%s)", ErrLayout, ref, quoteList(header)))
		case count[ref] > 1:
			return rd.fail(line, field, fmt.Errorf("%w: column %q appears %d times in the header; name it by position (#N)", ErrLayout, ref, count[ref]))
		default:
			for j, h := range header {
				if h == ref {
					rd.cols[ref] = j
				}
			}
		}
		return nil
	}
	refs := [][2]string{
		{"columns.booked_at", p.Columns.BookedAt}, {"columns.booked_time", p.Columns.BookedTime},
		{"columns.value_date", p.Columns.ValueDate}, {"columns.currency", p.Columns.Currency},
		{"columns.balance_after", p.Columns.BalanceAfter}, {"columns.source_id", p.Columns.SourceID},
		{"columns.end_to_end", p.Columns.EndToEnd}, {"amount.column", p.Amount.Column},
		{"amount.debit", p.Amount.Debit}, {"amount.credit", p.Amount.Credit},
		{"amount.indicator", p.Amount.Indicator}, {"account.holder_column", p.Account.HolderColumn},
	}
	if p.Account.Source == "column" {
		refs = append(refs, [2]string{"account.column", p.Account.Column})
	}
	for _, c := range p.Columns.Reference {
		refs = append(refs, [2]string{"columns.reference", c})
	}
	for _, x := range p.Extract {
		refs = append(refs, [2]string{"extract.column", x.Column})
	}
	for _, cp := range []*CounterpartyMap{&p.Counterparty, p.CounterpartyCredit, p.CounterpartyDebit} {
		if cp == nil {
			continue
		}
		for _, n := range cp.Name {
			refs = append(refs, [2]string{"counterparty.name", n})
		}
		refs = append(refs, [2]string{"counterparty.iban", cp.IBAN}, [2]string{"counterparty.bic", cp.BIC},
			[2]string{"counterparty.number", cp.Number}, [2]string{"counterparty.bank", cp.Bank})
	}
	for _, c := range p.Channels {
		for _, col := range c.Columns {
			refs = append(refs, [2]string{"channels.columns", col})
		}
	}
	if p.Pending != nil {
		for _, col := range p.Pending.Columns {
			refs = append(refs, [2]string{"pending.columns", col})
		}
	}
	for _, r := range p.Rows {
		refs = append(refs, [2]string{"rows.amount", r.Amount}, [2]string{"rows.date", r.Date})
		for _, col := range r.Columns {
			refs = append(refs, [2]string{"rows.columns", col})
		}
	}
	for _, r := range refs {
		if err := resolve(r[0], r[1]); err != nil {
			return err
		}
	}
	return nil
}

func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}

var spaceRE = regexp.MustCompile(`\s+`)

// canonicalAccount turns an account as a file writes it into a canonical id.
func canonicalAccount(raw, scheme, bank string) (id, iban string, err error) {
	v := strings.TrimSpace(raw)
	if canon.LooksLikeIBAN(v) {
		n, err := canon.NormalizeIBAN(v)
		if err != nil {
			return "", "", err
		}
		return n, n, nil
	}
	if scheme == "" {
		scheme = "acct"
	}
	return canon.AccountID(scheme, bank, v), "", nil
}

// statementAccount finds the statement account: Options.Account, else what the profile
// says; a file value that is not a valid account is refused unless the user gave one.
func (rd *reader) statementAccount(recs []record) error {
	p := rd.pl.p
	a := p.Account
	var raw, where string
	line := 0
	bank := a.Bank
	switch a.Source {
	case "fixed":
		raw, where = a.Value, "account.value"
	case "preamble":
		raw, where = rd.facts.account, "preamble"
		if raw == "" {
			raw = rd.facts.number
		}
		if rd.facts.bank != "" {
			bank = rd.facts.bank
		}
	case "column":
		where = fmt.Sprintf("column %q", a.Column)
		idx := rd.cols[a.Column]
		for _, rec := range recs {
			if rec.err == "" && idx < len(rec.fields) {
				if v := strings.TrimSpace(rec.fields[idx]); v != "" {
					raw, line = v, rec.line
					break
				}
			}
		}
		rd.fileAcct = raw
		rd.fileAcctN = normAccount(raw)
	}
	var fileErr error
	if raw != "" {
		if rd.pl.acctRE != nil && !rd.pl.acctRE.MatchString(raw) {
			fileErr = fmt.Errorf("%s: %q does not match account.pattern %q", where, raw, p.Account.Pattern)
		} else if id, iban, err := canonicalAccount(rd.splitAccount(raw, &bank), a.Scheme, bank); err != nil {
			fileErr = fmt.Errorf("%s: %w", where, err)
		} else {
			rd.stmt = id
			rd.addStatementAccount(id, iban, bank, raw)
		}
	}
	if rd.opt.Account != "" {
		id, err := userAccount(rd.opt.Account)
		if err != nil {
			return rd.fail(0, "account", err)
		}
		iban := ""
		if canon.LooksLikeIBAN(id) {
			iban = id
		}
		rd.batch.Accounts = nil
		rd.stmt = id
		rd.addStatementAccount(id, iban, "", "")
		return nil
	}
	if fileErr != nil {
		return rd.fail(line, "account", fmt.Errorf("%w: %v; give the account with --account", ErrNoAccount, fileErr))
	}
	if rd.stmt == "" {
		return rd.fail(0, "account", fmt.Errorf("%w: profile %q finds no statement account in the file; give it with --account", ErrNoAccount, p.Name))
	}
	return nil
}

// splitAccount applies account.number_pattern: it returns the number group and sets
// bank from the bank group.
func (rd *reader) splitAccount(raw string, bank *string) string {
	re := rd.pl.acctNumRE
	if re == nil {
		return raw
	}
	m := re.FindStringSubmatch(strings.TrimSpace(raw))
	if m == nil {
		return raw
	}
	number := raw
	for gi, g := range re.SubexpNames() {
		switch g {
		case "number":
			number = m[gi]
		case "bank":
			*bank = m[gi]
		}
	}
	return number
}

// userAccount checks an account given with --account.
func userAccount(s string) (string, error) {
	v := strings.TrimSpace(s)
	if canon.LooksLikeIBAN(v) {
		return canon.NormalizeIBAN(v)
	}
	if strings.Count(v, ":") >= 2 && !strings.ContainsAny(v, " \t") {
		return v, nil
	}
	return "", fmt.Errorf("--account %q is neither a valid IBAN nor a scheme:bank:number id", s)
}

func normAccount(s string) string {
	return strings.ToUpper(spaceRE.ReplaceAllString(s, ""))
}

func (rd *reader) addStatementAccount(id, iban, bank, raw string) {
	p := rd.pl.p
	acc := canon.Account{ID: id, Kind: canon.KindBank, IBAN: iban, Bank: bank, Country: p.Country,
		Currency: rd.pl.fixedCurr, HolderName: rd.facts.holder, Statement: true}
	if iban != "" {
		acc.Country = iban[:2]
	} else if raw != "" {
		acc.Number = strings.Join(strings.Fields(raw), "")
	}
	if acc.Currency == "" {
		acc.Currency = rd.facts.currency
	}
	rd.batch.Accounts = append(rd.batch.Accounts[:0], acc)
	rd.batch.StatementAccount = id
}

// finish fills the statement period and the counts.
func (rd *reader) finish() {
	b := &rd.batch
	b.Records = len(b.Txns) + len(b.Errors)
	f := rd.facts
	cur := rd.pl.fixedCurr
	if cur == "" {
		cur = f.currency
	}
	if cur == "" && len(b.Txns) > 0 {
		cur = b.Txns[0].Currency
	}
	if len(b.Accounts) > 0 && b.Accounts[0].Statement {
		if b.Accounts[0].Currency == "" {
			b.Accounts[0].Currency = cur
		}
		if b.Accounts[0].HolderName == "" {
			b.Accounts[0].HolderName = f.holder
		}
	}
	if !f.opening.Valid && !f.closing.Valid && f.start.IsZero() && f.end.IsZero() {
		return
	}
	st := canon.Statement{Account: rd.stmt, Currency: cur, PeriodStart: f.start, PeriodEnd: f.end,
		Opening: f.opening, Closing: f.closing}
	for _, t := range b.Txns {
		d := t.BookedAt.Truncate(24 * time.Hour)
		if f.start.IsZero() && (st.PeriodStart.IsZero() || d.Before(st.PeriodStart)) {
			st.PeriodStart = d
		}
		if f.end.IsZero() && (st.PeriodEnd.IsZero() || d.After(st.PeriodEnd)) {
			st.PeriodEnd = d
		}
	}
	b.Statements = append(b.Statements, st)
}
