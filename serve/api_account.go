package serve

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/moneytrail/moneytrail/internal/canon"
)

// search finds parties and accounts by name or id. Names match without regard to case or
// accents, and through the case's name keys, so "Dordevic" finds "Đorđević" (Đ is a letter of
// its own, not D with an accent, which strip_accents leaves alone).
func (s *Server) search(r *http.Request) (any, error) {
	text := strings.TrimSpace(r.FormValue("q"))
	if text == "" {
		return nil, fmt.Errorf("%w: search needs q=TEXT", errBadRequest)
	}
	limit, err := intParam(r, "limit", 50, 500)
	if err != nil {
		return nil, err
	}
	key := canon.NameKey(text)
	var out []Row
	err = s.read(r.Context(), func(q querier) (err error) {
		out, err = rows(r.Context(), q, `WITH k AS (SELECT ? AS key, lower(strip_accents(?)) AS plain, lower(?) AS raw)
			SELECT 'party' AS kind, p.party_id AS id, p.name, p.country, p.kind AS detail,
				(SELECT count(*) FROM accounts a WHERE a.party_id = p.party_id) AS accounts
			FROM parties p, k
			WHERE (k.key <> '' AND contains(p.name_key, k.key)) OR contains(lower(strip_accents(coalesce(p.name, ''))), k.plain)
				OR contains(lower(p.party_id), k.raw)
			UNION ALL
			SELECT 'account', a.account_id, coalesce(a.holder_name, pa.name, a.account_id), a.country,
				concat_ws(' ', a.kind, a.bank), NULL
			FROM accounts a LEFT JOIN parties pa ON pa.party_id = a.party_id, k
			WHERE contains(lower(a.account_id), k.raw) OR contains(lower(strip_accents(coalesce(a.holder_name, ''))), k.plain)
				OR (k.key <> '' AND contains(coalesce(pa.name_key, ''), k.key))
			ORDER BY kind DESC, name, id LIMIT ?`, key, text, text, limit)
		return err
	})
	return map[string]any{"q": text, "results": out}, err
}

// own is the set of accounts a page is about: one account, or every account of a party (held
// by it or linked to it).
type own struct {
	cte  string
	args []any
}

func ownAccount(id string) own {
	return own{cte: `own AS (SELECT CAST(? AS VARCHAR) AS account_id)`, args: []any{id}}
}

func ownParty(id string) own {
	return own{cte: `own AS (SELECT account_id FROM accounts WHERE party_id = ? UNION SELECT account_id FROM party_links WHERE party_id = ?)`,
		args: []any{id, id}}
}

