// Package bays is the last stage of a route to a bay, or to an upstream
// with protocol = "docking": it speaks the docking protocol (docking/)
// where forward (upstream/) speaks HTTP. It owns the HTTP bays' request
// path (the body spooled, the Hail, the Reply written back as a stream, a
// file from disk or a tunnel), the WebSocket bays' one (the handshake done
// here, each client carried over the bay's one link as a passenger), the
// attach jobs of docking upstreams and the goodbye to WebSocket clients at
// drain, which it asks the server for through pipeline.Build, and NewYard,
// the berths the fleet docks its bays at.
//
// Nothing here knows the engine: the request is a pipeline.Exchange, the
// answer goes to its ResponseWriter, and a tunnel or a WebSocket takes the
// connection over with Conn.Hijack after a 101.
//
// # Choices
//
//   - A request body is read whole before a link is claimed (the Hail
//     announces its length, and a slow client must not hold a bay thread):
//     in memory up to 1 MiB, in an unlinked temporary file beyond, 413 past
//     the route's max_body_size (body.go).
//   - request_timeout (30 s for a docking upstream) bounds the wait for a
//     link and for the Reply's head; past it the client gets 504 and the
//     worker that held the link is recycled (Options.RecycleWorker). From
//     the Reply on, it bounds each gap between body chunks instead. While
//     it waits, the stage asks the engine every second whether the client
//     left, and then closes the link (watch.go).
//   - CGI params, and a WebSocket client's Boarding headers, carry the
//     client's fields that the header policy of every target passes
//     (internal/fieldpolicy), in wire order, each CGI name once: fields
//     that map to one name are joined with ", " ("; " for Cookie); then
//     ours (hail.go, websocket.go).
//   - Reply header names are sent in canonical case (Content-Type), as
//     clients got them before the engine was ours; a malformed one is
//     dropped and logged (reply.go).
//   - A file reply with status 200 is served as a static file is: ETag
//     (the bay's), Last-Modified, If-Match, If-Unmodified-Since,
//     If-None-Match, If-Modified-Since, If-Range, one or several byte
//     ranges, HEAD. Without a Content-Type from the bay, the file's
//     extension names it; the bytes are never sniffed (file.go).
//   - A tunnel reply is a tunnel only with status 101, the one answer after
//     which the engine hands a connection over; another status is answered
//     as a stream of the bay's bytes (tunnel.go).
//   - Cargo carries no opcode (docking.md §3.3). A bay that docks saying
//     `"binary": true` gets Freight as well (Cargo's layout, type 0x13, an
//     extension of this implementation's agreed in Dock and Moored): binary
//     messages go both ways as Freight, text ones as Cargo, so the opcode
//     crosses the link. With a bay that does not (orbitcast), each of its
//     messages goes to the client as a binary frame when the client's last
//     message was binary, as a text frame otherwise: an echo keeps the
//     client's opcode, and an ActionCable bay's JSON stays text. Either way
//     a message that is not UTF-8 goes as binary, which a text frame could
//     not carry. Frames RFC 6455 forbids (a control frame over 125 bytes or
//     fragmented, a stray continuation, a malformed close) close the client
//     with 1002, text that is not UTF-8 with 1007, a message over 1 MiB
//     with 1009. Pings, pongs and the close handshake never reach the bay;
//     the close codes do, both ways, as Disembark (ride.go).
package bays
