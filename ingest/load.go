package ingest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/shopspring/decimal"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/casedb"
)

// seqStride separates the seq ranges of sources: seq = source_id*seqStride + position, so the
// order of equal timestamps is statement order within a file and ingest order across files.
const seqStride = 1_000_000_000

// maxProblems is how many quarantined records a Result lists.
const maxProblems = 20

// testHookAfterTransactions, when set by a test, runs after a file's transactions and accounts
// are stored and before the commit, to prove a failure there leaves the case as it was.
var testHookAfterTransactions func() error

type sourceRow struct {
	Path, FileName, SHA256 string
	Bytes                  int64
	Format, Profile        string
	ParserVersion          string
	IngestedAt             time.Time
	// OptionsJSON is what verify needs to read the file again as ingest did (sourceOptions).
	OptionsJSON string
}

// keepsIDs reports whether a format's own transaction ids are a contract (kept exactly, a clash
// with the case is quarantined) rather than a preference (a clash falls back to a derived id).
func keepsIDs(format string) bool { return format == FormatLedger }

// derivedID is the stable id of a record without an id of its own: the first 16 hex digits
// of the file's SHA-256 and the record number, with ".k" when one record gives several.
func derivedID(sum string, record, k int) string {
	id := sum[:16] + ":" + strconv.Itoa(record)
	if k > 0 {
		id += "." + strconv.Itoa(k)
	}
	return id
}

// parsed is what a format's reader produced: the batch, and where the reader checked its
// statements itself (it knows which entry belongs to which statement), that check.
type parsed struct {
	batch   canon.Batch
	profile string
	recs    []Reconciliation
}

