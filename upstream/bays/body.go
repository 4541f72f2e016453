package bays

import (
	"bytes"
	"fmt"
	"github.com/mothership-go/mothership/pipeline"
	"io"
	"os"
	"sync"
)

// A request to an HTTP bay is read whole before a link is claimed (the
// protocol announces the body's length in the Hail, and a slow client must
// not hold a bay thread): in memory up to bayBodyInMemory, in an unlinked
// temporary file beyond, as the HTTP bay itself spools, and refused with
// 413 past the route's max_body_size.
const bayBodyInMemory = 1 << 20

// spooledBody is a request body read whole.
type spooledBody struct {
	mem  *bytes.Buffer
	file *os.File
	n    int64
}

var spoolBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// noBody is the body of every request that declares none.
var noBody = &spooledBody{}

// spool reads body to its end, at most limit bytes of it (a longer one is
// pipeline.ErrBodyTooLarge). declared is the Content-Length, or -1 when the
// body is chunked.
func spool(body io.Reader, declared, limit int64) (*spooledBody, error) {
	switch {
	case declared == 0:
		return noBody, nil
	case declared > limit:
		return nil, pipeline.ErrBodyTooLarge
	}
	s := &spooledBody{mem: spoolBuffers.Get().(*bytes.Buffer)}
	s.mem.Reset()
	n, err := s.mem.ReadFrom(io.LimitReader(body, bayBodyInMemory+1))
	s.n = n
	if err != nil {
		s.release()
		return nil, fmt.Errorf("reading the request body: %w", err)
	}
	if n <= bayBodyInMemory {
		return s, nil
	}
	f, err := os.CreateTemp("", "mothership-body-*")
	if err != nil {
		s.release()
		return nil, fmt.Errorf("spooling the request body: %w", err)
	}
	// Unlinked at once: the file goes when it is closed, even after a crash.
	os.Remove(f.Name())
	s.file = f
	_, err = s.mem.WriteTo(f)
	spoolBuffers.Put(s.mem)
	s.mem = nil
	if err != nil {
		s.release()
		return nil, fmt.Errorf("spooling the request body: %w", err)
	}
	more, err := io.Copy(f, io.LimitReader(body, limit+1-n))
	s.n += more
	switch {
	case err != nil:
		err = fmt.Errorf("reading the request body: %w", err)
	case s.n > limit:
		err = pipeline.ErrBodyTooLarge
	}
	if err != nil {
		s.release()
		return nil, err
	}
	return s, nil
}

// reader reads the body from its start, each time it is called: a request
// retried on another link sends it again.
func (s *spooledBody) reader() io.Reader {
	switch {
	case s.file != nil:
		return io.NewSectionReader(s.file, 0, s.n)
	case s.mem == nil:
		return eof{}
	}
	return bytes.NewReader(s.mem.Bytes())
}

// eof is the reader of no body.
type eof struct{}

func (eof) Read([]byte) (int, error) { return 0, io.EOF }

// release lets go of the body's memory or file.
func (s *spooledBody) release() {
	if s.file != nil {
		s.file.Close()
		s.file = nil
	}
	if s.mem != nil {
		if s.mem.Cap() <= 4*bayBodyInMemory {
			spoolBuffers.Put(s.mem)
		}
		s.mem = nil
	}
}
