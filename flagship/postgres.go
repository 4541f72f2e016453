package flagship

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mothership-go/mothership/manifest"
)

// channel is the NOTIFY channel. Escorts of every lock name listen on it and
// re-read their own record, so the payload is for people watching.
const channel = "mothership_flagship"

// pollEvery is how often a waiting escort re-reads the record without being
// woken, which is how it notices a flagship that vanished without a word.
const pollEvery = time.Second

// guardClass and guardObj key the transaction lock every transaction on the
// record takes first ("mshp", 0).
const guardClass, guardObj int32 = 0x6d736870, 0

// The states of the record.
const (
	running   = "running"
	succeeded = "succeeded"
	failed    = "failed"
)

const createTable = `CREATE TABLE IF NOT EXISTS mothership_flagship (
	lock_name  text PRIMARY KEY,
	state      text NOT NULL CHECK (state IN ('running', 'succeeded', 'failed')),
	detail     text NOT NULL DEFAULT '',
	deploy     text NOT NULL DEFAULT '',
	updated_at timestamptz NOT NULL DEFAULT now()
)`

const upsert = `INSERT INTO mothership_flagship (lock_name, state, detail, deploy, updated_at)
VALUES ($1, $2, $3, $4, now())
ON CONFLICT (lock_name) DO UPDATE
SET state = excluded.state, detail = excluded.detail, deploy = excluded.deploy, updated_at = excluded.updated_at`

// lockKey is the advisory lock key of a lock name: its 64-bit FNV-1a hash,
// which is the same on every platform and in every version.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return int64(h.Sum64())
}

// election is this mothership's part in a postgres election.
type election struct {
	conn   *pgx.Conn
	name   string // lock_name
	key    int64
	deploy string
	log    func(string, ...any)
}

func electPostgres(ctx context.Context, cfg manifest.Flagship, deploy string, runPrelaunch func(context.Context) error, log func(string, ...any)) (Role, error) {
	if cfg.ElectionURL == "" {
		return "", errors.New("flagship: a postgres election needs election_url")
	}
	ectx, cancel := within(ctx, cfg.ElectionTimeout)
	defer cancel()
	conn, err := pgx.Connect(ectx, cfg.ElectionURL)
	if err != nil {
		return "", fmt.Errorf("flagship: connecting to the election database: %w", err)
	}
	// Ending the session releases the lock, on every way out.
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	e := &election{conn: conn, name: cfg.LockName, key: lockKey(cfg.LockName), deploy: deploy, log: log}
	err = e.inTx(ectx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ectx, createTable); err != nil {
			return err
		}
		// Listening before the first look is what makes a notification sent
		// after that look impossible to miss.
		_, err := tx.Exec(ectx, "LISTEN "+channel)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("flagship: preparing the election table: %w", err)
	}
	v, err := e.look(ectx, true)
	if v == wait {
		log("postgres election: escort, waiting for the flagship's prelaunch", "lock", e.name, "deploy", e.deploy, "timeout", cfg.PrelaunchTimeout)
		v, err = e.await(ctx, cfg.PrelaunchTimeout)
	}
	switch v {
	case lead:
		return RoleFlagship, e.lead(ctx, cfg.ElectionTimeout, runPrelaunch)
	case proceed:
		log("postgres election: escort, the flagship's prelaunch succeeded", "lock", e.name, "deploy", e.deploy)
		return RoleEscort, nil
	case abort:
		return RoleEscort, err
	}
	return "", err
}

// inTx runs fn in a transaction that holds the guard, so that nobody sees
// the lock and the record halfway through a change. Read committed gives
// every statement a fresh snapshot, whatever the server's default.
func (e *election) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, e.conn, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1, $2)", guardClass, guardObj); err != nil {
			return err
		}
		return fn(tx)
	})
}

