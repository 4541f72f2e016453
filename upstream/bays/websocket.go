package bays

import (
	"context"
	"github.com/mothership-go/mothership/internal/fieldpolicy"
	"net/http"
	"sync"

	"github.com/gobwas/ws"
	"github.com/mothership-go/mothership/docking"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/upstream"
)

// webSocketBay completes the client's WebSocket handshake at the proxy
// (handshake.go) and carries its messages over the bay's multiplexed link
// (ride.go): Boarding when it connects, its messages as Cargo, Disembark
// when it goes; the bay's Disembark closes the client with the bay's code
// and reason. Pings and the close handshake are answered here, never by
// the bay.
type webSocketBay struct {
	bay    *passengers
	edit   upstream.PathEdit
	policy fieldpolicy.Policy
}

// board fills in the Boarding's headers as the header policy says for
// every target (internal/fieldpolicy): Host, the client's fields that pass,
// each CGI name once as for an HTTP bay, then the fields we own and the
// route's add_headers.
func (s *webSocketBay) board(bd *docking.Boarding, x *pipeline.Exchange) {
	bd.AddHeader("Host", x.Host)
	eachParam(&s.policy, x, bd.AddHeader)
	var scratch [128]byte
	s.policy.Owned(x, scratch[:0], func(name string, value []byte) {
		bd.AddHeader(name, string(value))
	})
	for _, a := range s.policy.Add {
		bd.AddHeader(a.Name, a.Value)
	}
}

// passengers are the clients of one WebSocket bay, over every route to it.
type passengers struct {
	berth *docking.Berth
	rides sync.WaitGroup
}

// unload closes every client of the bay with 1001 (going away), as the
// server shuts down, and waits until their connections are done or ctx
// ends.
func (p *passengers) unload(ctx context.Context) {
	p.berth.Unload(uint16(ws.StatusGoingAway), "server shutting down")
	done := make(chan struct{})
	go func() {
		p.rides.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

func (s *webSocketBay) Serve(x *pipeline.Exchange, _ pipeline.Handler) {
	accept, refusal := handshake(x)
	if refusal != nil {
		refusal.write(x.Response)
		return
	}
	path := editedPath(s.edit, x.Path)
	bd := docking.Boarding{Path: docking.BoardingPath(path, x.RawQuery)}
	if x.Client.IsValid() {
		bd.RemoteAddr = x.Client.String()
	}
	s.board(&bd, x)
	s.bay.rides.Add(1)
	defer s.bay.rides.Done()
	p, err := s.bay.berth.Board(bd)
	if err != nil {
		pipeline.NewAnswer(http.StatusBadGateway, "502 bad gateway: "+err.Error()).Write(x.Response)
		return
	}
	h := x.Response.Header()
	h.Set("Upgrade", "websocket")
	h.Set("Sec-WebSocket-Accept", accept)
	x.Response.WriteHeader(http.StatusSwitchingProtocols)
	conn, err := x.Conn.Hijack()
	if err != nil {
		p.Leave(uint16(ws.StatusProtocolError), "handshake failed")
		return
	}
	carry(conn, p)
}
