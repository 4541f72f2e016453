package stages

import (
	"net"
	"sync"
)

// upgrades tracks the connections handed over for an upgrade (WebSocket):
// the HTTP server forgets a connection once it is hijacked, so Shutdown
// would otherwise leave them open for as long as their peers like.
type upgrades struct {
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
}

func (u *upgrades) add(c net.Conn) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.closed {
		c.Close()
		return
	}
	if u.conns == nil {
		u.conns = map[net.Conn]struct{}{}
	}
	u.conns[c] = struct{}{}
}

func (u *upgrades) remove(c net.Conn) {
	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.conns, c)
}

// closeAll closes every upgraded connection, and any upgraded from now on.
func (u *upgrades) closeAll() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.closed = true
	for c := range u.conns {
		c.Close()
	}
	clear(u.conns)
}