// flows is money in and out of the own accounts, by counterparty (up to limit each way), by
// channel and by the counterparties' country, in the base currency. Transfers between two of
// the own accounts are left out: they move no money in or out.
func flows(ctx context.Context, q querier, o own, limit int) (map[string]any, error) {
	moves := `WITH ` + o.cte + `, m AS (
			SELECT 'in' AS direction, t.from_account AS counterparty, t.base_amount, t.booked_at, t.channel
			FROM txns t WHERE t.to_account IN (SELECT account_id FROM own) AND t.from_account NOT IN (SELECT account_id FROM own)
			UNION ALL
			SELECT 'out', t.to_account, t.base_amount, t.booked_at, t.channel
			FROM txns t WHERE t.from_account IN (SELECT account_id FROM own) AND t.to_account NOT IN (SELECT account_id FROM own))`
	out := map[string]any{}
	for _, part := range []struct{ name, query string }{
		{"counterparties", moves + `
			SELECT m.direction, m.counterparty, coalesce(a.holder_name, p.name, m.counterparty) AS name, a.kind, a.country, a.party_id,
				count(*) AS txns, CAST(sum(m.base_amount) AS DECIMAL(38,2)) AS amount, min(m.booked_at) AS first_at, max(m.booked_at) AS last_at
			FROM m LEFT JOIN accounts a ON a.account_id = m.counterparty LEFT JOIN parties p ON p.party_id = a.party_id
			GROUP BY m.direction, m.counterparty, a.holder_name, p.name, a.kind, a.country, a.party_id
			QUALIFY row_number() OVER (PARTITION BY m.direction ORDER BY sum(m.base_amount) DESC NULLS LAST, m.counterparty) <= ?
			ORDER BY m.direction, amount DESC NULLS LAST, m.counterparty`},
		{"channels", moves + `
			SELECT direction, channel, count(*) AS txns, CAST(sum(base_amount) AS DECIMAL(38,2)) AS amount
			FROM m GROUP BY ALL ORDER BY direction, amount DESC NULLS LAST, channel LIMIT ?`},
		{"countries", moves + `
			SELECT m.direction, coalesce(a.country, '') AS country, count(*) AS txns, CAST(sum(m.base_amount) AS DECIMAL(38,2)) AS amount
			FROM m LEFT JOIN accounts a ON a.account_id = m.counterparty
			GROUP BY ALL ORDER BY m.direction, amount DESC NULLS LAST, country LIMIT ?`},
		{"totals", moves + `
			SELECT direction, count(*) AS txns, CAST(sum(base_amount) AS DECIMAL(38,2)) AS amount, min(booked_at) AS first_at, max(booked_at) AS last_at
			FROM m GROUP BY ALL ORDER BY direction LIMIT ?`},
	} {
		rs, err := rows(ctx, q, part.query, append(append([]any{}, o.args...), limit)...)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", part.name, err)
		}
		out[part.name] = rs
	}
	base, err := one(ctx, q, `SELECT coalesce(max(value), 'EUR') AS base FROM meta WHERE key = 'base_currency'`)
	if err != nil {
		return nil, err
	}
	out["base_currency"] = base["base"]
	return out, nil
}

// maxPoints bounds the balance series sent to the browser: a chart some hundred pixels wide
// shows no more.
const maxPoints = 400

// account is an account's page: who holds it, money in and out by counterparty, channel and
// country, its balance over time in its own currency, its statements and notes.
func (s *Server) account(r *http.Request) (any, error) {
	id := r.FormValue("id")
	if id == "" {
		return nil, fmt.Errorf("%w: account needs id=ACCOUNT", errBadRequest)
	}
	limit, err := intParam(r, "limit", 25, 1000)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	err = s.read(r.Context(), func(q querier) error {
		ctx := r.Context()
		acc, err := one(ctx, q, `SELECT a.account_id, a.kind, a.iban, a.bic, a.bank, a.number, a.holder_name, a.party_id,
				p.name AS party_name, a.country, a.currency, a.has_statement, a.opening_balance
			FROM accounts a LEFT JOIN parties p USING (party_id) WHERE a.account_id = ?`, id)
		if err != nil {
			return err
		}
		if acc == nil {
			return fmt.Errorf("%w: no account %q in the case", errNotFound, id)
		}
		out["account"] = acc
		if out["flows"], err = flows(ctx, q, ownAccount(id), limit); err != nil {
			return err
		}
		bal, err := rows(ctx, q, `WITH a AS (SELECT currency, coalesce(opening_balance, 0) AS opening FROM accounts WHERE account_id = ?),
			d AS (
				SELECT CAST(t.booked_at AS DATE) AS day,
					sum(CASE WHEN t.to_account = ? THEN t.amount ELSE -t.amount END) AS net
				FROM txns t, a
				WHERE (t.to_account = ? OR t.from_account = ?) AND NOT t.pending
					AND (a.currency IS NULL OR t.currency = a.currency)
				GROUP BY 1)
			SELECT d.day, CAST(a.opening + sum(d.net) OVER (ORDER BY d.day) AS DECIMAL(38,2)) AS balance
			FROM d, a ORDER BY d.day`, id, id, id, id)
		if err != nil {
			return err
		}
		out["balance"] = thin(bal, maxPoints)
		if out["statements"], err = rows(ctx, q, `SELECT source_id, file_name, statement_no, currency, period_start, period_end,
				opening, credits, debits, closing, reconciled, chain_ok, gap_days
			FROM statement_chain WHERE account_id = ? ORDER BY position`, id); err != nil {
			return err
		}
		out["notes"], err = notesAbout(ctx, q, "account", id)
		return err
	})
	return out, err
}

