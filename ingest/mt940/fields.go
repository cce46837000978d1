package mt940

import (
	"fmt"
	"regexp"
	"strings"
)

// field is one tagged field of a message: its tag without colons ("61", "60F"), its value
// with continuation lines joined by "\n", and the 1-based line its tag starts on.
type field struct {
	tag   string
	value string
	line  int
}

// known lists the tags this reader understands. A line that starts with another ":xx:" is a
// continuation of an :86: field (narratives wrap mid-text, for example at "16:26:37") and an
// ignored, noted field anywhere else.
var known = map[string]bool{
	"20": true, "21": true, "25": true, "25P": true, "28": true, "28C": true, "60F": true, "60M": true,
	"61": true, "86": true, "62F": true, "62M": true, "64": true, "65": true, "34F": true,
	"13": true, "13D": true, "90D": true, "90C": true, "NS": true,
}

var tagLine = regexp.MustCompile(`^:([0-9]{2}[A-Z]?|NS):`)

// split cuts the text into messages, each a list of fields starting at a :20: tag, after
// removing SWIFT envelope blocks ({1:...}{2:...}{3:...}{4: and -}{5:...}). open reports
// whether the last message runs to the end of the text without an end-of-message line ("-",
// "-}") or a following message: where it also lacks its closing balance, the text may have
// been cut inside its last field.
func split(text string) (msgs [][]field, notes []string, open bool) {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	var cur []field
	ignoring := false
	flush := func() {
		if len(cur) > 0 {
			msgs = append(msgs, cur)
		}
		cur = nil
		ignoring = false
	}
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "{") {
			rest, newMsg := stripBlocks(trimmed)
			if newMsg {
				flush()
			}
			line, trimmed = rest, strings.TrimSpace(rest)
		}
		if trimmed == "" {
			continue
		}
		if trimmed == "-" || strings.HasPrefix(trimmed, "-}") || trimmed == "}" {
			flush()
			continue
		}
		if m := tagLine.FindStringSubmatch(line); m != nil {
			tag := m[1]
			switch {
			case known[tag]:
				if tag == "20" {
					flush()
				}
				cur = append(cur, field{tag: tag, value: strings.TrimRight(line[len(m[0]):], " "), line: n})
				ignoring = false
				continue
			case len(cur) > 0 && cur[len(cur)-1].tag == "86" && !ignoring:
				// a wrapped narrative line that happens to start like a tag
			default:
				notes = append(notes, fmt.Sprintf("line %d: unknown tag :%s: ignored", n, tag))
				ignoring = true
				continue
			}
		}
		if ignoring || len(cur) == 0 {
			continue
		}
		f := &cur[len(cur)-1]
		f.value += "\n" + strings.TrimRight(line, " ")
	}
	open = len(cur) > 0
	flush()
	return msgs, notes, open
}

// stripBlocks removes leading SWIFT blocks {1:..}, {2:..}, {3:{..}}, {5:..} and the opening
// of block 4 from a line, reporting whether a basic header block (a new message) was seen.
func stripBlocks(s string) (string, bool) {
	newMsg := false
	for strings.HasPrefix(s, "{") {
		if strings.HasPrefix(s, "{4:") {
			return s[3:], newMsg
		}
		if strings.HasPrefix(s, "{1:") {
			newMsg = true
		}
		depth, end := 0, -1
		for i := 0; i < len(s) && end < 0; i++ {
			switch s[i] {
			case '{':
				depth++
			case '}':
				depth--
				if depth == 0 {
					end = i
				}
			}
		}
		if end < 0 {
			return "", newMsg
		}
		s = s[end+1:]
	}
	return s, newMsg
}
