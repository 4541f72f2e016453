package stages

import "time"

// The limits every bind's server runs with. They are on by default so that
// a client can hold neither a connection nor memory without sending a
// request: net/http has none of them unless asked.
const (
	// ReadHeaderTimeout is how long a new connection has to send its PROXY
	// header and then its request head; a silent client is disconnected.
	ReadHeaderTimeout = 10 * time.Second
	// IdleTimeout closes a keep-alive connection with no request in flight.
	IdleTimeout = 120 * time.Second
	// MaxHeaderBytes bounds a request head; a larger one gets 431.
	MaxHeaderBytes = 64 << 10
	// DefaultConnectTimeout bounds connecting to a target when the route sets
	// no connect_timeout.
	DefaultConnectTimeout = 5 * time.Second
	// DefaultReadTimeout bounds the wait for a target's response head when
	// the route sets no read_timeout. A target slower than this gets 504.
	DefaultReadTimeout = 60 * time.Second
)

const (
	// idlePerTarget is the idle upstream connections kept per target
	// address: enough for every concurrent request of a busy route to find a
	// warm connection instead of dialing.
	idlePerTarget = 256
	// upstreamIdleTimeout closes idle upstream connections before a target's
	// own keep-alive timeout (often 120 s or more) can race a new request.
	upstreamIdleTimeout = 90 * time.Second
	// copyBufferSize is the size of the pooled buffers bodies are copied with.
	copyBufferSize = 32 << 10
)

// limits are the server limits of one Server; tests shorten them between
// New and Listen, which is when they are read.
type limits struct {
	readHeader time.Duration
	idle       time.Duration
	maxHeader  int
}

func defaultLimits() limits {
	return limits{readHeader: ReadHeaderTimeout, idle: IdleTimeout, maxHeader: MaxHeaderBytes}
}
