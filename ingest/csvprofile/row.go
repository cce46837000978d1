package csvprofile

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/moneytrail/moneytrail/internal/canon"
)

// MaxRecord is the longest row the reader interprets, in bytes: statement rows have a few
// hundred bytes, long narratives a few thousand. A longer row is quarantined unread, so the
// work and memory spent on one row stay bounded whatever the file holds.
const MaxRecord = 64 << 10

// rowError is a reason to quarantine a row.
type rowError struct {
	field, reason string
}

// row turns one record into a transaction, a quarantined record or a skipped row.
func (rd *reader) row(rec record) {
	pl, p := rd.pl, rd.pl.p
	quarantine := func(field, reason string) {
		rd.batch.Errors = append(rd.batch.Errors, canon.RecordError{Record: rec.line, Field: field,
			Raw: strings.ToValidUTF8(rec.raw, "\uFFFD"), Reason: reason})
	}
	if rec.err != "" {
		quarantine(rd.colName(rec.field-1), rec.err)
		return
	}
	if rec.lines > 1 && !rec.sheet && rd.swallowed(rec) {
		return
	}
	if len(rec.raw) > MaxRecord {
		rd.batch.Errors = append(rd.batch.Errors, canon.RecordError{Record: rec.line, Raw: strings.ToValidUTF8(canon.Excerpt(rec.raw, maxRawRow), "\uFFFD"),
			Reason: fmt.Sprintf("the row is %d bytes long; a bank statement row has at most %d (csvprofile.MaxRecord): not read", len(rec.raw), MaxRecord)})
		return
	}
	if blank(rec.fields) {
		if len(rec.fields) > 1 {
			rd.skip(rec, "empty", "every field is empty")
		}
		return
	}
	if rec.hidden && p.SkipHiddenRows {
		rd.skip(rec, "hidden", "the row is hidden in the sheet (skip_hidden_rows)")
		return
	}
	if rd.utf8 && !utf8.ValidString(rec.raw) {
		quarantine("", fmt.Sprintf("invalid UTF-8 at byte %d of the line: the file is not in the profile's encoding (%s)", invalidAt(rec.raw), pl.enc.name))
		return
	}
	fields := rec.fields
	if rec.sheet {
		// A sheet stores no empty cells: trailing empty cells are absent, not missing.
		n := len(fields)
		for n > rd.width && strings.TrimSpace(fields[n-1]) == "" {
			n--
		}
		fields = fields[:n]
	}
	countErr, joined := "", false
	switch n := len(fields); {
	case n > rd.width && p.AllowExtraFields:
		joined = true
		last := strings.Join(fields[rd.width-1:], " ")
		fields = append(append([]string{}, fields[:rd.width-1]...), last)
	case n > rd.width:
		countErr = rd.countReason(n)
		fields = fields[:rd.width]
	case n < rd.width:
		if !p.AllowMissingFields && !rec.sheet {
			countErr = rd.countReason(n)
		}
		fields = append(append([]string{}, fields...), make([]string, rd.width-n)...)
	}
	for _, x := range pl.extract {
		m := x.re.FindStringSubmatch(strings.TrimSpace(fields[rd.cols[x.col]]))
		for gi, g := range x.re.SubexpNames() {
			if g == "" {
				continue
			}
			v := ""
			if m != nil {
				v = m[gi]
			}
			fields = append(fields, v)
		}
	}
	v := &rowView{rd: rd, fields: fields, cells: rec.cells, joined: joined}
	for _, r := range pl.rows {
		if !r.m.match(v.get) {
			continue
		}
		if countErr != "" && r.Kind != "skip" {
			break
		}
		if e := rd.balanceRow(rec, r, v); e != nil {
			quarantine(e.field, e.reason)
		}
		return
	}
	if countErr != "" {
		quarantine("", countErr)
		return
	}
	if reason := rd.cutShort(rec, fields); reason != "" {
		quarantine(rd.colName(len(rec.fields)-1), reason)
		return
	}
	rd.warn = nil
	t, skip, e := rd.txn(rec, v)
	switch {
	case e != nil:
		quarantine(e.field, e.reason)
	case skip != "":
		rd.skip(rec, "zero_amount", skip)
	default:
		t.Seq = int64(len(rd.batch.Txns) + 1)
		rd.batch.Txns = append(rd.batch.Txns, t)
		if !rec.unterminated && !rec.sheet {
			rd.lastCol.add(rec.fields)
		}
		if rd.warn != nil {
			rd.batch.Notes = append(rd.batch.Notes, canon.Warning(rec.line, rd.warn.field, rd.warn.reason, strings.ToValidUTF8(rec.raw, "\uFFFD")))
		}
	}
}

