// Package fuzz holds the fuzz targets of every parser mothership has: the
// manifest loader, route compilation and lookup (checked against a naive
// in-order scan), User-Agent classification, PROXY protocol headers, JA4H
// over raw request heads, Accept-Encoding, static path resolution, and
// docking frames (every message decoded, re-encoded and decoded again), and
// HTTP/2 connections (arbitrary frames after the preface, served to the end).
// Run one with `go test ./fuzz -run '^$' -fuzz '^FuzzName$' -fuzztime 5m`;
// `go test ./fuzz` replays the seed corpora and every saved crasher.
package fuzz
