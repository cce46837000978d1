package ofx

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxSize is the largest file Read accepts, in bytes. A year of a busy account's OFX stays far
// below it; anything larger is refused before parsing rather than held in memory.
const MaxSize = 64 << 20

// MaxDepth is the deepest element nesting Read accepts. OFX statements nest about 8 levels;
// a deeper document is malformed or hostile.
const MaxDepth = 64

// node is one element of the OFX body: its upper-cased name, its text (for a leaf), its
// children (for an aggregate) and its byte span in the decoded body, so a quarantined entry
// can carry its raw text.
type node struct {
	name       string
	text       string
	parts      []string // text pieces while parsing, joined into text at the end
	kids       []*node
	start, end int
	// read marks an entry (STMTTRN) a statement read or a note accounts for.
	read bool
}

// leaves are the OFX elements that never hold other elements. SGML OFX leaves the end tag of
// a leaf out; knowing them lets an empty leaf with no end tag ("<NAME>" directly followed by
// "<MEMO>") be closed instead of swallowing its siblings.
var leaves = map[string]bool{
	"TRNTYPE": true, "DTPOSTED": true, "DTUSER": true, "DTAVAIL": true, "TRNAMT": true,
	"FITID": true, "CORRECTFITID": true, "CORRECTACTION": true, "SRVRTID": true,
	"CHECKNUM": true, "REFNUM": true, "SIC": true, "PAYEEID": true, "NAME": true,
	"MEMO": true, "INV401KSOURCE": true, "CURRATE": true, "CURSYM": true, "BANKID": true,
	"BRANCHID": true, "ACCTID": true, "ACCTTYPE": true, "ACCTKEY": true, "CURDEF": true,
	"DTSTART": true, "DTEND": true, "BALAMT": true, "DTASOF": true, "CODE": true,
	"SEVERITY": true, "MESSAGE": true, "DTSERVER": true, "LANGUAGE": true, "TRNUID": true,
	"ADDR1": true, "ADDR2": true, "ADDR3": true, "CITY": true, "STATE": true,
	"POSTALCODE": true, "COUNTRY": true, "PHONE": true, "VALUEDATE": true,
}

// unnested are the aggregates that never hold an element of their own name. Opening one while
// another is open means the open one's end tag is missing (a damaged file): it is closed
// where the new one starts, so no entry disappears inside its predecessor, and the repair is
// noted.
var unnested = map[string]bool{
	"STMTTRN": true, "STMTRS": true, "CCSTMTRS": true, "STMTTRNRS": true, "CCSTMTTRNRS": true,
	"BANKTRANLIST": true, "LEDGERBAL": true, "AVAILBAL": true, "BANKACCTFROM": true, "CCACCTFROM": true,
	"BANKACCTTO": true, "CCACCTTO": true, "PAYEE": true, "CURRENCY": true, "ORIGCURRENCY": true,
}

