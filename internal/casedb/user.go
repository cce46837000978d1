package casedb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

// ErrUserSQL marks SQL from a user (the sql verb, a rule pack, a sql: seed) that moneytrail
// refuses to run: not exactly one SELECT statement as DuckDB parses it. It is an input error.
var ErrUserSQL = errors.New("refused SQL")

// userSQLError is DuckDB's refusal to parse or bind a user's query: its message as DuckDB
// gives it, an ErrUserSQL.
type userSQLError struct{ err error }

func (e userSQLError) Error() string        { return e.err.Error() }
func (e userSQLError) Unwrap() error        { return e.err }
func (e userSQLError) Is(target error) bool { return target == ErrUserSQL }

// UserStatement is what DuckDB's parser and binder tell about a user's query before it runs.
type UserStatement struct {
	// Params are the names of the query's parameters ($name or $1), in order.
	Params []string
}

// CheckUser parses and binds q on conn without running it, and accepts it only when DuckDB
// reads it as exactly one SELECT statement (SELECT, FROM-first, WITH, VALUES, SUMMARIZE,
// DESCRIBE and SHOW all are). The statement count and type come from DuckDB: the driver's
// context-free Prepare refuses more than one statement (PrepareContext would run every
// statement but the last), and the prepared statement tells its type.
func CheckUser(conn *sql.Conn, q string) (*UserStatement, error) {
	if strings.TrimSpace(q) == "" {
		return nil, fmt.Errorf("%w: the query is empty", ErrUserSQL)
	}
	var us UserStatement
	err := conn.Raw(func(dc any) error {
		c, ok := dc.(driver.Conn)
		if !ok {
			return errors.New("not a database/sql driver connection")
		}
		st, err := c.Prepare(q)
		if err != nil {
			var de *duckdb.Error
			if errors.As(err, &de) {
				return userSQLError{err} // DuckDB's own message says where
			}
			// The driver's own refusal, not DuckDB's: the text held no statement or more
			// than one (DuckDB's parser counted them).
			return fmt.Errorf("%w: give exactly one SELECT statement (DuckDB reads none or more than one here; statements separated by ';' are not run)", ErrUserSQL)
		}
		defer st.Close()
		s, ok := st.(*duckdb.Stmt)
		if !ok {
			return errors.New("not a DuckDB statement")
		}
		t, err := s.StatementType()
		if err != nil {
			return err
		}
		if t != duckdb.STATEMENT_TYPE_SELECT {
			return fmt.Errorf("%w: only a SELECT query runs here; DuckDB reads this as a statement of another kind (%s)", ErrUserSQL, stmtTypeName(t))
		}
		for i := 1; i <= s.NumInput(); i++ {
			name, err := s.ParamName(i)
			if err != nil {
				return err
			}
			us.Params = append(us.Params, name)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &us, nil
}

// QueryUser runs a user's query q on conn, a connection of db, which must be sealed
// (Options.Sealed): q must pass CheckUser, and runs on a handle that cannot write to the
// case nor reach any file. Close the rows before the connection.
func (db *DB) QueryUser(ctx context.Context, conn *sql.Conn, q string, args ...any) (*sql.Rows, error) {
	if !db.Sealed {
		return nil, fmt.Errorf("%w: a user's SQL runs only on a sealed case (casedb.Options{Sealed: true}); %s is open for moneytrail's own queries", ErrInternal, db.Path)
	}
	if _, err := CheckUser(conn, q); err != nil {
		return nil, err
	}
	// The same text DuckDB just counted as one statement: the driver's QueryContext finds
	// the same single statement and runs it.
	return conn.QueryContext(ctx, q, args...)
}

// stmtTypeName names a DuckDB statement type for a refusal message.
func stmtTypeName(t duckdb.StmtType) string {
	names := map[duckdb.StmtType]string{
		duckdb.STATEMENT_TYPE_INSERT:       "INSERT",
		duckdb.STATEMENT_TYPE_UPDATE:       "UPDATE",
		duckdb.STATEMENT_TYPE_DELETE:       "DELETE",
		duckdb.STATEMENT_TYPE_CREATE:       "CREATE",
		duckdb.STATEMENT_TYPE_DROP:         "DROP",
		duckdb.STATEMENT_TYPE_ALTER:        "ALTER",
		duckdb.STATEMENT_TYPE_COPY:         "COPY",
		duckdb.STATEMENT_TYPE_ATTACH:       "ATTACH",
		duckdb.STATEMENT_TYPE_DETACH:       "DETACH",
		duckdb.STATEMENT_TYPE_PRAGMA:       "PRAGMA",
		duckdb.STATEMENT_TYPE_SET:          "SET",
		duckdb.STATEMENT_TYPE_CALL:         "CALL",
		duckdb.STATEMENT_TYPE_LOAD:         "INSTALL or LOAD",
		duckdb.STATEMENT_TYPE_EXPORT:       "EXPORT",
		duckdb.STATEMENT_TYPE_EXPLAIN:      "EXPLAIN",
		duckdb.STATEMENT_TYPE_TRANSACTION:  "transaction control",
		duckdb.STATEMENT_TYPE_VACUUM:       "VACUUM",
		duckdb.STATEMENT_TYPE_EXECUTE:      "EXECUTE",
		duckdb.STATEMENT_TYPE_PREPARE:      "PREPARE",
		duckdb.STATEMENT_TYPE_VARIABLE_SET: "SET VARIABLE",
	}
	if n, ok := names[t]; ok {
		return n
	}
	return fmt.Sprintf("type %d", t)
}

// UserConn is one connection of a sealed case on which every query is a user's: its
// QueryContext is QueryUser. It suits functions that take any QueryContext (table.Query).
// Close it when done; like a *sql.Conn it is not for concurrent use.
type UserConn struct {
	db   *DB
	conn *sql.Conn
}

// UserConn returns a connection for a user's queries; db must be sealed.
func (db *DB) UserConn(ctx context.Context) (*UserConn, error) {
	if !db.Sealed {
		return nil, fmt.Errorf("%w: a user's SQL runs only on a sealed case (casedb.Options{Sealed: true}); %s is open for moneytrail's own queries", ErrInternal, db.Path)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	return &UserConn{db: db, conn: conn}, nil
}

// QueryContext runs a user's query (see QueryUser).
func (u *UserConn) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return u.db.QueryUser(ctx, u.conn, q, args...)
}

// Close returns the connection to the pool.
func (u *UserConn) Close() error { return u.conn.Close() }
