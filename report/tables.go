package report

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/shopspring/decimal"

	"github.com/moneytrail/moneytrail/internal/casedb"
)

// colKind is how a column's values are held and written.
type colKind uint8

const (
	kText  colKind = iota // string
	kMoney                // decimal.Decimal, written as a number with a currency format
	kInt                  // int64
	kFloat                // float64 (scores, never money)
	kDate                 // time.Time, day only
	kTime                 // time.Time
	kBool                 // bool
)

// maskKind says how --mask changes a column.
type maskKind uint8

const (
	mNone        maskKind = iota
	mAccount              // an account id
	mAccountList          // account ids separated by "; "
	mName                 // a person's or company's name
	mParty                // a party id
	mPartyList            // party ids separated by "; " (party ids hold spaces)
	mText                 // free text: every known account id, party id and name in it is masked
	mDrop                 // left empty
)

// column is one column of a table. A money column is in cur, or in the currency named by
// column curCol of the same row when cur is empty.
type column struct {
	name   string
	kind   colKind
	mask   maskKind
	cur    string
	curCol string
}

// table is one evidence table: a workbook sheet (when sheet is set), a CSV and a Parquet file,
// and a table of the HTML report.
type table struct {
	name, sheet, title, note string
	cols                     []column
	rows                     [][]any
}

func (t *table) col(name string) int {
	for i, c := range t.cols {
		if c.name == name {
			return i
		}
	}
	return -1
}

// currency returns the currency of money column i in row r ("" when unknown).
func (t *table) currency(i int, r []any) string {
	c := t.cols[i]
	if c.cur != "" || c.curCol == "" {
		return c.cur
	}
	if v, ok := r[t.col(c.curCol)].(string); ok {
		return v
	}
	return ""
}

// accountInfo is what the report shows about an account besides its id.
type accountInfo struct {
	Kind, Holder string
}

// partyLink is one row of party_links with the party's name.
type partyLink struct {
	Party, Name, Account, Role string
}

// query runs q and appends its rows to t, converting each value by its column's kind.
func query(ctx context.Context, db *casedb.DB, t *table, q string, args ...any) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", t.name, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	if len(cols) != len(t.cols) {
		return fmt.Errorf("%s: query returns %d columns, the table has %d", t.name, len(cols), len(t.cols))
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		row := make([]any, len(cols))
		for i, v := range vals {
			if row[i], err = convert(v, t.cols[i].kind); err != nil {
				return fmt.Errorf("%s.%s: %w", t.name, t.cols[i].name, err)
			}
		}
		t.rows = append(t.rows, row)
	}
	return rows.Err()
}

func convert(v any, k colKind) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch k {
	case kMoney:
		switch x := v.(type) {
		case duckdb.Decimal:
			return decimal.NewFromBigInt(x.Value, -int32(x.Scale)), nil
		case *big.Int:
			return decimal.NewFromBigInt(x, 0), nil
		case int64:
			return decimal.NewFromInt(x), nil
		case int32:
			return decimal.NewFromInt(int64(x)), nil
		}
		return nil, fmt.Errorf("money value of type %T", v)
	case kInt:
		switch x := v.(type) {
		case int64:
			return x, nil
		case int32:
			return int64(x), nil
		case int16:
			return int64(x), nil
		case int8:
			return int64(x), nil
		case uint64:
			return int64(x), nil
		case uint32:
			return int64(x), nil
		case *big.Int:
			return x.Int64(), nil
		}
		return nil, fmt.Errorf("integer value of type %T", v)
	case kFloat:
		switch x := v.(type) {
		case float64:
			return x, nil
		case float32:
			return float64(x), nil
		}
		return nil, fmt.Errorf("float value of type %T", v)
	case kDate, kTime:
		if x, ok := v.(time.Time); ok {
			return x.UTC(), nil
		}
		return nil, fmt.Errorf("time value of type %T", v)
	case kBool:
		if x, ok := v.(bool); ok {
			return x, nil
		}
		return nil, fmt.Errorf("boolean value of type %T", v)
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case []any:
		parts := make([]string, 0, len(x))
		for _, p := range x {
			parts = append(parts, fmt.Sprint(p))
		}
		return strings.Join(parts, " "), nil
	}
	return fmt.Sprint(v), nil
}

// methodOrder is a SQL expression ranking column col by the run's method order.
func (c *caseData) methodOrder(col string) string {
	if len(c.methods) == 0 {
		return col // no trace in the report: the tables it orders are empty
	}
	var b strings.Builder
	b.WriteString("CASE " + col)
	for i, m := range c.methods {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", strings.ReplaceAll(m, "'", "''"), i)
	}
	b.WriteString(" ELSE 99 END")
	return b.String()
}