// parseBody reads the OFX body (from "<OFX>" on) into a tree. It accepts both forms of OFX:
// SGML (1.x: leaf end tags optional, closed implicitly by the next tag) and XML (2.x: every
// element closed, "<A/>" empty elements, CDATA sections). Comments, processing instructions
// and declarations are skipped; no entity other than the five XML ones and numeric character
// references is expanded, so nothing outside the file is ever read. An end tag whose element
// is not open is ignored; an end tag closes every element opened after its own.
//
// notes lists the repairs made to a damaged structure (an end tag missing where the next
// element of the same aggregate starts), with the byte offset of each.
func parseBody(s string) (root *node, notes []string, err error) {
	root = &node{name: "#root", end: len(s)}
	stack := []*node{root}
	// leafOpen is the element just opened whose end tag SGML may leave out.
	var leafOpen *node
	closeLeaf := func(at int) {
		if leafOpen != nil && stack[len(stack)-1] == leafOpen {
			leafOpen.end = at
			stack = stack[:len(stack)-1]
		}
		leafOpen = nil
	}
	i := 0
	for i < len(s) {
		lt := strings.IndexByte(s[i:], '<')
		if lt < 0 {
			addText(stack[len(stack)-1], s[i:])
			break
		}
		if lt > 0 {
			addText(stack[len(stack)-1], s[i:i+lt])
		}
		i += lt
		switch {
		case strings.HasPrefix(s[i:], "<!--"):
			e := strings.Index(s[i+4:], "-->")
			if e < 0 {
				return nil, nil, fmt.Errorf("%w: comment at byte %d is never closed", ErrNotOFX, i)
			}
			i += 4 + e + 3
			continue
		case strings.HasPrefix(s[i:], "<![CDATA["):
			e := strings.Index(s[i+9:], "]]>")
			if e < 0 {
				return nil, nil, fmt.Errorf("%w: CDATA section at byte %d is never closed", ErrNotOFX, i)
			}
			top := stack[len(stack)-1]
			// Escaped so that decodeEntities gives the CDATA text back unchanged.
			top.parts = append(top.parts, strings.ReplaceAll(s[i+9:i+9+e], "&", "&amp;"))
			i += 9 + e + 3
			continue
		case strings.HasPrefix(s[i:], "<!"):
			return nil, nil, fmt.Errorf("%w: a DTD or other <!...> declaration at byte %d is not allowed", ErrUnsafe, i)
		case strings.HasPrefix(s[i:], "<?"):
			e := strings.IndexByte(s[i:], '>')
			if e < 0 {
				return nil, nil, fmt.Errorf("%w: declaration at byte %d is never closed", ErrNotOFX, i)
			}
			i += e + 1
			continue
		}
		gt := strings.IndexByte(s[i:], '>')
		if gt < 0 {
			return nil, nil, fmt.Errorf("%w: tag at byte %d is never closed with '>'", ErrNotOFX, i)
		}
		tag := strings.TrimSpace(s[i+1 : i+gt])
		if strings.IndexByte(tag, '<') >= 0 {
			// "<STMTRS <STMTTRN>": a tag left open swallows the next; no reader could tell
			// which elements the file means.
			return nil, nil, fmt.Errorf("%w: the tag at byte %d is not closed before the next '<'", ErrNotOFX, i)
		}
		start, next := i, i+gt+1
		i = next
		if strings.HasPrefix(tag, "/") {
			name := strings.ToUpper(strings.TrimSpace(tag[1:]))
			if leafOpen != nil && leafOpen.name != name {
				closeLeaf(start)
			}
			leafOpen = nil
			for j := len(stack) - 1; j > 0; j-- {
				if stack[j].name == name {
					for k := len(stack) - 1; k >= j; k-- {
						if stack[k].end == 0 {
							stack[k].end = next
						}
					}
					stack = stack[:j]
					break
				}
			}
			continue
		}
		closeLeaf(start)
		self := strings.HasSuffix(tag, "/")
		name := strings.ToUpper(strings.TrimSpace(strings.TrimSuffix(tag, "/")))
		if sp := strings.IndexAny(name, " \t\r\n"); sp >= 0 {
			name = name[:sp] // XML attributes: OFX has none that matter
		}
		if name == "" {
			return nil, nil, fmt.Errorf("%w: empty tag at byte %d", ErrNotOFX, start)
		}
		if len(stack) > MaxDepth {
			return nil, nil, fmt.Errorf("%w: elements nested deeper than %d", ErrNotOFX, MaxDepth)
		}
		if unnested[name] && !self {
			for j := len(stack) - 1; j > 0; j-- {
				if stack[j].name == name {
					for k := len(stack) - 1; k >= j; k-- {
						if stack[k].end == 0 {
							stack[k].end = start
						}
					}
					notes = append(notes, fmt.Sprintf("<%s> at byte %d opens while the <%s> at byte %d is not closed: its end tag is missing, it is closed there", name, start, name, stack[j].start))
					stack = stack[:j]
					break
				}
			}
		}
		n := &node{name: name, start: start}
		top := stack[len(stack)-1]
		top.kids = append(top.kids, n)
		if self {
			n.end = next
			continue
		}
		stack = append(stack, n)
		if leaves[name] {
			leafOpen = n
		} else if !isAggregateAhead(s[i:]) {
			// An unknown element followed by text is an SGML leaf too.
			leafOpen = n
		}
	}
	closeLeaf(len(s))
	for _, n := range stack[1:] {
		if n.end == 0 {
			n.end = len(s)
		}
	}
	for _, n := range root.all() {
		n.text = decodeEntities(strings.TrimSpace(strings.Join(n.parts, "")))
		n.parts = nil
	}
	return root, notes, nil
}

