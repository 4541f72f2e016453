package manifest

// checkNotYet warns about what the manifest asks for and this build cannot
// do yet, so that nobody mistakes it for done: a bind named https (or on
// port 443) without tls serves plain HTTP.
func checkNotYet(r *reader, m *Manifest) {
	// A WarpDrive file's https_port gets its warning where it is read.
	if m.Dialect != DialectWarpDrive {
		for _, b := range m.Mothership.Binds {
			if b.TLS == nil && (b.Name == "https" || b.Addr.Network == "tcp" && b.Addr.Port() == 443) {
				r.warnf(b.Pos.Key, "bind %s on %s has no tls and serves plain HTTP; give it tls = { cert = \"…\", key = \"…\" }, or rename the bind", b.Name, b.Addr)
			}
		}
	}
}