// lastField is what the loaded, line-terminated rows of a file show of their last field:
// its shortest text and fewest decimal digits, the shape a row cut short by a truncated file
// would fall below.
type lastField struct {
	rows              int
	minLen, minDigits int
}

func (l *lastField) add(fields []string) {
	if len(fields) == 0 {
		return
	}
	v := strings.TrimSpace(fields[len(fields)-1])
	n, d := len(v), decimalDigits(v)
	if l.rows == 0 || n < l.minLen {
		l.minLen = n
	}
	if l.rows == 0 || d < l.minDigits {
		l.minDigits = d
	}
	l.rows++
}

// decimalDigits counts the digits after the last '.' or ',' of a number-like text (digits,
// signs, separators), or -1 when the text is not one.
func decimalDigits(v string) int {
	if v == "" || strings.Trim(v, "0123456789+-.,' ") != "" {
		return -1
	}
	i := strings.LastIndexAny(v, ".,")
	if i < 0 {
		return 0
	}
	return len(v) - i - 1
}

// cutShort says why the last record of a text, when it has no line break after it while the
// loaded rows before it do, looks cut short: its last field is shorter than that field of
// every loaded row, or has fewer decimal digits than every one of them (a file cut inside
// "10,00" must not load 1). Empty when the record looks whole.
func (rd *reader) cutShort(rec record, fields []string) string {
	l := rd.lastCol
	if !rec.unterminated || rec.sheet || l.rows == 0 || len(rec.fields) == 0 {
		return ""
	}
	v := strings.TrimSpace(rec.fields[len(rec.fields)-1])
	if v == "" && l.minLen > 0 {
		return "the file ends inside this row (no line break after it, unlike the rows before) and its last field is empty where every loaded row has one: a truncated file?"
	}
	if len(v) < l.minLen {
		return fmt.Sprintf("the file ends inside this row (no line break after it, unlike the rows before) and its last field %q is shorter than that field of every loaded row (%d characters): a truncated file?", canon.Excerpt(v, 40), l.minLen)
	}
	if d := decimalDigits(v); l.minDigits > 0 && d >= 0 && d < l.minDigits {
		return fmt.Sprintf("the file ends inside this row (no line break after it, unlike the rows before) and its last field %q has %d decimal digits where every loaded row has at least %d: a truncated file?", canon.Excerpt(v, 40), d, l.minDigits)
	}
	return ""
}

// startsLikeRow reports whether a line, perhaps cut short or holding a stray quote, looks
// like a transaction row: read as a row (readsAsRow), or split at every separator with the
// quotes around each piece removed, its booking date and amount columns hold a date and an
// amount.
func (rd *reader) startsLikeRow(line string) bool {
	if rd.readsAsRow(line) {
		return true
	}
	fields := strings.Split(line, string(rd.pl.delim))
	if len(fields) < 2 || len(fields) > 4*rd.width {
		return false
	}
	for i, f := range fields {
		fields[i] = strings.Trim(f, " \"")
	}
	for len(fields) < rd.width {
		fields = append(fields, "")
	}
	for _, i := range rd.cols {
		for len(fields) <= i {
			fields = append(fields, "")
		}
	}
	v := &rowView{rd: rd, fields: fields}
	if _, err := v.date(rd.pl.p.Columns.BookedAt, rd.pl.p.DateLayouts); err != nil {
		return false
	}
	_, e := rd.signedAmount(v)
	return e == nil
}

