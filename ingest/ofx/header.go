package ofx

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// header is what the file says about itself before the <OFX> element: the OFX 1.x
// "KEY:VALUE" lines (OFXHEADER, DATA, VERSION, ENCODING, CHARSET, ...) or the OFX 2.x XML
// prolog and <?OFX ...?> processing instruction.
type header struct {
	fields map[string]string // upper-case key -> value, as written
	xml    bool              // an <?OFX ...?> instruction or an XML prolog was seen
	xmlEnc string            // encoding="..." of the XML prolog
}

// sgmlKeys are the OFX 1.x header keys. Some exports glue the header into one line
// ("OFXHEADER:100DATA:OFXSGMLVERSION:102..."), so a value ends where the next key begins.
var sgmlKeys = regexp.MustCompile(`(OFXHEADER|DATA|VERSION|SECURITY|ENCODING|CHARSET|COMPRESSION|OLDFILEUID|NEWFILEUID):`)

var xmlAttr = regexp.MustCompile(`([A-Za-z]+)\s*=\s*["']([^"']*)["']`)

// readHeader reads the header from the bytes before the <OFX> element.
func readHeader(pre []byte) header {
	h := header{fields: map[string]string{}}
	s := string(pre)
	if i := strings.Index(s, "<?xml"); i >= 0 {
		if e := strings.Index(s[i:], "?>"); e >= 0 {
			for _, m := range xmlAttr.FindAllStringSubmatch(s[i:i+e], -1) {
				if strings.EqualFold(m[1], "encoding") {
					h.xmlEnc = m[2]
				}
			}
		}
		h.xml = true
	}
	if i := strings.Index(s, "<?OFX"); i >= 0 {
		if e := strings.Index(s[i:], "?>"); e >= 0 {
			for _, m := range xmlAttr.FindAllStringSubmatch(s[i:i+e], -1) {
				h.fields[strings.ToUpper(m[1])] = m[2]
			}
		}
		h.xml = true
	}
	locs := sgmlKeys.FindAllStringSubmatchIndex(s, -1)
	for j, l := range locs {
		end := len(s)
		if j+1 < len(locs) {
			end = locs[j+1][0]
		}
		v := s[l[1]:end]
		if k := strings.IndexAny(v, "\r\n<"); k >= 0 {
			v = v[:k]
		}
		key := s[l[2]:l[3]]
		if _, ok := h.fields[key]; !ok {
			h.fields[key] = strings.TrimSpace(v)
		}
	}
	return h
}

// findOFX returns the byte offset of the <OFX> start tag (case-insensitive), or -1.
func findOFX(data []byte) int {
	for i := 0; i+5 <= len(data); i++ {
		j := bytes.IndexByte(data[i:], '<')
		if j < 0 {
			return -1
		}
		i += j
		if i+5 <= len(data) && strings.EqualFold(string(data[i+1:i+4]), "OFX") && (data[i+4] == '>' || data[i+4] == ' ' || data[i+4] == '\t' || data[i+4] == '\r' || data[i+4] == '\n') {
			return i
		}
	}
	return -1
}

// decodeUTF16 turns UTF-16 with a byte-order mark into UTF-8; ok is false for other input.
func decodeUTF16(data []byte) ([]byte, bool) {
	if len(data) < 2 {
		return nil, false
	}
	var big bool
	switch {
	case data[0] == 0xFE && data[1] == 0xFF:
		big = true
	case data[0] == 0xFF && data[1] == 0xFE:
	default:
		return nil, false
	}
	body := data[2:]
	u := make([]uint16, len(body)/2)
	for i := range u {
		if big {
			u[i] = uint16(body[2*i])<<8 | uint16(body[2*i+1])
		} else {
			u[i] = uint16(body[2*i+1])<<8 | uint16(body[2*i])
		}
	}
	return []byte(string(utf16.Decode(u))), true
}

// charsets maps the character sets an OFX file may declare (OFX 1.x CHARSET, an XML
// prolog's encoding, Options.Encoding) to decoders; nil means UTF-8.
var charsets = map[string]*charmap.Charmap{
	"UTF-8": nil, "UTF8": nil, "NONE": nil, "US-ASCII": nil, "USASCII": nil, "ASCII": nil,
	"1252": charmap.Windows1252, "WINDOWS-1252": charmap.Windows1252, "CP1252": charmap.Windows1252,
	"1250": charmap.Windows1250, "WINDOWS-1250": charmap.Windows1250, "CP1250": charmap.Windows1250,
	"ISO-8859-1": charmap.ISO8859_1, "8859-1": charmap.ISO8859_1, "LATIN1": charmap.ISO8859_1, "ISO8859-1": charmap.ISO8859_1,
	"ISO-8859-2": charmap.ISO8859_2, "8859-2": charmap.ISO8859_2,
	"ISO-8859-15": charmap.ISO8859_15, "8859-15": charmap.ISO8859_15,
}

