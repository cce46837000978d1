package xlsx

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"
)

// ErrNotXLSX reports a file that is not an Office Open XML workbook; the message says
// what the file is (a legacy .xls workbook, an HTML page, text) and what to do.
var ErrNotXLSX = errors.New("not an XLSX workbook")

// ErrTooLarge reports a workbook whose uncompressed parts exceed the size limit (a zip
// bomb, or a workbook far larger than any statement).
var ErrTooLarge = errors.New("workbook too large")

// Kinds of file Sniff tells apart.
const (
	KindXLSX      = "xlsx"      // a zip package with xl/workbook.xml
	KindZip       = "zip"       // another zip file (.docx, .ods, an archive)
	KindBIFF      = "xls"       // legacy Excel 97-2003 workbook (BIFF in an OLE2 file)
	KindEncrypted = "encrypted" // password-protected workbook (OLE2 EncryptedPackage)
	KindOLE2      = "ole2"      // another OLE2 compound file (.doc, .msg)
	KindHTML      = "html"      // an HTML or XML table saved with an .xls name
	KindText      = "text"      // text: CSV, TSV or similar
	KindUnknown   = "unknown"   // none of the above
)

var (
	zipMagic  = []byte("PK\x03\x04")
	ole2Magic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// utf16 returns s as UTF-16LE bytes, as OLE2 directory entries store stream names.
func utf16(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, s[i], 0)
	}
	return b
}

// Sniff says what kind of file data is, by its first bytes (and, for OLE2 files, their
// stream names); it reads no more than it needs and never fails.
func Sniff(data []byte) string {
	switch {
	case bytes.HasPrefix(data, zipMagic):
		if bytes.Contains(data, []byte("xl/workbook.xml")) {
			return KindXLSX
		}
		return KindZip
	case bytes.HasPrefix(data, ole2Magic):
		switch {
		case bytes.Contains(data, utf16("EncryptedPackage")):
			return KindEncrypted
		case bytes.Contains(data, utf16("Workbook")) || bytes.Contains(data, utf16("Book")):
			return KindBIFF
		}
		return KindOLE2
	}
	head := data[:min(len(data), 4096)]
	head = bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))
	lower := bytes.ToLower(bytes.TrimSpace(head))
	for _, p := range []string{"<!doctype html", "<html", "<table", "<?xml", "<meta"} {
		if bytes.HasPrefix(lower, []byte(p)) {
			return KindHTML
		}
	}
	if len(head) > 0 && bytes.IndexByte(head, 0) < 0 && (utf8.Valid(head) || printable(head)) {
		return KindText
	}
	return KindUnknown
}

// printable reports whether b looks like 8-bit text (a single-byte encoding).
func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

// notXLSX explains why data cannot be read as a workbook, naming what it is.
func notXLSX(kind string) error {
	var what string
	switch kind {
	case KindBIFF:
		what = "it is a legacy Excel 97-2003 workbook (.xls, BIFF8 in an OLE2 compound file), which this reader cannot read: open it in Excel or LibreOffice and save it as an Excel Workbook (.xlsx), then ingest the .xlsx"
	case KindEncrypted:
		what = "it is a password-protected (encrypted) workbook: open it with the password in Excel or LibreOffice and save an unprotected copy as .xlsx"
	case KindOLE2:
		what = "it is an OLE2 compound file (an old Office document), not a workbook"
	case KindHTML:
		what = "it is HTML or XML text (a web page table saved with a spreadsheet name, as some banks export): save it as .xlsx from a spreadsheet program, or export CSV and use --format csv"
	case KindText:
		what = "it is text (CSV or similar) with a spreadsheet name: ingest it with --format csv and a profile"
	case KindZip:
		what = "it is a zip file without xl/workbook.xml (not an Excel workbook; an .ods or .docx?)"
	default:
		what = "it is not a zip package (an .xlsx file starts with PK)"
	}
	return fmt.Errorf("%w: %s", ErrNotXLSX, what)
}