// swallowed quarantines a record whose quoted field runs over lines that, each on its own,
// read as transaction rows (an unbalanced quote swallows the rows after it): the record and
// each such line are quarantined with the reason, so no row disappears inside a field.
func (rd *reader) swallowed(rec record) bool {
	lines := strings.Split(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(rec.raw), "\n")
	var rows []int
	for i, l := range lines[1:] {
		if rd.startsLikeRow(l) {
			rows = append(rows, i+1)
		}
	}
	if len(rows) == 0 {
		return false
	}
	reason := fmt.Sprintf("a quoted field opened on line %d runs over %d line(s) that read as transaction rows: an unbalanced quote? quarantined with them", rec.line, len(rows))
	rd.batch.Errors = append(rd.batch.Errors, canon.RecordError{Record: rec.line, Raw: strings.ToValidUTF8(canon.Excerpt(lines[0], maxRawRow), "\uFFFD"), Reason: reason})
	for _, i := range rows {
		rd.batch.Errors = append(rd.batch.Errors, canon.RecordError{Record: rec.line + i, Raw: strings.ToValidUTF8(canon.Excerpt(lines[i], maxRawRow), "\uFFFD"), Reason: reason})
	}
	return true
}

func (rd *reader) countReason(n int) string {
	if rd.pl.p.NoHeader {
		return fmt.Sprintf("row has %d fields, the profile expects %d", n, rd.width)
	}
	return fmt.Sprintf("row has %d fields, header has %d", n, rd.width)
}

func (rd *reader) colName(i int) string {
	if i >= 0 && i < len(rd.names) {
		return rd.names[i]
	}
	return ""
}

func (rd *reader) skip(rec record, kind, reason string) {
	rd.skipped = append(rd.skipped, Skip{Line: rec.line, Kind: kind, Reason: reason,
		Raw: strings.ToValidUTF8(rec.raw, "\uFFFD")})
}

func blank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func invalidAt(s string) int {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return i + 1
		}
		i += n
	}
	return 0
}

func (m matcher) match(get func(string) string) bool {
	parts := make([]string, 0, len(m.cols))
	for _, c := range m.cols {
		parts = append(parts, get(c))
	}
	return m.re.MatchString(strings.Join(parts, " "))
}

// balanceRow records an opening or closing balance, or skips the row.
func (rd *reader) balanceRow(rec record, r rowRule, rv *rowView) *rowError {
	if r.Kind == "skip" {
		rd.skip(rec, "skip", r.Reason)
		return nil
	}
	var v decimal.Decimal
	var e *rowError
	if r.Amount != "" {
		var err error
		v, err = rv.amount(r.Amount)
		if err != nil {
			return &rowError{r.Kind + "_balance", fmt.Sprintf("column %q: %v", r.Amount, err)}
		}
	} else if v, e = rd.signedAmount(rv); e != nil {
		e.field = r.Kind + "_balance"
		return e
	}
	dateCol := r.Date
	if dateCol == "" {
		dateCol = rd.pl.p.Columns.BookedAt
	}
	d, err := rv.date(dateCol, rd.pl.p.DateLayouts)
	if err != nil {
		return &rowError{r.Kind + "_balance", fmt.Sprintf("column %q: %v", dateCol, err)}
	}
	f := &rd.facts
	nd := decimal.NullDecimal{Decimal: v, Valid: true}
	reason := fmt.Sprintf("%s balance %s", r.Kind, v.String())
	if r.Reason != "" {
		reason = r.Reason + ": " + reason
	}
	switch {
	case r.Kind == "opening" && !f.opening.Valid:
		f.opening, f.openingLine = nd, rec.line
		if f.start.IsZero() {
			f.start = d
		}
	case r.Kind == "closing" && !f.closing.Valid:
		f.closing, f.closingLine = nd, rec.line
		if f.end.IsZero() {
			f.end = d
		}
	default:
		reason += " (not used: the file already gave one)"
	}
	rd.skip(rec, r.Kind, reason)
	return nil
}