// originKind classifies an origin label of the tracer.
const originKind = `CASE WHEN %[1]s = 'clean' THEN 'clean' WHEN %[1]s = 'unexplained' OR %[1]s LIKE 'unexplained:%%' THEN 'unexplained' ELSE 'tainted' END`

func origKind(col string) string { return fmt.Sprintf(originKind, col) }

// maxEvidence is how many txn_ids an evidence cell lists before it refers to the Flows sheet.
const maxEvidence = 50

// loadTables loads the report's tables from the case database, each from the runs it shows.
func (c *caseData) loadTables(ctx context.Context, db *casedb.DB) error {
	r := c.runRefs()
	for _, load := range []func(context.Context, *casedb.DB, runRefs) error{
		c.loadTotals, c.loadSources, c.loadFindings, c.loadFlows, c.loadPositions,
		c.loadPartyPositions, c.loadExits, c.loadSensitivity, c.loadUnexplained,
	} {
		if err := load(ctx, db, r); err != nil {
			return err
		}
	}
	if err := c.loadAccounts(ctx, db); err != nil {
		return err
	}
	c.summary = c.summaryTable()
	c.statement = c.statementTable()
	return nil
}

// runRefs is what the tables of a report are loaded for: the trace run and the rules run
// they show ("" for none, which selects no rows) and the currency of their money columns.
type runRefs struct {
	trace, rules string
	base         string
}

// runRefs works out the report's runRefs: money is in the trace's currency when its
// manifest names one, in the case's base currency otherwise.
func (c *caseData) runRefs() runRefs {
	r := runRefs{base: c.base}
	if c.trace != nil && c.manifest.Currency != "" {
		r.base = c.manifest.Currency
	}
	if c.trace != nil {
		r.trace = c.trace.ID
	}
	if c.rules != nil {
		r.rules = c.rules.ID
	}
	return r
}

// money is a money column in the currency of the report's trace.
func (r runRefs) money(name string) column { return column{name: name, kind: kMoney, cur: r.base} }

// evidenceJoin joins to each position (p) the hops of the same method and origin into its
// holder: their number (n) and txn_ids in booking order (ids), shown in evidenceCols.
const evidenceJoin = `LEFT JOIN (SELECT method, to_account, origin, count(*) AS n, list(txn_id ORDER BY booked_at, txn_id) AS ids
			FROM trace_flows WHERE run_id = ? GROUP BY ALL) e ON e.method = p.method AND e.to_account = p.holder AND e.origin = p.origin`

// evidenceCols are the columns that evidenceJoin fills in.
var evidenceCols = []column{{name: "flows_in", kind: kInt}, {name: "evidence_txns", mask: mText}}

// loadTotals loads what each seed put in, and where its traced part is held or left, per method
// and origin (trace_summary).
func (c *caseData) loadTotals(ctx context.Context, db *casedb.DB, r runRefs) error {
	c.totals = &table{name: "totals", sheet: "Summary", title: "Totals per method and origin",
		note: "What each seed put in (seed credit), the part traced as tainted, where it is held and how much left through exits.",
		cols: []column{{name: "method"}, {name: "origin", mask: mText}, {name: "seeds", mask: mText}, r.money("seed_credit"), r.money("traced"),
			r.money("held"), r.money("exited"), r.money("exited_cash"), r.money("exited_external"), r.money("exited_asset"),
			r.money("exited_other"), r.money("held_with_unexplained")}}
	return query(ctx, db, c.totals, `SELECT method, origin, seeds, amount, traced, held, exited, exited_cash, exited_external,
		exited_asset, exited_other, held_with_unexplained FROM trace_summary WHERE run_id = ?
		ORDER BY `+c.methodOrder("method")+`, origin`, r.trace)
}

