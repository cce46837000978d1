// Package serve is the investigation workspace in the browser: a local web server over one case
// database, with a JSON API (aggregated in DuckDB) and the page that uses it, embedded.
//
// The model is syncthing's GUI: every asset is in the binary (no CDN, no font downloads, no
// network access of the server's own), it listens on the loopback interface unless told
// otherwise, and every request carries the access token that the printed URL holds. The page
// and the Go tests use the same API.
//
// The case is read through read-only transactions (BEGIN TRANSACTION READ ONLY): a query that
// tried to write would fail inside DuckDB. The one write the workspace makes is a note (see
// notes.go), through a connection of its own that runs nothing but the insert into the notes
// table, so source records, findings and traces are never changed. With Options.ReadOnly the
// case file is opened read-only as a whole and notes are refused.
package serve

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/moneytrail/moneytrail/internal/casedb"
)

// Options configures a Server.
type Options struct {
	// Token is the access token every request must carry; empty makes a random one of 128
	// bits.
	Token string
	// Author is the name notes are signed with when the page does not give one.
	Author string
	// QueryTimeout bounds each API request's work in DuckDB (0: 30 s).
	QueryTimeout time.Duration
	// Log receives one line per refused request and per error (nil: discarded).
	Log *log.Logger
	// Now stamps notes (nil: time.Now); tests fix it.
	Now func() time.Time
	// AllowRemote accepts requests addressed to any host name; without it only loopback
	// names are answered (see Listen).
	AllowRemote bool
}

// Server answers the workspace's API and serves its page for one open case. It is safe for
// concurrent use: each request reads through a connection of its own; notes are written one
// at a time. The case must stay open while the Server is in use and is not closed by it.
type Server struct {
	db      *casedb.DB
	token   string
	author  string
	timeout time.Duration
	log     *log.Logger
	now     func() time.Time
	// allowRemote turns off the check of the Host header for loopback names.
	allowRemote bool
	// notesMu serialises the writes of notes (their ids are the next number).
	notesMu sync.Mutex
	// packs caches rule titles and severities by rule id, loaded once.
	packsOnce sync.Once
	packs     map[string]ruleInfo
	// countedMu guards countedCond, the condition that leaves out duplicates (see counted).
	countedMu   sync.Mutex
	countedCond string
	// memoMu guards memos, the answers kept by memo, and notesVersion, the number of notes
	// written by this server (answers that show notes are kept per version).
	memoMu       sync.Mutex
	memos        map[string]any
	notesVersion int64
}

// New returns a Server over db. Open db read-write for notes to be stored, or with
// casedb.Options.ReadOnly for a workspace that only reads.
func New(db *casedb.DB, opt Options) (*Server, error) {
	s := &Server{db: db, token: opt.Token, author: opt.Author, timeout: opt.QueryTimeout, log: opt.Log, now: opt.Now, allowRemote: opt.AllowRemote}
	if s.token == "" {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("make an access token: %w", err)
		}
		s.token = hex.EncodeToString(b)
	}
	if s.timeout == 0 {
		s.timeout = 30 * time.Second
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.author == "" {
		s.author = "investigator"
	}
	return s, nil
}

// Token returns the access token requests must carry: in the X-API-Key header, or once in the
// URL (?token=) to open the page, which then holds it in a cookie.
func (s *Server) Token() string { return s.token }

// Handler returns the HTTP handler of the page and the API, every route behind the token
// check.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routes(mux)
	return s.guard(mux)
}

// IsLoopback reports whether addr (host:port) names only the loopback interface: the default,
// where no other machine can reach the workspace.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Listen opens the listening socket at addr (host:port; port 0 picks a free one). It refuses
// an address that is not loopback unless allowRemote is set, since the case's contents would
// then be served to the network, protected by the token alone.
func Listen(addr string, allowRemote bool) (net.Listener, error) {
	if !IsLoopback(addr) && !allowRemote {
		return nil, fmt.Errorf("%w: --addr %s is not a loopback address (127.0.0.1, ::1, localhost): the workspace would be open to the network; pass --allow-remote to mean it", casedb.ErrUsage, addr)
	}
	return net.Listen("tcp", addr)
}

// URL is the address to open the workspace at on listener l, with the access token.
func (s *Server) URL(l net.Listener) string {
	return "http://" + l.Addr().String() + "/?token=" + s.token
}

// Serve answers requests on l until ctx is done, then shuts down within five seconds.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          s.log,
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			return err
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}

func (s *Server) logf(format string, args ...any) {
	if s.log != nil {
		s.log.Printf(format, args...)
	}
}

// read runs fn inside a read-only transaction on a connection of its own, bounded by the
// server's query timeout: whatever fn runs, DuckDB refuses to write.
func (s *Server) read(ctx context.Context, fn func(q querier) error) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN TRANSACTION READ ONLY`); err != nil {
		return fmt.Errorf("begin a read-only transaction: %w", err)
	}
	// The transaction only read: rolling it back ends it without a commit's work.
	defer conn.ExecContext(context.Background(), `ROLLBACK`)
	return fn(conn)
}

// querier is what the API's queries run on: the read-only transaction's connection.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// counted is the condition on transactions t that leaves out duplicates (a transfer seen in
// two exports counts once). A case without duplicates needs no condition, and testing every
// row's duplicate_of costs more than the rest of a page's scan. The case cannot change while
// it is served (the server holds DuckDB's lock on the file: it is the one writer, or with
// --read-only nobody writes), so the answer is found once.
func (s *Server) counted(ctx context.Context, q querier) (string, error) {
	s.countedMu.Lock()
	defer s.countedMu.Unlock()
	if s.countedCond != "" {
		return s.countedCond, nil
	}
	r, err := one(ctx, q, `SELECT count(*) AS n FROM transactions WHERE duplicate_of IS NOT NULL`)
	if err != nil {
		return "", err
	}
	s.countedCond = "t.duplicate_of IS NULL"
	if r["n"].(int64) == 0 {
		s.countedCond = "true"
	}
	return s.countedCond, nil
}

// maxMemos bounds the answers memo keeps; past it they are all dropped and found again.
const maxMemos = 1000

// memo returns the answer kept under key, or finds it with fn and keeps it. The case cannot
// change while it is served (see counted) except by notes, so an answer that reads much of a
// large case (the ranked suspects, what needs attention) is worked out once; with withNotes
// the answer depends on the notes and is kept only until the next note.
func (s *Server) memo(key string, withNotes bool, fn func() (any, error)) (any, error) {
	s.memoMu.Lock()
	if withNotes {
		key = fmt.Sprintf("%s\x00notes %d", key, s.notesVersion)
	}
	v, ok := s.memos[key]
	s.memoMu.Unlock()
	if ok {
		return v, nil
	}
	v, err := fn()
	if err != nil {
		return nil, err
	}
	s.memoMu.Lock()
	if s.memos == nil || len(s.memos) >= maxMemos {
		s.memos = map[string]any{}
	}
	s.memos[key] = v
	s.memoMu.Unlock()
	return v, nil
}

// noteWritten marks the answers that show notes as out of date.
func (s *Server) noteWritten() {
	s.memoMu.Lock()
	s.notesVersion++
	s.memoMu.Unlock()
}
