// Package csvprofile reads bank CSV exports into canonical records, driven by a profile:
// a small YAML file describing one bank's layout (built-in profiles are embedded).
//
// A reader is pure: bytes in, a canon.Batch out. Every data row becomes a transaction, a
// quarantined record (canon.RecordError with its physical 1-based line, field and
// reason) or a reported skip (balance, summary and zero-amount rows, see Decode); nothing
// is dropped silently. Line numbers count CRLF, LF and bare CR line ends, also inside
// quoted fields. Profiles with format: xlsx describe workbooks: package ingest/xlsx reads
// their sheet and hands the rows to DecodeRows, which applies the same row logic. See
// README.md for the profile format and the built-in profiles.
package csvprofile
