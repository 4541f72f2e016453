package stages

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
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

var answerNotWebSocket = newPlainAnswer(http.StatusUpgradeRequired, "426 upgrade required: this route is a WebSocket bay")

// bayWebSocket completes the client's WebSocket handshake at the proxy and
// carries its messages over the bay's multiplexed link: Boarding when it
// connects, its messages as Cargo (binary ones as Freight, when the bay
// docked saying it takes it), Disembark when it goes; the bay's Cargo comes
// back as text messages and its Freight as binary, and its Disembark closes
// the client with the bay's code and reason. Pings and the close handshake
// are answered here, never by the bay.
type bayWebSocket struct {
	berth *docking.Berth
	edit  pathEdit
	rides sync.WaitGroup // the clients connected through this route
}

// unload closes every client of the bay with 1001 (going away), as the
// server shuts down, and waits until their connections are done or ctx
// ends.
func (s *bayWebSocket) unload(ctx context.Context) {
	s.berth.Unload(uint16(ws.StatusGoingAway), "server shutting down")
	done := make(chan struct{})
	go func() {
		s.rides.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

func (s *bayWebSocket) Serve(x *Exchange, _ Handler) {
	w, req := x.std.forwarding()
	if !strings.EqualFold(firstValue(x.Header["Upgrade"]), "websocket") {
		answerNotWebSocket.write(x.Response)
		return
	}
	path, _ := s.edit.paths(x.Path, x.RawPath)
	bd := docking.Boarding{Path: docking.BoardingPath(path, x.RawQuery)}
	if x.Client.IsValid() {
		bd.RemoteAddr = x.Client.String()
	}
	bd.AddHeader("Host", x.Host)
	for name, vs := range x.Header {
		for _, v := range vs {
			bd.AddHeader(name, v)
		}
	}
	s.rides.Add(1)
	defer s.rides.Done()
	p, err := s.berth.Board(bd)
	if err != nil {
		answerBayUnreachable(x.Response, err)
		return
	}
	conn, brw, _, err := ws.UpgradeHTTP(req, w)
	if err != nil {
		// gobwas answered the client (400 and why) already.
		p.Leave(uint16(ws.StatusProtocolError), "handshake failed")
		return
	}
	r := &wsRide{conn: conn, p: p, stop: make(chan struct{})}
	var wg sync.WaitGroup
	wg.Go(r.toClient)
	code, reason := r.fromClient(brw.Reader)
	p.Leave(code, reason)
	close(r.stop)
	wg.Wait()
	conn.Close()
}

// wsRide is one client connection to a WebSocket bay.
type wsRide struct {
	conn net.Conn
	p    *docking.Passenger
	wmu  sync.Mutex // frames from toClient and fromClient's control answers
	stop chan struct{}
}

// send writes one frame to the client.
func (r *wsRide) send(f ws.Frame) error {
	r.wmu.Lock()
	defer r.wmu.Unlock()
	r.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return ws.WriteFrame(r.conn, f)
}

// toClient writes the bay's messages to the client until the passenger is
// sent off (then with the close frame the bay or the link asked for) or the
// client is gone.
func (r *wsRide) toClient() {
	for {
		select {
		case msg := <-r.p.Messages():
			if r.send(dataFrame(msg)) != nil {
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

// dataFrame is the frame for one of the bay's messages: binary when the bay
// sent it as Freight, else text; but a message that is not UTF-8 goes as
// binary, since a text frame that is not would make the client fail the
// connection (a bay that cannot send Freight has no other way to send
// bytes).
func dataFrame(msg docking.Message) ws.Frame {
	if msg.Binary || !utf8.Valid(msg.Data) {
		return ws.NewBinaryFrame(msg.Data)
	}
	return ws.NewTextFrame(msg.Data)
}

// flushMessages writes the messages the bay sent before it sent the
// client off.
func (r *wsRide) flushMessages() {
	for {
		select {
		case msg := <-r.p.Messages():
			if r.send(dataFrame(msg)) != nil {
				return
			}
		default:
			return
		}
	}
}

// fromClient reads the client's frames until it closes or breaks, passing
// its messages to the bay (a fragmented one once whole, binary ones marked
// so) and answering pings and close frames; it returns the close code and
// reason to tell the bay.
func (r *wsRide) fromClient(br *bufio.Reader) (uint16, string) {
	var msg []byte
	var op ws.OpCode // the message being assembled: OpText, OpBinary, or 0 for none
	fail := func(code ws.StatusCode, why string) (uint16, string) {
		r.send(ws.NewCloseFrame(ws.NewCloseFrameBody(code, why)))
		return uint16(code), why
	}
	for {
		h, err := ws.ReadHeader(br)
		if err != nil {
			return uint16(ws.StatusAbnormalClosure), ""
		}
		if code, why := checkFrame(h, op, len(msg)); code != 0 {
			return fail(code, why)
		}
		payload := make([]byte, h.Length)
		if _, err := io.ReadFull(br, payload); err != nil {
			return uint16(ws.StatusAbnormalClosure), ""
		}
		ws.Cipher(payload, h.Mask, 0)
		switch h.OpCode {
		case ws.OpPing:
			r.send(ws.NewPongFrame(payload))
		case ws.OpPong:
		case ws.OpClose:
			code, reason := ws.ParseCloseFrameData(payload)
			if code == 0 {
				code = ws.StatusNoStatusRcvd
			}
			r.send(ws.NewCloseFrame(ws.NewCloseFrameBody(echoCode(code), "")))
			return uint16(code), reason
		default: // a data frame: checkFrame let no other through
			if h.OpCode != ws.OpContinuation {
				op = h.OpCode
			}
			msg = append(msg, payload...)
			if !h.Fin {
				continue
			}
			if op == ws.OpText && !utf8.Valid(msg) {
				return fail(ws.StatusInvalidFramePayloadData, "text message is not UTF-8")
			}
			if err := r.p.Send(msg, op == ws.OpBinary); err != nil {
				return fail(ws.StatusInternalServerError, "bay link lost")
			}
			msg, op = msg[:0], 0
		}
	}
}

// checkFrame refuses a client frame RFC 6455 forbids, or one that would
// make the message too big, with the close code and reason to send; op is
// the opcode of the fragmented message under way (0: none), have its
// bytes so far.
func checkFrame(h ws.Header, op ws.OpCode, have int) (ws.StatusCode, string) {
	switch {
	case !h.Masked || h.Rsv != 0:
		return ws.StatusProtocolError, "unmasked or reserved frame"
	case h.Length > maxWebSocketMessage || int64(have)+h.Length > maxWebSocketMessage:
		return ws.StatusMessageTooBig, "message too big"
	case h.OpCode.IsReserved():
		return ws.StatusProtocolError, "unknown opcode"
	case h.OpCode.IsControl() && (!h.Fin || h.Length > 125):
		return ws.StatusProtocolError, "fragmented or long control frame"
	case h.OpCode == ws.OpContinuation && op == 0:
		return ws.StatusProtocolError, "continuation without a message"
	case (h.OpCode == ws.OpText || h.OpCode == ws.OpBinary) && op != 0:
		return ws.StatusProtocolError, "new message inside a fragmented one"
	}
	return 0, ""
}

// closeFrame is the close frame for the code and reason a bay gave, made
// valid for the wire: a code that must not be sent (below 1000, 1004 to
// 1006, 1015, past 4999) becomes 1011, and the reason is cut to fit the
// 125 bytes of a control frame, at a UTF-8 boundary.
func closeFrame(code uint16, reason string) ws.Frame {
	switch {
	case code < 1000, code >= 1004 && code <= 1006, code == 1015, code >= 1016 && code < 3000, code >= 5000:
		code = uint16(ws.StatusInternalServerError)
	}
	for len(reason) > 123 || !utf8.ValidString(reason) {
		_, size := utf8.DecodeLastRuneInString(reason)
		reason = reason[:len(reason)-max(size, 1)]
	}
	return ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusCode(code), reason))
}

// echoCode is the code to answer a client's close frame with: its own,
// except the codes that must not appear on the wire.
func echoCode(c ws.StatusCode) ws.StatusCode {
	if c == ws.StatusNoStatusRcvd || c == ws.StatusAbnormalClosure {
		return ws.StatusNormalClosure
	}
	return c
}
