package engine

import (
	"time"

	"github.com/mothership-go/mothership/h1"
)

// Limits are what a connection may cost. They are on by default, so that a
// client can hold neither a connection nor memory without sending a
// request.
type Limits struct {
	// ReadHeaderTimeout is how long a connection has to send its PROXY
	// header and a request head once it began one.
	ReadHeaderTimeout time.Duration
	// IdleTimeout closes a keep-alive connection with no request in flight.
	IdleTimeout time.Duration
	// BodyTimeout bounds the wait between two reads of a request body: a
	// client that sends nothing for that long is cut (nginx's
	// client_body_timeout).
	BodyTimeout time.Duration
	// SendTimeout bounds one write to the client (nginx's send_timeout).
	SendTimeout time.Duration
	// Head bounds the request head: its target (414), its size and its
	// field count (431).
	Head h1.Limits
	// MaxDiscard is how much of a body no stage read is read and dropped to
	// keep the connection for the next request; a longer rest closes it.
	MaxDiscard int64
	// MaxConns is the most connections the server holds at once; at the
	// cap it stops accepting, so that new ones wait in the listen backlog
	// (as HAProxy's maxconn) instead of costing memory here.
	MaxConns int
	// MaxConnsPerClient is the most connections one peer address holds
	// at once (the PROXY header's source when there is one); more are
	// answered 503 and closed. Trusted proxies are not limited.
	MaxConnsPerClient int
}

// The defaults, close to nginx's.
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultIdleTimeout       = 75 * time.Second
	DefaultBodyTimeout       = 60 * time.Second
	DefaultSendTimeout       = 60 * time.Second
	DefaultMaxTarget         = 8 << 10
	DefaultMaxHeaderBytes    = 64 << 10
	DefaultMaxFields         = 100
	DefaultMaxDiscard        = 256 << 10
	DefaultMaxConns          = 10000
	DefaultMaxConnsPerClient = 256
)

// DefaultLimits returns the limits a bind gets when the manifest sets none.
func DefaultLimits() Limits {
	return Limits{
		ReadHeaderTimeout: DefaultReadHeaderTimeout,
		IdleTimeout:       DefaultIdleTimeout,
		BodyTimeout:       DefaultBodyTimeout,
		SendTimeout:       DefaultSendTimeout,
		Head: h1.Limits{
			MaxTarget:      DefaultMaxTarget,
			MaxHeaderBytes: DefaultMaxHeaderBytes,
			MaxFields:      DefaultMaxFields,
		},
		MaxDiscard:        DefaultMaxDiscard,
		MaxConns:          DefaultMaxConns,
		MaxConnsPerClient: DefaultMaxConnsPerClient,
	}
}

// orDefaults fills the zero fields of l with the defaults.
func (l Limits) orDefaults() Limits {
	d := DefaultLimits()
	set := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	set(&l.ReadHeaderTimeout, d.ReadHeaderTimeout)
	set(&l.IdleTimeout, d.IdleTimeout)
	set(&l.BodyTimeout, d.BodyTimeout)
	set(&l.SendTimeout, d.SendTimeout)
	if l.Head.MaxTarget <= 0 {
		l.Head.MaxTarget = d.Head.MaxTarget
	}
	if l.Head.MaxHeaderBytes <= 0 {
		l.Head.MaxHeaderBytes = d.Head.MaxHeaderBytes
	}
	if l.Head.MaxFields <= 0 {
		l.Head.MaxFields = d.Head.MaxFields
	}
	if l.MaxDiscard <= 0 {
		l.MaxDiscard = d.MaxDiscard
	}
	if l.MaxConns <= 0 {
		l.MaxConns = d.MaxConns
	}
	if l.MaxConnsPerClient <= 0 {
		l.MaxConnsPerClient = d.MaxConnsPerClient
	}
	return l
}