// decodeText turns the file's bytes into UTF-8 text following what the header declares,
// and says what it did. The rules, in order:
//   - Options.Encoding, when given, is used as is.
//   - A file that is valid UTF-8 and holds a multi-byte character is UTF-8 whatever it
//     declares: a single-byte text almost never forms valid UTF-8 sequences by chance, and
//     many exporters write UTF-8 under a copied "CHARSET:1252" header. A note says so.
//   - Otherwise the declared single-byte set (CHARSET 1252, ISO-8859-1, ...; an XML prolog's
//     encoding) is used; with ENCODING:USASCII and CHARSET:NONE or nothing declared, bytes
//     outside ASCII are read as Windows-1252 and a note says so.
//   - An XML prolog declaring UTF-16 over single-byte text (no byte-order mark, which real
//     UTF-16 has) is read as declared by the rest of the rules, with a note.
func decodeText(data []byte, h header, forced string) (string, []string, error) {
	var notes []string
	name := strings.ToUpper(strings.TrimSpace(forced))
	if name != "" {
		cm, ok := charsets[name]
		if !ok {
			return "", nil, fmt.Errorf("unsupported encoding %q (supported: UTF-8, 1252, 1250, ISO-8859-1, ISO-8859-2, ISO-8859-15)", forced)
		}
		return decodeWith(data, cm), []string{"encoding " + name + " given by the caller"}, nil
	}
	declared := ""
	if h.xmlEnc != "" {
		declared = strings.ToUpper(h.xmlEnc)
	}
	if declared == "" || declared == "UTF-16" {
		if strings.EqualFold(h.xmlEnc, "UTF-16") {
			notes = append(notes, "the XML prolog declares UTF-16 but the file has no UTF-16 byte-order mark; read as 8-bit text")
			declared = ""
		}
		enc, cs := strings.ToUpper(h.fields["ENCODING"]), strings.ToUpper(h.fields["CHARSET"])
		switch {
		case enc == "UTF-8" || enc == "UTF8":
			declared = "UTF-8"
		case cs != "" && cs != "NONE":
			declared = cs
		}
	}
	ascii, multi := asciiAndMulti(data)
	if ascii {
		return string(data), notes, nil
	}
	if multi && utf8.Valid(data) {
		if declared != "" && declared != "UTF-8" && declared != "UTF8" {
			notes = append(notes, fmt.Sprintf("declared character set %s, but the bytes are valid UTF-8 with non-ASCII characters: read as UTF-8", declared))
		}
		return string(data), notes, nil
	}
	cm, ok := charsets[declared]
	if !ok && declared != "" {
		notes = append(notes, fmt.Sprintf("unknown character set %q: non-ASCII bytes read as Windows-1252", declared))
	}
	if cm == nil {
		if declared == "UTF-8" || declared == "UTF8" {
			notes = append(notes, "declared UTF-8, but the bytes are not valid UTF-8: read as Windows-1252")
		} else if ok || declared == "" {
			notes = append(notes, "no single-byte character set declared: non-ASCII bytes read as Windows-1252")
		}
		cm = charmap.Windows1252
	}
	return decodeWith(data, cm), notes, nil
}

func decodeWith(data []byte, cm *charmap.Charmap) string {
	if cm == nil {
		return strings.ToValidUTF8(string(data), "\uFFFD")
	}
	out, err := cm.NewDecoder().Bytes(data)
	if err != nil {
		return strings.ToValidUTF8(string(data), "\uFFFD")
	}
	return string(out)
}

// asciiAndMulti reports whether data is pure ASCII, and whether it holds a well-formed
// multi-byte UTF-8 sequence.
func asciiAndMulti(data []byte) (ascii, multi bool) {
	ascii = true
	for i := 0; i < len(data); {
		if data[i] < 0x80 {
			i++
			continue
		}
		ascii = false
		r, n := utf8.DecodeRune(data[i:])
		if r != utf8.RuneError && n > 1 {
			multi = true
		}
		i += n
	}
	return ascii, multi
}