// loadSources loads every file of the case with each of its statements' reconciliation, and
// whether the trace used the file.
func (c *caseData) loadSources(ctx context.Context, db *casedb.DB, r runRefs) error {
	c.sources = &table{name: "sources", sheet: "Sources", title: "Sources",
		note: "Every file of the case with its SHA-256, and each statement's check: opening + credits - debits = computed closing, against the stated closing.",
		cols: []column{{name: "source_id", kind: kInt}, {name: "file_name", mask: mText}, {name: "format"}, {name: "sha256"},
			{name: "bytes", kind: kInt}, {name: "records", kind: kInt}, {name: "loaded", kind: kInt}, {name: "quarantined", kind: kInt},
			{name: "statement_no", kind: kInt}, {name: "statement_account", mask: mAccount}, {name: "currency"},
			{name: "period_start", kind: kDate}, {name: "period_end", kind: kDate},
			{name: "opening", kind: kMoney, curCol: "currency"}, {name: "credits", kind: kMoney, curCol: "currency"},
			{name: "debits", kind: kMoney, curCol: "currency"}, {name: "computed_closing", kind: kMoney, curCol: "currency"},
			{name: "closing", kind: kMoney, curCol: "currency"}, {name: "difference", kind: kMoney, curCol: "currency"},
			{name: "reconciled", kind: kBool}, {name: "used_by_trace", kind: kBool}, {name: "path", mask: mDrop}}}
	used := make([]string, 0, len(c.manifest.Sources))
	for _, s := range c.manifest.Sources {
		used = append(used, fmt.Sprint(s.SourceID))
	}
	usedList := "NULL"
	if len(used) > 0 {
		usedList = strings.Join(used, ",")
	}
	return query(ctx, db, c.sources, `SELECT s.source_id, s.file_name, s.format, s.sha256, s.bytes, s.records, s.loaded, s.quarantined,
		st.statement_no, coalesce(st.account_id, s.statement_account), coalesce(st.currency, a.currency),
		coalesce(st.period_start, s.period_start), coalesce(st.period_end, s.period_end),
		coalesce(st.opening, s.opening_balance), st.credits, st.debits, st.computed_closing,
		coalesce(st.closing, s.closing_balance), st.difference, coalesce(st.reconciled, s.reconciled),
		s.source_id IN (`+usedList+`), s.path
		FROM sources s LEFT JOIN statements st USING (source_id)
		LEFT JOIN accounts a ON a.account_id = coalesce(st.account_id, s.statement_account)
		ORDER BY s.source_id, st.statement_no`)
}

// loadFindings loads the findings of the rules run, with the file and line or entry of each
// transaction in their evidence.
func (c *caseData) loadFindings(ctx context.Context, db *casedb.DB, r runRefs) error {
	c.findings = &table{name: "findings", sheet: "Findings", title: "Findings",
		note: "Findings of the rules run; evidence lists the transactions, evidence_sources the file and line or entry of each.",
		cols: []column{{name: "rule_id"}, {name: "pack"}, {name: "pack_version"}, {name: "subject", mask: mText},
			r.money("amount"), {name: "score", kind: kFloat}, {name: "evidence", mask: mText}, {name: "evidence_sources", mask: mText}, {name: "detail", mask: mText}}}
	return query(ctx, db, c.findings, `SELECT f.rule_id, f.pack, f.pack_version, f.subject, f.amount, f.score, f.evidence,
		(SELECT string_agg(coalesce(s.file_name || ':' || t.source_record, u.id || ':not-in-case'), ' ' ORDER BY u.i)
			FROM (SELECT unnest(ids) AS id, generate_subscripts(ids, 1) AS i
				FROM (SELECT list_filter(string_split(coalesce(f.evidence, ''), ' '), x -> x <> '') AS ids)) u
			LEFT JOIN transactions t ON t.txn_id = u.id LEFT JOIN sources s ON s.source_id = t.source_id),
		f.detail
		FROM findings f WHERE f.run_id = ? ORDER BY f.rule_id, f.subject, f.evidence`, r.rules)
}

// loadFlows loads the traced money hop by hop, with the transaction each hop is part of and
// where it was read.
func (c *caseData) loadFlows(ctx context.Context, db *casedb.DB, r runRefs) error {
	c.flows = &table{name: "flows", sheet: "Flows", title: "Flows (hop by hop)",
		note: "Each hop of traced money: the transaction, the part of it that carried the origin, and the file and line or entry it was read from.",
		cols: []column{{name: "method"}, {name: "hop", kind: kInt}, {name: "txn_id", mask: mText}, {name: "booked_at", kind: kTime},
			{name: "from_account", mask: mAccount}, {name: "from_holder", mask: mName}, {name: "to_account", mask: mAccount},
			{name: "to_holder", mask: mName}, {name: "to_kind"}, {name: "origin", mask: mText}, r.money("amount"),
			{name: "txn_amount", kind: kMoney, curCol: "txn_currency"}, {name: "txn_currency"}, {name: "channel"},
			{name: "reference", mask: mDrop}, {name: "source_file", mask: mText}, {name: "source_line", kind: kInt}, {name: "source_sha256"}}}
	return query(ctx, db, c.flows, `SELECT f.method, row_number() OVER (PARTITION BY f.method ORDER BY f.booked_at, t.seq, f.txn_id, f.origin),
		f.txn_id, f.booked_at, f.from_account, fa.holder_name, f.to_account, ta.holder_name, ta.kind, f.origin, f.amount,
		t.amount, t.currency, t.channel, t.reference, s.file_name, t.source_record, s.sha256
		FROM trace_flows f
		LEFT JOIN transactions t ON t.txn_id = f.txn_id AND t.duplicate_of IS NULL
		LEFT JOIN sources s ON s.source_id = t.source_id
		LEFT JOIN accounts fa ON fa.account_id = f.from_account
		LEFT JOIN accounts ta ON ta.account_id = f.to_account
		WHERE f.run_id = ?
		ORDER BY `+c.methodOrder("f.method")+`, f.booked_at, t.seq, f.txn_id, f.origin`, r.trace)
}

