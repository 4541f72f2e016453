package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/mothership-go/mothership/telemetry"
)

// writeTimeout is how long a client may leave a response unread before
// its connection is dropped.
const writeTimeout = 10 * time.Second

// Server serves a Source on the control socket.
type Server struct {
	src  Source
	ln   *net.UnixListener
	path string

	ctx    context.Context // ends restarts and follows on Close
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
}

// Listen opens the control socket at path (mode 0600) for src. A stale
// socket left by a mothership that died is replaced; when another
// mothership answers on it, the error wraps ErrRunning. It sets the
// process's umask for the moment of the bind, so call it before anything
// else in the process creates files (before the fleet launches).
func Listen(path string, src Source) (*Server, error) {
	ln, err := listen(path)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{src: src, ln: ln, path: path, ctx: ctx, cancel: cancel, conns: map[net.Conn]struct{}{}}, nil
}

// Path is the socket's path.
func (s *Server) Path() string { return s.path }

// Serve accepts clients until Close; it returns nil after Close.
func (s *Server) Serve() error {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if s.ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("control socket %s: %w", s.path, err)
		}
		if !s.track(c) {
			c.Close()
			return nil
		}
		s.wg.Go(func() {
			defer s.untrack(c)
			s.serveConn(c)
		})
	}
}

// Close stops accepting, ends every connection and removes the socket.
func (s *Server) Close() error {
	s.mu.Lock()
	s.cancel()
	err := s.ln.Close()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx.Err() != nil {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
	c.Close()
}

// serveConn answers one client's requests in turn until it hangs up.
func (s *Server) serveConn(c net.Conn) {
	r := bufio.NewReaderSize(c, 4096)
	enc := json.NewEncoder(c)
	send := func(resp response) error {
		c.SetWriteDeadline(time.Now().Add(writeTimeout))
		return enc.Encode(resp)
	}
	for {
		line, err := readLine(r)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				send(response{Error: err.Error()})
			}
			return
		}
		var req request
		if err := json.Unmarshal(line, &req); err != nil {
			if send(response{Error: fmt.Sprintf("bad request: not a JSON object: %v", err)}) != nil {
				return
			}
			continue
		}
		if err := s.answer(c, req, send); err != nil {
			return
		}
	}
}

// readLine reads one request line, without its newline.
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxRequest {
			return nil, fmt.Errorf("bad request: a line longer than %d bytes", maxRequest)
		}
		switch {
		case err == nil:
			return line[:len(line)-1], nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(line) > 0:
			return line, nil
		default:
			return nil, err
		}
	}
}

// answer serves one request; an error means the connection is done.
func (s *Server) answer(c net.Conn, req request, send func(response) error) error {
	switch req.Op {
	case "status":
		st, err := s.src.Status(s.ctx)
		if err != nil {
			return send(response{Error: err.Error()})
		}
		return send(response{Status: &st})
	case "restart":
		if req.Name == "" {
			return send(response{Error: `bad request: restart needs "name", the ship or bay to restart`})
		}
		if err := s.src.Restart(s.ctx, req.Name); err != nil {
			return send(response{Error: err.Error()})
		}
		return send(response{OK: true})
	case "logs":
		return s.logs(c, req.LogQuery, send)
	case "reload":
		return s.answerReload(send)
	}
	return send(response{Error: fmt.Sprintf(`bad request: unknown op %q (want "status", "logs", "restart" or "reload")`, req.Op)})
}

// logs sends the lines q asks for. A follow lasts until the client hangs
// up, which a read on the connection notices, or the server closes.
func (s *Server) logs(c net.Conn, q LogQuery, send func(response) error) error {
	ctx := s.ctx
	if q.Follow {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(s.ctx)
		defer cancel()
		go func() {
			io.Copy(io.Discard, c)
			cancel()
		}()
	}
	err := s.src.Logs(ctx, q, func(e telemetry.Entry) error { return send(response{Entry: &e}) })
	if err != nil || q.Follow {
		return errors.Join(err, io.EOF)
	}
	return send(response{OK: true})
}
