package bays

import (
	"bufio"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gobwas/ws"
	"github.com/mothership-go/mothership/docking"
)

// maxWebSocketMessage bounds one client message to a WebSocket bay; a
// larger one closes the client with 1009 (message too big), so that no
// client can grow the proxy's memory at will.
const maxWebSocketMessage = 1 << 20

// closeWait is how long a client has to answer the proxy's close frame
// before its connection is closed anyway.
const closeWait = 2 * time.Second

// ride is one client connection to a WebSocket bay.
type ride struct {
	conn net.Conn
	p    *docking.Passenger
	wmu  sync.Mutex // frames from toClient and fromClient's control answers
	stop chan struct{}
	// binary is set while the client's last message was a binary one: the
	// bay's messages then go back as binary frames too (see the package
	// doc).
	binary atomic.Bool
}

// carry relays the client on conn to and from the passenger p until
// either side ends, then tells the bay why and closes conn.
func carry(conn net.Conn, p *docking.Passenger) {
	r := &ride{conn: conn, p: p, stop: make(chan struct{})}
	var wg sync.WaitGroup
	wg.Go(r.toClient)
	code, reason := r.fromClient(bufio.NewReader(conn))
	p.Leave(code, reason)
	close(r.stop)
	wg.Wait()
	conn.Close()
}

// send writes one frame to the client.
func (r *ride) send(f ws.Frame) error {
	r.wmu.Lock()
	defer r.wmu.Unlock()
	r.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return ws.WriteFrame(r.conn, f)
}

// message frames one of the bay's messages. On a link that agreed to
// Freight the bay says which it sent: Freight is binary, Cargo text. On
// another, Cargo carries no type: binary after a binary message from the
// client, text otherwise. Either way a message that is not UTF-8 goes as
// binary, which a text frame could not carry (RFC 6455 §5.6).
func (r *ride) message(msg docking.Message) ws.Frame {
	guessed := !r.p.Freight() && r.binary.Load()
	if msg.Binary || guessed || !utf8.Valid(msg.Data) {
		return ws.NewBinaryFrame(msg.Data)
	}
	return ws.NewTextFrame(msg.Data)
}

// toClient writes the bay's messages to the client until the passenger is
// sent off (then with the close frame the bay or the link asked for) or the
// client is gone.
func (r *ride) toClient() {
	for {
		select {
		case msg := <-r.p.Messages():
			if r.send(r.message(msg)) != nil {
				r.conn.Close()
				return
			}
		case <-r.p.Gone():
			r.flushMessages()
			code, reason := r.p.CloseReason()
			r.send(closeFrame(code, reason))
			// fromClient reads the client's answer, or gives up.
			r.conn.SetReadDeadline(time.Now().Add(closeWait))
			return
		case <-r.stop:
			return
		}
	}
}

// flushMessages writes the messages the bay sent before it sent the
// client off.
func (r *ride) flushMessages() {
	for {
		select {
		case msg := <-r.p.Messages():
			if r.send(r.message(msg)) != nil {
				return
			}
		default:
			return
		}
	}
}

// fromClient reads the client's frames until it closes or breaks, passing
// each whole message to the bay, answering pings and close frames, and
// remembering whether the last message was binary; it returns the close
// code and reason to tell the bay.
func (r *ride) fromClient(br *bufio.Reader) (uint16, string) {
	var msg []byte
	var op ws.OpCode // of the message being read; 0 between messages
	var control [125]byte
	for {
		h, err := ws.ReadHeader(br)
		if err != nil {
			return uint16(ws.StatusAbnormalClosure), ""
		}
		if code, why := frameError(h, op, len(msg)); code != 0 {
			return r.refuse(code, why)
		}
		var payload []byte
		if h.OpCode.IsControl() {
			payload = control[:h.Length]
		} else {
			msg = append(msg, make([]byte, h.Length)...)
			payload = msg[len(msg)-int(h.Length):]
		}
		if _, err := io.ReadFull(br, payload); err != nil {
			return uint16(ws.StatusAbnormalClosure), ""
		}
		ws.Cipher(payload, h.Mask, 0)
		switch h.OpCode {
		case ws.OpPing:
			r.send(ws.NewPongFrame(payload))
			continue
		case ws.OpPong:
			continue
		case ws.OpClose:
			if c, why := closeError(payload); c != 0 {
				return r.refuse(c, why)
			}
			code, reason := ws.ParseCloseFrameData(payload)
			if code == 0 {
				code = ws.StatusNoStatusRcvd
			}
			r.send(ws.NewCloseFrame(ws.NewCloseFrameBody(echoCode(code), "")))
			return uint16(code), reason
		case ws.OpText, ws.OpBinary:
			op = h.OpCode
		}
		if !h.Fin {
			continue
		}
		if op == ws.OpText && !utf8.Valid(msg) {
			return r.refuse(ws.StatusInvalidFramePayloadData, "text message is not UTF-8")
		}
		r.binary.Store(op == ws.OpBinary)
		if err := r.p.Send(msg, op == ws.OpBinary); err != nil {
			return r.refuse(ws.StatusInternalServerError, "bay link lost")
		}
		msg, op = msg[:0], 0
	}
}