// isAggregateAhead reports whether the text after a start tag begins (after white space)
// with another tag, which makes an unknown element an aggregate rather than a leaf.
func isAggregateAhead(s string) bool {
	t := strings.TrimLeft(s, " \t\r\n")
	return t == "" || (t[0] == '<' && !strings.HasPrefix(t, "<![CDATA["))
}

// addText appends character data to n, keeping only text of leaves: white space between
// aggregate tags is layout.
func addText(n *node, t string) {
	if strings.TrimSpace(t) == "" && len(n.parts) == 0 {
		return
	}
	n.parts = append(n.parts, t)
}

// decodeEntities expands the five XML entities and numeric character references; anything
// else that starts with '&' is kept as written.
func decodeEntities(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var b strings.Builder
	for {
		a := strings.IndexByte(s, '&')
		if a < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:a])
		s = s[a:]
		semi := strings.IndexByte(s, ';')
		if semi < 0 || semi > 10 {
			b.WriteByte('&')
			s = s[1:]
			continue
		}
		ent, rep := s[1:semi], ""
		switch ent {
		case "amp":
			rep = "&"
		case "lt":
			rep = "<"
		case "gt":
			rep = ">"
		case "quot":
			rep = `"`
		case "apos":
			rep = "'"
		default:
			if strings.HasPrefix(ent, "#") {
				var v uint64
				var err error
				if strings.HasPrefix(ent, "#x") || strings.HasPrefix(ent, "#X") {
					v, err = strconv.ParseUint(ent[2:], 16, 32)
				} else {
					v, err = strconv.ParseUint(ent[1:], 10, 32)
				}
				if err == nil && v > 0 && v <= 0x10FFFF {
					rep = string(rune(v))
				}
			}
		}
		if rep == "" {
			b.WriteByte('&')
			s = s[1:]
			continue
		}
		b.WriteString(rep)
		s = s[semi+1:]
	}
}

// all returns n and every element below it, in document order.
func (n *node) all() []*node {
	out := []*node{n}
	for i := 0; i < len(out); i++ {
		out = append(out, out[i].kids...)
	}
	return out
}

// find returns every element named name below n, in document order, without descending
// into a match.
func (n *node) find(name string) []*node {
	var out []*node
	var walk func(*node)
	walk = func(m *node) {
		for _, k := range m.kids {
			if k.name == name {
				out = append(out, k)
				continue
			}
			walk(k)
		}
	}
	if n != nil {
		walk(n)
	}
	return out
}

// child returns the first child named name, or nil.
func (n *node) child(name string) *node {
	if n == nil {
		return nil
	}
	for _, k := range n.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

// str follows a slash-separated path of child names and returns the text there, or "".
func (n *node) str(p string) string {
	for _, s := range strings.Split(p, "/") {
		n = n.child(s)
		if n == nil {
			return ""
		}
	}
	return n.text
}

// has reports whether the path exists, empty or not.
func (n *node) has(p string) bool {
	for _, s := range strings.Split(p, "/") {
		n = n.child(s)
		if n == nil {
			return false
		}
	}
	return true
}
