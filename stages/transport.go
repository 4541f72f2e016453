package stages

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

// transportKey is what makes two upstream connections interchangeable: the
// address, and the timeouts the Transport enforces per connection.
type transportKey struct {
	addr     manifest.Addr
	connect  time.Duration
	readHead time.Duration
}

// transports hands out one http.Transport per target address (and
// timeouts), built at compile time and shared by every route with the same
// key, so those routes share one idle pool.
type transports map[transportKey]*http.Transport

func (ts transports) get(k transportKey) *http.Transport {
	if t := ts[k]; t != nil {
		return t
	}
	t := newTransport(k)
	ts[k] = t
	return t
}

func (ts transports) closeIdle() {
	for _, t := range ts {
		t.CloseIdleConnections()
	}
}

func newTransport(k transportKey) *http.Transport {
	d := &net.Dialer{Timeout: k.connect}
	return &http.Transport{
		// The dial ignores the URL's host: every request of this Transport
		// goes to k.addr, which may be a Unix socket.
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return d.DialContext(ctx, k.addr.Network, k.addr.Address)
		},
		MaxIdleConnsPerHost:   idlePerTarget,
		IdleConnTimeout:       upstreamIdleTimeout,
		ResponseHeaderTimeout: k.readHead,
		ExpectContinueTimeout: time.Second,
		// A proxy passes the body as the target encoded it; left on, the
		// Transport would ask for gzip and decode it behind our back.
		DisableCompression: true,
	}
}

// urlHost is the host forward puts in the upstream URL. A Unix socket has
// none; the Transport only needs one to be present.
func urlHost(a manifest.Addr) string {
	if a.Network == "unix" {
		return "localhost"
	}
	return a.Address
}

// bufferPool lends ReverseProxy its 32 KiB copy buffers. It pools array
// pointers, not slices, so that Put does not allocate a slice header.
type bufferPool struct{ p sync.Pool }

func (b *bufferPool) Get() []byte {
	if v, ok := b.p.Get().(*[copyBufferSize]byte); ok {
		return v[:]
	}
	return new([copyBufferSize]byte)[:]
}

func (b *bufferPool) Put(buf []byte) {
	if len(buf) == copyBufferSize {
		b.p.Put((*[copyBufferSize]byte)(buf))
	}
}