// signedAmount reads the row's amount by the profile's model: credits positive.
func (rd *reader) signedAmount(rv *rowView) (decimal.Decimal, *rowError) {
	a := rd.pl.p.Amount
	switch a.Model {
	case "signed":
		v, err := rv.amount(a.Column)
		if err != nil {
			return v, &rowError{"amount", fmt.Sprintf("column %q: %v", a.Column, err)}
		}
		if a.Negate {
			v = v.Neg()
		}
		return v, nil
	case "debit_credit":
		ds, cs := rv.get(a.Debit), rv.get(a.Credit)
		if ds == "" && cs == "" {
			return decimal.Decimal{}, &rowError{"amount", fmt.Sprintf("no amount in column %q or %q", a.Debit, a.Credit)}
		}
		var d, c decimal.Decimal
		var err error
		if ds != "" {
			if d, err = rv.amount(a.Debit); err != nil {
				return d, &rowError{"amount", fmt.Sprintf("column %q: %v", a.Debit, err)}
			}
		}
		if cs != "" {
			if c, err = rv.amount(a.Credit); err != nil {
				return c, &rowError{"amount", fmt.Sprintf("column %q: %v", a.Credit, err)}
			}
		}
		if !d.IsZero() && !c.IsZero() {
			return decimal.Decimal{}, &rowError{"amount", fmt.Sprintf("both debit %q and credit %q are given", ds, cs)}
		}
		return c.Abs().Sub(d.Abs()), nil
	default: // indicator
		v, err := rv.amount(a.Column)
		if err != nil {
			return v, &rowError{"amount", fmt.Sprintf("column %q: %v", a.Column, err)}
		}
		if v.IsNegative() {
			return v, &rowError{"amount", fmt.Sprintf("column %q: negative amount %s with an indicator column", a.Column, rv.get(a.Column))}
		}
		ind := rv.get(a.Indicator)
		for _, x := range a.CreditValues {
			if ind == x {
				return v, nil
			}
		}
		for _, x := range a.DebitValues {
			if ind == x {
				return v.Neg(), nil
			}
		}
		return v, &rowError{"amount_indicator", fmt.Sprintf("column %q: %q is neither a credit (%s) nor a debit (%s) indicator",
			a.Indicator, ind, quoteList(a.CreditValues), quoteList(a.DebitValues))}
	}
}

