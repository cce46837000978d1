package casetrace

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/moneytrail/moneytrail/tracer"
)

// account is one account of the case, known to the engine by its index in run.out.accounts
// (accounts sorted by account_id, so index order is id order).
type account struct {
	exitKind bool // cash, external or asset: always an exit
	opening  int64
	// untraceable says why the account's opening balance cannot be traced (openingForeign;
	// 0 when it can): a trace fails only when the account is in its scope.
	untraceable uint8
	// overdraft is set when the account's statements show its balance below zero (a negative
	// opening, a statement opening or closing, or a booked balance under zero): lender is
	// then the index of the exit standing for its bank, "overdraft:ID", one of the accounts
	// loadAccounts appends after the case's own (whose owner is the overdrawn account).
	overdraft bool
	lender    int32
	owner     int32
}

// Reasons an account's opening balance cannot be traced: in another currency without a rate
// on or before the day it opens.
const openingForeign = 1

// overdraftSQL selects the accounts whose statements show a balance below zero.
const overdraftSQL = `SELECT account_id FROM accounts WHERE opening_balance < 0
	UNION SELECT account_id FROM statements WHERE opening < 0 OR closing < 0
	UNION SELECT st.account_id FROM transactions t
		JOIN (SELECT DISTINCT source_id, account_id FROM statements) st
		ON st.source_id = t.source_id AND (st.account_id = t.from_account OR st.account_id = t.to_account)
		WHERE t.balance_after < 0`

// exit reports whether the engine treats the account as an exit: its kind is cash, external
// or asset, or it is outside the scope.
func (t *run) exit(idx int32) bool { return t.out.accounts[idx].exitKind || !t.inScope[idx] }

