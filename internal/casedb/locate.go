package casedb

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// LocateSource finds a source's file: where it was loaded from (stored), at its place rel
// relative to the case's folder caseDir (so that a case folder moved with its files still
// verifies), beside the case, or by size and SHA-256 under dirs. It returns the path whose bytes have
// the SHA-256 sum, or "" and the first path found with other bytes ("" when none).
func LocateSource(caseDir, stored, rel, name, sum string, size int64, dirs []string) (path, changed string) {
	var cands []string
	cands = append(cands, stored)
	if caseDir != "" {
		if rel != "" {
			cands = append(cands, filepath.Join(caseDir, filepath.FromSlash(rel)))
		}
		cands = append(cands, filepath.Join(caseDir, name))
	}
	for _, d := range dirs {
		cands = append(cands, filepath.Join(d, name))
	}
	for _, p := range cands {
		got, err := FileSHA256(p)
		switch {
		case err != nil:
		case got == sum:
			return p, ""
		case changed == "":
			changed = p
		}
	}
	for _, d := range dirs {
		var found string
		filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() || found != "" {
				return nil
			}
			if fi, err := e.Info(); err != nil || fi.Size() != size {
				return nil
			}
			if got, err := FileSHA256(p); err == nil && got == sum {
				found = p
				return fs.SkipAll
			}
			return nil
		})
		if found != "" {
			return found, ""
		}
	}
	return "", changed
}

// FileSHA256 is the SHA-256 (hex) of the file at path.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