// thin keeps at most n points of a series, evenly spaced, always the last.
func thin(rs []Row, n int) []Row {
	if len(rs) <= n {
		return rs
	}
	out := make([]Row, 0, n)
	for i := range n {
		out = append(out, rs[i*(len(rs)-1)/(n-1)])
	}
	return out
}

// party is a party's page: its names and accounts across banks and operators, money in and
// out of all of them by counterparty, channel and country, the findings and notes about it.
func (s *Server) party(r *http.Request) (any, error) {
	id := r.FormValue("id")
	if id == "" {
		return nil, fmt.Errorf("%w: party needs id=PARTY", errBadRequest)
	}
	limit, err := intParam(r, "limit", 25, 1000)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	err = s.read(r.Context(), func(q querier) error {
		ctx := r.Context()
		p, err := one(ctx, q, `SELECT party_id, name, kind, country, birth_date, identifiers FROM parties WHERE party_id = ?`, id)
		if err != nil {
			return err
		}
		if p == nil {
			return fmt.Errorf("%w: no party %q in the case", errNotFound, id)
		}
		out["party"] = p
		if out["accounts"], err = rows(ctx, q, `WITH `+ownParty(id).cte+`
			SELECT a.account_id, a.kind, a.bank, a.bic, a.holder_name, a.country, a.currency, a.has_statement,
				l.role, l.confidence, l.reason,
				(SELECT count(*) FROM txns t WHERE t.to_account = a.account_id OR t.from_account = a.account_id) AS txns
			FROM own JOIN accounts a USING (account_id)
			LEFT JOIN party_links l ON l.account_id = a.account_id AND l.party_id = ?
			ORDER BY a.kind, a.account_id`, id, id, id); err != nil {
			return err
		}
		if out["flows"], err = flows(ctx, q, ownParty(id), limit); err != nil {
			return err
		}
		rn, err := s.runsOf(ctx, q, r)
		if err != nil {
			return err
		}
		if out["findings"], err = rows(ctx, q, `WITH `+ownParty(id).cte+`
			SELECT f.run_id, f.rule_id, f.subject, CAST(f.amount AS DECIMAL(38,2)) AS amount, f.score, f.detail
			FROM findings f
			WHERE f.run_id = ? AND (f.subject = 'party:' || ? OR f.subject IN (SELECT account_id FROM own))
			ORDER BY f.rule_id, f.subject`, id, id, rn.Rules, id); err != nil {
			return err
		}
		out["notes"], err = notesAbout(ctx, q, "party", id)
		return err
	})
	return out, err
}

