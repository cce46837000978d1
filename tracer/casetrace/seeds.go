package casetrace

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/moneytrail/moneytrail/internal/casedb"
)

// resolvedSeed is one seed credit.
type resolvedSeed struct {
	selector string // the selector that first named it, as given
	txnID    string
	key      int64 // transactions.rowid: the engine's Txn key
	to       int32
	at       int64 // booked_at in Unix microseconds
}

// SeedSelector is a parsed --seed value.
type SeedSelector struct {
	// Given is the selector as written.
	Given string
	// Kind is txn, account, party, sql or finding.
	Kind string
	// Value is what follows "kind:" (without the date range).
	Value string
	// From and To limit the seeds to credits booked on those days (inclusive); empty when
	// open.
	From, To string
}

var dateRange = regexp.MustCompile(`@([0-9-]*)\.\.([0-9-]*)$`)

// ParseSeed reads a seed selector: KIND:VALUE optionally followed by @FROM..TO, with FROM and
// TO dates as YYYY-MM-DD, either of which may be left out.
func ParseSeed(s string) (SeedSelector, error) {
	sel := SeedSelector{Given: s}
	kind, rest, ok := strings.Cut(s, ":")
	if !ok {
		return sel, fmt.Errorf("%w: seed %q: want txn:ID, account:ID, party:ID, finding:RULE_ID or sql:SELECT txn_id ...", ErrInput, s)
	}
	sel.Kind = kind
	switch kind {
	case "txn", "account", "party", "finding", "sql":
	default:
		return sel, fmt.Errorf("%w: seed %q: unknown selector %q (want txn, account, party, finding or sql)", ErrInput, s, kind)
	}
	if m := dateRange.FindStringSubmatchIndex(rest); m != nil {
		sel.From, sel.To = rest[m[2]:m[3]], rest[m[4]:m[5]]
		rest = rest[:m[0]]
		for _, d := range []string{sel.From, sel.To} {
			if d == "" {
				continue
			}
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				return sel, fmt.Errorf("%w: seed %q: date %q: want YYYY-MM-DD", ErrInput, s, d)
			}
		}
		if sel.From != "" && sel.To != "" && sel.To < sel.From {
			return sel, fmt.Errorf("%w: seed %q: date range ends (%s) before it starts (%s)", ErrInput, s, sel.To, sel.From)
		}
	} else if kind != "sql" && strings.Contains(rest, "@") {
		return sel, fmt.Errorf("%w: seed %q: date range after @: want @FROM..TO with dates as YYYY-MM-DD", ErrInput, s)
	}
	sel.Value = strings.TrimSpace(rest)
	if sel.Value == "" {
		return sel, fmt.Errorf("%w: seed %q: nothing after %q", ErrInput, s, kind+":")
	}
	return sel, nil
}

// seedCandidates runs the queries of every selector and returns their candidate credits,
// one list per selector. It needs no account of the case loaded (only t.conn, t.opt and
// the as-of bound), so it can run on a connection of its own while the accounts are read.
func (t *run) seedCandidates() ([][]seedCandidate, error) {
	out := make([][]seedCandidate, 0, len(t.opt.Seeds))
	for _, given := range t.opt.Seeds {
		sel, err := ParseSeed(given)
		if err != nil {
			return nil, err
		}
		got, err := t.candidates(sel)
		if err != nil {
			return nil, err
		}
		out = append(out, got)
	}
	return out, nil
}

// pickSeeds checks every selector's candidates against the accounts and keeps the seed
// credits, in the order given, each credit once.
func (t *run) pickSeeds(cands [][]seedCandidate) error {
	seen := map[int64]bool{}
	for i, given := range t.opt.Seeds {
		sel, err := ParseSeed(given)
		if err != nil {
			return err
		}
		got, err := t.pick(sel, cands[i])
		if err != nil {
			return err
		}
		if len(got) == 0 {
			return fmt.Errorf("%w: seed %q selects no credit", ErrInput, given)
		}
		ids := make([]string, 0, len(got))
		for _, s := range got {
			ids = append(ids, s.txnID)
			if !seen[s.key] {
				seen[s.key] = true
				t.out.seeds = append(t.out.seeds, s)
			}
		}
		t.out.Manifest.Seeds = append(t.out.Manifest.Seeds, ManifestSeed{Given: given, TxnIDs: ids})
	}
	return nil
}

