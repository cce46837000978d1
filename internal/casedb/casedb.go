// Package casedb owns the case database: one DuckDB file per case with the canonical schema of
// DESIGN.md §2, its version in the meta table, and the settings that keep it offline.
package casedb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

// DefaultPath is the case database used when neither --db nor MONEYTRAIL_DB names one.
const DefaultPath = "case.duckdb"

// ErrNoCase reports a case database that does not exist (run `moneytrail init` first).
var ErrNoCase = errors.New("no case database")

// ErrNewerSchema reports a case database written by a newer moneytrail.
var ErrNewerSchema = errors.New("case database has a newer schema")

// ErrOldSchema reports a case database with an older schema opened read-only, which cannot
// migrate it.
var ErrOldSchema = errors.New("case database has an older schema")

// ErrExists reports an attempt to create a case where one already exists.
var ErrExists = errors.New("case database already exists")

// Options controls how Open treats the file.
type Options struct {
	// Create makes a new case; the file must not exist.
	Create bool
	// CreateIfMissing makes a new case when the file does not exist and opens it otherwise.
	CreateIfMissing bool
	// ReadOnly opens the file for reading only, with access to other files disabled: the
	// mode for user-supplied SQL.
	ReadOnly bool
	// BaseCurrency is the case's base currency, set at creation (default EUR).
	BaseCurrency string
	// DefaultMethod is the tracing method of a trace that names none, set at creation and
	// kept in meta as default_method ("": the tracer's default, libr).
	DefaultMethod string
	// Threads limits DuckDB's worker threads (0: DuckDB's default, all cores).
	Threads int
	// MemoryLimit is DuckDB's memory_limit setting, e.g. "4GB" ("": DuckDB's default).
	MemoryLimit string
}

// DB is an open case database. It is safe for concurrent use as a *sql.DB is, but the
// Appender and Arrow interfaces obtained from its connections are not; Close it when done.
type DB struct {
	*sql.DB
	// Path is the file the case lives in.
	Path string
	// ReadOnly is true when the case was opened with Options.ReadOnly.
	ReadOnly  bool
	connector *duckdb.Connector
}

// Open opens (or with Options.Create, creates) the case database at path, checks its schema
// version and migrates an older one. No extension is ever installed or loaded from the network.
func Open(ctx context.Context, path string, opt Options) (*DB, error) {
	if path == "" {
		path = DefaultPath
	}
	if strings.ContainsAny(path, "%?") {
		// The driver takes the path inside a connection string and cannot escape these.
		return nil, fmt.Errorf("%w: case database path %q contains %% or ?, which the DuckDB driver cannot open; rename it", ErrNoCase, path)
	}
	_, statErr := os.Stat(path)
	exists := statErr == nil
	create := false
	switch {
	case opt.Create && exists:
		return nil, fmt.Errorf("%w: %s", ErrExists, path)
	case opt.Create, opt.CreateIfMissing && !exists:
		create = true
	case !exists:
		return nil, fmt.Errorf("%w at %s", ErrNoCase, path)
	}
	if create && opt.ReadOnly {
		return nil, fmt.Errorf("%w at %s", ErrNoCase, path)
	}
	q := url.Values{}
	q.Set("autoinstall_known_extensions", "false")
	q.Set("autoload_known_extensions", "false")
	if opt.Threads > 0 {
		q.Set("threads", strconv.Itoa(opt.Threads))
	}
	if opt.MemoryLimit != "" {
		q.Set("memory_limit", opt.MemoryLimit)
	}
	if opt.ReadOnly {
		q.Set("access_mode", "read_only")
	}
	connector, err := duckdb.NewConnector(path+"?"+q.Encode(), func(execer driver.ExecerContext) error {
		_, err := execer.ExecContext(ctx, "SET TimeZone='UTC'", nil)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open case %s: %w", path, err)
	}
	db := &DB{DB: sql.OpenDB(connector), Path: path, ReadOnly: opt.ReadOnly, connector: connector}
	if create {
		if err := db.create(ctx, opt); err != nil {
			db.Close()
			os.Remove(path)
			os.Remove(path + ".wal")
			return nil, err
		}
		return db, nil
	}
	if err := db.checkVersion(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the database and its connector.
func (db *DB) Close() error {
	err := db.DB.Close()
	if cerr := db.connector.Close(); err == nil {
		err = cerr
	}
	return err
}

func (db *DB) create(ctx context.Context, opt Options) error {
	base := strings.ToUpper(strings.TrimSpace(opt.BaseCurrency))
	if base == "" {
		base = "EUR"
	}
	if len(base) != 3 {
		return fmt.Errorf("base currency %q is not a three-letter ISO 4217 code", opt.BaseCurrency)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, stmt := range schema {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("create schema: %w\n%s", err, stmt)
		}
	}
	for k, v := range map[string]string{
		"schema_version": strconv.Itoa(SchemaVersion),
		"base_currency":  base,
		"default_method": opt.DefaultMethod,
	} {
		if v == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta VALUES (?, ?)`, k, v); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func (db *DB) checkVersion(ctx context.Context) error {
	var v string
	err := db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&v)
	if err != nil {
		return fmt.Errorf("%s is not a moneytrail case database (no schema version): %w", db.Path, err)
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return fmt.Errorf("%s: schema version %q is not a number", db.Path, v)
	}
	switch {
	case n > SchemaVersion:
		return fmt.Errorf("%w: %s has schema version %d, this moneytrail reads up to %d; use a newer moneytrail", ErrNewerSchema, db.Path, n, SchemaVersion)
	case n < SchemaVersion:
		return db.migrate(ctx, n)
	}
	return nil
}

// migrate brings a case from schema version from up to SchemaVersion, in one transaction:
// if any step fails the file is as it was. A read-only open cannot migrate and says so.
func (db *DB) migrate(ctx context.Context, from int) error {
	if from < 1 {
		return fmt.Errorf("%s: unknown schema version %d", db.Path, from)
	}
	if db.ReadOnly {
		return fmt.Errorf("%w: %s has schema version %d and needs a migration to %d: open it read-write once (run a command that writes to the case: ingest, match, rules run or trace)",
			ErrOldSchema, db.Path, from, SchemaVersion)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	steps := map[int][]string{2: migrateV2, 3: migrateV3, 4: migrateV4, 5: migrateV5}
	for v := from + 1; v <= SchemaVersion; v++ {
		for _, stmt := range steps[v] {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("%s: migrate schema to version %d: %w\n%s", db.Path, v, err, stmt)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE meta SET value = ? WHERE key = 'schema_version'`, strconv.Itoa(SchemaVersion)); err != nil {
		return err
	}
	return tx.Commit()
}

// Meta returns the value of a meta key ("" when absent).
func (db *DB) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// BaseCurrency returns the case's base currency.
func (db *DB) BaseCurrency(ctx context.Context) (string, error) {
	v, err := db.Meta(ctx, "base_currency")
	if err == nil && v == "" {
		v = "EUR"
	}
	return v, err
}

// LockDown forbids, for the rest of this database's life, any access to files or settings
// from SQL: used before running user-supplied queries.
func (db *DB) LockDown(ctx context.Context) error {
	db.SetMaxOpenConns(1)
	for _, s := range []string{"SET enable_external_access=false", "SET lock_configuration=true"} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}
