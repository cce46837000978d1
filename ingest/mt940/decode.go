package mt940

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/ianaindex"
)

// MaxSize is the largest file Read accepts, in bytes.
const MaxSize = 64 << 20

// ErrNotMT940 reports input that is not an MT940/MT942 file.
var ErrNotMT940 = errors.New("not an MT940/MT942 file")

// legacy lists the code pages tried, in order of preference on equal scores, for input that
// is not valid UTF-8.
var legacy = []struct {
	name string
	enc  encoding.Encoding
}{
	{"windows-1252", charmap.Windows1252},
	{"windows-1250", charmap.Windows1250},
	{"cp852", charmap.CodePage852},
}

// decode turns the file into text and removes stray control characters.
func decode(data []byte, name string) (string, []string, error) {
	if len(data) > MaxSize {
		return "", nil, fmt.Errorf("%w: %d bytes exceed the %d-byte limit", ErrNotMT940, len(data), MaxSize)
	}
	var notes []string
	var text string
	switch {
	case name != "":
		enc, err := lookup(name)
		if err != nil {
			return "", nil, err
		}
		if enc == nil {
			text = strings.ToValidUTF8(string(data), "\uFFFD")
		} else if text, err = enc.NewDecoder().String(string(data)); err != nil {
			return "", nil, fmt.Errorf("decoding as %s: %w", name, err)
		}
		notes = append(notes, "encoding "+name+" (given)")
	case utf8.Valid(data):
		text = strings.TrimPrefix(string(data), "\ufeff")
	default:
		best, bestScore := -1, 0
		var texts []string
		for i, l := range legacy {
			s, err := l.enc.NewDecoder().String(string(data))
			texts = append(texts, s)
			if err != nil {
				continue
			}
			if sc := score(s); best < 0 || sc > bestScore {
				best, bestScore = i, sc
			}
		}
		if best < 0 {
			return "", nil, fmt.Errorf("%w: not UTF-8 and not decodable", ErrNotMT940)
		}
		text = texts[best]
		notes = append(notes, "encoding "+legacy[best].name+" (detected: the file is not valid UTF-8)")
	}
	var b strings.Builder
	b.Grow(len(text))
	removed := 0
	for _, r := range text {
		if (r < 0x20 && r != '\n' && r != '\r' && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			removed++
			continue
		}
		b.WriteRune(r)
	}
	if removed > 0 {
		notes = append(notes, fmt.Sprintf("removed %d control characters", removed))
	}
	return b.String(), notes, nil
}

// score rates how plausible a decoding is: letters count for it, box-drawing characters
// (CP852's upper half misread) and symbols against it.
func score(s string) int {
	n := 0
	for _, r := range s {
		if r < 0x80 {
			continue
		}
		switch {
		case unicode.IsLetter(r):
			n += 2
		case r >= 0x2500 && r <= 0x25ff, r >= 0x80 && r < 0xa0:
			n -= 3
		default:
			n--
		}
	}
	return n
}

// lookup finds an encoding by name; nil means UTF-8.
func lookup(name string) (encoding.Encoding, error) {
	switch strings.ToLower(strings.ReplaceAll(name, "_", "-")) {
	case "utf-8", "utf8":
		return nil, nil
	case "cp852", "ibm852", "852":
		return charmap.CodePage852, nil
	case "cp1250", "windows-1250":
		return charmap.Windows1250, nil
	case "cp1252", "windows-1252":
		return charmap.Windows1252, nil
	case "latin-1", "latin1", "iso-8859-1":
		return charmap.ISO8859_1, nil
	}
	enc, err := ianaindex.IANA.Encoding(name)
	if err != nil || enc == nil {
		return nil, fmt.Errorf("unknown encoding %q", name)
	}
	return enc, nil
}
