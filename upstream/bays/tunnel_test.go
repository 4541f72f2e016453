package bays

import (
	"io"
	"testing"
	"time"

	"github.com/mothership-go/mothership/docking"
	"github.com/mothership-go/mothership/pipeline/pipelinetest"
)

// tunnelBay docks a fake HTTP bay that answers every Hail with a tunnel
// Reply of status, then echoes each Haul upper-cased until the client's
// FIN, which it answers with its own.
func tunnelBay(t *testing.T, status uint16) *docking.Berth {
	t.Helper()
	socket := serveBay(t, docking.Dock{Version: docking.VersionHTTP, Ship: "rack", PID: 1, Threads: 1}, func(r *docking.Reader, w *docking.Writer) {
		h, _, err := readRequest(r)
		if err != nil {
			return
		}
		w.WriteReply(&docking.Reply{RequestID: h.RequestID, Status: status, Kind: docking.ReplyTunnel, Headers: []docking.Pair{
			{Name: []byte("upgrade"), Value: []byte("echo")},
			{Name: []byte("connection"), Value: []byte("Upgrade")},
		}})
		w.Flush()
		for {
			f, err := r.Next()
			if err != nil {
				return
			}
			var hl docking.Haul
			if hl.Decode(f.Payload) != nil {
				return
			}
			if hl.Fin {
				w.WriteHaul(h.RequestID, true, nil)
				w.Flush()
				return
			}
			out := make([]byte, len(hl.Data))
			for i, c := range hl.Data {
				out[i] = c &^ 0x20
			}
			w.WriteHaul(h.RequestID, false, out)
			w.Flush()
		}
	})
	return dock(t, docking.VersionHTTP, socket)
}

func TestHTTPBayTunnel(t *testing.T) {
	s := &httpBay{berth: tunnelBay(t, 101), timeout: time.Second, errorLog: discard, maxBody: 1 << 20}
	x, c := newExchange(t, "GET", "/ws", "", "Upgrade", "echo", "Connection", "Upgrade")
	done := make(chan struct{})
	go func() {
		s.Serve(x, nil)
		close(done)
	}()
	<-c.hijacked
	if c.rec.Code != 101 || c.rec.Header().Get("Upgrade") != "echo" {
		t.Fatalf("tunnel head %d %v, want 101 with the bay's Upgrade", c.rec.Code, c.rec.Header().Fields())
	}
	c.client.SetDeadline(time.Now().Add(5 * time.Second))
	c.client.Write([]byte("abc"))
	c.client.(interface{ CloseWrite() error }).CloseWrite()
	got, err := io.ReadAll(c.client)
	if string(got) != "ABC" || err != nil {
		t.Errorf("through the tunnel: %q, %v; want the bay's answer, then the end", got, err)
	}
	<-done
}

func TestHTTPBayTunnelWithoutA101IsAnAnswer(t *testing.T) {
	s := &httpBay{berth: tunnelBay(t, 200), timeout: time.Second, errorLog: discard, maxBody: 1 << 20}
	x, c := newExchange(t, "GET", "/ws", "", "Upgrade", "echo", "Connection", "Upgrade")
	s.Serve(x, nil)
	rec := x.Response.(*pipelinetest.Recorder)
	select {
	case <-c.hijacked:
		t.Error("the connection was taken over without a 101")
	default:
	}
	if rec.Code != 200 || len(rec.Body) != 0 {
		t.Errorf("a tunnel reply of 200: %d %q, want 200 and the bay's (empty) bytes", rec.Code, rec.Body)
	}
}