// seedQuery selects candidate seed credits (candidates puts the date range in front as a
// first column). It reads no text column but txn_id: a filter that DuckDB cannot push into
// the scan (a join on rowid) reads every selected column of every transaction, a second on
// 5M rows.
const seedQuery = `SELECT t.rowid, t.txn_id, coalesce(t.to_no, 0),
		epoch_us(t.booked_at), t.duplicate_of, t.pending
	FROM transactions t
	WHERE `

// seedCandidate is a credit a selector's query found, before it is checked.
type seedCandidate struct {
	s       resolvedSeed
	no      int32
	dup     sql.NullString
	pending bool
}

// candidates runs a selector's query: the credits it names within its date range, in replay
// order. It fails on unknown accounts, parties and transaction ids.
func (t *run) candidates(sel SeedSelector) ([]seedCandidate, error) {
	var where string
	var args []any
	named := 0       // transaction ids a sql: or finding: selector names
	var ids []string // the transaction ids a txn:, sql: or finding: selector names
	switch sel.Kind {
	case "txn":
		where, args = `t.txn_id = ?`, []any{sel.Value}
		ids = []string{sel.Value}
	case "account":
		if err := t.mustExist(`SELECT count(*) FROM accounts WHERE account_id = ?`, sel, "account"); err != nil {
			return nil, err
		}
		where = `t.to_account = ? AND t.from_account <> t.to_account AND t.duplicate_of IS NULL AND NOT t.pending`
		args = []any{sel.Value}
	case "party":
		if err := t.mustExist(`SELECT count(*) FROM (SELECT party_id FROM parties WHERE party_id = $1 UNION ALL SELECT party_id FROM party_links WHERE party_id = $1)`, sel, "party"); err != nil {
			return nil, err
		}
		// Credits into the party's accounts from outside the party.
		where = `t.to_account IN (SELECT account_id FROM party_links WHERE party_id = $1)
			AND t.from_account NOT IN (SELECT account_id FROM party_links WHERE party_id = $1)
			AND t.duplicate_of IS NULL AND NOT t.pending`
		args = []any{sel.Value}
	case "sql", "finding":
		var err error
		if ids, err = t.selectorIDs(sel); err != nil {
			return nil, err
		}
		slices.Sort(ids) // a finding's evidence may name a transaction twice
		ids = slices.Compact(ids)
		if err := t.temp("mt_seed_ids", `(txn_id VARCHAR)`); err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			return nil, nil
		}
		if err := t.exec(`INSERT INTO mt_seed_ids SELECT DISTINCT unnest(?::VARCHAR[])`, ids); err != nil {
			return nil, fmt.Errorf("seed %q: %w", sel.Given, err)
		}
		where = `t.txn_id IN (SELECT txn_id FROM mt_seed_ids)`
		named = len(ids)
	}
	// The date range is a column, not a filter: a sql: or finding: selector's unknown ids are
	// then found from the same scan (NOT IN over the case would hash every txn_id in it).
	inRange := `true`
	if sel.From != "" {
		inRange += fmt.Sprintf(` AND t.booked_at >= DATE '%s'`, sel.From)
	}
	if sel.To != "" {
		inRange += fmt.Sprintf(` AND t.booked_at < DATE '%s' + INTERVAL 1 DAY`, sel.To)
	}
	var cands []seedCandidate
	found := 0
	// run selects the candidates that where names, with idCol as their txn_id.
	run := func(idCol, where string, args ...any) error {
		cands, found = nil, 0
		q := strings.Replace(seedQuery, "SELECT ", "SELECT "+inRange+", ", 1)
		q = strings.Replace(q, "t.txn_id,", idCol+",", 1)
		rows, err := t.conn.QueryContext(t.ctx, q+where+` ORDER BY t.booked_at, t.seq, 3`, args...)
		if err != nil {
			return fmt.Errorf("seed %q: %w", sel.Given, err)
		}
		defer rows.Close()
		for rows.Next() {
			c := seedCandidate{s: resolvedSeed{selector: sel.Given}}
			var in bool
			if err := rows.Scan(&in, &c.s.key, &c.s.txnID, &c.no, &c.s.at, &c.dup, &c.pending); err != nil {
				return err
			}
			found++
			if in {
				cands = append(cands, c)
			}
		}
		return rows.Err()
	}
	// Ids as ingest derives them narrow the scan to their files' records first; the ids are
	// still compared (unless the records alone name them, idExpr), and a selector whose ids
	// are not all found that way is looked up again without the narrowing (a format's own id
	// may look derived).
	pre, idExpr, err := t.derivedFilter(ids)
	switch {
	case err != nil:
	case idExpr != "":
		err = run(idExpr, pre)
	case pre != "":
		err = run("t.txn_id", pre+` AND `+where, args...)
	}
	if err != nil {
		return nil, err
	}
	if pre == "" || found < len(ids) {
		if err := run("t.txn_id", where, args...); err != nil {
			return nil, err
		}
	} else {
		t.narrowed++
	}
	if found < named {
		var unknown string
		if err := t.conn.QueryRowContext(t.ctx, `SELECT array_to_string(list(s.txn_id ORDER BY s.txn_id)[1:5], ', ')
			FROM mt_seed_ids s LEFT JOIN (SELECT txn_id FROM transactions WHERE txn_id IN (SELECT txn_id FROM mt_seed_ids)) t USING (txn_id)
			WHERE t.txn_id IS NULL`).Scan(&unknown); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: seed %q: unknown transaction(s) %s", ErrInput, sel.Given, unknown)
	}
	return cands, nil
}

