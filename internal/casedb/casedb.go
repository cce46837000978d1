// Package casedb owns the case database: one DuckDB file per case with the canonical schema of
// DESIGN.md §2, its version in the meta table, and the settings that keep it offline.
package casedb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"

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
	// ReadOnly opens the file for reading only: DuckDB refuses every write to the case, and
	// other processes may read it at the same time (none may write).
	ReadOnly bool
	// Sealed opens the case for SQL that a user wrote (the sql verb, rule packs, sql: seeds):
	// read-only as ReadOnly, with no file reachable from SQL (not even the case's own file,
	// its WAL or its spill directory: DuckDB's local file system is disabled) and the
	// configuration locked so that no statement can undo it. Queries on a sealed case cannot
	// spill to disk: one that needs more than the memory limit fails. An in-memory database
	// (":memory:", rules check's scratch case) cannot be read-only and stays writable; it
	// holds nothing that outlives it.
	Sealed bool
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

// Opener opens a case with the options given; the caller of a function that takes one adds
// its own settings (memory limit, threads). Functions that must read a case sealed and then
// write it (rules.RunCase, casetrace.ResolveSQLSeeds) open it twice through one.
type Opener func(ctx context.Context, opt Options) (*DB, error)

// DB is an open case database. It is safe for concurrent use as a *sql.DB is, but the
// Appender and Arrow interfaces obtained from its connections are not; Close it when done.
type DB struct {
	*sql.DB
	// Path is the file the case lives in.
	Path string
	// ReadOnly is true when the case was opened with Options.ReadOnly or Options.Sealed.
	ReadOnly bool
	// Sealed is true when the case was opened with Options.Sealed: the only handle on which
	// QueryUser runs a user's statement.
	Sealed    bool
	connector *duckdb.Connector
	sealed    *atomic.Bool // read by the connector's per-connection set-up
}

// Open opens (or with Options.Create, creates) the case database at path, checks its schema
// version and migrates an older one. No extension is ever installed or loaded from the network.
//
// A case is created exclusively: Open claims path with O_EXCL (failing with ErrExists when
// it is there, even if another process created it a moment ago), builds the schema in a
// temporary file beside it and renames that over its own empty claim. It removes nothing
// it did not create. A case that another process holds fails with a *BusyError (ErrBusy)
// naming that process.
func Open(ctx context.Context, path string, opt Options) (*DB, error) {
	if path == "" {
		path = DefaultPath
	}
	if strings.ContainsAny(path, "%?") {
		// The driver takes the path inside a connection string and cannot escape these.
		return nil, fmt.Errorf("%w: case database path %q contains %% or ?, which the DuckDB driver cannot open; rename it", ErrNoCase, path)
	}
	if opt.Sealed {
		opt.ReadOnly = true
	}
	memory := path == ":memory:"
	if memory {
		if !opt.Create && !opt.CreateIfMissing {
			return nil, fmt.Errorf("%w: an in-memory case must be created", ErrNoCase)
		}
		opt.ReadOnly = false // DuckDB cannot launch an in-memory database read-only
		return open(ctx, path, opt, true)
	}
	if opt.Create || opt.CreateIfMissing {
		if opt.ReadOnly {
			return nil, fmt.Errorf("%w: a read-only open cannot create %s", ErrUsage, path)
		}
		db, err := createExclusive(ctx, path, opt)
		switch {
		case err == nil:
			return db, nil
		case errors.Is(err, ErrExists) && opt.CreateIfMissing:
		default:
			return nil, err
		}
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%w at %s", ErrNoCase, path)
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrNoCase, err)
	case fi.Size() == 0:
		// Another process's exclusive claim, not yet renamed over (see createExclusive).
		return nil, &BusyError{Path: path, Detail: "it is being created by another process"}
	}
	return open(ctx, path, opt, false)
}

