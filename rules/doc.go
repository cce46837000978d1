// Package rules runs versioned rule packs over a case database: YAML packs of SQL rules and
// trace steps with typed parameters, findings stored under reproducible run ids, and verify.
//
// A pack (DESIGN.md §5) is one YAML file: pack, version (semver), description and rules, each
// with id, title, severity, rationale, typed params and either an sql query over the case's
// views returning subject, amount, evidence (a list of txn_ids) and optionally score and
// detail, or a trace step that seeds the tracer with earlier rules' evidence and queries the
// positions it leaves. Parameters are bound as query parameters ($NAME), never pasted into the
// query text. Built-in packs are embedded (Builtins); Load reads one by name or from a file.
//
// Decisions:
//   - Pack SQL is untrusted: Run takes a sealed case (casedb.Options.Sealed: read-only, no
//     file reachable, configuration locked), and each rule's query runs only when DuckDB's
//     own parser reads it as exactly one SELECT (casedb.CheckUser); Check prepares on a
//     sealed scratch case. The inputs a rule reads besides the case (prior_findings,
//     rule_positions, rule_flows) are temporary tables moneytrail fills before the query
//     runs: DuckDB keeps them in memory, and a read-only case allows them. RunCase stores
//     the findings through a writable handle opened after the sealed one is closed, and
//     only if the case's inputs are as the run read them.
//   - Each rule runs on a connection of its own, as a subquery of a wrapper that fixes the
//     column types, sorts and de-duplicates evidence, rounds the score to six decimals
//     (parallel float sums are not bit-stable) and orders the rows totally, so that two runs
//     over the same case give identical findings.
//   - A rule may read prior_findings (rule_id, subject, amount, evidence), the findings of the
//     rules before it in the run; a trace rule also reads rule_positions and rule_flows.
//   - The run id is "rules-" and 12 hex digits of the SHA-256 of the manifest: tool version,
//     packs (origin, version, SHA-256), every parameter's value, every source's SHA-256, the
//     FX and declared-income tables' digests, the number of transactions, failures and the
//     number of findings. runs.started_at is the only stored value that depends on when the
//     run happened.
//   - A failing rule is recorded with its error in the manifest and Result.Failures; the other
//     rules run and their findings are stored.
package rules
