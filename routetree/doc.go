// Package routetree compiles a manifest's routes and static directories into
// an immutable tree per bind, and looks requests up in it without allocating.
//
// Routes match in declaration order: the first route whose matchers all pass
// wins. The tree is an index that finds the few candidates worth checking;
// it never changes which route wins. Per bind, the host picks a byte-wise
// radix trie (exact hosts, `*.suffix` hosts, and routes for any host), and
// the path walks it: literal bytes down static edges, whole segments down
// parameter edges (a `[^/]+` pattern segment), collecting the routes whose
// path matcher the walk has satisfied. Each route's pattern compiles to the
// cheapest matcher that is exact for it: a literal, a prefix, a trie of
// literal and parameter segments, Go's RE2 `regexp`, and only for syntax RE2
// lacks, `regexp2` with a match timeout.
package routetree
