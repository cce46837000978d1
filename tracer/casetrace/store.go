package casetrace

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/tracer"
)

// Store writes the run into the case database in one transaction: a runs row (kind "trace")
// with the manifest, and its rows in trace_positions, trace_flows, trace_summary,
// trace_unexplained and, with more than one method, trace_sensitivity. A run with the same id
// (the same trace of the same case) is replaced.
func (out *Outcome) Store(ctx context.Context, db *casedb.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN TRANSACTION`); err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
		}
	}()
	for _, tbl := range []string{"trace_positions", "trace_flows", "trace_summary", "trace_unexplained", "trace_sensitivity", "runs"} {
		if _, err := conn.ExecContext(ctx, `DELETE FROM `+tbl+` WHERE run_id = ?`, out.RunID); err != nil {
			return fmt.Errorf("store trace: %w", err)
		}
	}
	var shas []string
	for _, s := range out.Manifest.Sources {
		shas = append(shas, s.SHA256)
	}
	inputs := sha256.Sum256([]byte(strings.Join(shas, "\n")))
	params, _ := json.Marshal(struct {
		Methods          []string `json:"methods"`
		Scope            string   `json:"scope"`
		AsOf             string   `json:"as_of,omitempty"`
		GroupSeeds       bool     `json:"group_seeds"`
		GroupUnexplained bool     `json:"group_unexplained"`
		Flows            string   `json:"flows"`
		Direction        string   `json:"direction,omitempty"`
		Target           string   `json:"target,omitempty"`
		OriginBy         string   `json:"origin_by,omitempty"`
	}{out.Manifest.Methods, out.Manifest.Scope, out.Manifest.AsOf, out.Manifest.GroupSeeds, out.Manifest.GroupUnexplained, out.Manifest.Flows,
		out.Manifest.Direction, out.Manifest.Target, out.Manifest.OriginBy})
	if _, err := conn.ExecContext(ctx, `INSERT INTO runs VALUES (?, 'trace', ?, ?, ?, ?, ?)`, out.RunID,
		duckdb.Typed(out.StartedAt.UTC(), duckdb.TYPE_TIMESTAMP), out.Manifest.ToolVersion,
		hex.EncodeToString(inputs[:]), string(params), string(out.ManifestJSON())); err != nil {
		return fmt.Errorf("store trace run: %w", err)
	}
	if out.back != nil {
		err = out.storeRows(ctx, conn)
	} else {
		err = out.storeBulk(ctx, conn)
	}
	if err == nil {
		err = out.storeSummary(ctx, conn)
	}
	if err != nil {
		return fmt.Errorf("store trace: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		return err
	}
	committed = true
	return nil
}

// appendRows appends the rows that each adds to table (the case's, or with temp set a
// temporary one) through the Appender.
func appendRows(ctx context.Context, conn *sql.Conn, temp bool, table string, each func(add func(...driver.Value) error) error) error {
	catalog := ""
	if temp {
		catalog = "temp"
	}
	return conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppender(dc.(driver.Conn), catalog, "main", table)
		if err != nil {
			return err
		}
		if err := each(a.AppendRow); err != nil {
			a.Close()
			return fmt.Errorf("%s: %w", table, err)
		}
		if err := a.Close(); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
		return nil
	})
}

// storeRows stores a backward trace's rows (a composition: a few rows per method) and the
// unexplained funds one by one through the Appender.
func (out *Outcome) storeRows(ctx context.Context, conn *sql.Conn) error {
	id := out.RunID
	if err := appendRows(ctx, conn, false, "trace_positions", func(add func(...driver.Value) error) error {
		for _, r := range out.Positions() {
			if err := add(id, r.Method, r.Holder, r.HolderKind, r.Origin, money(r.Cents)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if err := appendRows(ctx, conn, false, "trace_flows", func(add func(...driver.Value) error) error {
		for _, r := range out.Flows() {
			if err := add(id, r.Method, r.TxnID, r.BookedAt, r.From, r.To, r.Origin, money(r.Cents)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if err := out.storeUnexplained(ctx, conn); err != nil {
		return err
	}
	if len(out.Manifest.Methods) < 2 {
		return nil
	}
	return appendRows(ctx, conn, false, "trace_sensitivity", func(add func(...driver.Value) error) error {
		for _, r := range out.Sensitivity() {
			vals := []driver.Value{id, r.Origin, r.Holder, r.HolderKind, nil, nil, nil, nil, nil, nil}
			for i, m := range out.Manifest.Methods {
				if r.Cents[i] != tracer.NotReplayed {
					vals[4+sensitivityColumn[m]] = money(r.Cents[i])
				}
			}
			if err := add(vals...); err != nil {
				return err
			}
		}
		return nil
	})
}

// sensitivityColumn is each method's column among trace_sensitivity's amounts.
var sensitivityColumn = map[string]int{"fifo": 0, "lifo": 1, "prorata": 2, "libr": 3, "tainted-first": 4, "poison": 5}

func (out *Outcome) storeUnexplained(ctx context.Context, conn *sql.Conn) error {
	return appendRows(ctx, conn, false, "trace_unexplained", func(add func(...driver.Value) error) error {
		for _, r := range out.Unexplained() {
			if err := add(out.RunID, r.Account, money(r.Cents), int64(r.Debits)); err != nil {
				return err
			}
		}
		return nil
	})
}

// Staging tables of a forward trace's rows: numbers only (account and origin indexes, cents),
// which the Appender takes without a call into DuckDB per string or a big.Int per amount;
// the INSERT ... SELECT that follows names them by joining the accounts' and origins' names.
// On a 1M-transaction case, appending the named rows cost 7 s of the trace's 15 s of CPU.
const (
	stageMethods  = `(m UTINYINT, name VARCHAR)`
	stageAccounts = `(a INTEGER, id VARCHAR)`
	stageOrigins  = `(o INTEGER, label VARCHAR)`
	stagePos      = `(m UTINYINT, h INTEGER, x BOOLEAN, o INTEGER, c BIGINT)`
	stageFlows    = `(m UTINYINT, k BIGINT, t TIMESTAMP, f INTEGER, d INTEGER, o INTEGER, c BIGINT)`
	stageSens     = `(o INTEGER, h INTEGER, x BOOLEAN, c0 BIGINT, c1 BIGINT, c2 BIGINT, c3 BIGINT, c4 BIGINT, c5 BIGINT)`
	// cents is the exact DECIMAL of an amount in cents (division would go through DOUBLE).
	centsSQL = `CAST(%s AS DECIMAL(36,0)) * 0.01`
)

// storeBulk stores a forward trace's positions, flows and sensitivity through staging tables
// of numbers (see stagePos), then the unexplained funds and the summary.
func (out *Outcome) storeBulk(ctx context.Context, conn *sql.Conn) error {
	stages := []struct{ name, def string }{{"mt_methods", stageMethods}, {"mt_accounts", stageAccounts},
		{"mt_origins", stageOrigins}, {"mt_pos", stagePos}, {"mt_flows", stageFlows}, {"mt_sens", stageSens}}
	for _, st := range stages {
		if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE `+st.name+` `+st.def); err != nil {
			return err
		}
	}
	defer func() {
		for _, st := range stages {
			conn.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS temp.`+st.name)
		}
	}()
	rep := out.Report
	used := map[tracer.Origin]bool{}
	if err := appendRows(ctx, conn, true, "mt_pos", func(add func(...driver.Value) error) error {
		for m, res := range rep.Results {
			for _, p := range res.Positions {
				used[p.Origin] = true
				if err := add(uint8(m), p.Holder, rep.IsExit(p.Holder), int32(p.Origin), p.Cents); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if err := appendRows(ctx, conn, true, "mt_flows", func(add func(...driver.Value) error) error {
		for m, res := range rep.Results {
			for _, f := range res.Flows {
				used[f.Origin] = true
				if err := add(uint8(m), f.Txn, time.UnixMicro(f.At).UTC(), f.From, f.To, int32(f.Origin), f.Cents); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		return err
	}
	multi := len(out.Manifest.Methods) > 1
	if multi {
		cols := make([]int, len(out.Manifest.Methods))
		for i, m := range out.Manifest.Methods {
			cols[i] = sensitivityColumn[m]
		}
		if err := appendRows(ctx, conn, true, "mt_sens", func(add func(...driver.Value) error) error {
			vals := make([]driver.Value, 9)
			for _, h := range out.sensitivity().Holdings {
				used[h.Origin] = true
				vals[0], vals[1], vals[2] = int32(h.Origin), h.Holder, h.Exit
				for i := range 6 {
					vals[3+i] = nil
				}
				for i, c := range h.Cents {
					if c != tracer.NotReplayed {
						vals[3+cols[i]] = c
					}
				}
				if err := add(vals...); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	if err := appendRows(ctx, conn, true, "mt_methods", func(add func(...driver.Value) error) error {
		for m, res := range rep.Results {
			if err := add(uint8(m), res.Method.String()); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if err := appendRows(ctx, conn, true, "mt_accounts", func(add func(...driver.Value) error) error {
		for a := range out.names.len() {
			if err := add(int32(a), out.names.id(int32(a))); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if err := appendRows(ctx, conn, true, "mt_origins", func(add func(...driver.Value) error) error {
		l := out.labels()
		for _, o := range slices.Sorted(maps.Keys(used)) {
			if err := add(int32(o), l.get(o)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	queries := []string{
		`INSERT INTO trace_positions SELECT $1, m.name, a.id, CASE WHEN p.x THEN 'exit' ELSE 'account' END, o.label, ` + fmt.Sprintf(centsSQL, "p.c") + `
		FROM mt_pos p JOIN mt_methods m USING (m) JOIN mt_accounts a ON a.a = p.h JOIN mt_origins o USING (o)`,
		`INSERT INTO trace_flows SELECT $1, m.name, t.txn_id, f.t, fa.id, ta.id, o.label, ` + fmt.Sprintf(centsSQL, "f.c") + `
		FROM mt_flows f JOIN mt_methods m USING (m) JOIN transactions t ON t.rowid = f.k
		JOIN mt_accounts fa ON fa.a = f.f JOIN mt_accounts ta ON ta.a = f.d JOIN mt_origins o USING (o)`,
	}
	if multi {
		sens := `INSERT INTO trace_sensitivity SELECT $1, o.label, a.id, CASE WHEN s.x THEN 'exit' ELSE 'account' END`
		for i := range 6 {
			sens += ", " + fmt.Sprintf(centsSQL, fmt.Sprintf("s.c%d", i))
		}
		queries = append(queries, sens+` FROM mt_sens s JOIN mt_accounts a ON a.a = s.h JOIN mt_origins o USING (o)`)
	}
	for _, q := range queries {
		if _, err := conn.ExecContext(ctx, q, out.RunID); err != nil {
			return err
		}
	}
	return out.storeUnexplained(ctx, conn)
}

// storeSummary stores one row per method and tainted origin (none for a backward trace).
func (out *Outcome) storeSummary(ctx context.Context, conn *sql.Conn) error {
	return appendRows(ctx, conn, false, "trace_summary", func(add func(...driver.Value) error) error {
		for _, r := range out.Summary() {
			if err := add(out.RunID, r.Method, r.Origin, r.Seeds, money(r.Credit), money(r.Traced), money(r.Held), money(r.Exited()),
				money(r.ExitedCash), money(r.ExitedExternal), money(r.ExitedAsset), money(r.ExitedOther), money(r.HeldWithUnexplained)); err != nil {
				return err
			}
		}
		return nil
	})
}

// money is cents as a DECIMAL(38,6) value for the Appender, whose DECIMAL columns take the
// unscaled integer as is: the scale must be the column's.
func money(cents int64) duckdb.Decimal {
	v := big.NewInt(cents)
	return duckdb.Decimal{Width: 38, Scale: 6, Value: v.Mul(v, big.NewInt(10_000))}
}
