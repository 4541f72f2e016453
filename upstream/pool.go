package upstream

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
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

// Reuse without a peek: a pooled connection whose last answer came this
// recently is taken as open without asking the socket, for a request that
// can be sent again on a new connection if it was closed after all (one
// system call per request less; the retry in forward.Serve covers the
// close). A pool where a reused connection turned out closed, or a peek
// saw a close or unasked bytes, peeks at every reuse for staleMemory: an
// upstream that closes its connections without saying so then costs no
// failed attempt per request.
const (
	recentUse   = time.Second
	staleMemory = 30 * time.Second
)

// Pool keeps idle keep-alive connections to one address.
type Pool struct {
	addr        manifest.Addr
	connect     time.Duration
	maxIdle     int
	idleTimeout time.Duration
	dialer      net.Dialer

	// staleUntil is when reuse without a peek is allowed again, in Unix
	// ns, after a connection of the pool was found closed.
	staleUntil atomic.Int64

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

// get returns an idle connection that still looks usable, or nil;
// resendable says whether the request may be sent again on a new
// connection when this one fails before any byte of the answer.
func (p *Pool) get(now time.Time, resendable bool) *Conn {
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
		if p.usable(c, now, resendable) {
			c.reused = true
			return c
		}
		c.close()
	}
}

// usable reports whether the idle connection c may carry a request: not
// expired, and either trusted without a peek (see recentUse) or quiet
// when peeked.
func (p *Pool) usable(c *Conn, now time.Time, resendable bool) bool {
	if !now.Before(c.expires) {
		return false
	}
	if resendable && now.Before(c.trustUntil) && now.UnixNano() >= p.staleUntil.Load() {
		return true
	}
	if c.sock.Peek() == netpeek.Quiet {
		return true
	}
	p.sawStale(now)
	return false
}

// sawStale records that a connection of the pool was closed (or spoke)
// while idle: reuses peek for the next staleMemory.
func (p *Pool) sawStale(now time.Time) {
	p.staleUntil.Store(now.Add(staleMemory).UnixNano())
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
	c.trustUntil = time.Time{}
	if c.clean {
		trust := min(recentUse, life)
		if c.keepAlive > 0 {
			trust = min(trust, c.keepAlive/2)
		}
		c.trustUntil = now.Add(trust)
	}
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
