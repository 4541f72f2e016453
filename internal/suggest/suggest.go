// Package suggest finds the likely intended word for a typo: the manifest
// uses it for unknown keys and names, the CLI for unknown flags.
package suggest

// Closest returns the candidate closest to s when it is close enough to be
// a likely typo, else "".
func Closest(s string, candidates []string) string {
	maxDist := 3
	switch {
	case len(s) <= 4:
		maxDist = 1
	case len(s) <= 8:
		maxDist = 2
	}
	best, bestDist := "", maxDist+1
	for _, c := range candidates {
		if d := editDistance(s, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance, counting a swap of two adjacent
// letters as one edit since that is the commonest typo.
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