func loadBatch(ctx context.Context, db *casedb.DB, src sourceRow, p parsed, opt Options, res Result) (Result, error) {
	b := p.batch
	if b.Records == 0 {
		b.Records = len(b.Txns) + len(b.Errors)
	}
	if opt.Account != "" && b.StatementAccount == "" {
		b.StatementAccount = opt.Account
	}
	if opt.Strict && len(b.Errors) > 0 {
		return res, strictError(src.Path, b.Errors)
	}
	deriveParties(&b)
	rows := prepareTxns(src.SHA256, b.Txns)
	resolveRecordLabels(rows, b.Labels)
	conn, err := db.Conn(ctx)
	if err != nil {
		return res, err
	}
	defer conn.Close()
	if err := stage(ctx, conn, rows, b); err != nil {
		return res, fmt.Errorf("stage %s: %w", src.Path, err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS temp.stage_txn; DROP TABLE IF EXISTS temp.stage_acct; DROP TABLE IF EXISTS temp.stage_q; DROP TABLE IF EXISTS temp.stage_label; DROP TABLE IF EXISTS temp.stage_rate; DROP TABLE IF EXISTS temp.stage_note; DROP TABLE IF EXISTS temp.stage_party; DROP TABLE IF EXISTS temp.stage_link`)

	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	clashes, err := resolveClashes(ctx, tx, src, keepsIDs(src.Format))
	if err != nil {
		return res, err
	}
	if opt.Strict && len(clashes) > 0 {
		return res, strictError(src.Path, clashes)
	}
	b.Errors = append(b.Errors, clashes...)
	var sid int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(source_id), 0) + 1 FROM sources`).Scan(&sid); err != nil {
		return res, err
	}
	res.SourceID = sid
	loaded := int64(b.Records - len(b.Errors))
	// Accounts first: each transaction stores the account numbers of its sides.
	if err := storeAccounts(ctx, tx, sid); err != nil {
		return res, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO transactions
		SELECT s.txn_id, ?, s.record, ? * CAST(? AS BIGINT) + s.seq, s.booked_at, s.value_date, s.from_account, s.to_account,
			CAST(s.amount AS `+casedb.Money+`), s.currency, NULL, NULL, NULL, NULL,
			CAST(s.received_amount AS `+casedb.Money+`), s.received_currency, s.channel, s.reference, s.end_to_end_id, s.uetr,
			s.counterparty_raw, CAST(s.balance_after AS `+casedb.Money+`), s.pending, NULL, fa.account_no, ta.account_no, NULL
		FROM temp.stage_txn s
		LEFT JOIN accounts fa ON fa.account_id = s.from_account
		LEFT JOIN accounts ta ON ta.account_id = s.to_account
		ORDER BY s.seq`, sid, sid, seqStride); err != nil {
		return res, fmt.Errorf("store transactions of %s: %w", src.Path, err)
	}
	if err := storeParties(ctx, tx, sid); err != nil {
		return res, err
	}
	if err := storePartyAttributes(ctx, tx, sid, partyAttributes(b)); err != nil {
		return res, err
	}
	if testHookAfterTransactions != nil {
		if err := testHookAfterTransactions(); err != nil {
			return res, err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO quarantine SELECT ?, record, raw, field, reason FROM temp.stage_q ORDER BY record`, sid); err != nil {
		return res, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO source_notes SELECT ?, record, kind, note, raw FROM temp.stage_note ORDER BY record, kind`, sid); err != nil {
		return res, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO labels SELECT ?, subject, label, value, record FROM temp.stage_label ORDER BY record, subject, label`, sid); err != nil {
		return res, err
	}
	if err := storeClashQuarantine(ctx, tx, sid, clashes); err != nil {
		return res, err
	}
	rateErrs, err := storeRates(ctx, tx, sid)
	if err != nil {
		return res, err
	}
	b.Errors = append(b.Errors, rateErrs...)
	if opt.Strict && len(rateErrs) > 0 {
		return res, strictError(src.Path, rateErrs)
	}
	recs := p.recs
	if recs == nil {
		recs = Reconcile(b)
	}
	if err := storeStatements(ctx, tx, sid, recs); err != nil {
		return res, err
	}
	if err := setOpeningBalances(ctx, tx, sid); err != nil {
		return res, err
	}
	quarantined := int64(len(b.Errors))
	facts := factsOf(b, recs)
	facts.records, facts.loaded, facts.quarantined, facts.statementAccount = int64(b.Records), loaded, quarantined, b.StatementAccount
	if err := insertSource(ctx, tx, sid, src, facts); err != nil {
		return res, err
	}
	scope := "source_id = " + strconv.FormatInt(sid, 10)
	if len(b.Rates) > 0 {
		scope = "base_amount IS NULL"
	}
	missing, err := applyFX(ctx, tx, scope)
	if err != nil {
		return res, err
	}
	// The digest of what the file produced, for verify (after the rates: none of its
	// columns depend on them, but a failure here must undo the whole file).
	if err := casedb.RecordSourceRows(ctx, tx, sid); err != nil {
		return res, err
	}
	if err := tx.Commit(); err != nil {
		return res, fmt.Errorf("commit %s: %w", src.Path, err)
	}
	res.Records, res.Loaded, res.Quarantined, res.FXMissing = int64(b.Records), loaded, quarantined, missing
	res.Transactions = int64(len(rows)) - int64(len(clashes))
	for _, n := range b.Notes {
		if n.Kind == canon.NoteWarning {
			res.Warnings++
		}
	}
	res.StatementAccount = b.StatementAccount
	sortErrors(b.Errors)
	if len(b.Errors) > maxProblems {
		res.Problems = b.Errors[:maxProblems]
	} else {
		res.Problems = b.Errors
	}
	return res, nil
}

func sortErrors(e []canon.RecordError) {
	sort.SliceStable(e, func(i, j int) bool { return e[i].Record < e[j].Record })
}

func strictError(path string, errs []canon.RecordError) error {
	sortErrors(errs)
	msg := fmt.Sprintf("%s: --strict: %d record(s) would be quarantined", path, len(errs))
	for i, e := range errs {
		if i == 5 {
			msg += fmt.Sprintf("\n  ... and %d more", len(errs)-5)
			break
		}
		msg += fmt.Sprintf("\n  %s: %s", path, e.Error())
	}
	return fmt.Errorf("%w: %s", ErrInput, msg)
}

type txnRow struct {
	id, sourceID string
	t            canon.Txn
	seq          int64
}

func prepareTxns(sum string, txns []canon.Txn) []txnRow {
	perRecord := map[int]int{}
	for _, t := range txns {
		perRecord[t.Record]++
	}
	k := map[int]int{}
	rows := make([]txnRow, len(txns))
	for i, t := range txns {
		r := txnRow{t: t, seq: t.Seq, sourceID: t.SourceID}
		if r.seq <= 0 {
			r.seq = int64(i + 1)
		}
		n := 0
		if perRecord[t.Record] > 1 {
			k[t.Record]++
			n = k[t.Record]
		}
		if t.SourceID != "" {
			r.id = t.SourceID
		} else {
			r.id = derivedID(sum, t.Record, n)
		}
		rows[i] = r
	}
	return rows
}

// resolveRecordLabels gives labels without a subject (meaning "the transaction of this
// record") the id of that record's transaction.
func resolveRecordLabels(rows []txnRow, labels []canon.Label) {
	byRecord := map[int]string{}
	for _, r := range rows {
		if _, ok := byRecord[r.t.Record]; !ok {
			byRecord[r.t.Record] = r.id
		}
	}
	for i, l := range labels {
		if l.Subject == "" {
			labels[i].Subject = "txn:" + byRecord[l.Record]
		}
	}
}

func nullDec(d decimal.NullDecimal) driver.Value {
	if !d.Valid {
		return nil
	}
	return d.Decimal.String()
}

func nullStr(s string) driver.Value {
	if s == "" {
		return nil
	}
	return s
}

func nullTime(t time.Time) driver.Value {
	if t.IsZero() {
		return nil
	}
	return t
}

const stageDDL = `
CREATE OR REPLACE TEMP TABLE stage_txn(txn_id VARCHAR, source_txn_id VARCHAR, record BIGINT, seq BIGINT,
	booked_at TIMESTAMP, value_date DATE, from_account VARCHAR, to_account VARCHAR, amount VARCHAR,
	currency VARCHAR, received_amount VARCHAR, received_currency VARCHAR, channel VARCHAR, reference VARCHAR,
	end_to_end_id VARCHAR, uetr VARCHAR, counterparty_raw VARCHAR, balance_after VARCHAR, pending BOOLEAN);
CREATE OR REPLACE TEMP TABLE stage_acct(account_id VARCHAR, kind VARCHAR, iban VARCHAR, bic VARCHAR, bank VARCHAR,
	number VARCHAR, holder_name VARCHAR, country VARCHAR, currency VARCHAR, has_statement BOOLEAN, opening VARCHAR);
CREATE OR REPLACE TEMP TABLE stage_q(record BIGINT, raw VARCHAR, field VARCHAR, reason VARCHAR);
CREATE OR REPLACE TEMP TABLE stage_label(subject VARCHAR, label VARCHAR, value VARCHAR, record BIGINT);
CREATE OR REPLACE TEMP TABLE stage_party(party_id VARCHAR, name VARCHAR, name_key VARCHAR, kind VARCHAR, country VARCHAR,
	birth_date DATE, identifiers VARCHAR);
CREATE OR REPLACE TEMP TABLE stage_link(party_id VARCHAR, account_id VARCHAR, role VARCHAR, confidence DOUBLE, reason VARCHAR);
CREATE OR REPLACE TEMP TABLE stage_note(record BIGINT, kind VARCHAR, note VARCHAR, raw VARCHAR);
CREATE OR REPLACE TEMP TABLE stage_rate(day DATE, currency VARCHAR, base_currency VARCHAR, rate VARCHAR, record BIGINT);`

// stage writes the batch into connection-local temporary tables with the Appender (amounts as
// text, cast exactly in SQL: the Appender would write a DECIMAL from the raw integer).
func stage(ctx context.Context, conn *sql.Conn, rows []txnRow, b canon.Batch) error {
	if _, err := conn.ExecContext(ctx, stageDDL); err != nil {
		return err
	}
	return conn.Raw(func(dc any) error {
		c := dc.(driver.Conn)
		err := appendAll(c, "stage_txn", len(rows), func(i int) []driver.Value {
			r := rows[i]
			t := r.t
			ch := t.Channel
			if ch == "" {
				ch = canon.ChannelTransfer
			}
			return []driver.Value{r.id, nullStr(r.sourceID), int64(t.Record), r.seq, t.BookedAt, nullTime(t.ValueDate),
				t.From, t.To, t.Amount.String(), t.Currency, nullDec(t.Received), nullStr(t.ReceivedCurrency), ch,
				nullStr(t.Reference), nullStr(t.EndToEnd), nullStr(t.UETR), nullStr(t.Counterparty), nullDec(t.BalanceAfter), t.Pending}
		})
		if err != nil {
			return err
		}
		accts := mergeAccounts(b)
		err = appendAll(c, "stage_acct", len(accts), func(i int) []driver.Value {
			a := accts[i]
			return []driver.Value{a.ID, a.Kind, nullStr(a.IBAN), nullStr(a.BIC), nullStr(a.Bank), nullStr(a.Number),
				nullStr(a.HolderName), nullStr(a.Country), nullStr(a.Currency), a.Statement, nullDec(a.Opening)}
		})
		if err != nil {
			return err
		}
		err = appendAll(c, "stage_q", len(b.Errors), func(i int) []driver.Value {
			e := b.Errors[i]
			return []driver.Value{int64(e.Record), nullStr(e.Raw), nullStr(e.Field), e.Reason}
		})
		if err != nil {
			return err
		}
		err = appendAll(c, "stage_label", len(b.Labels), func(i int) []driver.Value {
			l := b.Labels[i]
			return []driver.Value{l.Subject, l.Label, l.Value, int64(l.Record)}
		})
		if err != nil {
			return err
		}
		parties := mergeParties(b.Parties)
		err = appendAll(c, "stage_party", len(parties), func(i int) []driver.Value {
			p := parties[i]
			return []driver.Value{partyID(p.ID), nullStr(p.Name), nullStr(canon.NameKey(p.Name)), nullStr(p.Kind), nullStr(p.Country),
				nullTime(p.BirthDate), nullStr(p.Identifiers)}
		})
		if err != nil {
			return err
		}
		err = appendAll(c, "stage_link", len(b.PartyLinks), func(i int) []driver.Value {
			l := b.PartyLinks[i]
			return []driver.Value{partyID(l.PartyID), l.AccountID, l.Role, l.Confidence, nullStr(l.Reason)}
		})
		if err != nil {
			return err
		}
		err = appendAll(c, "stage_note", len(b.Notes), func(i int) []driver.Value {
			n := b.Notes[i]
			return []driver.Value{int64(n.Record), n.Kind, n.Text, nullStr(n.Raw)}
		})
		if err != nil {
			return err
		}
		return appendAll(c, "stage_rate", len(b.Rates), func(i int) []driver.Value {
			r := b.Rates[i]
			return []driver.Value{r.Day, r.Currency, r.Base, r.Rate.String(), int64(r.Record)}
		})
	})
}

func appendAll(c driver.Conn, table string, n int, row func(int) []driver.Value) error {
	if n == 0 {
		return nil
	}
	a, err := duckdb.NewAppender(c, "temp", "main", table)
	if err != nil {
		return fmt.Errorf("appender %s: %w", table, err)
	}
	for i := 0; i < n; i++ {
		if err := a.AppendRow(row(i)...); err != nil {
			a.Close()
			return fmt.Errorf("stage %s row %d: %w", table, i+1, err)
		}
	}
	return a.Close()
}

// mergeAccounts combines what the batch says about each account, adding every transaction
// endpoint it does not describe, in a deterministic order.
func mergeAccounts(b canon.Batch) []canon.Account {
	m := map[string]*canon.Account{}
	var order []string
	add := func(a canon.Account) {
		if a.Kind == "" {
			a.Kind = kindOf(a.ID)
		}
		if p, ok := m[a.ID]; ok {
			p.Statement = p.Statement || a.Statement
			fill(&p.IBAN, a.IBAN)
			fill(&p.BIC, a.BIC)
			fill(&p.Bank, a.Bank)
			fill(&p.Number, a.Number)
			fill(&p.HolderName, a.HolderName)
			fill(&p.Country, a.Country)
			fill(&p.Currency, a.Currency)
			if !p.Opening.Valid {
				p.Opening = a.Opening
			}
			return
		}
		c := a
		m[a.ID] = &c
		order = append(order, a.ID)
	}
	for _, a := range b.Accounts {
		add(a)
	}
	if b.StatementAccount != "" {
		add(canon.Account{ID: b.StatementAccount, Statement: true})
	}
	for _, t := range b.Txns {
		add(canon.Account{ID: t.From})
		add(canon.Account{ID: t.To})
	}
	sort.Strings(order)
	out := make([]canon.Account, len(order))
	for i, id := range order {
		out[i] = *m[id]
	}
	return out
}

func fill(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// kindOf is the kind an account id implies when no reader said otherwise.
func kindOf(id string) string {
	if len(id) > 4 && id[:4] == "mto:" {
		return canon.KindMTO
	}
	return canon.KindOfLedgerID(id)
}

// storeAccounts adds the staged accounts, numbering the new ones after the case's last
// account_no in id order, and fills in what is new about the known ones.
func storeAccounts(ctx context.Context, tx *sql.Tx, sid int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO accounts
		SELECT s.account_id, s.kind, s.iban, s.bic, s.bank, s.number, s.holder_name, NULL, s.country, s.currency, s.has_statement,
			CAST(s.opening AS `+casedb.Money+`), ?, n.no
		FROM temp.stage_acct s LEFT JOIN (`+newAccountNumbers("temp.stage_acct")+`) n USING (account_id)
		ON CONFLICT (account_id) DO UPDATE SET
			has_statement = accounts.has_statement OR excluded.has_statement,
			iban = coalesce(accounts.iban, excluded.iban),
			bic = coalesce(accounts.bic, excluded.bic),
			bank = coalesce(accounts.bank, excluded.bank),
			number = coalesce(accounts.number, excluded.number),
			holder_name = coalesce(accounts.holder_name, excluded.holder_name),
			country = coalesce(accounts.country, excluded.country),
			currency = coalesce(accounts.currency, excluded.currency),
			opening_balance = coalesce(accounts.opening_balance, excluded.opening_balance)`, sid)
	if err != nil {
		return fmt.Errorf("store accounts: %w", err)
	}
	return nil
}

// newAccountNumbers is a query giving each account of the staged table whose account_id is
// not yet in the case its account_no: the case's last number plus its rank by id.
func newAccountNumbers(staged string) string {
	return `SELECT account_id, CAST((SELECT coalesce(max(account_no), 0) FROM accounts) + row_number() OVER (ORDER BY account_id) AS INTEGER) AS no
		FROM ` + staged + ` WHERE account_id NOT IN (SELECT account_id FROM accounts)`
}

// partyID is the stored id of a party: without the "party:" selector prefix some readers put
// on it, so that "party:" + id names it everywhere (seeds, rule subjects).
func partyID(id string) string { return strings.TrimPrefix(id, "party:") }

// mergeParties combines what the batch says about each party, first mention first, in id
// order.
func mergeParties(ps []canon.Party) []canon.Party {
	m := map[string]*canon.Party{}
	var order []string
	for _, p := range ps {
		if q, ok := m[p.ID]; ok {
			fill(&q.Name, p.Name)
			fill(&q.Kind, p.Kind)
			fill(&q.Country, p.Country)
			if q.BirthDate.IsZero() {
				q.BirthDate = p.BirthDate
			}
			if p.Identifiers != "" && !strings.Contains(q.Identifiers, p.Identifiers) {
				if q.Identifiers != "" {
					q.Identifiers += "; "
				}
				q.Identifiers += p.Identifiers
			}
			continue
		}
		c := p
		m[p.ID] = &c
		order = append(order, p.ID)
	}
	sort.Strings(order)
	out := make([]canon.Party, len(order))
	for i, id := range order {
		out[i] = *m[id]
	}
	return out
}

// storeParties adds the staged parties (what is already known of a party is kept, gaps are
// filled) and their links to accounts (each link once); a holder link names the account's
// party where the account has none yet.
func storeParties(ctx context.Context, tx *sql.Tx, sid int64) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO parties
		SELECT party_id, name, name_key, kind, country, birth_date, identifiers, ? FROM temp.stage_party
		ON CONFLICT (party_id) DO UPDATE SET
			name = coalesce(parties.name, excluded.name),
			name_key = coalesce(parties.name_key, excluded.name_key),
			kind = coalesce(parties.kind, excluded.kind),
			country = coalesce(parties.country, excluded.country),
			birth_date = coalesce(parties.birth_date, excluded.birth_date),
			identifiers = CASE WHEN parties.identifiers IS NULL THEN excluded.identifiers
				WHEN excluded.identifiers IS NULL OR contains(parties.identifiers, excluded.identifiers) THEN parties.identifiers
				ELSE parties.identifiers || '; ' || excluded.identifiers END`, sid); err != nil {
		return fmt.Errorf("store parties: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO party_links
		SELECT DISTINCT ON (party_id, account_id, role) party_id, account_id, role, confidence, reason, ?
		FROM temp.stage_link s
		WHERE NOT EXISTS (SELECT 1 FROM party_links l WHERE l.party_id = s.party_id AND l.account_id = s.account_id AND l.role = s.role)
		ORDER BY party_id, account_id, role`, sid); err != nil {
		return fmt.Errorf("store party links: %w", err)
	}
	_, err := tx.ExecContext(ctx, `UPDATE accounts a SET party_id = l.party_id
		FROM (SELECT account_id, min(party_id) AS party_id FROM temp.stage_link WHERE role = 'holder' GROUP BY account_id) l
		WHERE a.account_id = l.account_id AND a.party_id IS NULL`)
	return err
}

// resolveClashes finds staged transaction ids already in the case. Where the format's ids are a
// contract the records are removed and reported; otherwise they get their derived id.
func resolveClashes(ctx context.Context, tx *sql.Tx, src sourceRow, keep bool) ([]canon.RecordError, error) {
	rows, err := tx.QueryContext(ctx, `SELECT s.txn_id, s.record, s.from_account, s.to_account, s.amount, t.source_id, t.source_record
		FROM temp.stage_txn s JOIN transactions t USING (txn_id) ORDER BY s.record`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []canon.RecordError
	for rows.Next() {
		var id, from, to, amt string
		var rec, osid, orec int64
		if err := rows.Scan(&id, &rec, &from, &to, &amt, &osid, &orec); err != nil {
			return nil, err
		}
		out = append(out, canon.RecordError{Record: int(rec), Field: "txn_id", Raw: id + "," + from + "," + to + "," + amt,
			Reason: fmt.Sprintf("txn_id %q is already in the case (source %d, record %d)", id, osid, orec)})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	if keep {
		_, err = tx.ExecContext(ctx, `DELETE FROM temp.stage_txn WHERE txn_id IN (SELECT txn_id FROM transactions)`)
		return out, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE temp.stage_txn SET txn_id = substr(?, 1, 16) || ':' || record ||
		CASE WHEN (SELECT count(*) FROM temp.stage_txn s2 WHERE s2.record = stage_txn.record) > 1 THEN '.' || seq ELSE '' END
		WHERE txn_id IN (SELECT txn_id FROM transactions)`, src.SHA256)
	return nil, err
}

func storeClashQuarantine(ctx context.Context, tx *sql.Tx, sid int64, clashes []canon.RecordError) error {
	for _, e := range clashes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO quarantine VALUES (?, ?, ?, ?, ?)`, sid, e.Record, e.Raw, e.Field, e.Reason); err != nil {
			return err
		}
	}
	return nil
}

// setOpeningBalances gives each account with a statement the opening balance of its earliest
// statement: the known balance before its first transaction, a clean lot for the tracer. When
// the case holds transactions of the account booked before that statement (from another
// source), the opening is not the balance before the account's first transaction, so none is
// set. It is recomputed for every account this file touches.
func setOpeningBalances(ctx context.Context, tx *sql.Tx, sid int64) error {
	_, err := tx.ExecContext(ctx, `
		WITH touched AS (SELECT account_id FROM statements WHERE source_id = $1
				UNION SELECT from_account FROM transactions WHERE source_id = $1
				UNION SELECT to_account FROM transactions WHERE source_id = $1),
			first AS (SELECT DISTINCT ON (account_id) account_id, opening, period_start FROM statements
				WHERE opening IS NOT NULL AND period_start IS NOT NULL AND account_id IN (SELECT account_id FROM touched)
				ORDER BY account_id, period_start, source_id, statement_no),
			moves AS (SELECT from_account AS account_id, min(booked_at) AS at FROM transactions
					WHERE duplicate_of IS NULL AND from_account IN (SELECT account_id FROM first) GROUP BY 1
				UNION ALL SELECT to_account, min(booked_at) FROM transactions
					WHERE duplicate_of IS NULL AND to_account IN (SELECT account_id FROM first) GROUP BY 1)
		UPDATE accounts SET opening_balance = CASE WHEN s.earliest IS NULL OR CAST(s.earliest AS DATE) >= s.period_start THEN s.opening END
		FROM (SELECT f.account_id, f.opening, f.period_start, min(m.at) AS earliest
			FROM first f LEFT JOIN moves m USING (account_id) GROUP BY ALL) s
		WHERE accounts.account_id = s.account_id`, sid)
	if err != nil {
		return fmt.Errorf("opening balances: %w", err)
	}
	return nil
}

// sourceFacts is what the sources row says about a file's content: its period, and for a
// statement file its balances and whether it reconciles.
type sourceFacts struct {
	records, loaded, quarantined int64
	statementAccount             string
	periodStart, periodEnd       time.Time
	opening, closing             decimal.NullDecimal
	reconciled                   *bool
	// idsDerived: every transaction has the derived id, one per record (sources.ids_derived).
	idsDerived bool
}

// factsOf works the facts out from what the reader produced: the period of the file's
// statements, else the span of its transactions, else of its rates.
func factsOf(b canon.Batch, recs []Reconciliation) sourceFacts {
	var f sourceFacts
	widen := func(t time.Time) {
		if t.IsZero() {
			return
		}
		if f.periodStart.IsZero() || t.Before(f.periodStart) {
			f.periodStart = t
		}
		if t.After(f.periodEnd) {
			f.periodEnd = t
		}
	}
	for _, r := range recs {
		widen(r.PeriodStart)
		widen(r.PeriodEnd)
	}
	if f.periodStart.IsZero() {
		for _, t := range b.Txns {
			widen(t.BookedAt)
		}
	}
	if f.periodStart.IsZero() {
		for _, r := range b.Rates {
			widen(r.Day)
		}
	}
	if len(recs) > 0 {
		f.opening, f.closing = recs[0].Opening, recs[len(recs)-1].Closing
	}
	f.reconciled = allReconciled(recs)
	return f
}

// allReconciled is whether a file's statements reconcile: false when one does not, unknown
// (nil) when one lacks a balance to check against and none fails, true only when every one
// was checked and holds. A file without statements is unknown.
func allReconciled(recs []Reconciliation) *bool {
	if len(recs) == 0 {
		return nil
	}
	known := true
	for _, r := range recs {
		if r.Reconciled == nil {
			known = false
		} else if !*r.Reconciled {
			no := false
			return &no
		}
	}
	if !known {
		return nil
	}
	yes := true
	return &yes
}

func insertSource(ctx context.Context, tx *sql.Tx, sid int64, src sourceRow, f sourceFacts) error {
	var rec any
	if f.reconciled != nil {
		rec = *f.reconciled
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO sources (source_id, path, file_name, sha256, bytes, format, profile,
		parser_version, ingested_at, records, loaded, quarantined, statement_account, period_start, period_end,
		opening_balance, closing_balance, reconciled, ids_derived, options_json)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TIMESTAMP), ?, ?, ?, ?, CAST(? AS DATE), CAST(? AS DATE),
			CAST(? AS `+casedb.Money+`), CAST(? AS `+casedb.Money+`), ?, ?, ?)`,
		sid, src.Path, src.FileName, src.SHA256, src.Bytes, src.Format, nullStr(src.Profile), src.ParserVersion,
		src.IngestedAt.UTC().Format("2006-01-02 15:04:05.000000"), f.records, f.loaded, f.quarantined,
		nullStr(f.statementAccount), dateOrNil(f.periodStart), dateOrNil(f.periodEnd), nullDec(f.opening),
		nullDec(f.closing), rec, f.idsDerived, nullStr(src.OptionsJSON))
	if err != nil {
		return fmt.Errorf("record source %s: %w", src.Path, err)
	}
	return nil
}
