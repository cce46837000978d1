package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"
)

// checkOutDir refuses, before any work, an output folder that cannot be written: it is
// created (with its parents) when missing, and a file is created in it and removed again.
func checkOutDir(flag, dir string) error {
	if dir == "" {
		return nil
	}
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return outErr(flag, dir, "is a file, not a folder")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return outErr(flag, dir, "cannot be created: "+pathReason(err))
	}
	f, err := os.CreateTemp(dir, ".moneytrail-write-check-*")
	if err != nil {
		return outErr(flag, dir, "cannot be written: "+pathReason(err))
	}
	f.Close()
	return os.Remove(f.Name())
}

// checkOutFile refuses, before any work, an output file that cannot be written: its folder
// must exist and take a new file, and the path must not be a folder.
func checkOutFile(flag, path string) error {
	if path == "" {
		return nil
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return outErr(flag, path, "is a folder; give a file name")
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return outErr(flag, path, "is in a folder that does not exist ("+dir+")")
	}
	f, err := os.CreateTemp(dir, ".moneytrail-write-check-*")
	if err != nil {
		return outErr(flag, path, "cannot be written: "+pathReason(err))
	}
	f.Close()
	return os.Remove(f.Name())
}

// isoDay is the form of a day on the command line.
var isoDay = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// checkDay refuses a --flag value that is not a day: one in the wrong form, or in the right
// form but not on the calendar (2024-02-30).
func checkDay(flag, s string) error {
	if s == "" {
		return nil
	}
	if !isoDay.MatchString(s) {
		return usageErr("--%s %q: give the day as YYYY-MM-DD (e.g. 2024-06-30)", flag, s)
	}
	if _, err := time.Parse("2006-01-02", s); err != nil {
		return usageErr("--%s %s is not a day of the calendar: the month has no such day", flag, s)
	}
	return nil
}

func outErr(flag, path, what string) error {
	return &exitError{code: exitUsage, err: fmt.Errorf("--%s %s %s", flag, path, what),
		next: "nothing was done; give --" + flag + " a path you can write to"}
}

// pathReason is the operating system's reason without the path, which the message names.
func pathReason(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}
