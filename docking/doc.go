// Package docking is the codec of the docking protocol, which bays (child
// processes that Mothership serves traffic for) speak over Unix sockets.
// The wire format is reconstructed in the shared spec, docking.md; this
// package holds it byte for byte.
//
// The bay listens and Mothership connects. On every link the bay speaks
// first with Dock; Mothership answers with Moored, carrying the bay's config
// from the manifest; then the link carries one family's traffic:
//
//   - v1, WebSocket multiplexing: one link per bay carries every client
//     WebSocket routed to it. Mothership announces a client with Boarding,
//     relays each message both ways as Cargo, and either side ends a client
//     with Disembark. Cargo carries no opcode: a bay whose Dock says Binary
//     (and Moored agrees) sends and gets binary messages as Freight, this
//     package's extension with Cargo's layout.
//   - v3, HTTP links: a pool of links, each carrying one request at a time.
//     Mothership sends the head as Hail and the body as Hauls; the bay
//     answers with Reply, the body as Hauls ended by an empty FIN (or a
//     file path, or nothing), then Ready to free the link. A Reply of kind
//     tunnel instead turns the link into a byte pipe carried by Hauls.
//
// Every frame is a type byte, a big-endian u32 payload length and the
// payload. Reader and Writer move frames without allocating once warm; each
// message type has Append, which appends a whole frame, and Decode, which
// reads a payload and never reads past it. Handshake, BayHandshake and Dial
// run the link setup.
//
// Above the codec, a Berth is where one bay docks: the supervisor docks
// each run of the bay's process (Yard implements the fleet's Docker), and
// the proxy sends traffic through the run docked last. An HTTP run is a
// pool of links (Claim takes one for a request; a broken link is
// replaced); a WebSocket run is one link shared by every client (Board
// returns a Passenger). Docking a second run while the first serves is a
// phased restart: new traffic goes to the new run while the old one's
// requests finish on their links.
//
// # Choices
//
// Where the spec marks a fact inferred or unknown, this package decides;
// each choice lives in one place:
//
//   - MaxFramePayload is 16 MiB (the peers need at least 100 005).
//   - HaulChunkLen, the most data we put in one Haul, is 64 KiB; any Haul
//     up to MaxFramePayload is accepted (Writer.WriteHaul splits).
//   - Cargo is the u32 connection id, then the message bytes (Cargo);
//     Freight (0x13) is the same for a binary message, sent only on a link
//     that agreed to it in Dock and Moored (Dock.Binary, Moored.Binary).
//   - The v1 Dock is JSON, like the v3 one (Dock).
//   - Ready is read from its first 4 bytes; more are ignored (Ready.Decode).
//   - A Boarding path includes the query string when there is one:
//     "/cable?x=1" (BoardingPath).
//   - Repeated request headers in a Boarding are joined with ", " under
//     their lowercased name (Boarding.AddHeader).
//   - Moored always sends config, {} when empty, with string values only
//     (Moored).
//   - Mothership sends Moored version 3 to HTTP bays and 1 to WebSocket
//     bays (Handshake, VersionHTTP, VersionWebSocket).
//   - A Dock whose version is not the one of the bay's declared family is
//     refused, naming the version; one that is neither 1 nor 3 is refused as
//     unknown (checkVersion).
//   - Trailing bytes after a Hail's params or a Reply's head are a protocol
//     error (cursor.end), and Haul flag bits other than FIN are ignored
//     (Haul.Decode).
package docking
