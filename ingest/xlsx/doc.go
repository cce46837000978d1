// Package xlsx reads bank statement workbooks (Office Open XML .xlsx) into canonical
// records, driven by the same YAML profiles as bank CSV exports (package csvprofile).
//
// A reader is pure: bytes in, a canon.Batch out; no database, no files, no clock. The
// workbook is opened from memory with size limits against zip bombs; the profile's sheet
// is read cell by cell with github.com/xuri/excelize/v2, keeping each number cell's raw
// stored value (exact decimals, never float-formatted) and its number format (to tell
// Excel serial dates from numbers), and each row's hidden flag. The rows are then
// decoded by csvprofile.DecodeRows, so every data row becomes a transaction, a
// quarantined record or a reported skip, numbered by its spreadsheet row. See README.md.
package xlsx
