package acme

import (
	"context"
	"fmt"
	"os"
	"slices"

	"github.com/mothership-go/mothership/manifest"
	"go.uber.org/zap"
)

// Options are what a Manager needs besides the manifest.
type Options struct {
	// Log receives certmagic's events (obtained, renewed, stapled, failed);
	// nil discards them.
	Log EventFunc
	// Getenv reads the environment for the default storage directory
	// ($XDG_DATA_HOME, $HOME); nil is os.Getenv.
	Getenv func(string) string
}

// Manager has the automatic certificates of every acme bind of one
// manifest.
type Manager struct {
	binds   map[string]*Certificates
	order   []string // bind names in manifest order
	closers []func() // storage connections, closed by Stop
	stop    context.CancelFunc
}

// New builds the certmagic configuration of every bind of m whose tls
// has acme; it returns nil and no error when there is none. It opens the
// storage (a PostgreSQL connection when the election is postgres) but
// asks the CA for nothing until Start.
func New(ctx context.Context, m *manifest.Manifest, opts Options) (*Manager, error) {
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	mg := &Manager{binds: map[string]*Certificates{}}
	stores := &storages{m: m, getenv: opts.Getenv}
	for _, b := range m.Mothership.Binds {
		if b.TLS == nil || b.TLS.ACME == nil {
			continue
		}
		err := mg.add(ctx, m, b, stores, zapLogger(opts.Log).With(zap.String("bind", b.Name)))
		mg.closers = stores.closers
		if err != nil {
			mg.Stop()
			return nil, fmt.Errorf("acme: bind %q (line %d): %w", b.Name, b.TLS.ACME.Pos.Line, err)
		}
	}
	if len(mg.order) == 0 {
		return nil, nil
	}
	return mg, nil
}

// add builds b's certificates over the storage its acme table asks for.
func (mg *Manager) add(ctx context.Context, m *manifest.Manifest, b *manifest.Bind, stores *storages, zl *zap.Logger) error {
	st, where, err := stores.open(ctx, b.TLS.ACME)
	if err != nil {
		return err
	}
	c, err := newCertificates(m, b, st, zl)
	if err != nil {
		return err
	}
	c.storage = where
	mg.binds[b.Name] = c
	mg.order = append(mg.order, b.Name)
	return nil
}

// Start has every bind's certificates loaded from storage or obtained
// from the CA, in the background; certmagic renews them from then on.
// Call it once the binds listen: the CA's challenges come to them.
func (mg *Manager) Start(ctx context.Context) error {
	if mg == nil {
		return nil
	}
	ctx, mg.stop = context.WithCancel(ctx)
	for _, name := range mg.order {
		c := mg.binds[name]
		if err := c.cfg.ManageAsync(ctx, c.acme.Domains); err != nil {
			return fmt.Errorf("acme: bind %q: %w", name, err)
		}
	}
	return nil
}

// Load puts the certificates already in storage in the handshakes' cache
// at once, so that a manager replacing another (a reload) serves them from
// its first handshake rather than once Start's background work has loaded
// them. A domain that does not load (nothing stored yet) is left to
// Start, which logs why.
func (mg *Manager) Load(ctx context.Context) {
	for _, name := range mg.order {
		c := mg.binds[name]
		for _, d := range c.acme.Domains {
			_, _ = c.cfg.CacheManagedCertificate(ctx, d)
		}
	}
}

// Stop ends the background work (obtaining, renewals, stapling) and
// closes the storage.
func (mg *Manager) Stop() {
	if mg == nil {
		return
	}
	if mg.stop != nil {
		mg.stop()
	}
	for _, c := range mg.binds {
		c.cache.Stop()
	}
	for _, f := range mg.closers {
		f()
	}
}

// Certificates are the bind's; nil for a bind without acme.
func (mg *Manager) Certificates(bind string) *Certificates {
	if mg == nil {
		return nil
	}
	return mg.binds[bind]
}

// Storage says where each bind's certificates are kept, by bind name.
func (mg *Manager) Storage() map[string]string {
	out := map[string]string{}
	for name, c := range mg.binds {
		out[name] = c.storage
	}
	return out
}

// Serves reports whether mg manages exactly m's acme binds as m declares
// them, with the challenges answered where they were, so that a reload
// can keep it (and its certificates) as it is.
func (mg *Manager) Serves(m *manifest.Manifest) bool {
	n := 0
	for _, b := range m.Mothership.Binds {
		if b.TLS == nil || b.TLS.ACME == nil {
			continue
		}
		n++
		c := mg.Certificates(b.Name)
		if c == nil || !sameACME(&c.acme, b.TLS.ACME) || c.where != challengesAt(m, b) {
			return false
		}
	}
	return mg == nil && n == 0 || mg != nil && n == len(mg.order)
}

// sameACME compares what the manager was built from, not where.
func sameACME(a, b *manifest.ACME) bool {
	return a.Email == b.Email && slices.Equal(a.Domains, b.Domains) && a.CA == b.CA && a.CARoot == b.CARoot && a.Storage == b.Storage
}
