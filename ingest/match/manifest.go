package match

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/moneytrail/moneytrail/internal/casedb"
)

// RunKind is runs.kind of a matching run (and of an undo).
const RunKind = "match"

// Manifest records a matching run that changed, or could have changed, the case: its
// parameters, the sources it read, what it did and the digest of the matches table after it.
// A trace or rules run over the case depends on the matches (duplicates are left out of the
// txns view and the replay), so their manifests carry the same digest (see Digest).
type Manifest struct {
	Kind        string           `json:"kind"`
	ToolVersion string           `json:"tool_version"`
	Undo        bool             `json:"undo,omitempty"`
	Params      *ManifestParams  `json:"params,omitempty"`
	Sources     []ManifestSource `json:"sources"`
	// Existing is the number of matches before the run; Added (Removed for an undo) what
	// the run changed; Ambiguous the candidate pairs it left undecided.
	Existing  int `json:"existing"`
	Added     int `json:"added"`
	Removed   int `json:"removed,omitempty"`
	Ambiguous int `json:"ambiguous"`
	// Matches is the number of matches after the run and MatchesDigest their digest.
	Matches       int    `json:"matches"`
	MatchesDigest string `json:"matches_digest"`
}

// ManifestParams are a run's tolerances as given.
type ManifestParams struct {
	WindowDays   int    `json:"window_days"`
	FeeTolerance string `json:"fee_tolerance"`
	FXTolerance  string `json:"fx_tolerance"`
}

// ManifestSource is one source file of the case when the run was made.
type ManifestSource struct {
	SourceID int64  `json:"source_id"`
	FileName string `json:"file_name"`
	SHA256   string `json:"sha256"`
}

// Digest is casedb.MatchesDigest: the digest of the matches table that runs record.
func Digest(ctx context.Context, q casedb.Queryer) (string, int, error) {
	return casedb.MatchesDigest(ctx, q)
}

// RunID is "match-" and the first 12 hex digits of the manifest's SHA-256: the same run over
// the same case gets the same id.
func (m *Manifest) RunID() string {
	sum := sha256.Sum256(m.JSON())
	return "match-" + hex.EncodeToString(sum[:6])
}

// JSON is the manifest's indented JSON encoding, as stored in runs.manifest_json.
func (m *Manifest) JSON() []byte {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		panic(err) // plain structs of strings and ints
	}
	return b
}

// record completes m (sources, matches after the run) and stores it in runs inside tx, in
// place of a run with the same id. It returns the run id.
func record(ctx context.Context, tx *sql.Tx, m *Manifest, now time.Time) (string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT source_id, file_name, sha256 FROM sources ORDER BY source_id`)
	if err != nil {
		return "", fmt.Errorf("match manifest: %w", err)
	}
	m.Sources = m.Sources[:0]
	inputs := sha256.New()
	for rows.Next() {
		var s ManifestSource
		if err := rows.Scan(&s.SourceID, &s.FileName, &s.SHA256); err != nil {
			rows.Close()
			return "", fmt.Errorf("match manifest: %w", err)
		}
		m.Sources = append(m.Sources, s)
		inputs.Write([]byte(s.SHA256 + "\n"))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("match manifest: %w", err)
	}
	if m.MatchesDigest, m.Matches, err = Digest(ctx, tx); err != nil {
		return "", err
	}
	id := m.RunID()
	var params any
	if m.Params != nil {
		b, _ := json.Marshal(m.Params)
		params = string(b)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM runs WHERE run_id = ?`, id); err != nil {
		return "", fmt.Errorf("store match run: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO runs VALUES (?, ?, CAST(? AS TIMESTAMP), ?, ?, ?, ?)`,
		id, RunKind, now.Format("2006-01-02 15:04:05.999999"), m.ToolVersion, hex.EncodeToString(inputs.Sum(nil)),
		params, string(m.JSON())); err != nil {
		return "", fmt.Errorf("store match run %s: %w", id, err)
	}
	return id, nil
}