// graph is the flow graph around one account (or all of a party's): the money it sent to and
// received from each neighbour, aggregated over the chosen period, the edges at or above min
// (base currency) and at most limit of them, largest first; each side with its holder's name.
func (s *Server) graph(r *http.Request) (any, error) {
	var o own
	switch {
	case r.FormValue("account") != "":
		o = ownAccount(r.FormValue("account"))
	case r.FormValue("party") != "":
		o = ownParty(r.FormValue("party"))
	default:
		return nil, fmt.Errorf("%w: graph needs account=ID or party=ID", errBadRequest)
	}
	minAmount := decimal.Zero
	if v := r.FormValue("min"); v != "" {
		d, err := decimal.NewFromString(v)
		if err != nil {
			return nil, fmt.Errorf("%w: min=%q is not an amount", errBadRequest, v)
		}
		minAmount = d
	}
	dir := r.FormValue("dir")
	var side string
	switch dir {
	case "", "both":
		side = `(t.from_account IN (SELECT account_id FROM own) OR t.to_account IN (SELECT account_id FROM own))`
	case "in":
		side = `t.to_account IN (SELECT account_id FROM own)`
	case "out":
		side = `t.from_account IN (SELECT account_id FROM own)`
	default:
		return nil, fmt.Errorf("%w: dir=%q: want in, out or both", errBadRequest, dir)
	}
	from, to, err := period(r)
	if err != nil {
		return nil, err
	}
	limit, err := intParam(r, "limit", 40, 500)
	if err != nil {
		return nil, err
	}
	var edges []Row
	err = s.read(r.Context(), func(q querier) (err error) {
		args := append(append([]any{}, o.args...), from, from, to, to, minAmount.String(), limit)
		edges, err = rows(r.Context(), q, `WITH `+o.cte+`, e AS (
				SELECT t.from_account, t.to_account, count(*) AS txns, sum(t.base_amount) AS amount,
					min(t.booked_at) AS first_at, max(t.booked_at) AS last_at
				FROM txns t
				WHERE `+side+`
					AND (? = '' OR t.booked_at >= CAST(? AS TIMESTAMP))
					AND (? = '' OR t.booked_at < CAST(? AS DATE) + INTERVAL 1 DAY)
				GROUP BY ALL
				HAVING sum(t.base_amount) >= CAST(? AS DECIMAL(38,6))
				ORDER BY amount DESC, t.from_account, t.to_account LIMIT ?)
			SELECT e.from_account, coalesce(fa.holder_name, fp.name, e.from_account) AS from_name, fa.kind AS from_kind,
				fa.bank AS from_bank, fa.country AS from_country, fa.party_id AS from_party,
				e.to_account, coalesce(ta.holder_name, tp.name, e.to_account) AS to_name, ta.kind AS to_kind,
				ta.bank AS to_bank, ta.country AS to_country, ta.party_id AS to_party,
				e.txns, CAST(e.amount AS DECIMAL(38,2)) AS amount, e.first_at, e.last_at
			FROM e
			LEFT JOIN accounts fa ON fa.account_id = e.from_account LEFT JOIN parties fp ON fp.party_id = fa.party_id
			LEFT JOIN accounts ta ON ta.account_id = e.to_account LEFT JOIN parties tp ON tp.party_id = ta.party_id
			ORDER BY e.amount DESC, e.from_account, e.to_account`, args...)
		return err
	})
	return map[string]any{"edges": edges, "min": minAmount.String(), "dir": dir, "from": from, "to": to}, err
}

// period reads from=DATE and to=DATE (inclusive), each optional.
func period(r *http.Request) (string, string, error) {
	var out [2]string
	for i, name := range []string{"from", "to"} {
		v := r.FormValue(name)
		if v == "" {
			continue
		}
		if _, err := time.Parse("2006-01-02", v); err != nil {
			return "", "", fmt.Errorf("%w: %s=%q is not a date (YYYY-MM-DD)", errBadRequest, name, v)
		}
		out[i] = v
	}
	return out[0], out[1], nil
}

// txnColumns are the columns of a transaction list: both sides with their holders' names, the
// amount in its currency and in the base currency, and where it was read from.
const txnColumns = `t.txn_id, t.booked_at, t.value_date, t.from_account, coalesce(fa.holder_name, t.from_account) AS from_name,
	t.to_account, coalesce(ta.holder_name, t.to_account) AS to_name, t.amount, t.currency, CAST(t.base_amount AS DECIMAL(38,2)) AS base_amount,
	t.channel, t.reference, t.counterparty_raw, t.source_id, t.source_file, t.source_record, t.source_sha256`

const txnJoins = ` LEFT JOIN accounts fa ON fa.account_id = t.from_account LEFT JOIN accounts ta ON ta.account_id = t.to_account`

