package proxy

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"slices"
	"time"

	"github.com/mothership-go/mothership/engine"
	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/routetree"
)

// Change is what a Swap changed, for the reload's log line.
type Change struct {
	// Generation is the new plan's number; the first plan is 1.
	Generation int64
	// RoutesBefore and RoutesAfter count the routes of the old and new plan.
	RoutesBefore, RoutesAfter int
	// BindsAdded and BindsRemoved name the binds opened and closed; a bind
	// whose address changed is in both.
	BindsAdded, BindsRemoved []string
	// OldPlanIdle closes once no request runs on the old plan any more:
	// then nothing sends traffic to what only the old plan routed to.
	OldPlanIdle <-chan struct{}
}

// Swap compiles m's routes into a new plan and makes it current, bind by
// bind, with an atomic pointer store: a request in flight finishes on the
// plan it began on, the next one takes the new plan. New binds (and binds
// whose address, PROXY protocol or TLS-ness changed) are opened; binds that
// are gone have closed their listeners when Swap returns (their ports are
// free) and drain their connections in the background; a kept TLS bind
// takes its new certificates. A new bind at the address of one that goes
// takes over its socket, with the connections waiting on it.
// When anything fails (a route that does not compile, certificates that
// do not load, an address in use), Swap changes nothing and returns the
// error. Limits and trusted proxies of kept binds stay as they were.
func (s *Server) Swap(m *manifest.Manifest, tree *routetree.Tree, opts Options) (Change, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.cur
	p, err := compilePlan(m, tree, opts, old.gen+1)
	if err != nil {
		return Change{}, err
	}
	ch := Change{Generation: p.gen, RoutesBefore: old.routes, RoutesAfter: p.routes, OldPlanIdle: old.idle}
	limits := limitsOf(m.Mothership.Limits)
	var opened []*bind
	replaced := s.replacedSockets(tree)
	sharedFrom := map[*bind]*bind{} // a retiring bind → the new bind on its socket
	kept := map[string]*certSource{}
	undo := func(err error) (Change, error) {
		for _, b := range opened {
			b.ln.Close()
		}
		return Change{}, err
	}
	for _, bt := range tree.Binds {
		name := bt.Bind.Name
		if ob := s.byName[name]; ob != nil && sameListener(ob.bind, bt.Bind) {
			certs, err := loadCertificates(m, bt.Bind, opts.ACME, p.build.ErrorLog)
			if err != nil {
				return undo(err)
			}
			kept[name] = certs
			continue
		}
		nb, err := s.newBind(m, bt.Bind, p, limits)
		var share *bind
		if err == nil {
			share = replaced[bt.Bind.Addr]
			err = nb.listen(share.socketOrNil())
		}
		if err != nil {
			return undo(err)
		}
		if share != nil {
			sharedFrom[share] = nb
		}
		opened = append(opened, nb)
	}
	// Nothing can fail from here on.
	s.opts, s.cur = opts, p
	if s.started {
		p.start()
	}
	var binds []*bind
	for _, b := range s.binds {
		if certs, ok := kept[b.bind.Name]; ok {
			b.certs.Store(certs)
			b.handler.cur.Store(p.binds[b.bind.Name])
			binds = append(binds, b)
			continue
		}
		ch.BindsRemoved = append(ch.BindsRemoved, b.bind.Name)
		if nb := sharedFrom[b]; nb != nil {
			engine.HandOver(b.socket, nb.socket)
		}
		s.retireBind(b, m.Mothership.DrainTimeout)
	}
	for _, nb := range opened {
		binds = append(binds, nb)
		s.byName[nb.bind.Name] = nb
		ch.BindsAdded = append(ch.BindsAdded, nb.bind.Name)
		if s.started {
			go s.serveAdded(nb)
		}
	}
	for _, name := range ch.BindsRemoved {
		if !slices.Contains(ch.BindsAdded, name) {
			delete(s.byName, name)
		}
	}
	s.binds = binds
	s.retiring.Go(func() { old.retire(s.shut) })
	return ch, nil
}