// derivedID matches the transaction ids that ingest derives for records without an id of
// their own (ingest.derivedID): the first 16 hex digits of the file's SHA-256, ":", the
// record number (no leading zero: "prefix:07" is not the id of record 7) and, when one record
// gives several transactions, "." and a number.
var derivedID = regexp.MustCompile(`^([0-9a-f]{16}):(0|[1-9][0-9]{0,17})(\.[1-9][0-9]{0,8})?$`)

// derivedFilter returns a condition that holds for every transaction whose txn_id, derived
// at ingest, is one of ids: its source's SHA-256 begins with the id's prefix and its
// source_record is the id's record number. Integer columns, it spares a scan of every txn_id
// in the case (on 5M rows, a third of a second and 50 MB of string blocks read). When every
// id names a record of one file whose ids are all derived (sources.ids_derived),
// the condition selects exactly those transactions and idExpr is their txn_id, worked out
// from source and record without reading it; otherwise idExpr is empty and the ids must
// still be compared. It returns "" when some id is not of that form, or when there are many
// (above derivedMax, the list would cost more than it saves).
func (t *run) derivedFilter(ids []string) (cond, idExpr string, err error) {
	if len(ids) == 0 || len(ids) > derivedMax {
		return "", "", nil
	}
	recs := map[string][]string{} // by prefix
	exact := true
	for _, id := range ids {
		m := derivedID.FindStringSubmatch(id)
		if m == nil {
			return "", "", nil
		}
		recs[m[1]] = append(recs[m[1]], m[2])
		exact = exact && m[3] == ""
	}
	var conds []string // one per prefix: its files' records
	var names strings.Builder
	for _, p := range slices.Sorted(maps.Keys(recs)) {
		rows, err := t.conn.QueryContext(t.ctx, `SELECT source_id, ids_derived FROM sources WHERE starts_with(sha256, ?) ORDER BY source_id`, p)
		if err != nil {
			return "", "", err
		}
		var sids []string
		for rows.Next() {
			var sid int64
			var all bool
			if err := rows.Scan(&sid, &all); err != nil {
				rows.Close()
				return "", "", err
			}
			sids = append(sids, strconv.FormatInt(sid, 10))
			exact = exact && all
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return "", "", err
		}
		if len(sids) == 0 {
			continue // unknown ids: the full lookup names them
		}
		exact = exact && len(sids) == 1
		r := recs[p]
		slices.Sort(r)
		conds = append(conds, `t.source_id IN (`+strings.Join(sids, ", ")+`) AND t.source_record IN (`+strings.Join(slices.Compact(r), ", ")+`)`)
		fmt.Fprintf(&names, ` WHEN %s THEN '%s:'`, sids[0], p)
	}
	if len(conds) == 0 {
		return "", "", nil
	}
	cond = `(` + strings.Join(conds, `) OR (`) + `)`
	if !exact {
		return cond, "", nil
	}
	return cond, `(CASE t.source_id` + names.String() + ` END || CAST(t.source_record AS VARCHAR))`, nil
}

