package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/rules"
)

func (s *Server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/case", s.api(s.caseGlance))
	mux.HandleFunc("GET /api/suspects", s.api(s.suspectsAPI))
	mux.HandleFunc("GET /api/freeze", s.api(s.freezeAPI))
	mux.HandleFunc("GET /api/attention", s.api(s.attention))
	mux.HandleFunc("GET /api/sources", s.api(s.sources))
	mux.HandleFunc("GET /api/search", s.api(s.search))
	mux.HandleFunc("GET /api/account", s.api(s.account))
	mux.HandleFunc("GET /api/party", s.api(s.party))
	mux.HandleFunc("GET /api/graph", s.api(s.graph))
	mux.HandleFunc("GET /api/txns", s.api(s.txns))
	mux.HandleFunc("GET /api/finding", s.api(s.finding))
	mux.HandleFunc("GET /api/notes", s.api(s.notesList))
	mux.HandleFunc("POST /api/notes", s.api(s.notesAdd))
	s.assetRoutes(mux)
}

// runs names the result runs a view reads: the rules run and trace run asked for, else the
// latest of each kind ("" when the case has none).
type runs struct {
	Rules string `json:"rules_run"`
	Trace string `json:"trace_run"`
}

func (s *Server) runsOf(ctx context.Context, q querier, r *http.Request) (runs, error) {
	var out runs
	for _, k := range []struct {
		kind, param string
		dst         *string
	}{{"rules", "rules_run", &out.Rules}, {"trace", "trace_run", &out.Trace}} {
		row, err := one(ctx, q, `SELECT run_id FROM runs WHERE kind = ? AND (? = '' OR run_id = ?)
			ORDER BY started_at DESC, run_id DESC LIMIT 1`, k.kind, r.FormValue(k.param), r.FormValue(k.param))
		if err != nil {
			return out, err
		}
		if row != nil {
			*k.dst = row["run_id"].(string)
		} else if r.FormValue(k.param) != "" {
			return out, fmt.Errorf("%w: no %s run %q in the case", errNotFound, k.kind, r.FormValue(k.param))
		}
	}
	return out, nil
}

// traceMethod is the method a view of trace results shows: the one asked for, else libr (the
// lowest intermediate balance, the rule courts apply to a mixed account) when the run has it,
// else the run's first method in casedb.TraceMethods order.
func traceMethod(ctx context.Context, q querier, run, asked string) (string, []string, error) {
	rs, err := rows(ctx, q, `SELECT DISTINCT method FROM trace_positions WHERE run_id = ?`, run)
	if err != nil {
		return "", nil, err
	}
	var have []string
	for _, m := range casedb.TraceMethods {
		for _, r := range rs {
			if r["method"] == m {
				have = append(have, m)
			}
		}
	}
	switch {
	case asked != "" && slices.Contains(have, asked):
		return asked, have, nil
	case asked != "":
		return "", have, fmt.Errorf("%w: trace run %s has no method %q (it has %s)", errBadRequest, run, asked, strings.Join(have, ", "))
	case slices.Contains(have, "libr"):
		return "libr", have, nil
	case len(have) > 0:
		return have[0], have, nil
	}
	return "", have, nil
}

func intParam(r *http.Request, name string, def, max int) (int, error) {
	v := r.FormValue(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: %s=%q is not a whole number", errBadRequest, name, v)
	}
	return min(n, max), nil
}

// caseGlance is the first screen: what the case holds, the top suspects, what can be frozen
// and what needs attention.
func (s *Server) caseGlance(r *http.Request) (any, error) {
	out := map[string]any{}
	err := s.read(r.Context(), func(q querier) error {
		ctx := r.Context()
		counts, err := one(ctx, q, `SELECT
			(SELECT count(*) FROM sources) AS sources,
			(SELECT count(*) FROM transactions WHERE duplicate_of IS NULL) AS transactions,
			(SELECT count(*) FROM accounts) AS accounts,
			(SELECT count(*) FROM parties) AS parties,
			(SELECT min(booked_at) FROM transactions) AS first_at,
			(SELECT max(booked_at) FROM transactions) AS last_at,
			(SELECT value FROM meta WHERE key = 'base_currency') AS base_currency`)
		if err != nil {
			return err
		}
		counts["path"] = s.db.Path
		counts["read_only"] = s.db.ReadOnly
		out["case"] = counts
		rn, err := s.runsOf(ctx, q, r)
		if err != nil {
			return err
		}
		out["runs"] = rn
		if out["suspects"], err = s.suspects(ctx, q, rn.Rules, 10); err != nil {
			return err
		}
		fr, err := s.freeze(ctx, q, rn.Trace, r.FormValue("method"), 10)
		if err != nil {
			return err
		}
		out["freeze"] = fr
		att, err := s.memo("attention counts", false, func() (any, error) {
			return one(ctx, q, `SELECT
			(SELECT count(*) FROM statements WHERE reconciled = false) AS unreconciled,
			(SELECT count(*) FROM statement_chain WHERE gap) AS gaps,
			(SELECT count(*) FROM statement_chain WHERE chain_ok = false) AS chain_breaks,
			(SELECT count(*) FROM quarantine) AS quarantined,
			(SELECT count(*) FROM fx_missing) AS fx_missing,
			(SELECT count(DISTINCT account_id) FROM undisclosed_accounts) AS undisclosed_accounts`)
		})
		out["attention"] = att
		return err
	})
	return out, err
}

