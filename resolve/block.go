package resolve

import (
	"sort"
	"strings"
)

// maxIdentifierBlock bounds a group of parties sharing one identifier: more than this many
// holders of one account or bearers of one document is an operator's placeholder or a
// bank's suspense account, not evidence about people.
const maxIdentifierBlock = 200

// blockKeys are the keys under which a party is grouped with others for comparison: its
// names' word keys and sound keys (whatever the word order), pairs of sound keys from names
// of three words or more (a middle name missing), each word's sound key alone (a typo in
// the other word), and each identifier, phone and held account it has. The word keys are
// marked so that Pairs can bound their groups by MaxBlock.
func blockKeys(p *Party) []string {
	var keys []string
	for _, n := range p.Names() {
		keys = append(keys, "key:"+n.Key(), "sound:"+n.SoundKey())
		if len(n.Sounds) >= 3 {
			for i := range n.Sounds {
				for j := i + 1; j < len(n.Sounds); j++ {
					two := []string{n.Sounds[i], n.Sounds[j]}
					sort.Strings(two)
					keys = append(keys, "sound:"+strings.Join(two, " "))
				}
			}
		}
		if len(n.Words) > 1 {
			keys = append(keys, "joined:"+strings.Join(n.Words, ""))
		}
		for _, s := range n.Sounds {
			if len(s) >= 3 {
				keys = append(keys, "word:"+s)
			}
		}
	}
	if ns := p.Names(); len(ns) > 0 && len(ns[0].Words) == 1 {
		keys = append(keys, "joined:"+ns[0].Words[0])
	}
	for _, a := range p.Attrs {
		if strongKind(a.Kind) || a.Kind == "phone" {
			if v := normalise(a.Kind, a.Value); v != "" {
				keys = append(keys, "attr:"+a.Kind+"="+v)
			}
		}
	}
	sort.Strings(keys)
	return compact(keys)
}

// compact drops repeated neighbours of a sorted list.
func compact(s []string) []string {
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// Pairs lists the candidate pairs of parties (indices into ps, i < j) that share a block
// key, each pair once, in order. A group sharing one word's sound key is paired off only up
// to p.MaxBlock parties; groups of identifiers up to maxIdentifierBlock.
func Pairs(ps []*Party, p Params) [][2]int {
	groups := map[string][]int{}
	for i, x := range ps {
		for _, k := range blockKeys(x) {
			groups[k] = append(groups[k], i)
		}
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	seen := map[[2]int]bool{}
	var out [][2]int
	for _, k := range keys {
		g := groups[k]
		limit := maxIdentifierBlock
		if strings.HasPrefix(k, "word:") {
			limit = p.MaxBlock
		}
		if len(g) < 2 || len(g) > limit {
			continue
		}
		for x := 0; x < len(g); x++ {
			for y := x + 1; y < len(g); y++ {
				pr := [2]int{g[x], g[y]}
				if !seen[pr] {
					seen[pr] = true
					out = append(out, pr)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i][0] != out[j][0] {
			return out[i][0] < out[j][0]
		}
		return out[i][1] < out[j][1]
	})
	return out
}
