package acme

import (
	"context"
	"fmt"
	"os"

	"github.com/caddyserver/certmagic"
	"github.com/mothership-go/mothership/acme/pgstore"
	"github.com/mothership-go/mothership/manifest"
)

// storages opens where each acme bind keeps its certificates, sharing one
// PostgreSQL store among the binds of a manifest.
type storages struct {
	m       *manifest.Manifest
	getenv  func(string) string
	pg      *pgstore.Storage
	closers []func()
}

// open returns the bind's storage and says where it is: the acme table's
// storage directory, else PostgreSQL when the manifest's flagship is
// elected there, else the manifest's own directory under $XDG_DATA_HOME.
func (s *storages) open(ctx context.Context, a *manifest.ACME) (certmagic.Storage, string, error) {
	if dir, ok := StorageDir(s.m, a, s.getenv); ok {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, "", fmt.Errorf("certificate storage: %w", err)
		}
		return &certmagic.FileStorage{Path: dir}, dir, nil
	}
	if s.pg == nil {
		pg, err := pgstore.New(ctx, s.m.Mothership.Flagship.ElectionURL)
		if err != nil {
			return nil, "", fmt.Errorf("certificate storage: %w", err)
		}
		s.pg = pg
		s.closers = append(s.closers, pg.Close)
	}
	return s.pg, "postgresql table " + pgstore.Table, nil
}

// close closes what open opened, when New gives up.
func (s *storages) close() {
	for _, f := range s.closers {
		f()
	}
}

// StorageDir is the directory a's certificates are kept in and true, or
// false when they are kept in PostgreSQL (the flagship election's
// database, when `storage` names no directory).
func StorageDir(m *manifest.Manifest, a *manifest.ACME, getenv func(string) string) (string, bool) {
	if a.Storage != "" {
		return m.Path(a.Storage), true
	}
	f := m.Mothership.Flagship
	if f.Enabled && f.Election == manifest.ElectionPostgres && f.ElectionURL != "" {
		return "", false
	}
	return m.DataDir(getenv) + "/certificates", true
}
