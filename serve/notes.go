package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// errReadOnly answers 409: notes cannot be written to a case opened read-only.
var errReadOnly = errors.New("the case is open read-only: notes cannot be stored (restart `moneytrail serve` without --read-only)")

// Note is one note as the API takes and gives it.
type Note struct {
	ID int64 `json:"note_id"`
	// CreatedAt is when the note was stored, UTC, "2006-01-02 15:04:05".
	CreatedAt string `json:"created_at"`
	Author    string `json:"author"`
	// Kind is what the note is about: account, party, transaction or finding.
	Kind string `json:"subject_kind"`
	// Subject is the id of what the note is about; for a finding "RULE_ID SUBJECT".
	Subject string `json:"subject"`
	// Tag is a decision on a finding: relevant or dismissed; empty for a remark. (Party links
	// are confirmed or rejected with `moneytrail parties confirm|reject`, in party_decisions.)
	Tag  string `json:"tag"`
	Text string `json:"text"`
	// RunID is the rule run whose finding was tagged.
	RunID string `json:"run_id"`
}

// noteTags are the decisions each kind of subject takes.
var noteTags = map[string][]string{
	"account":     nil,
	"party":       nil,
	"transaction": nil,
	"finding":     {"relevant", "dismissed"},
}

// noteSubjectSQL checks that a note's subject is in the case, by kind.
var noteSubjectSQL = map[string]string{
	"account":     `SELECT count(*) AS n FROM accounts WHERE account_id = ?`,
	"party":       `SELECT count(*) AS n FROM parties WHERE party_id = ?`,
	"transaction": `SELECT count(*) AS n FROM transactions WHERE txn_id = ?`,
	"finding":     `SELECT count(*) AS n FROM findings WHERE rule_id || ' ' || subject = ?`,
}

const noteColumns = `note_id, created_at, author, subject_kind, subject, coalesce(tag, '') AS tag, text, coalesce(run_id, '') AS run_id`

// notesAbout lists the notes on one subject, newest first.
func notesAbout(ctx context.Context, q querier, kind, subject string) ([]Row, error) {
	return rows(ctx, q, `SELECT `+noteColumns+` FROM notes WHERE subject_kind = ? AND subject = ? ORDER BY note_id DESC`, kind, subject)
}

// notesList lists the notes on one subject (kind=K&subject=S), or the latest of all.
func (s *Server) notesList(r *http.Request) (any, error) {
	limit, err := intParam(r, "limit", 200, 10000)
	if err != nil {
		return nil, err
	}
	var out []Row
	err = s.read(r.Context(), func(q querier) (err error) {
		if k := r.FormValue("kind"); k != "" {
			out, err = notesAbout(r.Context(), q, k, r.FormValue("subject"))
			return err
		}
		out, err = rows(r.Context(), q, `SELECT `+noteColumns+` FROM notes ORDER BY note_id DESC LIMIT ?`, limit)
		return err
	})
	return map[string]any{"notes": out}, err
}

// maxNoteBytes bounds one note's request body.
const maxNoteBytes = 64 << 10

// notesAdd stores one note. The note is checked (a known kind, a tag that kind takes, a
// subject that is in the case) in a read-only transaction, then inserted on a connection of
// its own in a transaction that writes nothing but that row; notes are written one at a time
// so each takes the next id.
func (s *Server) notesAdd(r *http.Request) (any, error) {
	if s.db.ReadOnly {
		return nil, errReadOnly
	}
	var n Note
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxNoteBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&n); err != nil {
		return nil, fmt.Errorf("%w: the note is not JSON of the expected fields: %v", errBadRequest, err)
	}
	n.Text, n.Tag, n.Author = strings.TrimSpace(n.Text), strings.TrimSpace(n.Tag), strings.TrimSpace(n.Author)
	tags, ok := noteTags[n.Kind]
	switch {
	case !ok:
		return nil, fmt.Errorf("%w: subject_kind %q: want account, party, transaction or finding", errBadRequest, n.Kind)
	case n.Subject == "":
		return nil, fmt.Errorf("%w: a note needs its subject", errBadRequest)
	case n.Tag != "" && !slices.Contains(tags, n.Tag):
		return nil, fmt.Errorf("%w: tag %q does not apply to a %s (it takes %s)", errBadRequest, n.Tag, n.Kind, orNone(tags))
	case n.Text == "" && n.Tag == "":
		return nil, fmt.Errorf("%w: a note needs a text or a tag", errBadRequest)
	}
	if n.Author == "" {
		n.Author = s.author
	}
	err := s.read(r.Context(), func(q querier) error {
		c, err := one(r.Context(), q, noteSubjectSQL[n.Kind], n.Subject)
		if err != nil {
			return err
		}
		if c["n"].(int64) == 0 {
			return fmt.Errorf("%w: no %s %q in the case", errNotFound, n.Kind, n.Subject)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.notesMu.Lock()
	defer s.notesMu.Unlock()
	ctx, cancel := context.WithTimeout(r.Context(), s.timeout)
	defer cancel()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(note_id), 0) + 1 FROM notes`).Scan(&n.ID); err != nil {
		return nil, err
	}
	at := s.now().UTC().Truncate(time.Microsecond)
	n.CreatedAt = at.Format("2006-01-02 15:04:05")
	if _, err := tx.ExecContext(ctx, `INSERT INTO notes (note_id, created_at, author, subject_kind, subject, tag, text, run_id)
		VALUES (?, ?, ?, ?, ?, nullif(?, ''), ?, nullif(?, ''))`,
		n.ID, duckdb.Typed(at, duckdb.TYPE_TIMESTAMP), n.Author, n.Kind, n.Subject, n.Tag, n.Text, n.RunID); err != nil {
		return nil, fmt.Errorf("store the note: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store the note: %w", err)
	}
	s.noteWritten()
	return n, nil
}

func orNone(tags []string) string {
	if len(tags) == 0 {
		return "none"
	}
	return strings.Join(tags, " or ")
}