// loadPositions loads the holdings per account, with the hops into each account as evidence
// (trimmed to maxEvidence).
func (c *caseData) loadPositions(ctx context.Context, db *casedb.DB, r runRefs) error {
	c.positions = &table{name: "positions", sheet: "Positions", title: "Positions: holdings per account",
		note: "Where each origin's money sits after the last transaction up to the as-of date; tainted rows are the confiscatable holdings. evidence_txns are the hops into the account (Flows sheet).",
		cols: append([]column{{name: "method"}, {name: "account_id", mask: mAccount}, {name: "holder_name", mask: mName},
			{name: "account_kind"}, {name: "parties", mask: mPartyList}, {name: "origin", mask: mText}, {name: "origin_kind"},
			r.money("amount")}, evidenceCols...)}
	if err := query(ctx, db, c.positions, `SELECT p.method, p.holder, a.holder_name, a.kind, pl.parties, p.origin, `+origKind("p.origin")+`,
		p.amount, coalesce(e.n, 0), e.ids
		FROM trace_positions p LEFT JOIN accounts a ON a.account_id = p.holder
		LEFT JOIN (SELECT account_id, string_agg(DISTINCT party_id, '; ' ORDER BY party_id) AS parties FROM party_links GROUP BY account_id) pl
			ON pl.account_id = p.holder
		`+evidenceJoin+`
		WHERE p.run_id = ? AND p.holder_kind = 'account'
		ORDER BY `+c.methodOrder("p.method")+`, p.holder, p.origin`, r.trace, r.trace); err != nil {
		return err
	}
	c.trimEvidence(c.positions)
	return nil
}

// loadPartyPositions loads the tainted holdings per party, summed over the accounts linked to each.
func (c *caseData) loadPartyPositions(ctx context.Context, db *casedb.DB, r runRefs) error {
	c.parties = &table{name: "party_positions", sheet: "Positions by party", title: "Positions: tainted holdings per party",
		note: "Tainted money held in the accounts linked to each party (party_links); an account linked to several parties counts in full for each.",
		cols: []column{{name: "method"}, {name: "party_id", mask: mParty}, {name: "party_name", mask: mName}, {name: "roles"},
			{name: "accounts", mask: mAccountList}, {name: "account_count", kind: kInt}, r.money("tainted_held")}}
	return query(ctx, db, c.parties, `WITH held AS (
			SELECT method, holder, sum(amount) AS amount FROM trace_positions
			WHERE run_id = ? AND holder_kind = 'account' AND `+origKind("origin")+` = 'tainted' GROUP BY method, holder)
		SELECT h.method, coalesce(l.party_id, '(no party linked)'), max(py.name),
			string_agg(DISTINCT l.role, ' ' ORDER BY l.role), string_agg(DISTINCT h.holder, '; ' ORDER BY h.holder),
			count(DISTINCT h.holder), sum(h.amount)
		FROM held h LEFT JOIN party_links l ON l.account_id = h.holder LEFT JOIN parties py ON py.party_id = l.party_id
		GROUP BY h.method, l.party_id
		ORDER BY `+c.methodOrder("h.method")+`, l.party_id IS NULL, sum(h.amount) DESC, l.party_id`, r.trace)
}

