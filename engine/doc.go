// Package engine owns everything between a socket and a pipeline.Exchange
// for HTTP/1.1: the listeners (TCP, Unix sockets, the PROXY protocol, TLS
// with its certificates), the per-connection state and its buffers, the request head
// and body as h1/ parses them, the response writer and its framing,
// keep-alive and pipelining, the limits and timeouts, upgrades handed
// over to a stage, and the graceful drain.
//
// Data flows one way: a connection's bytes become an Exchange that the
// Server's Handler (the proxy's dispatcher) serves; nothing here knows a
// route or a stage.
//
// # Choices
//
//   - TLS is a listener wrapper (WrapTLS) and nothing else: a TLS
//     connection goes down the same code path as a plain one, its
//     exchanges marked with the https scheme. The handshake runs on the
//     first read, under the header timeout, so a silent client does not
//     hold the accept loop.
//   - One goroutine per connection, which reads a head, serves it and
//     writes the answer before it reads the next one. Pipelined requests
//     are read from the buffer in order; the answer is flushed when no
//     further request is already buffered, so that a pipelined burst costs
//     one write.
//   - The head's bytes stay where they were read until the exchange ends:
//     the Exchange's strings point into the connection's read buffer
//     (h1.ParseRequest makes them without copying). The buffer is compacted
//     only between exchanges; when a head needs more room the buffer is
//     replaced, never moved under a live string.
//   - Framing is the engine's alone. A stage's Content-Length is kept and
//     enforced (a short body closes the connection); without one, the body
//     is chunked for HTTP/1.1 and close-delimited for HTTP/1.0. Connection,
//     Keep-Alive and Transfer-Encoding set by a stage are dropped.
//   - A refused head (h1.Error) is answered with its status and reason and
//     the connection is closed: after a framing error nothing more on that
//     connection can be trusted to be a request.
//   - 100 Continue is sent when a stage first reads a body whose request
//     expects it (as nginx does); a stage that answers without reading such
//     a body makes the connection close after the answer, since the client
//     may or may not send it.
//   - Unread body bytes are discarded up to Limits.MaxDiscard to keep the
//     connection; a longer rest closes it.
//   - Deadlines: a keep-alive connection waits IdleTimeout for a new head,
//     a head once begun must arrive within ReadHeaderTimeout, each body read
//     waits at most BodyTimeout and each write SendTimeout, as nginx's
//     keepalive_timeout, client_header_timeout, client_body_timeout and
//     send_timeout.
//   - Shutdown closes the listeners, closes idle connections at once, lets
//     each busy one finish its exchange (answered with Connection: close),
//     and cuts what is left when its context ends. Upgraded connections are
//     the caller's to end (CloseUpgraded), after stages said goodbye.
//     StopAccepting is its first step alone: the listeners are closed when
//     it returns, for a caller that must free a port before the drain ends.
package engine
