package camt

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/ianaindex"

	"github.com/moneytrail/moneytrail/internal/canon"
)

// MaxSize is the largest document Read accepts, in bytes. Bank statements of a year for a busy
// account stay far below it; anything larger is refused before parsing rather than held in memory.
const MaxSize = 64 << 20

// MaxDepth is the deepest element nesting Read accepts. ISO 20022 camt messages nest about 15
// levels; a deeper document is malformed or hostile.
const MaxDepth = 64

// ErrNotCamt reports input that is not an ISO 20022 camt.052, camt.053 or camt.054 document.
var ErrNotCamt = errors.New("not an ISO 20022 camt.052/053/054 document")

// ErrUnsafeXML reports a document refused for safety: a DTD or entity declaration, too large,
// or nested too deep.
var ErrUnsafeXML = errors.New("unsafe XML")

// node is one element of the parsed document: local name only (camt versions differ only in
// their namespace), its character data, children, and its byte span in the input so that a
// quarantined entry can carry its raw text.
type node struct {
	name       string
	space      string
	attrs      []xml.Attr
	text       string
	kids       []*node
	start, end int64
	// read marks an entry (Ntry) a statement read.
	read bool
}

// parseTree reads data into a tree with a strict decoder that refuses DTDs (and therefore
// entity declarations and external entities), undeclared entities, documents larger than
// MaxSize and nesting deeper than MaxDepth.
func parseTree(data []byte) (*node, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%w: document of %d bytes exceeds the %d-byte limit", ErrUnsafeXML, len(data), MaxSize)
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.Entity = nil
	declared := false // a legacy encoding was declared and is decoded
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		declared = true
		return charsetReader(label, r)
	}
	var stack []*node
	var root *node
	var text strings.Builder
	for {
		off := d.InputOffset()
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			// The decoder's message may quote the offending text whole: an excerpt only.
			return nil, fmt.Errorf("%w: %s", ErrNotCamt, canon.Excerpt(err.Error(), 200))
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, fmt.Errorf("%w: a DTD or other <!...> declaration is not allowed", ErrUnsafeXML)
		case xml.StartElement:
			if len(stack) >= MaxDepth {
				return nil, fmt.Errorf("%w: elements nested deeper than %d", ErrUnsafeXML, MaxDepth)
			}
			if root != nil && len(stack) == 0 {
				return nil, fmt.Errorf("%w: more than one root element", ErrNotCamt)
			}
			n := &node{name: t.Name.Local, space: t.Name.Space, attrs: t.Attr, start: off}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			} else {
				root = n
			}
			stack = append(stack, n)
			text.Reset()
		case xml.CharData:
			if len(stack) > 0 {
				text.Write(t)
			}
		case xml.EndElement:
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if len(n.kids) == 0 {
				n.text = strings.TrimSpace(text.String())
			}
			n.end = d.InputOffset()
			text.Reset()
		}
	}
	if root == nil {
		return nil, fmt.Errorf("%w: no root element", ErrNotCamt)
	}
	if !declared && !utf8.Valid(data) {
		// encoding/xml passes invalid UTF-8 through: text the file does not hold would be
		// stored. A file in another encoding must say so in its XML declaration.
		at := 0
		for at < len(data) {
			r, n := utf8.DecodeRune(data[at:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			at += n
		}
		return nil, fmt.Errorf("%w: the document is declared (or defaults to) UTF-8 but byte %d is not valid UTF-8: a file in another encoding must name it in its XML declaration", ErrNotCamt, at)
	}
	return root, nil
}

// charsetReader decodes the legacy encodings a bank may declare in the XML prolog.
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	e, err := ianaindex.IANA.Encoding(label)
	if err != nil || e == nil {
		return nil, fmt.Errorf("unsupported encoding %q", label)
	}
	return e.NewDecoder().Reader(r), nil
}

// all returns n and every element below it, parents before children.
func (n *node) all() []*node {
	out := []*node{n}
	for i := 0; i < len(out); i++ {
		out = append(out, out[i].kids...)
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

// children returns every child named name.
func (n *node) children(name string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	for _, k := range n.kids {
		if k.name == name {
			out = append(out, k)
		}
	}
	return out
}

// path follows a slash-separated path of child names, returning nil if any step is missing.
func (n *node) path(p string) *node {
	for _, s := range strings.Split(p, "/") {
		n = n.child(s)
		if n == nil {
			return nil
		}
	}
	return n
}

// str returns the text at path p, or "".
func (n *node) str(p string) string {
	if m := n.path(p); m != nil {
		return m.text
	}
	return ""
}

// first returns the text of the first of the paths that has any.
func (n *node) first(paths ...string) string {
	for _, p := range paths {
		if s := n.str(p); s != "" {
			return s
		}
	}
	return ""
}

// attr returns the value of the attribute with local name name.
func (n *node) attr(name string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}
