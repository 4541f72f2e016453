// Package pipeline is the contract between the engine that reads requests
// off connections and the stages that answer them: the Exchange (one
// request and its answer), the Header list, the ResponseWriter, the Stage
// and Handler interfaces, the chain a route's stages are linked into once,
// the Observer of finished requests, the Build context stage builders read
// the manifest through, and the plain answers the proxy makes itself.
//
// Data flows one way: an engine (engine/ for HTTP/1.1, engine/h2 for HTTP/2;
// both feed the same types) fills an Exchange and hands it to a
// Handler; the stages read it and answer on its ResponseWriter; the last
// stage (upstream/) forwards it. Nothing here knows which engine is under
// it: whatever a stage needs of the connection (its lifetime, taking it
// over for an upgrade, cutting it) is a method of the Conn interface the
// engine implements, never a type assertion.
//
// # Choices
//
//   - Header values are strings that point into the engine's read buffer
//     (see Field). They are valid until the exchange ends; a stage that keeps
//     one longer (a cache) copies it with strings.Clone.
//   - A Header is an ordered list, not a map: it keeps the wire order and
//     case the JA4H fingerprint reads, costs no allocation once its backing
//     array has grown, and a linear scan of the ten to twenty fields of a
//     request beats hashing them.
//   - Exchange.JA4H is computed lazily, once per request, from the request's
//     Header list: every request has one whether or not a stage asks.
package pipeline
