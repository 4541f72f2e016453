package bays

import (
	"crypto/sha1"
	"encoding/base64"
	"net/http"

	"github.com/mothership-go/mothership/internal/httpsyntax"
	"github.com/mothership-go/mothership/pipeline"
)

// refusal is a WebSocket handshake the proxy does not complete.
type refusal struct {
	answer *pipeline.Answer
	// version is set when the client asked for a protocol version the
	// proxy does not speak: the answer names the one it does.
	version bool
}

func (r *refusal) write(w pipeline.ResponseWriter) {
	if r.version {
		w.Header().Set("Sec-WebSocket-Version", "13")
	}
	r.answer.Write(w)
}

var (
	refuseNotWebSocket = &refusal{answer: pipeline.NewAnswer(http.StatusUpgradeRequired, "426 upgrade required: this route is a WebSocket bay")}
	refuseMethod       = &refusal{answer: pipeline.NewAnswer(http.StatusMethodNotAllowed, "405 method not allowed: a WebSocket handshake is a GET")}
	refuseProtocol     = &refusal{answer: pipeline.NewAnswer(http.StatusHTTPVersionNotSupported, "505 HTTP version not supported: a WebSocket handshake needs HTTP/1.1")}
	refuseKey          = &refusal{answer: pipeline.NewAnswer(http.StatusBadRequest, "400 bad request: Sec-WebSocket-Key is not 16 bytes in base64")}
	refuseNoVersion    = &refusal{answer: pipeline.NewAnswer(http.StatusBadRequest, "400 bad request: Sec-WebSocket-Version is missing")}
	refuseVersion      = &refusal{answer: pipeline.NewAnswer(http.StatusUpgradeRequired, "426 upgrade required: only WebSocket version 13 is spoken here"), version: true}
)

// websocketGUID is what RFC 6455 §1.3 appends to the client's key before
// hashing it into Sec-WebSocket-Accept.
const websocketGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// handshake checks the client's opening handshake (RFC 6455 §4.2.1) and
// returns the Sec-WebSocket-Accept value to answer it with, or why it is
// refused. Neither a subprotocol nor an extension is selected: the bay has
// no part in the handshake.
func handshake(x *pipeline.Exchange) (accept string, _ *refusal) {
	h := &x.Header
	switch {
	case !httpsyntax.EqualFold(x.Upgrade, "websocket"):
		return "", refuseNotWebSocket
	case x.Method != "GET":
		return "", refuseMethod
	case x.ProtoMinor < 1:
		return "", refuseProtocol
	}
	key := h.Get("Sec-WebSocket-Key")
	if raw, err := base64.StdEncoding.DecodeString(key); err != nil || len(raw) != 16 || h.Count("Sec-WebSocket-Key") != 1 {
		return "", refuseKey
	}
	switch v := h.Get("Sec-WebSocket-Version"); v {
	case "13":
	case "":
		return "", refuseNoVersion
	default:
		return "", refuseVersion
	}
	sum := sha1.Sum([]byte(key + websocketGUID))
	return base64.StdEncoding.EncodeToString(sum[:]), nil
}
