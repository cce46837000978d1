// Package ingest loads export files into a case database: it detects the format, runs the pure
// reader of that format, and stores the canonical records with their provenance in one DuckDB
// transaction per file (a failure leaves the case as it was), quarantining unreadable records
// and skipping files whose bytes are already in the case.
package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/casedb"
)

// ParserVersion is recorded on every source; it changes whenever a reader's output for the
// same bytes could change.
const ParserVersion = "moneytrail-ingest/2"

// ErrInput is casedb.ErrInput, the input-error kind of every layer; the loader's own name
// for it, since most input errors start here.
var ErrInput = casedb.ErrInput

// Options controls one ingest.
type Options struct {
	// Format is one of Formats() or auto ("" = auto).
	Format string
	// Profile names a built-in CSV profile or a profile YAML file (format csv).
	Profile string
	// Account is the statement account, for formats that cannot tell it themselves.
	Account string
	// Operator names the money-transfer operator of an mto file.
	Operator string
	// Strict fails the file when any record would be quarantined.
	Strict bool
	// Now is the ingest time recorded on the source (declared timestamp); zero means
	// time.Now().
	Now time.Time
	// Progress, when set, is told about long steps (for a progress bar).
	Progress func(step string)
}

// Result describes what one ingest did.
type Result struct {
	Path     string
	SourceID int64
	SHA256   string
	Bytes    int64
	Format   string
	Profile  string
	// Records counts the file's records (rows, lines, entries): Loaded + Quarantined.
	Records     int64
	Loaded      int64
	Quarantined int64
	// Transactions counts the transactions the loaded records gave: a record may give
	// several (a camt batch entry split per TxDtls, a transfer with its fee and pay-out),
	// each stored with the record's number.
	Transactions int64
	// Skipped is true when the same bytes were already in the case (as source DuplicateOf).
	Skipped     bool
	DuplicateOf int64
	// StatementAccount is the account the file is a statement of, when it is one.
	StatementAccount string
	// Problems lists the first quarantined records (at most 20), for the user's eyes.
	Problems []canon.RecordError
	// Warnings counts the records loaded with a field problem recorded beside them (a
	// counterparty IBAN that fails its check): source_notes rows of kind "warning".
	Warnings int64
	// FXMissing counts loaded transactions without a base-currency amount (no rate).
	FXMissing int64
}

// File ingests the file at path into db.
func File(ctx context.Context, db *casedb.DB, path string, opt Options) (Result, error) {
	res := Result{Path: path}
	scan, err := scanFile(path)
	if err != nil {
		return res, fmt.Errorf("%w: %s: %v", ErrInput, path, err)
	}
	sum, size := scan.sha256, scan.size
	res.SHA256, res.Bytes = sum, size
	var dup int64
	err = db.QueryRowContext(ctx, `SELECT source_id FROM sources WHERE sha256 = ?`, sum).Scan(&dup)
	if err == nil {
		res.Skipped, res.DuplicateOf = true, dup
		return res, nil
	}
	format := opt.Format
	if format == "" || format == "auto" {
		format, err = detectFile(path)
		if err != nil {
			return res, err
		}
	}
	res.Format = format
	now := opt.Now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	// The absolute path, so that verify can find the file again from anywhere.
	src := sourceRow{Path: abs, FileName: filepath.Base(path), SHA256: sum, Bytes: size, Format: format,
		ParserVersion: ParserVersion, IngestedAt: now, OptionsJSON: optionsOf(db, abs, opt).json()}
	switch format {
	case FormatAMLWorld:
		return loadAMLWorld(ctx, db, path, src, scan, opt, res)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return res, fmt.Errorf("%w: %s: %v", ErrInput, path, err)
	}
	if sha(data) != sum {
		return res, fmt.Errorf("%w: %s changed while it was being read", ErrInput, path)
	}
	p, err := readFormat(format, data, path, opt)
	if err != nil {
		return res, fmt.Errorf("%w: %s: %v", ErrInput, path, err)
	}
	src.Profile = p.profile
	res.Profile = p.profile
	return loadBatch(ctx, db, src, p, opt, res)
}

// fileScan is what one pass over a file's bytes tells: its SHA-256 and size, its number of
// lines and whether any line is blank.
type fileScan struct {
	sha256    string
	size      int64
	lines     int64
	blankLine bool
	// slowReason, when set, is why a file must be read line by line.
	slowReason string
}

func scanFile(path string) (fileScan, error) {
	var fs fileScan
	f, err := os.Open(path)
	if err != nil {
		return fs, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fs, err
	}
	if st.IsDir() {
		return fs, fmt.Errorf("is a directory")
	}
	h := sha256.New()
	buf := make([]byte, 1<<20)
	// prev holds the last two bytes seen, to find "\n\n" and "\n\r\n" across reads.
	prev := []byte{0, 0}
	var last byte
	for {
		n, err := f.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			h.Write(chunk)
			fs.size += int64(n)
			fs.lines += int64(bytes.Count(chunk, []byte{'\n'}))
			if !fs.blankLine {
				joined := append(append([]byte{}, prev...), chunk[:min(len(chunk), 2)]...)
				fs.blankLine = bytes.Contains(joined, []byte("\n\n")) || bytes.Contains(joined, []byte("\n\r\n")) ||
					bytes.Contains(chunk, []byte("\n\n")) || bytes.Contains(chunk, []byte("\n\r\n"))
			}
			if n >= 2 {
				prev = []byte{chunk[n-2], chunk[n-1]}
			} else {
				prev = []byte{prev[1], chunk[0]}
			}
			last = chunk[n-1]
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fs, err
		}
	}
	if fs.size > 0 && last != '\n' {
		fs.lines++
	}
	fs.sha256 = hex.EncodeToString(h.Sum(nil))
	if fs.blankLine {
		fs.slowReason = "the file has a blank line"
	}
	return fs, nil
}

func sha(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}
