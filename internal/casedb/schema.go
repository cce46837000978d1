package casedb

// SchemaVersion is the version of the case-database layout this build writes. Opening a file
// with an older version migrates it; a newer one is refused (ErrNewerSchema).
//
// Version 2 adds the tracer's dense columns: accounts.account_no (1, 2, ... in ingest order)
// and transactions.from_no, to_no (the account_no of each side) and base_micros (base_amount
// in millionths as BIGINT), kept in step by ingest wherever an account or base_amount is
// written. They let a replay stream integers instead of joining text ids and converting
// 128-bit decimals for every row. Views keep the version 1 columns.
//
// Version 3 records on each source whether its transaction ids are all derived
// (sources.ids_derived), a fact of how the file was loaded that readers of the case (the
// seed lookup) take from the case instead of from the loader's code.
//
// Version 4 adds what entity resolution stands on: party_attributes (each piece of identity
// evidence a source gives about a party, with the source and record it came from) and
// party_decisions (the investigator's confirm, reject, merge and split decisions, replayed in
// order on every resolution).
//
// Version 5 adds the investigator's notes (notes): remarks on an account, party or
// transaction and decisions on findings, written by `moneytrail serve`, each with its time
// and author. They sit beside the source records and never change them.
//
// Version 6 records for each source the digest of the rows it produced (source_rows,
// SourceRowsDigest), computed at ingest in the file's transaction: verify recomputes it from
// the stored rows and from a re-reading of the file. Cases loaded before have none. A table
// of its own rather than a column of sources: DuckDB refuses to commit a migration that
// alters sources twice (version 3 did once).
const SchemaVersion = 6

// Money is the SQL type of every money column: exact, six decimal places (see money.Scale).
const Money = "DECIMAL(38,6)"

// txnsView is the rules' view of the transactions: the version 1 columns (the tracer's dense
// columns are left out) with the source file of each.
const txnsView = `CREATE OR REPLACE VIEW txns AS
		SELECT t.* EXCLUDE (from_no, to_no, base_micros), s.file_name AS source_file, s.sha256 AS source_sha256
		FROM transactions t JOIN sources s USING (source_id)
		WHERE t.duplicate_of IS NULL`

// migrateV2 brings a version 1 case to version 2: account numbers in ingest order (first
// source, then id), each transaction's account numbers and base micro-units.
var migrateV2 = []string{
	`ALTER TABLE accounts ADD COLUMN account_no INTEGER`,
	`UPDATE accounts SET account_no = n.no
		FROM (SELECT account_id, CAST(row_number() OVER (ORDER BY first_source_id NULLS LAST, account_id) AS INTEGER) AS no FROM accounts) n
		WHERE accounts.account_id = n.account_id`,
	`ALTER TABLE transactions ADD COLUMN from_no INTEGER`,
	`ALTER TABLE transactions ADD COLUMN to_no INTEGER`,
	`ALTER TABLE transactions ADD COLUMN base_micros BIGINT`,
	`UPDATE transactions SET base_micros = ` + MicrosOf("base_amount"),
	`UPDATE transactions SET from_no = f.account_no, to_no = a.account_no
		FROM accounts f, accounts a
		WHERE f.account_id = transactions.from_account AND a.account_id = transactions.to_account`,
	txnsView,
}

// migrateV3 brings a version 2 case to version 3: AMLworld files are the ones loaded with
// derived ids only.
var migrateV3 = []string{
	`ALTER TABLE sources ADD COLUMN ids_derived BOOLEAN DEFAULT false`,
	`UPDATE sources SET ids_derived = (format = 'amlworld')`,
}