// txn reads a transaction row. It returns a reason to skip when the amount is zero.
func (rd *reader) txn(rec record, v *rowView) (canon.Txn, string, *rowError) {
	pl, p := rd.pl, rd.pl.p
	c := p.Columns
	t := canon.Txn{Record: rec.line}
	pending := pl.pending != nil && pl.pending.match(v.get)
	booked, err := v.date(c.BookedAt, p.DateLayouts)
	if err != nil {
		if pending {
			return t, "", &rowError{"booked_at", fmt.Sprintf("pending, no booking date (column %q is %q)", c.BookedAt, v.get(c.BookedAt))}
		}
		return t, "", &rowError{"booked_at", fmt.Sprintf("column %q: %v", c.BookedAt, err)}
	}
	if s := v.get(c.BookedTime); s != "" {
		bt, err := v.date(c.BookedTime, p.TimeLayouts)
		if err != nil {
			return t, "", &rowError{"booked_time", fmt.Sprintf("column %q: %v", c.BookedTime, err)}
		}
		// The time orders entries within the booking day; a time on another day is the
		// card or order time, not the booking, and is not used.
		if sameDay(bt, booked) {
			booked = bt
		}
	}
	t.BookedAt, t.Pending = booked, pending
	if s := v.get(c.ValueDate); s != "" {
		vd, err := v.date(c.ValueDate, p.DateLayouts)
		if err != nil {
			return t, "", &rowError{"value_date", fmt.Sprintf("column %q: %v", c.ValueDate, err)}
		}
		t.ValueDate = vd
	}
	amt, e := rd.signedAmount(v)
	if e != nil {
		return t, "", e
	}
	if amt.IsZero() {
		return t, "amount is zero: the row moves no money (a notice or a closing entry)", nil
	}
	t.Amount = amt.Abs()
	t.Currency = pl.fixedCurr
	if c.Currency != "" {
		t.Currency = strings.ToUpper(v.get(c.Currency))
		if !currencyRE.MatchString(t.Currency) {
			return t, "", &rowError{"currency", fmt.Sprintf("column %q: %q is not an ISO 4217 currency code", c.Currency, v.get(c.Currency))}
		}
	}
	if p.Account.Source == "column" {
		if v := v.get(p.Account.Column); v != "" && normAccount(v) != rd.fileAcctN {
			return t, "", &rowError{"account", fmt.Sprintf("column %q: statement account %q differs from %q in the rest of the file", p.Account.Column, v, rd.fileAcct)}
		}
	}
	if h := v.get(p.Account.HolderColumn); h != "" && rd.batch.Accounts[0].HolderName == "" {
		rd.batch.Accounts[0].HolderName = h
	}
	credit := amt.IsPositive()
	t.Channel = canon.ChannelTransfer
	for _, ch := range pl.channels {
		if (ch.direction == "credit" && !credit) || (ch.direction == "debit" && credit) {
			continue
		}
		if ch.m.match(v.get) {
			t.Channel = ch.channel
			break
		}
	}
	cpID, e := rd.counterparty(&t, credit, v)
	if e != nil {
		return t, "", e
	}
	if credit {
		t.From, t.To = cpID, rd.stmt
	} else {
		t.From, t.To = rd.stmt, cpID
	}
	var refs []string
	for _, r := range c.Reference {
		if v := v.get(r); v != "" {
			refs = append(refs, v)
		}
	}
	t.Reference = strings.Join(refs, " | ")
	t.EndToEnd = v.get(c.EndToEnd)
	if s := v.get(c.BalanceAfter); s != "" {
		bal, err := v.amount(c.BalanceAfter)
		if err != nil {
			return t, "", &rowError{"balance_after", fmt.Sprintf("column %q: %v", c.BalanceAfter, err)}
		}
		t.BalanceAfter = decimal.NullDecimal{Decimal: bal, Valid: true}
	}
	if s := v.get(c.SourceID); s != "" {
		id := rd.stmt + ":" + s
		if prev, dup := rd.seenID[id]; dup {
			return t, "", &rowError{"source_id", fmt.Sprintf("column %q: id %q already used on line %d", c.SourceID, s, prev)}
		}
		rd.seenID[id] = rec.line
		t.SourceID = id
	}
	return t, "", nil
}

