package engine

import "github.com/mothership-go/mothership/h1"

// The connection caps (Limits.MaxConns, MaxConnsPerClient). The total is a
// semaphore taken before Accept: at the cap the server accepts nothing,
// and clients wait in the kernel's listen backlog, which costs this
// process nothing. The per-client count is a map under the server's lock,
// touched once when a connection's first request arrives (its peer is
// known only then, after a PROXY header) and once when it ends. Both
// count the connections being served; one handed over for an upgrade
// (a WebSocket) leaves both counts.

// errTooManyFromClient answers a connection over the per-client cap.
var errTooManyFromClient = &h1.Error{Status: 503, Reason: "too many connections from this address"}

// admitClient counts c against its peer's cap, once; false when the peer
// already holds MaxConnsPerClient connections. A trusted proxy, or a peer
// of unknown address (a Unix socket), is not counted.
func (s *Server) admitClient(c *conn) bool {
	a := c.peer.Addr()
	if c.counted || c.peerTrusted || !a.IsValid() {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.perClient[a] >= s.limits.MaxConnsPerClient {
		return false
	}
	s.perClient[a]++
	c.counted = true
	return true
}

// leaveClient uncounts c from its peer's cap.
func (s *Server) leaveClient(c *conn) {
	if !c.counted {
		return
	}
	a := c.peer.Addr()
	s.mu.Lock()
	if s.perClient[a]--; s.perClient[a] <= 0 {
		delete(s.perClient, a)
	}
	s.mu.Unlock()
}
