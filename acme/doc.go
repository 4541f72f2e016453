// Package acme owns the certificates of TLS binds whose `tls` has `acme`:
// one certmagic.Config with one ACMEIssuer per bind, the certificates
// obtained once the binds listen (Start), renewed in the background and
// stapled with their OCSP answers (certmagic's own maintenance, never
// turned off), the handshake's certificate (Certificates.Get), the CA's
// HTTP-01 challenges on plain binds (ServeChallenge) and TLS-ALPN-01 on
// the TLS bind itself (engine.ACMETLS1 offered by ALPN), where they are
// kept (a directory, or PostgreSQL through pgstore so that several
// motherships share one certificate), and what clearance can check of it
// (Check).
//
// certmagic logs through zap; zap.go turns its entries into the
// mothership's own log events.
package acme