// loadAccounts reads what the replay needs of every account: its engine index (its rank in
// account-id order), whether it is an exit, its opening balance, and the map from stored
// account numbers to indexes, which every stream applies. It reads no text column: the ids,
// kinds and parties (about two thirds of the time on a case of 250,000 accounts) come from
// loadNames, which a trace runs beside the read of the transactions.
func (t *run) loadAccounts() error {
	if err := t.conn.QueryRowContext(t.ctx, `SELECT value FROM meta WHERE key = 'base_currency'`).Scan(&t.base); err != nil {
		return fmt.Errorf("case base currency: %w", err)
	}
	t.amountCol = "base_amount"
	var n int
	if err := t.conn.QueryRowContext(t.ctx, `SELECT count(*) FROM accounts`).Scan(&n); err != nil {
		return err
	}
	t.out.accounts = make([]account, n)
	nos := make([]int32, n)
	rows, err := t.conn.QueryContext(t.ctx, `SELECT account_no, CAST(row_number() OVER (ORDER BY account_id) - 1 AS INTEGER),
			kind IN ('cash', 'external', 'asset'), CAST(opening_balance * 100 AS BIGINT),
			currency IS NOT NULL AND currency <> ?, account_id IN (`+overdraftSQL+`)
		FROM accounts`, t.base)
	if err != nil {
		return err
	}
	defer rows.Close()
	maxNo := int32(0)
	bad, badWhy := -1, ""
	var no sql.NullInt32
	var i int32
	var exit, foreign, od bool
	var opening sql.NullInt64
	for rows.Next() {
		if err := rows.Scan(&no, &i, &exit, &opening, &foreign, &od); err != nil {
			return err
		}
		if i < 0 || int(i) >= n {
			return fmt.Errorf("accounts: rank %d outside 0..%d: the case database changed during the trace", i, n-1)
		}
		a := &t.out.accounts[i]
		a.exitKind, a.overdraft = exit, od && !exit
		// The error names the first wrong account in id order, whatever order rows come in.
		first := bad < 0 || int(i) < bad
		if !no.Valid || no.Int32 <= 0 {
			if first {
				bad, badWhy = int(i), "number"
			}
			continue
		}
		nos[i] = no.Int32
		maxNo = max(maxNo, no.Int32)
		if opening.Valid && opening.Int64 != 0 && !exit {
			if foreign {
				a.untraceable = openingForeign
			} else {
				a.opening = opening.Int64
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	if bad >= 0 {
		return t.badAccount(bad, badWhy)
	}
	t.index = make([]int32, maxNo+1)
	for i := range t.index {
		t.index[i] = -1
	}
	for i, no := range nos {
		if t.index[no] >= 0 {
			var ids string
			if err := t.conn.QueryRowContext(t.ctx, `SELECT string_agg(account_id, ' and ' ORDER BY account_id) FROM accounts WHERE account_no = ?`, no).Scan(&ids); err != nil {
				return fmt.Errorf("accounts: %w", err)
			}
			return fmt.Errorf("accounts %s share account number %d: the case database is damaged", ids, no)
		}
		t.index[no] = int32(i)
	}
	if err := t.convertOpenings(); err != nil {
		return err
	}
	t.real = n
	for i := range n {
		if t.out.accounts[i].overdraft {
			t.out.accounts[i].lender = int32(len(t.out.accounts))
			t.out.accounts = append(t.out.accounts, account{exitKind: true, owner: int32(i)})
		}
	}
	t.inScope = make([]bool, len(t.out.accounts))
	return nil
}

// badAccount is the error for the account at index i, found wrong by loadAccounts: without an
// account number (why "number"), or, in the scope, with an opening balance the tracer cannot
// take ("opening").
func (t *run) badAccount(i int, why string) error {
	var id, cur string
	var opening sql.NullInt64
	if err := t.conn.QueryRowContext(t.ctx, `SELECT account_id, coalesce(currency, ''), CAST(opening_balance * 100 AS BIGINT)
		FROM (SELECT *, row_number() OVER (ORDER BY account_id) - 1 AS i FROM accounts) WHERE i = ?`, i).Scan(&id, &cur, &opening); err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	switch {
	case why == "number":
		return fmt.Errorf("account %s has no account number: the case database is damaged", id)
	default:
		return fmt.Errorf("%w: account %s, reached by the traced money, opens with %s %s and the case has no %s rate against %s on or before the day it opens: ingest a rate file with a %s column (ECB layout, see README: Tracing)",
			ErrInput, id, formatCents(opening.Int64), cur, cur, t.base, cur)
	}
}

// checkOpenings fails when an account in the scope has an opening balance the tracer cannot
// take (see account.untraceable), naming the first in id order; accounts outside the scope are
// exits, whose balances the trace never uses.
func (t *run) checkOpenings() error {
	for i, a := range t.out.accounts {
		if a.untraceable != 0 && !a.exitKind && t.inScope[i] {
			return t.badAccount(i, "opening")
		}
	}
	return nil
}

// loadNames reads the ids, kinds and parties of the accounts loaded by loadAccounts, on conn,
// into t.out.names.
func (t *run) loadNames(conn *sql.Conn) error {
	names := newAccountNames(len(t.out.accounts))
	n := 0
	err := readNames(t.ctx, conn, func(no int32, id, kind, party string) error {
		i := t.indexOf(no)
		if i < 0 {
			return fmt.Errorf("account names: account number %d unknown before: the case database changed during the trace", no)
		}
		n++
		return names.set(i, id, kind, party)
	})
	if err != nil {
		return err
	}
	if n != t.real {
		return fmt.Errorf("account names: %d accounts, %d before: the case database changed during the trace", n, t.real)
	}
	for i, a := range t.out.accounts[t.real:] {
		if err := names.set(int32(t.real+i), "overdraft:"+names.id(a.owner), "overdraft", ""); err != nil {
			return err
		}
	}
	t.out.names = names
	return nil
}

// namesQuery selects the accounts' numbers, ids, kinds and parties (see readNames), in no
// order: loadAccounts has ranked them already.
const namesQuery = `SELECT coalesce(account_no, 0), account_id, kind, coalesce(party_id, '') FROM accounts`

// indexOf is the engine index of the account with stored number no, -1 when there is none.
func (t *run) indexOf(no int32) int32 {
	if no <= 0 || int(no) >= len(t.index) {
		return -1
	}
	return t.index[no]
}

// reacher marks, in one forward pass over the transactions in replay order, the accounts
// that money from the seeds can reach: a seed's receiver, then the receiver of every later
// payment from a reached account. Exits (cash, external, asset) are never reached: money
// paid by them is fresh.
type reacher struct {
	exit    []bool // per account: an exit (compact: the pass touches two accounts per row)
	reached []bool
	n       int // accounts reached
	seeds   map[int64]bool
	filter  []uint64 // bit k&filterMask set for every seed key k: most rows skip the map
	first   int64    // time of the first seed
}

const filterMask = 1<<20 - 1

func (t *run) newReacher() *reacher {
	r := &reacher{exit: make([]bool, len(t.out.accounts)), reached: t.inScope, seeds: make(map[int64]bool, len(t.out.seeds)),
		filter: make([]uint64, (filterMask+1)/64), first: t.out.seeds[0].at}
	for i, a := range t.out.accounts {
		r.exit[i] = a.exitKind
	}
	for _, s := range t.out.seeds {
		r.seeds[s.key] = true
		r.filter[(s.key&filterMask)>>6] |= 1 << (s.key & 63)
		r.first = min(r.first, s.at)
	}
	return r
}

// step runs the pass over one batch (account indexes, At set).
func (r *reacher) step(b *tracer.Batch) {
	if n := b.Len(); n == 0 || b.At[n-1] < r.first {
		return
	}
	reached, exit, filter := r.reached, r.exit, r.filter
	for i, k := range b.Txn {
		to := b.To[i]
		if reached[to] || exit[to] || b.At[i] < r.first {
			continue
		}
		from := b.From[i]
		if (reached[from] && !exit[from]) || (filter[(k&filterMask)>>6]&(1<<(k&63)) != 0 && r.seeds[k]) {
			reached[to] = true
			r.n++
		}
	}
}

// computeScope marks the accounts in scope. With ScopeAll every account but the exits is in
// it. With ScopeReachable the accounts money from a seed can reach (see reacher): when the
// transactions were read already (read), the pass has run during that read; otherwise a
// stream of the account columns runs it.
func (t *run) computeScope(read bool) error {
	accts := t.out.accounts
	nonExit := 0
	for _, a := range accts {
		if !a.exitKind {
			nonExit++
		}
	}
	if t.opt.Scope == ScopeAll {
		for i, a := range accts {
			t.inScope[i] = !a.exitKind
		}
		t.scopeAll, t.scoped = true, nonExit
		return nil
	}
	if !read {
		r := t.newReacher()
		err := t.stream(streamSpec{cents: `CAST(1 AS BIGINT)`}, func(b *tracer.Batch) error {
			r.step(b)
			return nil
		})
		if err != nil {
			return fmt.Errorf("scope: %w", err)
		}
	}
	return t.countScope(nonExit)
}

// countScope counts the accounts reached and notes whether every non-exit account is.
func (t *run) countScope(nonExit int) error {
	for _, r := range t.inScope {
		if r {
			t.scoped++
		}
	}
	if t.scoped == 0 {
		return fmt.Errorf("%w: empty scope: no seed credit reaches an account in the case", ErrInput)
	}
	t.scopeAll = t.scoped == nonExit
	return nil
}

// scopeSQL is an SQL condition on transactions t that holds for those touching the scope,
// through a temporary table of the account numbers in scope (made on first use).
func (t *run) scopeSQL() (string, error) {
	if t.scopeAll {
		return `true`, nil
	}
	if !t.scopeTable {
		var nos []int32
		for no, i := range t.index {
			if i >= 0 && t.inScope[i] {
				nos = append(nos, int32(no))
			}
		}
		if err := t.temp("mt_scope", `(no INTEGER)`); err != nil {
			return "", err
		}
		if err := t.exec(`INSERT INTO mt_scope SELECT unnest(?::INTEGER[])`, nos); err != nil {
			return "", fmt.Errorf("scope: %w", err)
		}
		t.scopeTable = true
	}
	return `(t.from_no IN (SELECT no FROM mt_scope) OR t.to_no IN (SELECT no FROM mt_scope))`, nil
}

// countAmounts counts the replayable transactions without a base amount, and fails when a
// base amount has no micro-units beside it (too large for the tracer's integers).
func (t *run) countAmounts() error {
	// Without a NULL in base_micros (the usual case) neither can happen; base_amount, a
	// 128-bit decimal, is read only when there is one (a tenth of a second on 5M rows).
	var noMicros int64
	if err := t.conn.QueryRowContext(t.ctx, `SELECT count(*) FROM transactions t WHERE `+t.replayFilter()+` AND t.base_micros IS NULL`).Scan(&noMicros); err != nil {
		return fmt.Errorf("amounts: %w", err)
	}
	if noMicros == 0 {
		t.nulls = 0
		return nil
	}
	var tooLarge int64
	var first sql.NullString
	if err := t.conn.QueryRowContext(t.ctx, `SELECT count(*) FILTER (WHERE t.base_amount IS NULL),
			count(*) FILTER (WHERE t.base_amount IS NOT NULL AND t.base_micros IS NULL),
			min(t.txn_id) FILTER (WHERE t.base_amount IS NOT NULL AND t.base_micros IS NULL)
		FROM transactions t WHERE `+t.replayFilter()).Scan(&t.nulls, &tooLarge, &first); err != nil {
		return fmt.Errorf("amounts: %w", err)
	}
	if tooLarge > 0 {
		return fmt.Errorf("%w: %d transactions have a base amount too large to trace (9.2 trillion or more), e.g. %s", ErrInput, tooLarge, first.String)
	}
	return nil
}

// checkAmounts chooses the amounts to trace. Base-currency amounts are used when every
// transaction in scope has one; when some have none (no FX rate), the trace runs in the
// transactions' own currency if all in scope share one, and fails otherwise, naming the
// first transactions without a rate.
func (t *run) checkAmounts() error {
	if t.nulls == 0 {
		return nil
	}
	in, err := t.scopeSQL()
	if err != nil {
		return err
	}
	q := `FROM transactions t WHERE ` + t.replayFilter() + ` AND ` + in
	var missing, currencies int64
	var cur sql.NullString
	var first sql.NullString
	if err := t.conn.QueryRowContext(t.ctx, `SELECT count(*) FILTER (WHERE t.base_amount IS NULL), count(DISTINCT t.currency), min(t.currency),
			array_to_string(list(t.txn_id ORDER BY t.booked_at, t.seq) FILTER (WHERE t.base_amount IS NULL)[1:5], ', ') `+q).
		Scan(&missing, &currencies, &cur, &first); err != nil {
		return fmt.Errorf("amounts: %w", err)
	}
	if missing == 0 {
		return nil
	}
	if currencies == 1 {
		t.base, t.amountCol = cur.String, "amount"
		if err := t.waitNames(); err != nil {
			return err
		}
		for i, a := range t.out.accounts {
			if a.opening != 0 && t.inScope[i] {
				return fmt.Errorf("%w: %d transactions in scope have no base-currency amount and account %s has an opening balance in the base currency: load FX rates (ingest an ECB rates file)",
					ErrInput, missing, t.out.names.id(int32(i)))
			}
		}
		return nil
	}
	return fmt.Errorf("%w: %d transactions in scope have no base-currency amount (no FX rate), e.g. %s; load FX rates (ingest an ECB rates file) or trace transactions of a single currency",
		ErrInput, missing, first.String)
}

// ManifestOpeningFX is an opening balance in another currency than the trace's, converted at
// the case's rate of the day the account opens (its first statement's start, else its first
// transaction's day) or the last earlier fixing, rounded half away from zero to the cent.
type ManifestOpeningFX struct {
	Account  string `json:"account"`
	Currency string `json:"currency"`
	Opening  string `json:"opening"`
	OpensOn  string `json:"opens_on"`
	Rate     string `json:"rate"`
	RateDay  string `json:"rate_day"`
	Amount   string `json:"amount"`
}

// openingFXSQL converts the opening balances of the accounts ranked ?::INTEGER[] (rank in
// account-id order) into the base currency ?, as ingest converts transactions.
const openingFXSQL = `WITH a AS (SELECT account_id, currency, opening_balance, CAST(row_number() OVER (ORDER BY account_id) - 1 AS INTEGER) AS i FROM accounts),
	d AS (SELECT a.*, coalesce((SELECT min(period_start) FROM statements s WHERE s.account_id = a.account_id),
			(SELECT CAST(min(booked_at) AS DATE) FROM transactions t WHERE t.from_account = a.account_id OR t.to_account = a.account_id)) AS day
		FROM a WHERE list_contains(?::INTEGER[], i)),
	r AS (SELECT day AS rday, currency, rate, CAST(rate * 10000000000 AS HUGEINT) AS e10 FROM fx_rates WHERE base_currency = ?)
SELECT d.i, d.account_id, d.currency, CAST(d.opening_balance AS VARCHAR), coalesce(strftime(d.day, '%Y-%m-%d'), ''),
	CAST(r.rate AS VARCHAR), strftime(r.rday, '%Y-%m-%d'),
	CAST(sign(d.opening_balance) * ((2 * abs(CAST(d.opening_balance * 1000000 AS HUGEINT)) * 10000000000 + r.e10 * 10000) // (2 * r.e10 * 10000)) AS BIGINT)
FROM d ASOF LEFT JOIN r ON r.currency = d.currency AND d.day >= r.rday`

// convertOpenings converts the opening balances in other currencies (openingForeign) at the
// case's rates, recording each in t.openingFX; those without a rate stay untraceable.
func (t *run) convertOpenings() error {
	var foreign []int32
	for i, a := range t.out.accounts {
		if a.untraceable == openingForeign {
			foreign = append(foreign, int32(i))
		}
	}
	if len(foreign) == 0 {
		return nil
	}
	rows, err := t.conn.QueryContext(t.ctx, openingFXSQL, foreign, t.base)
	if err != nil {
		return fmt.Errorf("opening balances in other currencies: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var i int32
		var c ManifestOpeningFX
		var rate, rday sql.NullString
		var cents sql.NullInt64
		if err := rows.Scan(&i, &c.Account, &c.Currency, &c.Opening, &c.OpensOn, &rate, &rday, &cents); err != nil {
			return fmt.Errorf("opening balances in other currencies: %w", err)
		}
		if !cents.Valid {
			continue
		}
		a := &t.out.accounts[i]
		a.opening, a.untraceable = cents.Int64, 0
		c.Opening, c.Rate, c.RateDay, c.Amount = decimalText(sql.NullString{String: c.Opening, Valid: true}), rate.String, rday.String, formatCents(cents.Int64)
		t.openingFX = append(t.openingFX, c)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	slices.SortFunc(t.openingFX, func(a, b ManifestOpeningFX) int { return strings.Compare(a.Account, b.Account) })
	return nil
}

// accountIndex is the engine index of the case's account id (-1 when none), by a scan: for
// the few accounts the manifest names.
func (t *run) accountIndex(id string) int32 {
	for i := range t.real {
		if t.out.names.id(int32(i)) == id {
			return int32(i)
		}
	}
	return -1
}