// derivedMax is the largest number of ids derivedFilter narrows a scan for.
const derivedMax = 100_000

// pick checks a selector's candidates against the accounts (loaded by now) and as-of and
// returns its seed credits.
func (t *run) pick(sel SeedSelector, cands []seedCandidate) ([]resolvedSeed, error) {
	var out []resolvedSeed
	var dups []string
	for _, c := range cands {
		s := c.s
		s.to = t.indexOf(c.no)
		switch {
		case c.dup.Valid:
			dups = append(dups, fmt.Sprintf("%s (a duplicate of %s)", s.txnID, c.dup.String))
			continue
		case c.pending:
			return nil, fmt.Errorf("%w: seed %q: transaction %s is pending, not booked", ErrInput, sel.Given, s.txnID)
		case s.to < 0:
			var to string
			if err := t.conn.QueryRowContext(t.ctx, `SELECT to_account FROM transactions WHERE rowid = ?`, s.key).Scan(&to); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("%w: seed %q: transaction %s credits %s, which is not in the accounts table", ErrInput, sel.Given, s.txnID, to)
		case t.out.accounts[s.to].exitKind:
			if err := t.waitNames(); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("%w: seed %q: transaction %s is not a credit into an account inside the traced universe: it pays %s (kind %s)",
				ErrInput, sel.Given, s.txnID, t.out.names.id(s.to), t.out.names.kindOf(s.to))
		case t.out.asOfEnd != nil && s.at > *t.out.asOfEnd:
			return nil, fmt.Errorf("%w: seed %q: transaction %s is booked after --as-of %s", ErrInput, sel.Given, s.txnID, t.opt.AsOf)
		}
		out = append(out, s)
	}
	if len(out) == 0 && sel.Kind == "txn" {
		if len(dups) > 0 {
			return nil, fmt.Errorf("%w: seed %q: transaction %s; seed the transaction it duplicates", ErrInput, sel.Given, dups[0])
		}
		if sel.From != "" || sel.To != "" {
			return nil, fmt.Errorf("%w: seed %q: transaction %s is not booked in the date range (or does not exist)", ErrInput, sel.Given, sel.Value)
		}
		return nil, fmt.Errorf("%w: seed %q: unknown transaction %s", ErrInput, sel.Given, sel.Value)
	}
	return out, nil
}

func (t *run) mustExist(q string, sel SeedSelector, what string) error {
	var n int64
	if err := t.conn.QueryRowContext(t.ctx, q, sel.Value).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: seed %q: unknown %s %s", ErrInput, sel.Given, what, sel.Value)
	}
	return nil
}

