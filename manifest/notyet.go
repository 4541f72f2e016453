package manifest

// checkNotYet warns about what the manifest asks for and this build cannot
// do yet, so that nobody mistakes it for done: a bind named https (or on
// port 443) serves plain HTTP, since there is no TLS.
func checkNotYet(r *reader, m *Manifest) {
	// A WarpDrive file's https_port gets its warning where it is read.
	if m.Dialect != DialectWarpDrive {
		for _, b := range m.Mothership.Binds {
			if b.Name == "https" || b.Addr.Network == "tcp" && b.Addr.Port() == 443 {
				r.warnf(b.Pos.Key, "there is no TLS yet: bind %s on %s serves plain HTTP; put a TLS terminator in front, or rename the bind", b.Name, b.Addr)
			}
		}
	}
}
