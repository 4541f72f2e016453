package useragent

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// automaton is an Aho-Corasick matcher compiled to a DFA: one pass over a user agent,
// one table lookup per byte, reports every stored literal it contains, whatever the
// number of literals, ASCII case aside.
type automaton struct {
	// column maps a byte to its column in delta. Bytes that occur in no literal share
	// column 0, which keeps rows about 50 wide instead of 256, and an upper-case letter
	// shares its lower-case letter's column, which spares lowercasing the user agent.
	column [256]int32
	// delta[s+column[b]] is the state after reading b in state s. States are stored
	// premultiplied by the row width, saving a multiplication per byte.
	delta []int32
	// States with hits are numbered last, so telling them apart is one comparison:
	// s >= firstHit.
	firstHit int32
	width    int32
	hitIndex []int32 // hits of state s are hits[hitIndex[k]:hitIndex[k+1]], k = (s-firstHit)/width
	hits     []int32 // entry ids
}

// acLiteral asks the automaton to report entry id wherever s occurs, in any ASCII case.
// s must be lowercase.
type acLiteral struct {
	s  string
	id int32
}

type trieEdge struct {
	b  byte
	to int32
}

func newAutomaton(lits []acLiteral) (*automaton, error) {
	a := &automaton{width: 1}
	for _, l := range lits {
		// An empty literal would give the root a hit, and the root must stay state 0;
		// an upper-case ASCII letter would share a column with its lower case.
		if l.s == "" || strings.ContainsFunc(l.s, func(r rune) bool { return 'A' <= r && r <= 'Z' }) {
			return nil, fmt.Errorf("useragent: literal %q for entry %d is empty or has upper case", l.s, l.id)
		}
		for i := 0; i < len(l.s); i++ {
			if a.column[l.s[i]] == 0 {
				a.column[l.s[i]] = a.width
				a.width++
			}
		}
	}
	for b := 'A'; b <= 'Z'; b++ {
		a.column[b] = a.column[b+'a'-'A']
	}

	// The trie; node 0 is the root.
	children := [][]trieEdge{nil}
	own := [][]int32{nil}
	for _, l := range lits {
		n := int32(0)
		for i := 0; i < len(l.s); i++ {
			next, ok := child(children[n], l.s[i])
			if !ok {
				next = int32(len(children))
				children = append(children, nil)
				own = append(own, nil)
				children[n] = append(children[n], trieEdge{l.s[i], next})
			}
			n = next
		}
		own[n] = append(own[n], l.id)
	}
	nodes := len(children)
	if int64(nodes)*int64(a.width) > math.MaxInt32 {
		return nil, fmt.Errorf("useragent: automaton of %d states × %d columns is too large", nodes, a.width)
	}

	// Breadth-first, a node's fail target, being shallower, is complete before it, so
	// its row and hits can be copied.
	fail := make([]int32, nodes)
	hits := make([][]int32, nodes)
	rows := make([]int32, nodes*int(a.width)) // by trie node, not yet premultiplied
	queue := []int32{0}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		row := rows[int(n)*int(a.width):][:a.width]
		if n != 0 {
			copy(row, rows[int(fail[n])*int(a.width):][:a.width])
		}
		for _, e := range children[n] {
			if n != 0 {
				fail[e.to] = row[a.column[e.b]]
			}
			row[a.column[e.b]] = e.to
			hits[e.to] = append(slices.Clone(own[e.to]), hits[fail[e.to]]...)
			queue = append(queue, e.to)
		}
	}

	// Renumber: states without hits first, the root staying 0.
	renum := make([]int32, nodes)
	next := int32(0)
	for _, withHits := range []bool{false, true} {
		if withHits {
			a.firstHit = next * a.width
			a.hitIndex = []int32{0}
		}
		for n := range nodes {
			if (len(hits[n]) > 0) == withHits {
				renum[n] = next
				next++
				if withHits {
					a.hits = append(a.hits, hits[n]...)
					a.hitIndex = append(a.hitIndex, int32(len(a.hits)))
				}
			}
		}
	}
	a.delta = make([]int32, len(rows))
	for n := range nodes {
		dst := a.delta[renum[n]*a.width:][:a.width]
		for col, to := range rows[int(n)*int(a.width):][:a.width] {
			dst[col] = renum[to] * a.width
		}
	}
	return a, nil
}

func child(edges []trieEdge, b byte) (int32, bool) {
	for _, e := range edges {
		if e.b == b {
			return e.to, true
		}
	}
	return 0, false
}

// next is the state after reading b in state s.
func (a *automaton) next(s int32, b byte) int32 {
	return a.delta[s+a.column[b]]
}

// hitsAt lists the entries whose literal ends at the byte that led to state s.
func (a *automaton) hitsAt(s int32) []int32 {
	if s < a.firstHit {
		return nil
	}
	k := (s - a.firstHit) / a.width
	return a.hits[a.hitIndex[k]:a.hitIndex[k+1]]
}
