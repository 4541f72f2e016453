// Package control owns the control socket of a running mothership: the
// Unix socket that `mothership status`, `mothership restart` and the
// dashboard talk to, its line-delimited JSON protocol, the client of it,
// and Source, the one interface the dashboard reads a fleet through,
// in-process (Local) or over the socket (Client).
//
// The protocol: a client writes one JSON request per line and reads JSON
// responses, one per line.
//
//	{"op":"status"}                                   → {"status":{…}}
//	{"op":"restart","name":"api"}                     → {"ok":true} once api is ready again, or {"error":"…"}
//	{"op":"logs","process":"api","tail":100}          → {"entry":{…}} per line, then {"ok":true}
//	{"op":"logs","tail":100,"follow":true}            → {"entry":{…}} per line, until the client hangs up
//
// Anything else gets {"error":"…"} and the connection stays open for the
// next request.
package control