// frameError is why a frame header is refused, or 0: an unmasked frame, a
// reserved bit or opcode, a control frame that is fragmented or over 125
// bytes, a continuation of no message or a new message inside one, or a
// message past maxWebSocketMessage. op is the opcode of the message being
// read, n the bytes of it so far.
func frameError(h ws.Header, op ws.OpCode, n int) (ws.StatusCode, string) {
	switch {
	case !h.Masked || h.Rsv != 0:
		return ws.StatusProtocolError, "unmasked or reserved frame"
	case h.OpCode.IsReserved():
		return ws.StatusProtocolError, "unknown opcode"
	case h.OpCode.IsControl():
		if !h.Fin || h.Length > 125 {
			return ws.StatusProtocolError, "fragmented or long control frame"
		}
	case h.OpCode == ws.OpContinuation && op == 0:
		return ws.StatusProtocolError, "continuation of no message"
	case h.OpCode != ws.OpContinuation && op != 0:
		return ws.StatusProtocolError, "new message inside a fragmented one"
	case h.Length > maxWebSocketMessage || int64(n)+h.Length > maxWebSocketMessage:
		return ws.StatusMessageTooBig, "message too big"
	}
	return 0, ""
}

// closeError is why a client's close frame is refused, or 0 (RFC 6455
// §5.5.1, §7.4): a one-byte body, a code that must not be sent, or a
// reason that is not UTF-8.
func closeError(payload []byte) (ws.StatusCode, string) {
	switch {
	case len(payload) == 0:
		return 0, ""
	case len(payload) == 1:
		return ws.StatusProtocolError, "close frame of one byte"
	}
	code := uint16(payload[0])<<8 | uint16(payload[1])
	switch {
	case forbiddenCode(code):
		return ws.StatusProtocolError, "close code that must not be sent"
	case !utf8.Valid(payload[2:]):
		return ws.StatusInvalidFramePayloadData, "close reason is not UTF-8"
	}
	return 0, ""
}

// refuse closes the client with code and why, and returns them for the
// bay.
func (r *ride) refuse(code ws.StatusCode, why string) (uint16, string) {
	r.send(ws.NewCloseFrame(ws.NewCloseFrameBody(code, why)))
	return uint16(code), why
}

// closeFrame is the close frame for the code and reason a bay gave, made
// valid for the wire: a code that must not be sent (below 1000, 1004 to
// 1006, 1015, past 4999) becomes 1011, and the reason is cut to fit the
// 125 bytes of a control frame, at a UTF-8 boundary.
func closeFrame(code uint16, reason string) ws.Frame {
	if forbiddenCode(code) {
		code = uint16(ws.StatusInternalServerError)
	}
	for len(reason) > 123 || !utf8.ValidString(reason) {
		_, size := utf8.DecodeLastRuneInString(reason)
		reason = reason[:len(reason)-max(size, 1)]
	}
	return ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusCode(code), reason))
}

// forbiddenCode reports whether a close code must not appear on the wire
// (RFC 6455 §7.4): below 1000, 1004 to 1006, 1015, unassigned ones to 2999,
// and past 4999.
func forbiddenCode(code uint16) bool {
	return code < 1000 || code >= 1004 && code <= 1006 || code == 1015 || code >= 1016 && code < 3000 || code >= 5000
}

// echoCode is the code to answer a client's close frame with: its own,
// except the codes that must not appear on the wire.
func echoCode(c ws.StatusCode) ws.StatusCode {
	if c == ws.StatusNoStatusRcvd || c == ws.StatusAbnormalClosure {
		return ws.StatusNormalClosure
	}
	return c
}
