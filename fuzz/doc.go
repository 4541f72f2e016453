// Package fuzz holds the fuzz targets of every parser mothership has: the
// manifest loader, route compilation and lookup, User-Agent classification.
// Run one with `go test ./fuzz -run '^$' -fuzz '^FuzzName$' -fuzztime 5m`;
// `go test ./fuzz` replays the seed corpora and every saved crasher.
package fuzz
