package h2

import (
	"context"
	"log"
	"net/netip"
	"time"

	"github.com/mothership-go/mothership/pipeline"
)

// The defaults, Go's own server's where it has one.
const (
	// DefaultMaxConcurrentStreams is how many streams a client may have
	// open at once (Go's default is 250; 100 is what RFC 9113 advises as
	// the least and what nginx sets).
	DefaultMaxConcurrentStreams = 100
	// DefaultMaxHeaderListSize bounds a request's decoded header list, as
	// HPACK counts it (each field's name and value plus 32).
	DefaultMaxHeaderListSize = 64 << 10
	// DefaultInitialWindow is how much of a stream's body may wait unread.
	DefaultInitialWindow = 1 << 20
)

// Config is what a connection's streams need from the engine.
type Config struct {
	// Handler serves every stream's exchange.
	Handler pipeline.Handler
	// Bind is the bind's name, as the exchanges carry it.
	Bind string
	// Scheme is "https" on TLS, "http" for h2c.
	Scheme string
	// Peer, PeerIP and PeerTrusted are the connection's other end, as the
	// engine found it (the PROXY header's source when there was one).
	Peer        netip.AddrPort
	PeerIP      string
	PeerTrusted bool
	// Client resolves a request's client address from its fields (the
	// engine's trusted proxies).
	Client func(h *pipeline.Header) netip.Addr
	// MaxConcurrentStreams, MaxHeaderListSize and InitialWindow are the
	// limits advertised in SETTINGS; zero takes the defaults.
	MaxConcurrentStreams uint32
	MaxHeaderListSize    uint32
	InitialWindow        uint32
	// PrefaceTimeout bounds the wait for the client's preface and first
	// SETTINGS; IdleTimeout closes a connection without a stream in flight;
	// BodyTimeout bounds each wait for request body bytes; SendTimeout
	// bounds one write.
	PrefaceTimeout, IdleTimeout, BodyTimeout, SendTimeout time.Duration
	// Drain is closed when the server drains: the connection then says
	// GOAWAY and closes once its streams are done.
	Drain <-chan struct{}
	// Context ends when the drain is cut short; it is every stream's
	// context's parent.
	Context context.Context
	// ErrorLog receives connection errors; nil discards them.
	ErrorLog *log.Logger
}

func (c *Config) orDefaults() {
	if c.MaxConcurrentStreams == 0 {
		c.MaxConcurrentStreams = DefaultMaxConcurrentStreams
	}
	if c.MaxHeaderListSize == 0 {
		c.MaxHeaderListSize = DefaultMaxHeaderListSize
	}
	if c.InitialWindow == 0 {
		c.InitialWindow = DefaultInitialWindow
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.PrefaceTimeout, 10*time.Second)
	def(&c.IdleTimeout, 75*time.Second)
	def(&c.BodyTimeout, 60*time.Second)
	def(&c.SendTimeout, 60*time.Second)
	if c.Context == nil {
		c.Context = context.Background()
	}
}
