// Package upstream is the last stage of a route that goes to a ship or an
// upstream: it picks an address (round_robin, least_conn, random,
// ip_hash), takes a connection from that address's keep-alive pool, writes
// the request head itself, streams the body, parses the response as
// strictly as the engine parses requests, and relays it. Routes to bays
// are upstream/bays'.
//
// # Choices
//
//   - The head sent upstream is always written here, never copied: CRLF
//     line ends, Host first, one framing field (Content-Length, or chunked
//     when the length is unknown), then the client's fields and ours as
//     the one header policy of every target says (internal/fieldpolicy).
//   - A body over the route's max_body_size that no Content-Length
//     announced (stages/limits counts it) is answered 413; when part of it
//     was streamed already, the upstream connection is closed mid-body, so
//     the upstream never takes it as whole.
//   - Request bodies up to RequestBuffer bytes are read in full before a
//     connection is taken, as nginx does: a slow client then holds no
//     upstream connection. Longer bodies stream.
//   - Pools are per address, last in first out, bounded (MaxIdle) and
//     expire idle connections after IdleTimeout, or a second before the
//     upstream's own `Keep-Alive: timeout=` when it sends one shorter. A
//     pooled connection is peeked before reuse: one the upstream closed, or
//     that holds bytes nobody asked for, is dropped. The peek (a system
//     call) is skipped for an idempotent request with a buffered body on a
//     connection whose last answer came under a second ago to a request
//     without a body (nothing the upstream could answer twice): the resend
//     below covers a close, and a pool that met one peeks again for 30 s
//     (pool.go). If a reused connection
//     still fails before any byte of the response, a request whose body is
//     buffered is sent once more on a new connection: an idempotent one
//     after any failure, another only when the upstream reset the
//     connection or refused the write, which proves it never read the
//     request (a close races a reuse that the peek could not see yet).
//   - A response with both framing fields, a malformed head or a bad chunk
//     is a 502 and its connection is dropped. Once the head went to the
//     client, a failure cuts the client connection (Conn.Abort), so that a
//     truncated body never looks complete.
//   - A 101 turns the exchange into a tunnel: the client connection is
//     taken over, bytes are copied both ways, and an end of stream on one
//     side half-closes the other, so that neither copy waits on a side that
//     is gone.
//   - Members of an upstream pool have a health of their own (member.go,
//     health.go): an active check per member while the plan runs (probe.go),
//     and passive ejection of a member of a pool of two or more after
//     ejectAfter failed connections in a row. The request path reads it
//     with one atomic load; the balancer skips members out of routing, and
//     a request whose connection failed goes once to another member.
//   - While waiting for a response head, the client is checked every
//     second: one that left is not waited for (the request is observed as
//     499).
//   - A target with protocol = "h2c" (gRPC) gets the same request as an
//     HTTP/2 stream instead (h2c*.go): one x/net/http2 transport per
//     address, chosen when the route is built, so the HTTP/1.1 path is
//     untouched. Bodies stream both ways, each piece of the answer is
//     flushed at once, and trailers go on to a client that takes them
//     (HTTP/2, or HTTP/1.1 with TE: trailers).
package upstream