// partyAttributesTable and partyDecisionsTable are the tables of version 4 (see
// SchemaVersion), created alike by a new case and by the migration.
// party_attributes.kind is name, birth_date, country, phone, city, address, account (an
// account the party holds), bic, or id:TYPE (an identity document or registry number of that
// type, the value the number as written without spaces); record is the source's line or entry
// the value was read from, 0 for the file as a whole.
const (
	partyAttributesTable = `CREATE TABLE party_attributes(
		party_id VARCHAR NOT NULL,
		kind VARCHAR NOT NULL,
		value VARCHAR NOT NULL,
		source_id INTEGER NOT NULL,
		record BIGINT NOT NULL)`
	partyDecisionsTable = `CREATE TABLE party_decisions(
		decision_no INTEGER PRIMARY KEY,
		action VARCHAR NOT NULL,
		party_id VARCHAR NOT NULL,
		other_party_id VARCHAR,
		author VARCHAR NOT NULL,
		decided_at TIMESTAMP NOT NULL,
		note VARCHAR)`
)

// migrateV4 brings a version 3 case to version 4. Cases loaded before have no attributes:
// resolution then works from the parties table alone (name, birth date, identifiers).
var migrateV4 = []string{partyAttributesTable, partyDecisionsTable}

// notesTable holds the investigator's notes, one row per note, never updated: a later note on
// the same subject supersedes an earlier tag. subject_kind is account, party, transaction or
// finding (subject "RULE_ID SUBJECT"); tag is relevant or dismissed for a finding, else NULL;
// run_id is the rule run whose finding was tagged.
const notesTable = `CREATE TABLE notes(
		note_id BIGINT PRIMARY KEY,
		created_at TIMESTAMP NOT NULL,
		author VARCHAR NOT NULL,
		subject_kind VARCHAR NOT NULL,
		subject VARCHAR NOT NULL,
		tag VARCHAR,
		text VARCHAR NOT NULL,
		run_id VARCHAR)`

// migrateV5 brings a version 4 case to version 5: an empty notes table.
var migrateV5 = []string{notesTable}

// sourceRowsTable holds SourceRowsDigest of each source as ingest recorded it.
const sourceRowsTable = `CREATE TABLE source_rows(
		source_id INTEGER PRIMARY KEY,
		rows_sha256 VARCHAR NOT NULL)`

// migrateV6 brings a version 5 case to version 6: an empty source_rows table (the sources
// already loaded have no recorded digest; verify says so and still re-reads them).
var migrateV6 = []string{sourceRowsTable}

// MicrosOf is the SQL expression of base_micros from a money expression: millionths as
// BIGINT, NULL when the amount does not fit (about 9.2 trillion units), which the tracer
// reports instead of tracing.
func MicrosOf(money string) string { return `TRY_CAST(` + money + ` * 1000000 AS BIGINT)` }