// lead runs the prelaunch jobs as the flagship and records their outcome.
func (e *election) lead(ctx context.Context, timeout time.Duration, runPrelaunch func(context.Context) error) error {
	e.log("postgres election: flagship, running prelaunch", "lock", e.name, "deploy", e.deploy)
	perr := runPrelaunch(ctx)
	state, detail := succeeded, ""
	if perr != nil {
		state, detail = failed, perr.Error()
	}
	// Recorded even when ctx ended during prelaunch, so that escorts learn
	// why instead of seeing the flagship vanish.
	rctx, cancel := within(context.WithoutCancel(ctx), timeout)
	defer cancel()
	if err := e.inTx(rctx, func(tx pgx.Tx) error { return e.record(rctx, tx, state, detail) }); err != nil {
		return errors.Join(perr, fmt.Errorf("flagship: telling the escorts the prelaunch %s: %w", state, err))
	}
	e.log("postgres election: prelaunch outcome recorded", "lock", e.name, "state", state)
	// Let go of the lock now, not when the session ends: the server sees
	// the end a moment after Close, and a server starting in that moment
	// would find the lock held and wait a poll for nothing.
	if _, err := e.conn.Exec(rctx, "SELECT pg_advisory_unlock($1)", e.key); err != nil {
		e.log("postgres election: the lock is released when the session ends", "lock", e.name, "error", err.Error())
	}
	return perr
}

// record writes the record and notifies the escorts when tx commits.
func (e *election) record(ctx context.Context, tx pgx.Tx, state, detail string) error {
	if _, err := tx.Exec(ctx, upsert, e.name, state, detail, e.deploy); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, "SELECT pg_notify($1, json_build_object('lock_name', $2::text, 'state', $3::text, 'deploy', $4::text)::text)",
		channel, e.name, state, e.deploy)
	return err
}

// await waits as an escort until a look at the record decides, a
// notification or pollEvery prompting each look.
func (e *election) await(ctx context.Context, timeout time.Duration) (verdict, error) {
	wctx, cancel := within(ctx, timeout)
	defer cancel()
	for {
		nctx, ncancel := context.WithTimeout(wctx, pollEvery)
		_, err := e.conn.WaitForNotification(nctx)
		ncancel()
		if err != nil && !pgconn.Timeout(err) {
			return abort, fmt.Errorf("flagship: waiting for the flagship: %w", err)
		}
		v, err := e.look(wctx, false)
		switch {
		case ctx.Err() != nil:
			return abort, fmt.Errorf("flagship: waiting for the flagship: %w", ctx.Err())
		case wctx.Err() != nil:
			return abort, fmt.Errorf("flagship: the flagship's prelaunch did not finish within %v (prelaunch_timeout); aborting", timeout)
		case v == undecided:
			return abort, err
		case v != wait:
			return v, err
		}
	}
}

// look takes the lock if it is free and reads the record, and decides. As
// the flagship-to-be it marks the record running in the same transaction;
// otherwise it lets go of the lock at once.
func (e *election) look(ctx context.Context, first bool) (verdict, error) {
	v, verr := undecided, error(nil)
	err := e.inTx(ctx, func(tx pgx.Tx) error {
		var got bool
		if err := tx.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", e.key).Scan(&got); err != nil {
			return err
		}
		// A statement of its own, for a snapshot taken after the lock was
		// tried: a flagship commits its outcome before it lets go of the lock.
		var rec record
		err := tx.QueryRow(ctx, "SELECT state, detail, deploy FROM mothership_flagship WHERE lock_name = $1", e.name).
			Scan(&rec.state, &rec.detail, &rec.deploy)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		v, verr = decide(rec, got, first, e.deploy)
		switch {
		case v == lead:
			return e.record(ctx, tx, running, "")
		case got:
			_, err := tx.Exec(ctx, "SELECT pg_advisory_unlock($1)", e.key)
			return err
		}
		return nil
	})
	if err != nil {
		return undecided, fmt.Errorf("flagship: reading the election record: %w", err)
	}
	return v, verr
}