// counterparty finds the other side of the entry and records its account.
func (rd *reader) counterparty(t *canon.Txn, credit bool, v *rowView) (string, *rowError) {
	p := rd.pl.p
	cm := &p.Counterparty
	if credit && p.CounterpartyCredit != nil {
		cm = p.CounterpartyCredit
	} else if !credit && p.CounterpartyDebit != nil {
		cm = p.CounterpartyDebit
	}
	var names []string
	for _, n := range cm.Name {
		if v := v.get(n); v != "" {
			names = append(names, v)
		}
	}
	name := strings.Join(names, " ")
	iban, bic, number, bank := v.get(cm.IBAN), v.get(cm.BIC), v.get(cm.Number), v.get(cm.Bank)
	if re := rd.pl.cpNumRE[cm]; re != nil && number != "" {
		if m := re.FindStringSubmatch(number); m != nil {
			for gi, g := range re.SubexpNames() {
				switch g {
				case "number":
					number = m[gi]
				case "bank":
					bank = m[gi]
				}
			}
		}
	}
	raw := []string{}
	for _, v := range []string{name, iban, number} {
		if v != "" {
			raw = append(raw, v)
		}
	}
	t.Counterparty = strings.Join(raw, " ")
	id, kind, warn := canon.CounterpartyAccount(t.Channel, rd.stmt, iban, bank, number, name)
	if warn != nil {
		field, col := "counterparty_number", cm.Number
		if iban != "" {
			field, col = "counterparty_iban", cm.IBAN
		}
		rd.warn = &rowError{field, fmt.Sprintf("column %q: %v; the row is loaded with the counterparty kept as written, as %s (unverified external account)", col, warn, id)}
	}
	if !rd.cpSeen[id] && id != rd.stmt {
		rd.cpSeen[id] = true
		acc := canon.Account{ID: id, Kind: kind, BIC: bic}
		if kind == canon.KindBank && canon.LooksLikeIBAN(id) {
			acc.IBAN = id
			acc.Country = id[:2]
		} else if kind == canon.KindBank {
			acc.Bank, acc.Number = bank, strings.Join(strings.Fields(number), "")
		}
		if kind != canon.KindCash {
			acc.HolderName = name
		}
		rd.batch.Accounts = append(rd.batch.Accounts, acc)
	}
	return id, nil
}

// rowView is one data row's fields (after extraction) and, for a spreadsheet row, its
// typed cells: amount and date columns read a typed value where there is one.
type rowView struct {
	rd     *reader
	fields []string
	cells  []Cell
	joined bool // the last column holds extra fields joined (allow_extra_fields)
}

// get returns the trimmed text of a column; "" for an empty reference.
func (v *rowView) get(ref string) string {
	if ref == "" {
		return ""
	}
	return strings.TrimSpace(v.fields[v.rd.cols[ref]])
}

// cell returns the typed cell of a column, if the row is a spreadsheet row that has one.
func (v *rowView) cell(ref string) (Cell, bool) {
	if ref == "" || v.cells == nil {
		return Cell{}, false
	}
	i := v.rd.cols[ref]
	if i >= len(v.cells) || i >= v.rd.width || (v.joined && i == v.rd.width-1) {
		// Beyond the sheet's cells, a virtual column, or the last column holding the
		// extra cells joined (allow_extra_fields): text only.
		return Cell{}, false
	}
	return v.cells[i], true
}

// amount reads a column as an amount: a number cell's exact value, else the text in the
// profile's notation.
func (v *rowView) amount(ref string) (decimal.Decimal, error) {
	if c, ok := v.cell(ref); ok && c.Number.Valid {
		return c.Number.Decimal, nil
	}
	return v.rd.pl.parseAmount(v.get(ref))
}

// date reads a column as a date: a date cell's value (or, with serial_dates, a number
// cell's value as an Excel serial date), else the text in layouts.
func (v *rowView) date(ref string, layouts []string) (time.Time, error) {
	c, ok := v.cell(ref)
	if ok && !c.Time.IsZero() && (c.IsDate || (c.Number.Valid && v.rd.pl.p.SerialDates)) {
		if y := c.Time.Year(); y < minYear || y > maxYear {
			return time.Time{}, fmt.Errorf("date cell %s is year %d, outside %d..%d (a placeholder date?)", c.Text, y, minYear, maxYear)
		}
		return c.Time, nil
	}
	d, err := parseDate(v.get(ref), layouts)
	if err != nil && ok && c.Number.Valid {
		return d, fmt.Errorf("%w (a number cell without a date format; if the bank writes dates as Excel serial numbers, set serial_dates: true)", err)
	}
	return d, err
}
