// Package h2 serves HTTP/2 on one connection the engine hands over (a TLS
// connection that chose h2 by ALPN, or a plain one that opened with the
// HTTP/2 preface on a bind with h2c): the preface and SETTINGS, PING,
// flow control both ways, HEADERS with CONTINUATION, DATA, RST_STREAM and
// GOAWAY. Every stream becomes a pipeline.Exchange, served by the same
// Handler as an HTTP/1.1 request, so that every stage works alike on both.
//
// # Choices
//
//   - Frames are read and written with golang.org/x/net/http2's Framer;
//     the state machine is ours, because net/http's server hands its
//     handlers a map of fields and the exchange needs them in wire order
//     (JA4H, forward). HPACK decodes a header block in order, so the
//     exchange's Header is the client's list as sent, pseudo-fields aside.
//   - One goroutine reads frames and owns the streams' table; each stream
//     runs its exchange on its own goroutine. Writes are serialised by one
//     lock, which also covers the HPACK encoder, whose table must see the
//     header blocks in the order they are sent.
//   - The known floods are handled as Go's own server handles them: the
//     Framer refuses a header block past MaxHeaderListSize without
//     decoding it (CONTINUATION flood: a connection error), a list just
//     past the limit is answered 431; streams past MaxConcurrentStreams are
//     refused (REFUSED_STREAM); and since a stream the client resets still
//     runs its exchange to its end, exchanges beyond MaxConcurrentStreams
//     wait in a queue, and a queue longer than four times that limit (rapid
//     reset, CVE-2023-44487) ends the connection with ENHANCE_YOUR_CALM.
//     After a connection error's GOAWAY the connection half-closes and
//     drops what the client still sends for a second (as Go's server
//     waits), so that the client reads why before the close.
//   - Inbound flow control: each stream may have InitialWindow bytes
//     unread, the connection as many as its streams together; windows are
//     given back as the exchange reads its body, so a slow stage slows its
//     client and memory stays bounded.
//   - The drain sends GOAWAY with the last stream taken, finishes the
//     streams in flight, then closes.
package h2
