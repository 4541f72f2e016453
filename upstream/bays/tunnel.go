package bays

import (
	"fmt"
	"io"
	"net"

	"github.com/mothership-go/mothership/docking"
	"github.com/mothership-go/mothership/pipeline"
)

// tunnel turns the client's connection into a byte pipe to the bay after
// the Reply's head (a 101): each side's bytes go to the other until both
// have ended their direction. A tunnel reply with another status takes no
// connection over (the engine hands one over only after a 101): its head
// is answered as it is, the bay's bytes are its body, and the client's
// direction is closed at once.
func (s *httpBay) tunnel(claim *docking.Claim, x *pipeline.Exchange, status int) error {
	x.Response.WriteHeader(status)
	if status != 101 {
		if err := claim.TunnelClose(); err != nil {
			return err
		}
		return stream(x.Response, claim.Body())
	}
	conn, err := x.Conn.Hijack()
	if err != nil {
		return fmt.Errorf("tunnel: %w", err)
	}
	defer conn.Close()
	toBay := make(chan error, 1)
	go func() { toBay <- tunnelToBay(claim, conn) }()
	buf := copyBuffers.Get().(*[copyBufferSize]byte)
	_, err = io.CopyBuffer(writerOnly{conn}, claim.Body(), buf[:])
	copyBuffers.Put(buf)
	if cw, ok := conn.(interface{ CloseWrite() error }); ok && err == nil {
		cw.CloseWrite()
	} else {
		conn.Close()
	}
	if err2 := <-toBay; err == nil {
		err = err2
	}
	return err
}

// tunnelToBay sends the client's bytes to the bay until the client ends
// its direction, then ends the bay's with an empty FIN.
func tunnelToBay(claim *docking.Claim, client net.Conn) error {
	buf := copyBuffers.Get().(*[copyBufferSize]byte)
	defer copyBuffers.Put(buf)
	for {
		n, err := client.Read(buf[:])
		if n > 0 {
			if werr := claim.TunnelWrite(buf[:n]); werr != nil {
				return werr
			}
		}
		if err != nil {
			return claim.TunnelClose()
		}
	}
}

// writerOnly hides what else the writer is (a TCP conn's ReadFrom), so
// that CopyBuffer uses the pooled buffer.
type writerOnly struct{ io.Writer }