// ruleInfo is what the packs say about a rule: its title and severity.
type ruleInfo struct {
	Title    string `json:"title"`
	Severity string `json:"severity"`
}

// ruleInfos reads the titles and severities of the built-in packs the case's rule runs used.
// A user's pack file is not read: the server opens no file but the case.
func (s *Server) ruleInfos(ctx context.Context, q querier) map[string]ruleInfo {
	s.packsOnce.Do(func() {
		s.packs = map[string]ruleInfo{}
		rs, err := rows(ctx, q, `SELECT manifest_json FROM runs WHERE kind = 'rules' ORDER BY started_at, run_id`)
		if err != nil {
			s.logf("read rule runs' manifests: %v", err)
			return
		}
		for _, r := range rs {
			var m struct {
				Packs []struct{ Origin string } `json:"packs"`
			}
			js, _ := r["manifest_json"].(string)
			if json.Unmarshal([]byte(js), &m) != nil {
				continue
			}
			for _, p := range m.Packs {
				name, ok := strings.CutPrefix(p.Origin, "builtin:")
				if !ok {
					continue
				}
				pack, err := rules.Load(name)
				if err != nil {
					continue
				}
				for _, rule := range pack.Rules {
					s.packs[rule.ID] = ruleInfo{Title: rule.Title, Severity: rule.Severity}
				}
			}
		}
	})
	return s.packs
}

// suspectSQL groups a rule run's findings by whom they are about: a finding on a party
// (subject party:ID) or on an account (its holder's party when the case knows one, else the
// account itself), with the investigator's latest tag on them: a rule whose findings on a
// suspect were all dismissed is "dismissed", one with any marked relevant is "relevant".
// Ranking (see suspects) is done in Go over the grouped rows.
const suspectSQL = `WITH f AS (
		SELECT f.rule_id, f.subject, f.amount, f.score, f.detail,
			CASE WHEN p.party_id IS NOT NULL THEN p.party_id ELSE a.party_id END AS party_id,
			a.account_id, a.holder_name, n.tag
		FROM findings f
		LEFT JOIN parties p ON f.subject LIKE 'party:%' AND p.party_id = substr(f.subject, 7)
		LEFT JOIN accounts a ON a.account_id = f.subject
		LEFT JOIN (SELECT subject, arg_max(tag, note_id) AS tag FROM notes
			WHERE subject_kind = 'finding' AND tag IS NOT NULL GROUP BY subject) n ON n.subject = f.rule_id || ' ' || f.subject
		WHERE f.run_id = ?)
	SELECT CASE WHEN f.party_id IS NOT NULL THEN 'party' WHEN f.account_id IS NOT NULL THEN 'account' ELSE 'subject' END AS kind,
		coalesce(f.party_id, f.subject) AS id,
		coalesce(p.name, CASE WHEN f.party_id IS NULL THEN f.holder_name END, f.subject) AS name,
		p.country AS country,
		f.rule_id, count(*) AS findings, CAST(max(f.amount) AS DECIMAL(38,2)) AS amount,
		max(f.score) AS score, min(f.detail) AS detail, min(f.subject) AS subject,
		CASE WHEN bool_and(coalesce(f.tag, '') = 'dismissed') THEN 'dismissed'
			WHEN bool_or(f.tag = 'relevant') THEN 'relevant' ELSE '' END AS tag
	FROM f
	LEFT JOIN parties p ON p.party_id = f.party_id
	GROUP BY ALL`

// Suspect is one ranked party or account with the findings about it.
type Suspect struct {
	Kind    string   `json:"kind"`
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Country any      `json:"country"`
	High    int      `json:"high_rules"`
	Rules   int      `json:"rules"`
	Amount  string   `json:"largest_amount"`
	Reasons []Reason `json:"reasons"`
	amount  decimal.Decimal
}

// Reason is one rule that flagged a suspect: the evidence behind it opens with /api/finding.
type Reason struct {
	RuleID   string `json:"rule_id"`
	Title    string `json:"title"`
	Severity string `json:"severity"`
	Findings int64  `json:"findings"`
	Amount   any    `json:"amount"`
	Detail   any    `json:"detail"`
	Subject  any    `json:"subject"`
	// Tag is the investigator's decision on these findings: relevant, dismissed or "".
	Tag string `json:"tag"`
}

