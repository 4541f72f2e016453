package main

import (
	"context"

	"github.com/mothership-go/mothership/acme"
	"github.com/mothership-go/mothership/manifest"
)

// openACME builds the automatic certificates of m's acme binds, logging
// where each bind keeps them; nil when m has none.
func (v *voyage) openACME(ctx context.Context, m *manifest.Manifest) (*acme.Manager, error) {
	mg, err := acme.New(ctx, m, acme.Options{Log: v.log.Event})
	if err != nil || mg == nil {
		return nil, err
	}
	for bind, where := range mg.Storage() {
		v.log.Info("automatic certificates", "bind", bind, "storage", where)
	}
	return mg, nil
}

// reloadACME is the manager a reload to m serves with: the current one
// when m's acme binds are as they were (its certificates and renewals go
// on), else a new one, which the caller starts once the swap is done
// (commitACME) or stops when it fails.
func (v *voyage) reloadACME(ctx context.Context, m *manifest.Manifest) (*acme.Manager, error) {
	if v.acme.Serves(m) {
		return v.acme, nil
	}
	mg, err := v.openACME(ctx, m)
	if mg != nil {
		mg.Load(ctx) // the kept binds' handshakes find their certificates at once
	}
	return mg, err
}

// commitACME makes mg, which a reload swapped in, the current manager:
// a new one starts and the old one stops.
func (v *voyage) commitACME(mg *acme.Manager) {
	if mg == v.acme {
		return
	}
	old := v.acme
	v.acme = mg
	v.startACME()
	old.Stop()
}

// startACME has the current manager obtain or load its certificates, in
// the background, now that the binds serve the CA's challenges.
func (v *voyage) startACME() {
	if err := v.acme.Start(context.Background()); err != nil {
		v.log.Error("automatic certificates", "error", err.Error())
	}
}
