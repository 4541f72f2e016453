package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"syscall"

	"github.com/mothership-go/mothership/telemetry"
)

// ErrNotRunning is the cause of a Client call when no mothership listens
// on the socket.
var ErrNotRunning = errors.New("no mothership is running")

// Client is a Source over the control socket of a running mothership.
// Each call is a connection of its own, so calls may run concurrently.
type Client struct {
	path string
}

// NewClient returns a client of the socket at path; it connects on each call.
func NewClient(path string) *Client { return &Client{path: path} }

// Status implements Source.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var st Status
	err := c.call(ctx, request{Op: "status"}, func(r response) (bool, error) {
		if r.Status == nil {
			return false, c.unexpected(r)
		}
		st = *r.Status
		return true, nil
	})
	return st, err
}

// Restart implements Source: it returns once the process is ready again.
func (c *Client) Restart(ctx context.Context, name string) error {
	return c.call(ctx, request{Op: "restart", Name: name}, func(r response) (bool, error) {
		if !r.OK {
			return false, c.unexpected(r)
		}
		return true, nil
	})
}

// Logs implements Source. A follow ends with nil when ctx ends, and with
// an error when the mothership goes away.
func (c *Client) Logs(ctx context.Context, q LogQuery, fn func(telemetry.Entry) error) error {
	err := c.call(ctx, request{Op: "logs", LogQuery: q}, func(r response) (bool, error) {
		switch {
		case r.Entry != nil:
			return false, fn(*r.Entry)
		case r.OK:
			return true, nil
		}
		return false, c.unexpected(r)
	})
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// call sends req and hands each response line to each until it reports
// done or fails.
func (c *Client) call(ctx context.Context, req request, each func(response) (done bool, err error)) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", c.path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED) {
			return fmt.Errorf("%w: nothing listens on the control socket %s", ErrNotRunning, c.path)
		}
		return fmt.Errorf("control socket %s: %w", c.path, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return fmt.Errorf("control socket %s: %w", c.path, err)
	}
	dec := json.NewDecoder(bufio.NewReader(conn))
	for {
		var r response
		if err := dec.Decode(&r); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("control socket %s: the mothership hung up: %w", c.path, err)
		}
		done, err := each(r)
		if err != nil || done {
			return err
		}
	}
}

// unexpected turns an error response, or one of the wrong kind, into an error.
func (c *Client) unexpected(r response) error {
	if r.Error != "" {
		return errors.New(r.Error)
	}
	return fmt.Errorf("control socket %s: an unexpected response", c.path)
}
