package upstream

import (
	"context"
	"net"
	"sync"
	"time"

	"github.com/mothership-go/mothership/internal/netpeek"
	"github.com/mothership-go/mothership/manifest"
)

// Pool defaults.
const (
	// DefaultMaxIdle is the idle connections kept per address: enough for
	// every concurrent request of a busy route to find a warm one.
	DefaultMaxIdle = 256
	// DefaultIdleTimeout closes an idle connection before a common upstream
	// keep-alive would (Node's is 5 s), so that the upstream's close rarely
	// races a reuse.
	DefaultIdleTimeout = 4 * time.Second
)

// Pool keeps idle keep-alive connections to one address.
type Pool struct {
	addr        manifest.Addr
	connect     time.Duration
	maxIdle     int
	idleTimeout time.Duration
	dialer      net.Dialer

	mu   sync.Mutex
	idle []*Conn // the most recently used last
}

// NewPool returns the pool of addr; connect bounds a dial.
func NewPool(addr manifest.Addr, connect time.Duration) *Pool {
	return &Pool{
		addr: addr, connect: connect,
		maxIdle: DefaultMaxIdle, idleTimeout: DefaultIdleTimeout,
		dialer: net.Dialer{Timeout: connect},
	}
}

// Addr is the pool's address.
func (p *Pool) Addr() manifest.Addr { return p.addr }

// get returns an idle connection that still looks usable, or nil.
func (p *Pool) get(now time.Time) *Conn {
	for {
		p.mu.Lock()
		n := len(p.idle)
		if n == 0 {
			p.mu.Unlock()
			return nil
		}
		c := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		if now.Before(c.expires) && c.sock.Peek() == netpeek.Quiet {
			c.reused = true
			return c
		}
		c.close()
	}
}

// dial opens a new connection.
func (p *Pool) dial(ctx context.Context) (*Conn, error) {
	nc, err := p.dialer.DialContext(ctx, p.addr.Network, p.addr.Address)
	if err != nil {
		return nil, err
	}
	return newConn(p, nc), nil
}

// put keeps c for reuse, or closes it when the pool is full.
func (p *Pool) put(c *Conn, now time.Time) {
	life := p.idleTimeout
	if ka := c.keepAlive - time.Second; ka > 0 && ka < life {
		life = ka
	}
	c.expires = now.Add(life)
	p.mu.Lock()
	if len(p.idle) < p.maxIdle {
		p.idle = append(p.idle, c)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	c.close()
}

// CloseIdle closes every idle connection (at shutdown).
func (p *Pool) CloseIdle() {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, c := range idle {
		c.close()
	}
}
