// Package stages is the HTTP side of the mothership: one listener per named
// bind (TCP or Unix socket, with optional PROXY protocol), the engine that
// turns each request into an Exchange, and per route a pipeline of stages
// compiled once at startup, ending in forward, which proxies the exchange to
// the route's target.
//
// The request path:
//
//	listener → (PROXY header) → engine → Lookup → route's stages → forward
//
// Stages never see the engine's own request type. Today the engine is
// net/http (nethttp.go, the only file that adapts it); a raw HTTP/1.1
// engine can replace it without touching a stage.
package stages