// loadExits loads the money that left the traced accounts through exits, with the hops that
// reached each.
func (c *caseData) loadExits(ctx context.Context, db *casedb.DB, r runRefs) error {
	c.exits = &table{name: "exits", sheet: "Exits", title: "Exits: money that left the traced accounts",
		note: "Cash withdrawals, payments to external or unknown accounts and asset purchases, per origin; evidence_txns are the hops that reached the exit.",
		cols: append([]column{{name: "method"}, {name: "exit", mask: mAccount}, {name: "exit_kind"}, {name: "holder_name", mask: mName},
			{name: "origin", mask: mText}, {name: "origin_kind"}, r.money("amount")}, evidenceCols...)}
	if err := query(ctx, db, c.exits, `SELECT p.method, p.holder,
		CASE WHEN a.kind IN ('cash', 'external', 'asset') THEN a.kind ELSE 'other' END, a.holder_name,
		p.origin, `+origKind("p.origin")+`, p.amount, coalesce(e.n, 0), e.ids
		FROM trace_positions p LEFT JOIN accounts a ON a.account_id = p.holder
		`+evidenceJoin+`
		WHERE p.run_id = ? AND p.holder_kind = 'exit'
		ORDER BY `+c.methodOrder("p.method")+`, p.holder, p.origin`, r.trace, r.trace); err != nil {
		return err
	}
	c.trimEvidence(c.exits)
	return nil
}

// loadSensitivity loads each tainted origin's amount per holder under every method of the run,
// one column per method.
func (c *caseData) loadSensitivity(ctx context.Context, db *casedb.DB, r runRefs) error {
	c.sensitivity = &table{name: "sensitivity", sheet: "Sensitivity", title: "Sensitivity: the methods side by side",
		note: "Each tainted origin's amount per holder under every method of the run: how much the result depends on the tracing rule.",
		cols: []column{{name: "origin", mask: mText}, {name: "holder", mask: mAccount}, {name: "holder_kind"}, {name: "holder_name", mask: mName}}}
	sel := []string{"s.origin", "s.holder", "s.holder_kind", "a.holder_name"}
	for _, m := range c.methods {
		col := strings.ReplaceAll(m, "-", "_")
		switch col {
		case "fifo", "lifo", "prorata", "libr", "tainted_first", "poison":
		default:
			continue
		}
		c.sensitivity.cols = append(c.sensitivity.cols, r.money(col))
		sel = append(sel, "s."+col)
	}
	return query(ctx, db, c.sensitivity, `SELECT `+strings.Join(sel, ", ")+` FROM trace_sensitivity s
		LEFT JOIN accounts a ON a.account_id = s.holder WHERE s.run_id = ?
		ORDER BY s.origin, s.holder_kind, s.holder`, r.trace)
}

// loadUnexplained loads the accounts that paid out more than they were seen to receive, and by
// how much.
func (c *caseData) loadUnexplained(ctx context.Context, db *casedb.DB, r runRefs) error {
	c.unexplained = &table{name: "unexplained", sheet: "Unexplained funds", title: "Unexplained funds",
		note: "Accounts that paid out more than they were seen to receive: the shortfall is money from outside the data, reported and never hidden.",
		cols: []column{{name: "account_id", mask: mAccount}, {name: "holder_name", mask: mName}, r.money("amount"), {name: "debits", kind: kInt}}}
	return query(ctx, db, c.unexplained, `SELECT u.account_id, a.holder_name, u.amount, u.debits FROM trace_unexplained u
		LEFT JOIN accounts a USING (account_id) WHERE u.run_id = ? ORDER BY u.amount DESC, u.account_id`, r.trace)
}

// trimEvidence shortens long evidence lists to maxEvidence txn_ids; the Flows sheet has all.
func (c *caseData) trimEvidence(t *table) {
	i := t.col("evidence_txns")
	for _, r := range t.rows {
		s, _ := r[i].(string)
		ids := strings.Fields(s)
		if len(ids) > maxEvidence {
			r[i] = strings.Join(ids[:maxEvidence], " ") + fmt.Sprintf(" … and %d more (see Flows)", len(ids)-maxEvidence)
		}
	}
}

func (c *caseData) loadAccounts(ctx context.Context, db *casedb.DB) error {
	c.accounts = map[string]accountInfo{}
	rows, err := db.QueryContext(ctx, `SELECT account_id, kind, holder_name FROM accounts`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, kind string
		var holder sql.NullString
		if err := rows.Scan(&id, &kind, &holder); err != nil {
			return err
		}
		c.accounts[id] = accountInfo{Kind: kind, Holder: holder.String}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	lr, err := db.QueryContext(ctx, `SELECT l.party_id, coalesce(p.name, ''), l.account_id, l.role FROM party_links l
		LEFT JOIN parties p USING (party_id) ORDER BY l.party_id, l.account_id, l.role`)
	if err != nil {
		return err
	}
	defer lr.Close()
	for lr.Next() {
		var l partyLink
		if err := lr.Scan(&l.Party, &l.Name, &l.Account, &l.Role); err != nil {
			return err
		}
		c.links = append(c.links, l)
	}
	return lr.Err()
}
