package docking

import (
	"fmt"
	"strings"
)

// Handshake runs Mothership's side of link setup: it reads the bay's Dock,
// which must be the link's first frame, checks that it speaks version, the
// family the manifest declares for the bay (VersionWebSocket or
// VersionHTTP), and answers with a Moored carrying that version and config,
// agreeing to Freight when a WebSocket bay asked for it.
// It returns the Dock.
func Handshake(r *Reader, w *Writer, version int, config map[string]string) (Dock, error) {
	var d Dock
	f, err := r.Next()
	if err == nil {
		err = f.Expect(TypeDock)
	}
	if err == nil {
		err = d.Decode(f.Payload)
	}
	if err != nil {
		return d, handshakeError{err}
	}
	if err := checkVersion(d.Version, version); err != nil {
		return d, fmt.Errorf("docking: handshake with %q: %w", d.Ship, err)
	}
	err = w.WriteMoored(Moored{Version: version, Config: config, Binary: d.Binary && version == VersionWebSocket})
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		return d, handshakeError{err}
	}
	return d, nil
}

// checkVersion refuses a Dock whose version is not the family expected; a
// version neither family has (2 exists, but nobody knows what it was) is
// named as such, since no Moored could satisfy that bay.
func checkVersion(got, want int) error {
	switch got {
	case want:
		return nil
	case VersionWebSocket, VersionHTTP:
		return fmt.Errorf("bay docked with protocol v%d (%s), expected v%d (%s)", got, family(got), want, family(want))
	}
	return fmt.Errorf("bay docked with protocol v%d, which is not v1 (websocket) or v3 (http)", got)
}

// family names a family by its version, as the manifest does.
func family(version int) string {
	switch version {
	case VersionWebSocket:
		return "websocket"
	case VersionHTTP:
		return "http"
	}
	return "unknown"
}

// BayHandshake runs a bay's side of link setup: it sends d, then waits for
// Moored, which it returns. An HTTP bay (d.Version VersionHTTP) refuses a
// Moored older than v3, as the HTTP bay does; a WebSocket bay takes any
// version, as the WebSocket bay does.
func BayHandshake(r *Reader, w *Writer, d Dock) (Moored, error) {
	var m Moored
	err := w.WriteDock(d)
	if err == nil {
		err = w.Flush()
	}
	var f Frame
	if err == nil {
		f, err = r.Next()
	}
	if err == nil {
		err = f.Expect(TypeMoored)
	}
	if err == nil {
		err = m.Decode(f.Payload)
	}
	if err != nil {
		return m, handshakeError{err}
	}
	if d.Version == VersionHTTP && m.Version < VersionHTTP {
		return m, fmt.Errorf("docking: handshake: Mothership speaks docking protocol v%d, the bay needs v%d", m.Version, VersionHTTP)
	}
	return m, nil
}

// handshakeError says that err happened during the handshake, without
// repeating the "docking: " its message already starts with.
type handshakeError struct{ err error }

func (e handshakeError) Error() string {
	return "docking: handshake: " + strings.TrimPrefix(e.err.Error(), "docking: ")
}

func (e handshakeError) Unwrap() error { return e.err }
