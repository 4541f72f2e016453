// Package pgstore is a certmagic.Storage in PostgreSQL, on pgx: the
// certificates, keys and ACME account of several motherships in one
// table, and certmagic's locks as advisory locks, so that motherships
// sharing a database obtain each certificate once and never race the CA.
//
// A lock is held on a connection of its own: a mothership that dies lets
// go of its locks with its connection, without a timeout to wait out.
package pgstore

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/caddyserver/certmagic"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Table is the table the storage keeps its keys in, created if missing.
const Table = "mothership_certmagic"

// lockPoll is how often a Lock that waits asks again.
const lockPoll = 250 * time.Millisecond

// Storage keeps certmagic's keys in Table and its locks as advisory locks.
type Storage struct {
	url   string
	pool  *pgxpool.Pool
	mu    sync.Mutex
	locks map[string]*pgx.Conn // held locks, each on its own connection
}

var _ certmagic.Storage = (*Storage)(nil)

// New connects to the database at url and creates Table when it is
// missing.
func New(ctx context.Context, url string) (*Storage, error) {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("pgstore: %w", err)
	}
	s := &Storage{url: url, pool: pool, locks: map[string]*pgx.Conn{}}
	if err := s.createTable(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// createTable creates Table under a transaction's advisory lock: two
// motherships starting at once would otherwise both try.
func (s *Storage) createTable(ctx context.Context) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", lockKey("create "+Table)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "CREATE TABLE IF NOT EXISTS "+Table+" (key text PRIMARY KEY, value bytea NOT NULL, modified timestamptz NOT NULL DEFAULT now())")
		return err
	})
	if err != nil {
		return fmt.Errorf("pgstore: creating table %s: %w", Table, err)
	}
	return nil
}

// Close releases the held locks and closes the connections.
func (s *Storage) Close() {
	s.mu.Lock()
	for name, c := range s.locks {
		c.Close(context.Background())
		delete(s.locks, name)
	}
	s.mu.Unlock()
	s.pool.Close()
}

// Store puts value at key, replacing what was there.
func (s *Storage) Store(ctx context.Context, key string, value []byte) error {
	_, err := s.pool.Exec(ctx, "INSERT INTO "+Table+" (key, value, modified) VALUES ($1, $2, now()) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, modified = now()", key, value)
	if err != nil {
		return fmt.Errorf("pgstore: storing %s: %w", key, err)
	}
	return nil
}

// Load returns the value at key; fs.ErrNotExist when there is none.
func (s *Storage) Load(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := s.pool.QueryRow(ctx, "SELECT value FROM "+Table+" WHERE key = $1", key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("pgstore: %s: %w", key, fs.ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("pgstore: loading %s: %w", key, err)
	}
	return v, nil
}

// Delete removes key and every key under it (key/…); a key that is not
// there is no error.
func (s *Storage) Delete(ctx context.Context, key string) error {
	_, err := s.pool.Exec(ctx, "DELETE FROM "+Table+" WHERE key = $1 OR starts_with(key, $2)", key, dirPrefix(key))
	if err != nil {
		return fmt.Errorf("pgstore: deleting %s: %w", key, err)
	}
	return nil
}

// Exists reports whether key is a key or has keys under it.
func (s *Storage) Exists(ctx context.Context, key string) bool {
	_, err := s.Stat(ctx, key)
	return err == nil
}

// Stat describes key: a terminal key with its size and modification
// time, or a directory when only keys under it exist.
func (s *Storage) Stat(ctx context.Context, key string) (certmagic.KeyInfo, error) {
	info := certmagic.KeyInfo{Key: key, IsTerminal: true}
	err := s.pool.QueryRow(ctx, "SELECT modified, length(value) FROM "+Table+" WHERE key = $1", key).Scan(&info.Modified, &info.Size)
	if err == nil {
		return info, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return info, fmt.Errorf("pgstore: stat %s: %w", key, err)
	}
	var under bool
	if err := s.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+Table+" WHERE starts_with(key, $1))", dirPrefix(key)).Scan(&under); err != nil {
		return info, fmt.Errorf("pgstore: stat %s: %w", key, err)
	}
	if !under {
		return info, fmt.Errorf("pgstore: %s: %w", key, fs.ErrNotExist)
	}
	return certmagic.KeyInfo{Key: key}, nil
}

// List returns the keys under prefix: with recursive every key below it,
// else its direct children (a child with keys under it listed once, as
// a directory is).
func (s *Storage) List(ctx context.Context, prefix string, recursive bool) ([]string, error) {
	rows, err := s.pool.Query(ctx, "SELECT key FROM "+Table+" WHERE starts_with(key, $1) ORDER BY key", dirPrefix(prefix))
	if err != nil {
		return nil, fmt.Errorf("pgstore: listing %s: %w", prefix, err)
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("pgstore: listing %s: %w", prefix, err)
	}
	if recursive {
		return keys, nil
	}
	var out []string
	for _, k := range keys {
		rest := strings.TrimPrefix(k, dirPrefix(prefix))
		child := dirPrefix(prefix) + strings.SplitN(rest, "/", 2)[0]
		if len(out) == 0 || out[len(out)-1] != child {
			out = append(out, child)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("pgstore: %s: %w", prefix, fs.ErrNotExist)
	}
	return out, nil
}

// dirPrefix is what keys under key begin with: "key/", or "" for the root.
func dirPrefix(key string) string {
	key = strings.TrimSuffix(key, "/")
	if key == "" {
		return ""
	}
	return key + "/"
}

// lockKey is the advisory lock's number for a name.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(Table + " " + name))
	return int64(h.Sum64())
}

// Lock takes the named lock, waiting until whoever holds it (this or
// another mothership) lets go, or ctx ends.
func (s *Storage) Lock(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, s.url)
	if err != nil {
		return fmt.Errorf("pgstore: lock %s: %w", name, err)
	}
	for {
		var got bool
		if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", lockKey(name)).Scan(&got); err != nil {
			conn.Close(context.Background())
			return fmt.Errorf("pgstore: lock %s: %w", name, err)
		}
		if got {
			break
		}
		select {
		case <-ctx.Done():
			conn.Close(context.Background())
			return fmt.Errorf("pgstore: lock %s: %w", name, ctx.Err())
		case <-time.After(lockPoll):
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.locks[name] = conn
	return nil
}

// Unlock lets the named lock go: its connection ends, and with it the
// advisory lock.
func (s *Storage) Unlock(ctx context.Context, name string) error {
	s.mu.Lock()
	conn := s.locks[name]
	delete(s.locks, name)
	s.mu.Unlock()
	if conn == nil {
		return fmt.Errorf("pgstore: unlock %s: not locked here", name)
	}
	return conn.Close(ctx)
}

// String names the storage in certmagic's logs.
func (s *Storage) String() string { return "postgresql:" + Table }
