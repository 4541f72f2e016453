package control

import (
	"context"
	"errors"
)

// Reloader is a Source that can reload its manifest: the local one, and a
// client of the control socket.
type Reloader interface {
	// Reload re-reads the manifest and applies it, and says what changed;
	// a manifest that does not compile changes nothing, and the error says
	// why, with its lines.
	Reload(ctx context.Context) (string, error)
}

// errNoReload answers a reload on a Local that was given no reload.
var errNoReload = errors.New("this mothership cannot reload")

// SetReload gives the Local what a reload over the control socket runs.
// Call it before the socket serves.
func (l *Local) SetReload(f func(context.Context) (string, error)) { l.reload = f }

// Reload implements Reloader.
func (l *Local) Reload(ctx context.Context) (string, error) {
	if l.reload == nil {
		return "", errNoReload
	}
	return l.reload(ctx)
}

// Reload implements Reloader: it returns once the reload was applied or
// refused.
func (c *Client) Reload(ctx context.Context) (string, error) {
	var msg string
	err := c.call(ctx, request{Op: "reload"}, func(r response) (bool, error) {
		if !r.OK {
			return false, c.unexpected(r)
		}
		msg = r.Message
		return true, nil
	})
	return msg, err
}

// answerReload serves the reload op.
func (s *Server) answerReload(send func(response) error) error {
	r, ok := s.src.(Reloader)
	if !ok {
		return send(response{Error: errNoReload.Error()})
	}
	msg, err := r.Reload(s.ctx)
	if err != nil {
		return send(response{Error: err.Error()})
	}
	return send(response{OK: true, Message: msg})
}