// createExclusive creates a new case at path without ever replacing or removing a file
// that this call did not create.
func createExclusive(ctx context.Context, path string, opt Options) (*DB, error) {
	claim, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("%w: %s", ErrExists, path)
	}
	if err != nil {
		return nil, fmt.Errorf("create case %s: %w", path, err)
	}
	claim.Close()
	// Only an empty file that is still our claim may go: another process never writes into
	// it (DuckDB refuses an empty file), so a non-empty one is not ours to remove.
	unclaim := func() {
		if fi, err := os.Stat(path); err == nil && fi.Size() == 0 {
			os.Remove(path)
		}
	}
	if _, err := os.Stat(path + ".wal"); err == nil {
		unclaim()
		return nil, fmt.Errorf("%w: %s.wal is there without its case (a write-ahead log left behind): move it away first", ErrExists, path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".creating-*")
	if err != nil {
		unclaim()
		return nil, fmt.Errorf("create case %s: %w", path, err)
	}
	tmpPath := tmp.Name()
	tmp.Close()
	os.Remove(tmpPath) // DuckDB creates the file itself; the name is ours
	cleanup := func() {
		os.Remove(tmpPath)
		os.Remove(tmpPath + ".wal")
		unclaim()
	}
	db, err := open(ctx, tmpPath, opt, true)
	if err != nil {
		cleanup()
		return nil, err
	}
	if err := db.Close(); err != nil { // closing checkpoints: the file is the whole case
		cleanup()
		return nil, fmt.Errorf("create case %s: %w", path, err)
	}
	if _, err := os.Stat(tmpPath + ".wal"); err == nil {
		cleanup()
		return nil, fmt.Errorf("create case %s: DuckDB left a write-ahead log after closing the new case", path)
	}
	if err := os.Rename(tmpPath, path); err != nil {
		cleanup()
		return nil, fmt.Errorf("create case %s: %w", path, err)
	}
	opt.Create, opt.CreateIfMissing = false, false
	return open(ctx, path, opt, false)
}

// open connects to path with opt's settings; create builds the schema.
func open(ctx context.Context, path string, opt Options, create bool) (*DB, error) {
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
	if opt.Sealed {
		// Set at start-up, before any file but the case's own is open: DuckDB refuses it
		// later once the local file system is off.
		q.Set("enable_external_access", "false")
	}
	var sealed atomic.Bool
	connector, err := duckdb.NewConnector(path+"?"+q.Encode(), func(execer driver.ExecerContext) error {
		if sealed.Load() {
			return nil // the configuration is locked; new connections take the global UTC
		}
		_, err := execer.ExecContext(ctx, "SET TimeZone='UTC'", nil)
		return err
	})
	if err != nil {
		if b := busyError(path, err); b != nil {
			return nil, b
		}
		return nil, fmt.Errorf("open case %s: %w", path, err)
	}
	db := &DB{DB: sql.OpenDB(connector), Path: path, ReadOnly: opt.ReadOnly, connector: connector, sealed: &sealed}
	if create {
		if err := db.create(ctx, opt); err != nil {
			db.Close()
			return nil, err
		}
	} else if err := db.checkVersion(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if opt.Sealed {
		if err := db.seal(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// SealMemory seals an in-memory case in place, as Options.Sealed would have at opening: for
// a scratch case that is built first and queried with a user's SQL afterwards (tests, rules
// check). A file case is sealed only by opening it so (read-only): sealing a writable file
// would leave DuckDB unable to write its log.
func (db *DB) SealMemory(ctx context.Context) error {
	if db.Path != ":memory:" {
		return fmt.Errorf("%w: SealMemory on %s: open a file case with Options.Sealed", ErrInternal, db.Path)
	}
	if db.Sealed {
		return nil
	}
	if _, err := db.ExecContext(ctx, "SET enable_external_access = false"); err != nil {
		return err
	}
	return db.seal(ctx)
}

// seal switches DuckDB's local file system off and locks the configuration (see
// Options.Sealed). Both are global settings of the database instance: every connection of
// db, present and future, is sealed.
func (db *DB) seal(ctx context.Context) error {
	for _, s := range []string{"SET GLOBAL TimeZone = 'UTC'", "SET disabled_filesystems = 'LocalFileSystem'", "SET lock_configuration = true"} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("seal case %s: %s: %w", db.Path, s, err)
		}
	}
	db.Sealed = true
	db.sealed.Store(true)
	return nil
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
	steps := map[int][]string{2: migrateV2, 3: migrateV3, 4: migrateV4, 5: migrateV5, 6: migrateV6}
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