// schema creates the tables and views of DESIGN.md §2 at SchemaVersion. Columns added by a
// migration come last, where ALTER TABLE puts them, so a new case and a migrated one have the
// same layout.
var schema = []string{
	`CREATE TABLE meta(key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`,
	`CREATE TABLE sources(
		source_id INTEGER PRIMARY KEY,
		path VARCHAR NOT NULL,
		file_name VARCHAR NOT NULL,
		sha256 VARCHAR NOT NULL UNIQUE,
		bytes BIGINT NOT NULL,
		format VARCHAR NOT NULL,
		profile VARCHAR,
		parser_version VARCHAR NOT NULL,
		ingested_at TIMESTAMP NOT NULL,
		records BIGINT NOT NULL,
		loaded BIGINT NOT NULL,
		quarantined BIGINT NOT NULL,
		statement_account VARCHAR,
		period_start DATE,
		period_end DATE,
		opening_balance ` + Money + `,
		closing_balance ` + Money + `,
		reconciled BOOLEAN,
		options_json VARCHAR,
		-- ids_derived: every transaction of the file has the id the loader derives (the first
		-- 16 hex digits of sha256, ":" and its record number, one transaction per record), so
		-- a lookup by id can go by source and record.
		ids_derived BOOLEAN DEFAULT false)`,
	`CREATE TABLE statements(
		source_id INTEGER NOT NULL,
		statement_no INTEGER NOT NULL,
		account_id VARCHAR NOT NULL,
		currency VARCHAR,
		period_start DATE,
		period_end DATE,
		opening ` + Money + `,
		credits ` + Money + `,
		debits ` + Money + `,
		closing ` + Money + `,
		computed_closing ` + Money + `,
		difference ` + Money + `,
		entries BIGINT,
		quarantined BIGINT,
		reconciled BOOLEAN,
		notes VARCHAR)`,
	`CREATE TABLE source_notes(
		source_id INTEGER NOT NULL,
		record BIGINT NOT NULL,
		kind VARCHAR NOT NULL,
		note VARCHAR NOT NULL,
		raw VARCHAR)`,
	`CREATE TABLE accounts(
		account_id VARCHAR PRIMARY KEY,
		kind VARCHAR NOT NULL,
		iban VARCHAR,
		bic VARCHAR,
		bank VARCHAR,
		number VARCHAR,
		holder_name VARCHAR,
		party_id VARCHAR,
		country VARCHAR,
		currency VARCHAR,
		has_statement BOOLEAN NOT NULL DEFAULT false,
		opening_balance ` + Money + `,
		first_source_id INTEGER,
		account_no INTEGER)`,
	`CREATE TABLE parties(
		party_id VARCHAR PRIMARY KEY,
		name VARCHAR,
		name_key VARCHAR,
		kind VARCHAR,
		country VARCHAR,
		birth_date DATE,
		identifiers VARCHAR,
		first_source_id INTEGER)`,
	`CREATE TABLE party_links(
		party_id VARCHAR NOT NULL,
		account_id VARCHAR NOT NULL,
		role VARCHAR NOT NULL,
		confidence DOUBLE,
		reason VARCHAR,
		source_id INTEGER)`,
	`CREATE TABLE transactions(
		txn_id VARCHAR NOT NULL,
		source_id INTEGER NOT NULL,
		source_record BIGINT NOT NULL,
		seq BIGINT NOT NULL,
		booked_at TIMESTAMP NOT NULL,
		value_date DATE,
		from_account VARCHAR NOT NULL,
		to_account VARCHAR NOT NULL,
		amount ` + Money + ` NOT NULL CHECK (amount > 0),
		currency VARCHAR NOT NULL,
		base_amount ` + Money + `,
		base_currency VARCHAR,
		fx_rate DECIMAL(38,10),
		fx_date DATE,
		received_amount ` + Money + `,
		received_currency VARCHAR,
		channel VARCHAR NOT NULL,
		reference VARCHAR,
		end_to_end_id VARCHAR,
		uetr VARCHAR,
		counterparty_raw VARCHAR,
		balance_after ` + Money + `,
		pending BOOLEAN NOT NULL DEFAULT false,
		duplicate_of VARCHAR,
		from_no INTEGER,
		to_no INTEGER,
		base_micros BIGINT)`,
	`CREATE TABLE quarantine(
		source_id INTEGER NOT NULL,
		record BIGINT NOT NULL,
		raw VARCHAR,
		field VARCHAR,
		reason VARCHAR NOT NULL)`,
	`CREATE TABLE labels(
		source_id INTEGER NOT NULL,
		subject VARCHAR NOT NULL,
		label VARCHAR NOT NULL,
		value VARCHAR NOT NULL,
		record BIGINT)`,
	`CREATE TABLE fx_rates(
		day DATE NOT NULL,
		currency VARCHAR NOT NULL,
		base_currency VARCHAR NOT NULL,
		rate DECIMAL(38,10) NOT NULL,
		source VARCHAR NOT NULL,
		source_id INTEGER,
		PRIMARY KEY (day, currency, base_currency))`,
	`CREATE TABLE runs(
		run_id VARCHAR PRIMARY KEY,
		kind VARCHAR NOT NULL,
		started_at TIMESTAMP NOT NULL,
		tool_version VARCHAR NOT NULL,
		inputs_sha256 VARCHAR,
		params_json VARCHAR,
		manifest_json VARCHAR)`,
	`CREATE TABLE findings(
		run_id VARCHAR NOT NULL,
		rule_id VARCHAR NOT NULL,
		pack VARCHAR,
		pack_version VARCHAR,
		subject VARCHAR,
		amount ` + Money + `,
		score DOUBLE,
		evidence VARCHAR,
		detail VARCHAR)`,
	`CREATE TABLE trace_flows(
		run_id VARCHAR NOT NULL,
		method VARCHAR NOT NULL,
		txn_id VARCHAR NOT NULL,
		booked_at TIMESTAMP,
		from_account VARCHAR,
		to_account VARCHAR,
		origin VARCHAR NOT NULL,
		amount ` + Money + ` NOT NULL)`,
	`CREATE TABLE trace_positions(
		run_id VARCHAR NOT NULL,
		method VARCHAR NOT NULL,
		holder VARCHAR NOT NULL,
		holder_kind VARCHAR NOT NULL,
		origin VARCHAR NOT NULL,
		amount ` + Money + ` NOT NULL)`,
	txnsView,
	`CREATE VIEW account_balances AS
		WITH moves AS (
			SELECT to_account AS account_id, currency, amount AS credit, 0::` + Money + ` AS debit, booked_at FROM txns WHERE NOT pending
			UNION ALL
			SELECT from_account, currency, 0::` + Money + `, amount, booked_at FROM txns WHERE NOT pending)
		SELECT m.account_id, a.kind, m.currency,
			CAST(sum(m.credit) AS ` + Money + `) AS credits,
			CAST(sum(m.debit) AS ` + Money + `) AS debits,
			CAST(coalesce(max(a.opening_balance), 0) + sum(m.credit) - sum(m.debit) AS ` + Money + `) AS balance,
			min(m.booked_at) AS first_at, max(m.booked_at) AS last_at, count(*) AS movements
		FROM moves m LEFT JOIN accounts a USING (account_id)
		GROUP BY m.account_id, a.kind, m.currency`,
	`CREATE VIEW fx_missing AS
		SELECT t.txn_id, t.source_id, t.source_record, CAST(t.booked_at AS DATE) AS booked_day, t.currency,
			m.value AS base_currency,
			'no ' || t.currency || ' rate against ' || m.value || ' on or before ' || strftime(CAST(t.booked_at AS DATE), '%Y-%m-%d') AS reason
		FROM transactions t, (SELECT value FROM meta WHERE key = 'base_currency') m
		WHERE t.base_amount IS NULL`,
	`CREATE VIEW statement_periods AS
		SELECT s.source_id, s.file_name, st.statement_no, st.account_id, st.currency,
			st.period_start, st.period_end, st.opening, st.credits, st.debits, st.closing,
			st.computed_closing, st.difference, st.entries, st.quarantined, st.reconciled, st.notes
		FROM statements st JOIN sources s USING (source_id)`,
	`CREATE TABLE trace_summary(
		run_id VARCHAR NOT NULL,
		method VARCHAR NOT NULL,
		origin VARCHAR NOT NULL,
		seeds VARCHAR,
		amount ` + Money + ` NOT NULL,
		traced ` + Money + ` NOT NULL,
		held ` + Money + ` NOT NULL,
		exited ` + Money + ` NOT NULL,
		exited_cash ` + Money + ` NOT NULL,
		exited_external ` + Money + ` NOT NULL,
		exited_asset ` + Money + ` NOT NULL,
		exited_other ` + Money + ` NOT NULL,
		held_with_unexplained ` + Money + ` NOT NULL)`,
	`CREATE TABLE trace_unexplained(
		run_id VARCHAR NOT NULL,
		account_id VARCHAR NOT NULL,
		amount ` + Money + ` NOT NULL,
		debits BIGINT NOT NULL)`,
	`CREATE TABLE trace_sensitivity(
		run_id VARCHAR NOT NULL,
		origin VARCHAR NOT NULL,
		holder VARCHAR NOT NULL,
		holder_kind VARCHAR NOT NULL,
		fifo ` + Money + `,
		lifo ` + Money + `,
		prorata ` + Money + `,
		libr ` + Money + `,
		tainted_first ` + Money + `,
		poison ` + Money + `)`,
	`CREATE TABLE matches(
		match_id INTEGER PRIMARY KEY,
		kept_txn_id VARCHAR NOT NULL,
		duplicate_txn_id VARCHAR NOT NULL UNIQUE,
		rule VARCHAR NOT NULL,
		confidence DOUBLE NOT NULL,
		amount_diff ` + Money + `,
		diff_currency VARCHAR,
		days_apart INTEGER,
		run_at TIMESTAMP NOT NULL,
		detail VARCHAR)`,
	// undisclosed_accounts: bank accounts without a statement in the case that pay to or are
	// paid from statement accounts, per currency. credits is what the hidden account received
	// from statement accounts, debits what it paid to them (deduplicated transactions).
	`CREATE VIEW undisclosed_accounts AS
		WITH st AS (SELECT account_id FROM accounts WHERE has_statement),
		moves AS (
			SELECT to_account AS account_id, from_account AS statement_account, currency,
				amount AS credit, 0::` + Money + ` AS debit, booked_at
			FROM txns WHERE from_account IN (SELECT account_id FROM st)
			UNION ALL
			SELECT from_account, to_account, currency, 0::` + Money + `, amount, booked_at
			FROM txns WHERE to_account IN (SELECT account_id FROM st))
		SELECT a.account_id, a.holder_name, a.bank, a.bic, a.country, m.currency,
			count(*) AS txns,
			count(*) FILTER (WHERE m.credit > 0) AS credit_count,
			count(*) FILTER (WHERE m.debit > 0) AS debit_count,
			CAST(sum(m.credit) AS ` + Money + `) AS credits,
			CAST(sum(m.debit) AS ` + Money + `) AS debits,
			min(m.booked_at) AS first_at, max(m.booked_at) AS last_at,
			string_agg(DISTINCT m.statement_account, ' ' ORDER BY m.statement_account) AS statement_accounts
		FROM moves m JOIN accounts a USING (account_id)
		WHERE a.kind = 'bank' AND NOT a.has_statement
		GROUP BY a.account_id, a.holder_name, a.bank, a.bic, a.country, m.currency`,
	// statement_chain: per account, its statements in period order, each with the previous
	// one's closing and end: chain_ok (opening = previous closing; NULL for the first or where
	// a balance is missing), gap_days (days from the previous end to this start: 1 is
	// contiguous, more is a gap, 0 shares a day, negative overlaps).
	`CREATE VIEW statement_chain AS
		WITH s AS (
			SELECT st.account_id, st.source_id, src.file_name, st.statement_no, st.currency,
				st.period_start, st.period_end, st.opening, st.credits, st.debits, st.closing,
				st.computed_closing, st.difference, st.reconciled,
				row_number() OVER w AS position,
				lag(st.closing) OVER w AS previous_closing,
				lag(st.period_end) OVER w AS previous_end,
				lag(st.source_id) OVER w AS previous_source_id,
				lag(st.statement_no) OVER w AS previous_statement_no
			FROM statements st JOIN sources src USING (source_id)
			WINDOW w AS (PARTITION BY st.account_id
				ORDER BY st.period_start NULLS LAST, st.period_end NULLS LAST, st.source_id, st.statement_no))
		SELECT *,
			CASE WHEN position = 1 OR previous_closing IS NULL OR opening IS NULL THEN NULL
				ELSE opening = previous_closing END AS chain_ok,
			datediff('day', previous_end, period_start) AS gap_days,
			coalesce(datediff('day', previous_end, period_start) > 1, false) AS gap,
			coalesce(datediff('day', previous_end, period_start) < 0, false) AS overlap
		FROM s`,
	// declared_income: income a party declared (tax returns, payslips), per year, loaded from
	// CSV by `moneytrail rules income`; the wealth pack compares it with net deposits.
	`CREATE TABLE declared_income(
		party_id VARCHAR NOT NULL,
		year INTEGER NOT NULL,
		amount ` + Money + ` NOT NULL,
		currency VARCHAR NOT NULL,
		source VARCHAR)`,
	partyAttributesTable,
	partyDecisionsTable,
	notesTable,
	sourceRowsTable,
}
