package csvprofile

import (
	"bytes"
	"errors"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// ErrEncoding reports a file whose bytes contradict the profile's encoding as a whole (a
// UTF-8 file read with a single-byte profile). Single records with invalid UTF-8 in a
// UTF-8 profile are quarantined instead.
var ErrEncoding = errors.New("file is not in the profile's encoding")

// encoding decodes a whole file to UTF-8. cm is nil for UTF-8.
type encoding struct {
	name string
	cm   *charmap.Charmap
	// fallback, for utf-8, decodes files with no valid multi-byte UTF-8 character but
	// some invalid byte.
	fallback     *charmap.Charmap
	fallbackName string
}

var encodings = map[string]*charmap.Charmap{
	"utf-8":        nil,
	"windows-1250": charmap.Windows1250,
	"windows-1251": charmap.Windows1251,
	"windows-1252": charmap.Windows1252,
	"iso-8859-1":   charmap.ISO8859_1,
	"iso-8859-2":   charmap.ISO8859_2,
	"iso-8859-5":   charmap.ISO8859_5,
	"iso-8859-15":  charmap.ISO8859_15,
	"cp852":        charmap.CodePage852,
	"cp850":        charmap.CodePage850,
	"cp866":        charmap.CodePage866,
}

// Encodings lists the encoding names a profile may declare, sorted.
func Encodings() []string {
	var s []string
	for k := range encodings {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

func lookupEncoding(name string) (encoding, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	switch n {
	case "", "utf8":
		n = "utf-8"
	case "cp1250":
		n = "windows-1250"
	case "cp1252":
		n = "windows-1252"
	case "latin1", "latin-1":
		n = "iso-8859-1"
	case "latin2", "latin-2":
		n = "iso-8859-2"
	}
	cm, ok := encodings[n]
	return encoding{name: n, cm: cm}, ok
}

var bom = []byte{0xEF, 0xBB, 0xBF}

// decode turns the file into text. A UTF-8 file keeps its bytes (invalid sequences are
// found per record later) without its byte-order mark; a single-byte file is mapped byte
// by byte, which keeps every ASCII delimiter, quote and line break where it was. A file
// with a UTF-8 byte-order mark, or whose non-ASCII bytes all form valid multi-byte UTF-8
// sequences, is refused under a single-byte profile: decoding it would store mojibake.
// isUTF8 tells whether the text is still UTF-8 to be checked per record.
func (e encoding) decode(data []byte) (text string, isUTF8 bool, err error) {
	if e.cm == nil {
		if e.fallback != nil && !bytes.HasPrefix(data, bom) && !utf8.Valid(data) && noMultibyte(data) {
			return encoding{name: e.fallbackName, cm: e.fallback}.decode(data)
		}
		return string(bytes.TrimPrefix(data, bom)), true, nil
	}
	if bytes.HasPrefix(data, bom) {
		return "", false, errEncoding(e.name, "it starts with a UTF-8 byte-order mark")
	}
	if multi, invalid := multibyte(data, true); multi > 0 && !invalid {
		return "", false, errEncoding(e.name, "its non-ASCII bytes are all valid UTF-8 ("+strconv.Itoa(multi)+" multi-byte characters)")
	}
	var b strings.Builder
	b.Grow(len(data) + len(data)/8)
	for _, c := range data {
		if c < utf8.RuneSelf {
			b.WriteByte(c)
			continue
		}
		b.WriteRune(e.cm.DecodeByte(c))
	}
	return b.String(), false, nil
}

func errEncoding(name, why string) error {
	return &encodingError{name: name, why: why}
}

type encodingError struct{ name, why string }

func (e *encodingError) Error() string {
	return "the profile says " + e.name + " but the file looks like UTF-8: " + e.why
}

func (e *encodingError) Unwrap() error { return ErrEncoding }

// noMultibyte reports whether data holds no valid multi-byte UTF-8 character.
func noMultibyte(data []byte) bool {
	n, _ := multibyte(data, false)
	return n == 0
}

// multibyte counts the valid multi-byte UTF-8 characters in data and reports whether a
// non-ASCII byte is not part of one (invalid); with stopAtInvalid it returns at the first
// such byte, with the count so far.
func multibyte(data []byte, stopAtInvalid bool) (valid int, invalid bool) {
	for i := 0; i < len(data); {
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			invalid = true
			if stopAtInvalid {
				return valid, true
			}
		} else {
			valid++
		}
		i += size
	}
	return valid, invalid
}
