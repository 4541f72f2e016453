// Package h1 is the HTTP/1.1 wire codec: strict parsers for request and
// response heads and a chunked-body decoder, over byte slices and without
// allocation, plus the status lines and chunk sizes writers need. It does
// no I/O: engine/ and upstream/ own the connections.
//
// # Choices
//
// A proxy that disagrees with the server behind it about where a request
// ends is a request-smuggling hole, so whatever RFC 9112 lets a recipient
// refuse, this package refuses (ours may be stricter than net/http, never
// looser):
//
//   - Lines end in CRLF; a bare LF or a bare CR anywhere is an error. Empty
//     lines before a request line are skipped (RFC 9112 §2.2).
//   - The request line is method SP target SP HTTP/d.d with single spaces;
//     the method is a token, the target visible ASCII without `#`, in
//     origin form, `*` (OPTIONS only), absolute form (its authority becomes
//     Host and the target is cut to path and query) or authority form
//     (CONNECT only, which the engine answers 405). HTTP/1.x with x > 1 is
//     served as 1.1; another major version is 505.
//   - A field name is a non-empty token directly followed by its colon; a
//     value has no CTL but HTAB; obs-fold is refused (400), not unfolded.
//   - HTTP/1.1 needs exactly one Host; HTTP/1.0 at most one.
//   - Content-Length is digits only (at most 18); repeated or listed values
//     must all be equal. With Transfer-Encoding too, the request is refused
//     (400), and so is Transfer-Encoding in HTTP/1.0. Transfer-Encoding
//     must be one field, `chunked` (the only form net/http takes); codings
//     that end in chunked after another are 501, anything else 400.
//   - Expect other than 100-continue is 417.
//   - A chunk size is 1–16 hex digits, with no sign, prefix or space
//     after it;
//     chunk extensions follow the grammar (BWS ; token [= token /
//     quoted-string]); chunk data ends in CRLF exactly; trailer fields are
//     checked as header fields and dropped.
//   - A response head follows the same line and field rules; both framing
//     fields, or a malformed Content-Length, is an error (the upstream
//     side answers 502).
package h1
