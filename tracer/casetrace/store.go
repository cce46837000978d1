package casetrace

import (
	"context"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"

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
	err = conn.Raw(func(dc any) error {
		dconn := dc.(driver.Conn)
		app := func(table string, each func(add func(...driver.Value) error) error) error {
			a, err := duckdb.NewAppenderFromConn(dconn, "", table)
			if err != nil {
				return err
			}
			if err := each(a.AppendRow); err != nil {
				a.Close()
				return fmt.Errorf("%s: %w", table, err)
			}
			return a.Close()
		}
		id := out.RunID
		if err := app("trace_positions", func(add func(...driver.Value) error) error {
			for _, r := range out.Positions() {
				if err := add(id, r.Method, r.Holder, r.HolderKind, r.Origin, money(r.Cents)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
		if err := app("trace_flows", func(add func(...driver.Value) error) error {
			for _, r := range out.Flows() {
				if err := add(id, r.Method, r.TxnID, r.BookedAt, r.From, r.To, r.Origin, money(r.Cents)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
		if err := app("trace_summary", func(add func(...driver.Value) error) error {
			for _, r := range out.Summary() {
				if err := add(id, r.Method, r.Origin, r.Seeds, money(r.Credit), money(r.Traced), money(r.Held), money(r.Exited()),
					money(r.ExitedCash), money(r.ExitedExternal), money(r.ExitedAsset), money(r.ExitedOther), money(r.HeldWithUnexplained)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
		if err := app("trace_unexplained", func(add func(...driver.Value) error) error {
			for _, r := range out.Unexplained() {
				if err := add(id, r.Account, money(r.Cents), int64(r.Debits)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
		if len(out.Manifest.Methods) < 2 {
			return nil
		}
		col := map[string]int{"fifo": 0, "lifo": 1, "prorata": 2, "libr": 3, "tainted-first": 4, "poison": 5}
		return app("trace_sensitivity", func(add func(...driver.Value) error) error {
			for _, r := range out.Sensitivity() {
				vals := []driver.Value{id, r.Origin, r.Holder, r.HolderKind, nil, nil, nil, nil, nil, nil}
				for i, m := range out.Manifest.Methods {
					if r.Cents[i] != tracer.NotReplayed {
						vals[4+col[m]] = money(r.Cents[i])
					}
				}
				if err := add(vals...); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("store trace: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		return err
	}
	committed = true
	return nil
}

// money is cents as a DECIMAL(38,6) value for the Appender, whose DECIMAL columns take the
// unscaled integer as is: the scale must be the column's.
func money(cents int64) duckdb.Decimal {
	v := big.NewInt(cents)
	return duckdb.Decimal{Width: 38, Scale: 6, Value: v.Mul(v, big.NewInt(10_000))}
}
