package rawsock

import "net"

// WriteRead is nc's WriteRead when nc is a *Conn (see there), else a
// Write of w then a Read into r.
func WriteRead(nc net.Conn, w, r []byte) (int, error) {
	if wr, ok := nc.(interface {
		WriteRead(w, r []byte) (int, error)
	}); ok {
		return wr.WriteRead(w, r)
	}
	if _, err := nc.Write(w); err != nil {
		return 0, err
	}
	return nc.Read(r)
}