// txns lists the transactions behind a figure: those of an account (optionally with one
// counterparty, one direction, one channel), of a party's accounts, or a list of ids, within
// an optional period, in booking order, one page at a time.
func (s *Server) txns(r *http.Request) (any, error) {
	var where []string
	var args []any
	acc, cp, party := r.FormValue("account"), r.FormValue("counterparty"), r.FormValue("party")
	ownSet := ""
	switch {
	case acc != "":
		ownSet = `(SELECT CAST(? AS VARCHAR))`
		args = append(args, acc)
	case party != "":
		ownSet = `(SELECT account_id FROM accounts WHERE party_id = ? UNION SELECT account_id FROM party_links WHERE party_id = ?)`
		args = append(args, party, party)
	}
	if ownSet != "" {
		n := len(args)
		switch r.FormValue("dir") {
		case "in":
			where = append(where, `t.to_account IN `+ownSet)
		case "out":
			where = append(where, `t.from_account IN `+ownSet)
		case "", "both":
			where = append(where, `(t.to_account IN `+ownSet+` OR t.from_account IN `+ownSet+`)`)
			args = append(args, args[len(args)-n:]...)
		default:
			return nil, fmt.Errorf("%w: dir=%q: want in, out or both", errBadRequest, r.FormValue("dir"))
		}
		if cp != "" {
			where = append(where, `(t.to_account = ? OR t.from_account = ?)`)
			args = append(args, cp, cp)
		}
	}
	if ids := strings.Fields(r.FormValue("ids")); len(ids) > 0 {
		where = append(where, `t.txn_id IN (SELECT unnest(string_split(?, ' ')))`)
		args = append(args, strings.Join(ids, " "))
	}
	if len(where) == 0 {
		return nil, fmt.Errorf("%w: txns needs account=ID, party=ID or ids=ID...", errBadRequest)
	}
	if ch := r.FormValue("channel"); ch != "" {
		where = append(where, `t.channel = ?`)
		args = append(args, ch)
	}
	from, to, err := period(r)
	if err != nil {
		return nil, err
	}
	if from != "" {
		where = append(where, `t.booked_at >= CAST(? AS TIMESTAMP)`)
		args = append(args, from)
	}
	if to != "" {
		where = append(where, `t.booked_at < CAST(? AS DATE) + INTERVAL 1 DAY`)
		args = append(args, to)
	}
	limit, err := intParam(r, "limit", 100, 1000)
	if err != nil {
		return nil, err
	}
	offset, err := intParam(r, "offset", 0, 1<<40)
	if err != nil {
		return nil, err
	}
	cond := strings.Join(where, " AND ")
	out := map[string]any{"limit": limit, "offset": offset}
	err = s.read(r.Context(), func(q querier) error {
		total, err := one(r.Context(), q, `SELECT count(*) AS n, CAST(coalesce(sum(t.base_amount), 0) AS DECIMAL(38,2)) AS base_amount FROM txns t WHERE `+cond, args...)
		if err != nil {
			return err
		}
		out["total"], out["total_base_amount"] = total["n"], total["base_amount"]
		out["txns"], err = rows(r.Context(), q, `SELECT `+txnColumns+` FROM txns t`+txnJoins+` WHERE `+cond+`
			ORDER BY t.booked_at, t.seq, t.txn_id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
		return err
	})
	return out, err
}

// finding is one rule's finding on one subject with the transactions of its evidence.
func (s *Server) finding(r *http.Request) (any, error) {
	rule, subject := r.FormValue("rule"), r.FormValue("subject")
	if rule == "" || subject == "" {
		return nil, fmt.Errorf("%w: finding needs rule=RULE_ID and subject=SUBJECT", errBadRequest)
	}
	limit, err := intParam(r, "limit", 200, 1000)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	err = s.read(r.Context(), func(q querier) error {
		ctx := r.Context()
		rn, err := s.runsOf(ctx, q, r)
		if err != nil {
			return err
		}
		f, err := one(ctx, q, `SELECT run_id, rule_id, pack, pack_version, subject, amount, score, detail, evidence,
				len(string_split(evidence, ' ')) AS evidence_count
			FROM findings WHERE run_id = ? AND rule_id = ? AND subject = ? ORDER BY evidence LIMIT 1`, rn.Rules, rule, subject)
		if err != nil {
			return err
		}
		if f == nil {
			return fmt.Errorf("%w: no finding of rule %s on %q in run %s", errNotFound, rule, subject, rn.Rules)
		}
		if ri, ok := s.ruleInfos(ctx, q)[rule]; ok {
			f["title"], f["severity"] = ri.Title, ri.Severity
		}
		ev := str(f["evidence"])
		delete(f, "evidence")
		out["finding"] = f
		if out["txns"], err = rows(ctx, q, `SELECT `+txnColumns+` FROM txns t`+txnJoins+`
			WHERE t.txn_id IN (SELECT unnest(string_split(?, ' ')))
			ORDER BY t.booked_at, t.seq, t.txn_id LIMIT ?`, ev, limit); err != nil {
			return err
		}
		out["notes"], err = notesAbout(ctx, q, "finding", rule+" "+subject)
		return err
	})
	return out, err
}
