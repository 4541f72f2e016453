package engine

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mothership-go/mothership/pipeline"
)

// loadClient sends GETs on one keep-alive connection, each the moment the
// last answer is in, as wrk does, until the server closes it: it counts
// answers, and requests written on a kept-alive connection (one that had
// an answer already) that were never answered: lost. A first request on
// a connection still in the listen backlog when the listener closed is
// refused by the kernel; that is not a keep-alive connection lost.
func loadClient(addr string, answered, lost *atomic.Int64, stop <-chan struct{}) {
	for {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return // the listener is closed: nothing was sent, nothing lost
		}
		br := bufio.NewReader(c)
		for n := 0; ; n++ {
			select {
			case <-stop:
				c.Close()
				return
			default:
			}
			if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
				break // closed before the request went: not lost
			}
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			res, err := http.ReadResponse(br, nil)
			if err != nil {
				if n > 0 {
					lost.Add(1)
				}
				break
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			answered.Add(1)
			if res.Close {
				break
			}
		}
		c.Close()
	}
}

// TestDrainUnderLoadLosesNoRequest shuts the server down among busy
// keep-alive clients: every request written gets its answer (the last
// ones with Connection: close); none is cut by the drain closing a
// connection as idle while the request was on its way.
func TestDrainUnderLoadLosesNoRequest(t *testing.T) {
	for round := range 2 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		s := &Server{Bind: "http", Handler: handlerFunc(func(x *pipeline.Exchange) {
			x.Response.Header().Set("Content-Length", "2")
			x.Response.Write([]byte("ok"))
		})}
		go s.Serve(ln)
		var answered, lost atomic.Int64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() { loadClient(ln.Addr().String(), &answered, &lost, stop) })
		}
		time.Sleep(300 * time.Millisecond)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("round %d: Shutdown: %v", round, err)
		}
		cancel()
		close(stop)
		wg.Wait()
		if lost.Load() != 0 || answered.Load() == 0 {
			t.Errorf("round %d: %d answered, %d lost by the drain; want none lost", round, answered.Load(), lost.Load())
		}
	}
}
