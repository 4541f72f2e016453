package useragent

import (
	"slices"
	"strings"
	"testing"
)

func TestAutomaton(t *testing.T) {
	words := []string{"he", "she", "his", "hers", "s", "ushers!", "e"}
	var lits []acLiteral
	for i, w := range words {
		lits = append(lits, acLiteral{w, int32(i)})
	}
	a, err := newAutomaton(lits)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"ushers!", "ahishers", "", "xyz", "sssheshe", "hhers", "USHers!"} {
		// Compare the hits at each end position with a brute-force search.
		s := int32(0)
		for end := 1; end <= len(text); end++ {
			s = a.next(s, text[end-1])
			var want []int32
			for i, w := range words {
				if strings.HasSuffix(strings.ToLower(text[:end]), w) {
					want = append(want, int32(i))
				}
			}
			got := slices.Sorted(slices.Values(a.hitsAt(s)))
			if !slices.Equal(got, want) {
				t.Errorf("%q up to %d: hits %v, want %v", text, end, got, want)
			}
		}
	}
}

func TestAutomatonRejects(t *testing.T) {
	for _, lit := range []string{"", "Bot"} {
		if _, err := newAutomaton([]acLiteral{{"a", 0}, {lit, 1}}); err == nil {
			t.Errorf("%q: no error", lit)
		}
	}
}