// sameListener reports whether a bind can keep its listener: same
// address, same PROXY protocol, TLS on both or on neither, automatic
// certificates on both or on neither (their ALPN names differ).
func sameListener(a, b *manifest.Bind) bool {
	pa, pb := a.ProxyProtocol, b.ProxyProtocol
	samePROXY := pa.Enabled == pb.Enabled && pa.Untrusted == pb.Untrusted && slices.Equal(pa.Trusted, pb.Trusted)
	sameTLS := (a.TLS == nil) == (b.TLS == nil) && (a.TLS == nil || (a.TLS.ACME == nil) == (b.TLS.ACME == nil))
	return a.Addr == b.Addr && samePROXY && sameTLS
}

// replacedSockets maps the address of each bind that tree drops or must
// reopen (its PROXY protocol or TLS changed) to that bind: a new bind at
// the same address shares its socket, so that a reload which moves an
// address between binds, or changes how a bind listens, neither fails on
// an address in use nor refuses connections for a moment.
func (s *Server) replacedSockets(tree *routetree.Tree) map[manifest.Addr]*bind {
	next := map[string]*manifest.Bind{}
	for _, bt := range tree.Binds {
		next[bt.Bind.Name] = bt.Bind
	}
	out := map[manifest.Addr]*bind{}
	for _, b := range s.binds {
		if nb := next[b.bind.Name]; nb != nil && sameListener(b.bind, nb) {
			continue
		}
		if b.socket == nil {
			continue
		}
		// By the address the manifest wrote and the one bound: a bind
		// that asked for port 0 is found at the port it got.
		if engine.Shareable(b.bind.Addr) {
			out[b.bind.Addr] = b
		}
		out[manifest.Addr{Network: b.bind.Addr.Network, Address: b.socket.Addr().String()}] = b
	}
	return out
}

// socketOrNil is b's socket, nil for no bind.
func (b *bind) socketOrNil() net.Listener {
	if b == nil {
		return nil
	}
	return b.socket
}

// serveAdded serves a bind a Swap opened; its failure is logged.
func (s *Server) serveAdded(b *bind) {
	if err := b.engine.Serve(b.ln); err != nil {
		b.engine.ErrorLog.Printf("proxy: %v", err)
	}
}

// retireBind closes the listener of a bind that a Swap removed before
// Swap returns, so that a reload that reports the bind removed has freed
// its port; then, in the background, it drains the bind's connections
// within drain (0: at once for idle connections, busy ones are given
// closeWait).
func (s *Server) retireBind(b *bind, drain time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), max(drain, closeWait))
	// The engine drains first: its Serve then takes the closed listener
	// for the end of the drain, not for a failure.
	b.engine.StopAccepting(ctx)
	b.ln.Close() // when its Serve has not begun yet, the engine does not know it
	s.retiring.Go(func() {
		defer cancel()
		if err := b.engine.Shutdown(ctx); err != nil {
			b.engine.ErrorLog.Printf("proxy: removed %v", err)
		}
		b.engine.CloseUpgraded()
	})
}

// Generation returns the current plan's number: 1 until the first Swap.
func (s *Server) Generation() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur.gen
}

// String formats a change for the reload's log line.
func (c Change) String() string {
	return fmt.Sprintf("routes %d → %d, binds added %v, removed %v", c.RoutesBefore, c.RoutesAfter, c.BindsAdded, c.BindsRemoved)
}

// CertificateNames are the names each TLS bind serves a certificate for
// (the DNS names of each leaf, else its common name), with the leaf, in
// bind and certificate order.
func (s *Server) CertificateNames() []CertificateName {
	s.mu.Lock()
	binds := slices.Clone(s.binds)
	s.mu.Unlock()
	var out []CertificateName
	for _, b := range binds {
		cs := b.certs.Load()
		if cs == nil {
			continue
		}
		for _, leaf := range cs.certs.Leaves() {
			names := leaf.DNSNames
			if len(names) == 0 {
				names = []string{leaf.Subject.CommonName}
			}
			for _, n := range names {
				out = append(out, CertificateName{Bind: b.bind.Name, Name: n, Leaf: leaf})
			}
		}
	}
	return out
}

// CertificateName is one name a TLS bind serves a certificate for.
type CertificateName struct {
	Bind, Name string
	Leaf       *x509.Certificate
}
