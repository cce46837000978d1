package casetrace

import (
	"database/sql"
	"fmt"
	"strings"

	"github.com/moneytrail/moneytrail/tracer"
)

// account is one account of the case, known to the engine by its index in run.out.accounts
// (accounts sorted by account_id, so index order is id order).
type account struct {
	id       string
	kind     string
	exitKind bool // cash, external or asset: always an exit
	opening  int64
	party    string // party_id, "" when unknown
}

// holderKind is the account's holder_kind in positions: "exit" when the engine treats it as
// one, "account" otherwise.
func (t *run) exit(idx int32) bool { return t.out.accounts[idx].exitKind || !t.inScope[idx] }

// loadAccounts numbers the case's accounts in a temporary table mt_acct(idx, account_id,
// exit_kind, in_scope) that the stream queries join to turn account ids into dense indexes.
func (t *run) loadAccounts() error {
	if err := t.conn.QueryRowContext(t.ctx, `SELECT value FROM meta WHERE key = 'base_currency'`).Scan(&t.base); err != nil {
		return fmt.Errorf("case base currency: %w", err)
	}
	t.amountCol = "base_amount"
	if err := t.temp("mt_acct", `AS SELECT CAST(row_number() OVER (ORDER BY account_id) - 1 AS INTEGER) AS idx,
		account_id, kind IN ('cash', 'external', 'asset') AS exit_kind, false AS in_scope
		FROM accounts`); err != nil {
		return fmt.Errorf("number accounts: %w", err)
	}
	rows, err := t.conn.QueryContext(t.ctx, `SELECT a.account_id, a.kind, CAST(a.opening_balance * 100 AS BIGINT),
			coalesce(a.currency, ''), a.opening_balance * 100 <> CAST(a.opening_balance * 100 AS BIGINT), coalesce(a.party_id, '')
		FROM mt_acct m JOIN accounts a USING (account_id) ORDER BY m.idx`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a account
		var opening sql.NullInt64
		var cur string
		var frac sql.NullBool
		if err := rows.Scan(&a.id, &a.kind, &opening, &cur, &frac, &a.party); err != nil {
			return err
		}
		a.exitKind = a.kind == "cash" || a.kind == "external" || a.kind == "asset"
		if opening.Valid && opening.Int64 != 0 && !a.exitKind {
			if opening.Int64 < 0 {
				return fmt.Errorf("%w: account %s: negative opening balance %s; the tracer needs a known non-negative balance",
					ErrInput, a.id, formatCents(opening.Int64))
			}
			if cur != "" && cur != t.base {
				return fmt.Errorf("%w: account %s: opening balance in %s, the case traces in %s", ErrInput, a.id, cur, t.base)
			}
			a.opening = opening.Int64
		}
		t.out.accounts = append(t.out.accounts, a)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	t.inScope = make([]bool, len(t.out.accounts))
	return nil
}

// replayFilter is the WHERE clause of every replay query: non-duplicate, booked transactions
// with a positive amount in cents, up to as-of, touching the scope.
func (t *run) replayFilter(scoped bool) string {
	var b strings.Builder
	b.WriteString(`t.duplicate_of IS NULL AND NOT t.pending`)
	if t.out.asOfEnd != nil {
		fmt.Fprintf(&b, ` AND t.booked_at <= make_timestamp(CAST(%d AS BIGINT))`, *t.out.asOfEnd)
	}
	if scoped && !t.scopeAll {
		b.WriteString(` AND (fa.in_scope OR ta.in_scope)`)
	}
	return b.String()
}

// streamQuery selects the replay columns (see scanBatches) in (booked_at, seq) order.
func (t *run) streamQuery(cents, where string) string {
	return t.streamQueryOrder(cents, "", where, `t.booked_at, t.seq`)
}

// streamQueryOrder selects the replay columns in the given order, with a sixth column, the
// inflow label, when label is not empty.
func (t *run) streamQueryOrder(cents, label, where, order string) string {
	if label != "" {
		label = `, CAST(` + label + ` AS INTEGER) AS lb`
	}
	return `SELECT t.rowid AS k, coalesce(fa.idx, -1) AS f, coalesce(ta.idx, -1) AS tt, ` + cents + ` AS c, epoch_us(t.booked_at) AS at` + label + `
		FROM transactions t
		LEFT JOIN mt_acct fa ON fa.account_id = t.from_account
		LEFT JOIN mt_acct ta ON ta.account_id = t.to_account
		WHERE ` + where + `
		ORDER BY ` + order
}

// centsExpr is the amount column in millionths (micro-units), exact for DECIMAL(38,6); the
// engine's cents are rounded from it in Go (see toCents), which also counts the amounts with
// fractions of a cent without a second pass over the DECIMAL column.
func (t *run) centsExpr() string { return `CAST(t.` + t.amountCol + ` * 1000000 AS BIGINT)` }

// computeScope marks the accounts in scope. With ScopeReachable it replays, in one ordered
// pass over the account columns from the first seed on, which accounts money from a seed can
// reach: the seed's receiver, then the receiver of every later payment from a reached
// account. Exits (cash, external, asset) are never reached: money paid by them is fresh. The
// pass runs over held when it is not nil, else over a query of the case.
func (t *run) computeScope(held *heldColumns) error {
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
	seedTo := make(map[int64]int32, len(t.out.seeds))
	first := t.out.seeds[0].at
	for _, s := range t.out.seeds {
		seedTo[s.key] = s.to
		first = min(first, s.at)
	}
	reached := t.inScope
	if held != nil {
		if err := t.reach(held, reached); err != nil {
			return fmt.Errorf("scope: %w", err)
		}
		return t.countScope(nonExit)
	}
	where := t.replayFilter(false) + fmt.Sprintf(` AND t.booked_at >= make_timestamp(CAST(%d AS BIGINT))`, first)
	err := scanBatches(t.ctx, t.conn, t.streamQuery(`CAST(1 AS BIGINT)`, where), func(b *tracer.Batch) error {
		for i, k := range b.Txn {
			from, to := b.From[i], b.To[i]
			if from < 0 || to < 0 {
				return fmt.Errorf("transaction row %d names an account missing from the accounts table", k)
			}
			if reached[to] || accts[to].exitKind {
				continue
			}
			if reached[from] && !accts[from].exitKind {
				reached[to] = true
			} else if _, ok := seedTo[k]; ok {
				reached[to] = true
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("scope: %w", err)
	}
	return t.countScope(nonExit)
}

// countScope counts the accounts reached and stores the scope.
func (t *run) countScope(nonExit int) error {
	for _, r := range t.inScope {
		if r {
			t.scoped++
		}
	}
	if t.scoped == 0 {
		return fmt.Errorf("%w: empty scope: no seed credit reaches an account in the case", ErrInput)
	}
	return t.storeScope(nonExit)
}

// storeScope marks t.inScope (t.scoped accounts of nonExit) in mt_acct for the replay query.
func (t *run) storeScope(nonExit int) error {
	reached := t.inScope
	if t.scoped == nonExit {
		t.scopeAll = true
		return nil
	}
	mask := make([]byte, len(reached))
	for i, r := range reached {
		mask[i] = '0'
		if r {
			mask[i] = '1'
		}
	}
	if err := t.exec(`UPDATE mt_acct SET in_scope = substr(?, idx + 1, 1) = '1'`, string(mask)); err != nil {
		return fmt.Errorf("scope: %w", err)
	}
	return nil
}

// countAmounts counts the replayable transactions without a base amount.
func (t *run) countAmounts() error {
	if err := t.conn.QueryRowContext(t.ctx, `SELECT count(*) FILTER (WHERE base_amount IS NULL)
		FROM transactions WHERE duplicate_of IS NULL AND NOT pending`).Scan(&t.nulls); err != nil {
		return fmt.Errorf("amounts: %w", err)
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
	q := `FROM transactions t
		LEFT JOIN mt_acct fa ON fa.account_id = t.from_account
		LEFT JOIN mt_acct ta ON ta.account_id = t.to_account
		WHERE ` + t.replayFilter(true)
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
		for _, a := range t.out.accounts {
			if a.opening != 0 {
				return fmt.Errorf("%w: %d transactions in scope have no base-currency amount and account %s has an opening balance in the base currency: load FX rates (ingest an ECB rates file)",
					ErrInput, missing, a.id)
			}
		}
		return nil
	}
	return fmt.Errorf("%w: %d transactions in scope have no base-currency amount (no FX rate), e.g. %s; load FX rates (ingest an ECB rates file) or trace transactions of a single currency",
		ErrInput, missing, first.String)
}