// suspects ranks the parties and accounts of a rule run's findings, leaving out the rules
// whose findings on them the investigator dismissed: first by the number of distinct
// high-severity rules that flagged them, then by the number of distinct rules, then
// by the largest amount of one finding, then by id. Counting distinct rules, not findings,
// keeps a rule that fires once per transaction from outweighing one that fires once per
// network; amounts of different rules are never added (they count the same money twice).
func (s *Server) suspects(ctx context.Context, q querier, run string, limit int) ([]*Suspect, error) {
	if run == "" {
		return []*Suspect{}, nil
	}
	v, err := s.memo("suspects "+run, true, func() (any, error) { return s.rankSuspects(ctx, q, run) })
	if err != nil {
		return nil, err
	}
	order := v.([]*Suspect)
	if limit > 0 && len(order) > limit {
		order = order[:limit]
	}
	return order, nil
}

// rankSuspects ranks every suspect of a rule run (see suspects).
func (s *Server) rankSuspects(ctx context.Context, q querier, run string) ([]*Suspect, error) {
	rs, err := rows(ctx, q, suspectSQL, run)
	if err != nil {
		return nil, err
	}
	info := s.ruleInfos(ctx, q)
	by := map[string]*Suspect{}
	var order []*Suspect
	for _, r := range rs {
		key := r["kind"].(string) + "\x00" + r["id"].(string)
		sp := by[key]
		if sp == nil {
			sp = &Suspect{Kind: r["kind"].(string), ID: r["id"].(string), Name: str(r["name"]), Country: r["country"]}
			by[key] = sp
			order = append(order, sp)
		}
		ri := info[r["rule_id"].(string)]
		sp.Reasons = append(sp.Reasons, Reason{RuleID: r["rule_id"].(string), Title: ri.Title, Severity: ri.Severity,
			Findings: r["findings"].(int64), Amount: r["amount"], Detail: r["detail"], Subject: r["subject"], Tag: str(r["tag"])})
		if r["tag"] == "dismissed" {
			continue
		}
		sp.Rules++
		if ri.Severity == "high" {
			sp.High++
		}
		if a, ok := r["amount"].(string); ok {
			if d, err := decimal.NewFromString(a); err == nil && (sp.Amount == "" || d.GreaterThan(sp.amount)) {
				sp.amount, sp.Amount = d, a
			}
		}
	}
	sevRank := map[string]int{"high": 0, "medium": 1, "low": 2, "info": 3}
	for _, sp := range order {
		slices.SortFunc(sp.Reasons, func(a, b Reason) int {
			if ad, bd := a.Tag == "dismissed", b.Tag == "dismissed"; ad != bd {
				if ad {
					return 1
				}
				return -1
			}
			if d := sevRank[a.Severity] - sevRank[b.Severity]; d != 0 {
				return d
			}
			return strings.Compare(a.RuleID, b.RuleID)
		})
	}
	slices.SortFunc(order, func(a, b *Suspect) int {
		switch {
		case a.High != b.High:
			return b.High - a.High
		case a.Rules != b.Rules:
			return b.Rules - a.Rules
		case !a.amount.Equal(b.amount):
			return b.amount.Cmp(a.amount)
		}
		return strings.Compare(a.Kind+a.ID, b.Kind+b.ID)
	})
	return order, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func (s *Server) suspectsAPI(r *http.Request) (any, error) {
	limit, err := intParam(r, "limit", 50, 1000)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	err = s.read(r.Context(), func(q querier) error {
		rn, err := s.runsOf(r.Context(), q, r)
		if err != nil {
			return err
		}
		out["runs"] = rn
		out["suspects"], err = s.suspects(r.Context(), q, rn.Rules, limit)
		return err
	})
	return out, err
}

// freeze lists what a trace run left in accounts (not exits) of traced origins, by account:
// what can be frozen, largest first, with the holder's name and whether the account's
// statements are in the case.
func (s *Server) freeze(ctx context.Context, q querier, run, asked string, limit int) (map[string]any, error) {
	out := map[string]any{"trace_run": run, "rows": []Row{}}
	if run == "" {
		return out, nil
	}
	method, have, err := traceMethod(ctx, q, run, asked)
	if err != nil {
		return nil, err
	}
	out["method"], out["methods"] = method, have
	rs, err := rows(ctx, q, `SELECT p.holder AS account_id, coalesce(a.holder_name, pa.name) AS name, a.party_id, a.kind,
			a.bank, a.country, a.currency, coalesce(a.has_statement, false) AS has_statement,
			CAST(sum(p.amount) AS DECIMAL(38,2)) AS amount
		FROM trace_positions p
		LEFT JOIN accounts a ON a.account_id = p.holder
		LEFT JOIN parties pa ON pa.party_id = a.party_id
		WHERE p.run_id = ? AND p.method = ? AND p.holder_kind = 'account'
			AND p.origin NOT IN ('clean', 'unexplained', 'overdraft')
		GROUP BY ALL ORDER BY amount DESC, account_id LIMIT ?`, run, method, limit)
	if err != nil {
		return nil, err
	}
	total, err := one(ctx, q, `SELECT CAST(coalesce(sum(amount), 0) AS DECIMAL(38,2)) AS total,
			CAST(coalesce(sum(amount) FILTER (WHERE a.has_statement), 0) AS DECIMAL(38,2)) AS in_statement_accounts,
			count(DISTINCT holder) AS accounts
		FROM trace_positions p LEFT JOIN accounts a ON a.account_id = p.holder
		WHERE run_id = ? AND method = ? AND holder_kind = 'account' AND origin NOT IN ('clean', 'unexplained', 'overdraft')`, run, method)
	if err != nil {
		return nil, err
	}
	out["rows"], out["total"] = rs, total
	return out, nil
}

func (s *Server) freezeAPI(r *http.Request) (any, error) {
	limit, err := intParam(r, "limit", 100, 10000)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	err = s.read(r.Context(), func(q querier) error {
		rn, err := s.runsOf(r.Context(), q, r)
		if err != nil {
			return err
		}
		out, err = s.freeze(r.Context(), q, rn.Trace, r.FormValue("method"), limit)
		return err
	})
	return out, err
}

// attention lists what the investigator should look at before relying on the figures:
// statements that do not reconcile, gaps and breaks in each account's chain of statements,
// quarantined records, transactions without an exchange rate and accounts seen without their
// statements.
func (s *Server) attention(r *http.Request) (any, error) {
	limit, err := intParam(r, "limit", 200, 10000)
	if err != nil {
		return nil, err
	}
	v, err := s.memo(fmt.Sprintf("attention %d", limit), false, func() (any, error) { return s.attentionLists(r.Context(), limit) })
	return v, err
}

func (s *Server) attentionLists(ctx context.Context, limit int) (map[string]any, error) {
	out := map[string]any{}
	err := s.read(ctx, func(q querier) error {
		for _, l := range []struct{ name, query string }{
			{"unreconciled", `SELECT s.account_id, coalesce(a.holder_name, s.account_id) AS name, s.file_name, s.statement_no,
				s.period_start, s.period_end, s.opening, s.credits, s.debits, s.closing, s.computed_closing, s.difference
				FROM statement_periods s LEFT JOIN accounts a USING (account_id)
				WHERE s.reconciled = false ORDER BY s.account_id, s.period_start, s.source_id LIMIT ?`},
			{"gaps", `SELECT c.account_id, coalesce(a.holder_name, c.account_id) AS name, c.previous_end, c.period_start,
				c.gap_days, c.previous_closing, c.opening, c.chain_ok, c.file_name
				FROM statement_chain c LEFT JOIN accounts a USING (account_id)
				WHERE c.gap OR c.chain_ok = false ORDER BY c.account_id, c.period_start LIMIT ?`},
			{"quarantine", `SELECT s.file_name, q.source_id, count(*) AS records, min(q.record) AS first_record,
				string_agg(DISTINCT q.reason, '; ' ORDER BY q.reason) AS reasons
				FROM quarantine q JOIN sources s USING (source_id) GROUP BY ALL ORDER BY q.source_id LIMIT ?`},
			{"fx_missing", `SELECT currency, base_currency, count(*) AS txns, min(booked_day) AS first_day, max(booked_day) AS last_day
				FROM fx_missing GROUP BY ALL ORDER BY txns DESC, currency LIMIT ?`},
			{"undisclosed", `SELECT account_id, holder_name AS name, bank, country, currency, txns,
				CAST(credits AS DECIMAL(38,2)) AS credits, CAST(debits AS DECIMAL(38,2)) AS debits, first_at, last_at
				FROM undisclosed_accounts ORDER BY credits + debits DESC, account_id LIMIT ?`},
		} {
			rs, err := rows(ctx, q, l.query, limit)
			if err != nil {
				return fmt.Errorf("%s: %w", l.name, err)
			}
			out[l.name] = rs
		}
		return nil
	})
	return out, err
}

// sources lists the ingested files with their hashes, periods and reconciliation.
func (s *Server) sources(r *http.Request) (any, error) {
	var out []Row
	err := s.read(r.Context(), func(q querier) (err error) {
		out, err = rows(r.Context(), q, `SELECT source_id, file_name, format, profile, sha256, bytes, records, loaded, quarantined,
			statement_account, period_start, period_end, opening_balance, closing_balance, reconciled, ingested_at
			FROM sources ORDER BY source_id`)
		return err
	})
	return map[string]any{"sources": out}, err
}
