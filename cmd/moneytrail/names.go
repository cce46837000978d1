package main

import (
	"context"
	"database/sql"
	"strings"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/tracer"
)

// displayNames holds the names of the case's parties and account holders as the files
// wrote them (Hrvoje Matić, not the folded key hrvoje matic), for tables read out in court.
type displayNames struct {
	party   map[string]string // party_id -> name
	account map[string]string // account_id -> holder name, else its party's name
}

func loadDisplayNames(ctx context.Context, db *casedb.DB) (*displayNames, error) {
	n := &displayNames{party: map[string]string{}, account: map[string]string{}}
	rows, err := db.QueryContext(ctx, `SELECT party_id, name FROM parties WHERE name IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return nil, err
		}
		n.party[id] = name
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = db.QueryContext(ctx, `SELECT a.account_id, coalesce(nullif(a.holder_name, ''), p.name)
		FROM accounts a LEFT JOIN parties p USING (party_id)`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var name sql.NullString
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		if name.Valid && name.String != "" {
			n.account[id] = name.String
		}
	}
	return n, rows.Err()
}

// holder names the holder of an account id, or "".
func (n *displayNames) holder(account string) string {
	if n == nil {
		return ""
	}
	return n.account[account]
}

// origin names a trace origin in words: a party by its name, an account by its holder,
// cash by the account it was paid into, unexplained funds by the account that lacked them.
// Seeds and the clean origin have no name ("").
func (n *displayNames) origin(o string) string {
	if n == nil {
		return ""
	}
	kind, id, ok := strings.Cut(o, ":")
	if !ok {
		return ""
	}
	with := func(prefix, account string) string {
		if h := n.holder(account); h != "" {
			return prefix + account + " (" + h + ")"
		}
		return prefix + account
	}
	switch kind {
	case "party":
		return n.party[id]
	case "cash":
		if p, ok := strings.CutPrefix(id, "party:"); ok && n.party[p] != "" {
			return "cash paid into accounts of " + n.party[p]
		}
	case "account":
		if acct, ok := strings.CutPrefix(id, "cash:"); ok {
			return with("cash paid into ", acct)
		}
		return n.holder(id)
	case "unexplained":
		return with("funds from outside the data, at ", id)
	}
	return ""
}

// defaultMethods is the tracing method of a trace that names none: the case's
// default_method (set by init --method), else libr, the rule of Roscoe v Winder that
// never traces more than the lowest balance in between.
func defaultMethods(ctx context.Context, db *casedb.DB) ([]tracer.Method, error) {
	m, err := db.Meta(ctx, "default_method")
	if err != nil {
		return nil, err
	}
	if m == "" {
		m = tracer.LIBR.String()
	}
	return tracer.ParseMethods(m)
}