// selectorIDs returns the transaction ids named by a sql: or finding: selector.
func (t *run) selectorIDs(sel SeedSelector) ([]string, error) {
	if sel.Kind == "finding" {
		rows, err := t.conn.QueryContext(t.ctx, `SELECT evidence FROM findings WHERE rule_id = ? ORDER BY run_id, subject`, sel.Value)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var ids []string
		n := 0
		for rows.Next() {
			var ev sql.NullString
			if err := rows.Scan(&ev); err != nil {
				return nil, err
			}
			n++
			ids = append(ids, strings.Fields(ev.String)...)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, fmt.Errorf("%w: seed %q: the case has no findings of rule %s (rules are not built yet; seed with txn:, account:, party: or sql:)",
				ErrInput, sel.Given, sel.Value)
		}
		return ids, nil
	}
	if ids, ok := t.opt.SQLSeeds[sel.Value]; ok {
		return ids, nil
	}
	if t.opt.db != nil && !t.opt.db.Sealed && trustTestSQL {
		return trustedSeedIDs(t, sel)
	}
	if t.opt.db == nil || !t.opt.db.Sealed {
		return nil, fmt.Errorf("%w: seed %q: a sql: seed runs on a sealed case only: resolve it first (ResolveSQLSeeds) and pass Options.SQLSeeds", casedb.ErrInternal, sel.Given)
	}
	return sqlSeedIDs(t.ctx, t.opt.db, sel)
}

// trustTestSQL lets this package's tests run sql: seeds of their own on the writable cases
// they build (export_test.go sets it); it is false in every build of moneytrail.
var trustTestSQL bool

// trustedSeedIDs runs a test's sql: seed on the trace's own connection.
func trustedSeedIDs(t *run, sel SeedSelector) ([]string, error) {
	rows, err := t.conn.QueryContext(t.ctx, `SELECT CAST(txn_id AS VARCHAR) FROM (`+sel.Value+`) AS seed_query`)
	if err != nil {
		return nil, fmt.Errorf("%w: seed %q: %w", ErrInput, sel.Given, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id sql.NullString
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		if id.Valid {
			ids = append(ids, id.String)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), rows.Err()
}

// ResolveSQLSeeds runs the queries of the sql: selectors among seeds on a sealed handle of
// the case (opened with open only when there is one, and closed before it returns) and
// returns the transaction ids each selects, by query, for Options.SQLSeeds: a trace that
// stores its run has the case open for writing, where a user's query never runs.
func ResolveSQLSeeds(ctx context.Context, open casedb.Opener, seeds []string) (map[string][]string, error) {
	var sqls []SeedSelector
	for _, given := range seeds {
		sel, err := ParseSeed(given)
		if err != nil {
			return nil, err
		}
		if sel.Kind == "sql" {
			sqls = append(sqls, sel)
		}
	}
	if len(sqls) == 0 {
		return nil, nil
	}
	db, err := open(ctx, casedb.Options{Sealed: true})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	out := map[string][]string{}
	for _, sel := range sqls {
		if _, ok := out[sel.Value]; ok {
			continue
		}
		ids, err := sqlSeedIDs(ctx, db, sel)
		if err != nil {
			return nil, err
		}
		out[sel.Value] = ids
	}
	return out, nil
}

// sqlSeedIDs runs a sql: selector's query on the sealed db: it must be one SELECT as DuckDB
// parses it, returning txn_id. The ids come back sorted, each once.
func sqlSeedIDs(ctx context.Context, db *casedb.DB, sel SeedSelector) ([]string, error) {
	q := strings.TrimSpace(sel.Value)
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, err := casedb.CheckUser(conn, q); err != nil {
		return nil, fmt.Errorf("%w: seed %q: %w", ErrInput, sel.Given, err)
	}
	q = strings.TrimSpace(strings.TrimSuffix(q, ";"))
	rows, err := db.QueryUser(ctx, conn, `SELECT CAST(txn_id AS VARCHAR) FROM (`+q+`
	) AS seed_query`)
	if err != nil {
		return nil, fmt.Errorf("%w: seed %q: %w", ErrInput, sel.Given, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id sql.NullString
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		if id.Valid {
			ids = append(ids, id.String)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%w: seed %q: %w", ErrInput, sel.Given, err)
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}
