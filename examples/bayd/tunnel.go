package main

import (
	"fmt"

	"github.com/mothership-go/mothership/docking"
)

// tunnel answers a WebSocket upgrade on /ws. The Reply of kind tunnel
// carries the 101 and its headers; after it the link is a byte pipe, each
// direction's bytes in Hauls of the request's id, each ended by an empty
// FIN, and no Ready ever comes. The bytes are the client's raw WebSocket
// frames, so bayd is the WebSocket server here: it parses them and echoes
// each message back in server frames, answers pings, and answers a close
// with a close before ending its direction.
func (b *httpBay) tunnel(l *link, req *request) error {
	r := &docking.Reply{RequestID: req.id, Status: 101, Kind: docking.ReplyTunnel, Headers: headers(
		"upgrade", "websocket",
		"connection", "Upgrade",
		"sec-websocket-accept", acceptKey(req.websocketKey),
	)}
	if err := l.w.WriteReply(r); err != nil {
		return err
	}
	if err := l.w.Flush(); err != nil {
		return err
	}
	var in, out []byte // client bytes not yet parsed; frames to send
	for {
		f, err := l.r.Next()
		if err != nil {
			return fmt.Errorf("tunnel: %w", err)
		}
		if err := f.Expect(docking.TypeHaul); err != nil {
			return fmt.Errorf("tunnel: %w", err)
		}
		var h docking.Haul
		if err := h.Decode(f.Payload); err != nil {
			return err
		}
		if h.RequestID != req.id {
			return fmt.Errorf("tunnel: Haul for request %d in the tunnel of request %d", h.RequestID, req.id)
		}
		if h.Fin { // the client's direction is closed; data in a FIN is dropped
			return endTunnel(l, req, nil)
		}
		in = append(in, h.Data...)
		var closing bool
		out, in, closing = echoFrames(out[:0], in)
		if closing {
			return endTunnel(l, req, out)
		}
		if len(out) > 0 {
			if err := l.w.WriteHaul(req.id, false, out); err != nil {
				return err
			}
			if err := l.w.Flush(); err != nil {
				return err
			}
		}
	}
}

// echoFrames appends to out the answers to every whole frame in in, and
// returns in with those frames removed. closing is set once a close has
// been answered, by the client's or a protocol error's.
func echoFrames(out, in []byte) (_, rest []byte, closing bool) {
	for {
		f, n, bad := parseClientFrame(in)
		if bad != nil {
			return appendServerFrame(out, true, opClose, closePayload(bad.code, bad.reason)), nil, true
		}
		if n == 0 {
			return out, in, false
		}
		switch f.opcode {
		case opText, opBinary, opContinuation:
			out = appendServerFrame(out, f.fin, f.opcode, f.payload)
		case opPing:
			out = appendServerFrame(out, true, opPong, f.payload)
		case opClose:
			return appendServerFrame(out, true, opClose, f.payload), nil, true
		}
		in = in[n:]
	}
}

// endTunnel sends the last frames, if any, and the empty FIN that closes
// bayd's direction; the link then closes.
func endTunnel(l *link, req *request, last []byte) error {
	if err := l.w.WriteHaul(req.id, false, last); err != nil {
		return err
	}
	if err := l.w.WriteHaul(req.id, true, nil); err != nil {
		return err
	}
	return l.w.Flush()
}
