package pgstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"testing"
	"time"
)

// testStorage connects to the machine's PostgreSQL, or skips the test
// when there is none; its keys live under a prefix of the test's own,
// removed at the end.
func testStorage(t *testing.T) (*Storage, string) {
	t.Helper()
	url := cmp.Or(os.Getenv("MOTHERSHIP_TEST_DATABASE_URL"), "postgres://postgres@127.0.0.1:5432/test")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	s, err := New(ctx, url)
	if err != nil {
		t.Skipf("no PostgreSQL at %s (.ci/run starts it): %v", url, err)
	}
	prefix := fmt.Sprintf("pgstore-test-%d", time.Now().UnixNano())
	t.Cleanup(func() {
		s.Delete(context.Background(), prefix)
		s.Close()
	})
	return s, prefix
}

// TestStorageKeys: stored values load back, Stat tells keys from
// directories, List gives direct children or every key below, Delete
// takes a key or a whole directory, and what is not there is
// fs.ErrNotExist.
func TestStorageKeys(t *testing.T) {
	s, p := testStorage(t)
	ctx := context.Background()
	for _, k := range []string{"a/x.crt", "a/x.key", "a/b/y.crt", "c.json"} {
		if err := s.Store(ctx, p+"/"+k, []byte("value of "+k)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Store(ctx, p+"/c.json", []byte("replaced")); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Load(ctx, p+"/c.json"); err != nil || string(v) != "replaced" {
		t.Errorf("Load of a replaced key: %q, %v", v, err)
	}
	if _, err := s.Load(ctx, p+"/none"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load of a missing key: %v, want fs.ErrNotExist", err)
	}
	cases := []struct {
		name      string
		key       string
		terminal  bool
		size      int64
		notExists bool
	}{
		{name: "a key", key: "a/x.crt", terminal: true, size: int64(len("value of a/x.crt"))},
		{name: "a directory", key: "a/b"},
		{name: "a directory with a slash", key: "a/"},
		{name: "nothing", key: "a/z", notExists: true},
		{name: "a prefix that is not a directory", key: "a/x", notExists: true},
	}
	for _, c := range cases {
		info, err := s.Stat(ctx, p+"/"+c.key)
		if c.notExists {
			if !errors.Is(err, fs.ErrNotExist) || s.Exists(ctx, p+"/"+c.key) {
				t.Errorf("%s: Stat %v, want fs.ErrNotExist, and Exists false", c.name, err)
			}
			continue
		}
		if err != nil || info.IsTerminal != c.terminal || info.Size != c.size || !s.Exists(ctx, p+"/"+c.key) {
			t.Errorf("%s: Stat %+v, %v; want terminal %v, size %d", c.name, info, err, c.terminal, c.size)
		}
		if c.terminal && time.Since(info.Modified) > time.Minute {
			t.Errorf("%s: modified %v, want about now", c.name, info.Modified)
		}
	}
	lists := []struct {
		name      string
		prefix    string
		recursive bool
		want      []string
	}{
		{name: "children", prefix: "", want: []string{"a", "c.json"}},
		{name: "children of a", prefix: "a", want: []string{"a/b", "a/x.crt", "a/x.key"}},
		{name: "everything below", prefix: "", recursive: true, want: []string{"a/b/y.crt", "a/x.crt", "a/x.key", "c.json"}},
	}
	for _, c := range lists {
		got, err := s.List(ctx, cmp.Or(p+"/"+c.prefix, p), c.recursive)
		var want []string
		for _, k := range c.want {
			want = append(want, p+"/"+k)
		}
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%s: List %v, %v; want %v", c.name, got, err, want)
		}
	}
	if err := s.Delete(ctx, p+"/a"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, p+"/a"); err != nil {
		t.Errorf("Delete of what is gone: %v, want nil", err)
	}
	if got, err := s.List(ctx, p, true); err != nil || !slices.Equal(got, []string{p + "/c.json"}) {
		t.Errorf("after deleting a: List %v, %v; want only c.json", got, err)
	}
}

// TestLocksContend: two storages (two motherships) contending for one
// lock take turns: the second waits until the first unlocks, a lock whose
// holder's connection dies is free, and a waiter whose context ends gives
// up with its error.
func TestLocksContend(t *testing.T) {
	a, p := testStorage(t)
	b, _ := testStorage(t)
	ctx := context.Background()
	name := p + "/issue_cert_example.com"
	if err := a.Lock(ctx, name); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() { got <- b.Lock(ctx, name) }()
	select {
	case err := <-got:
		t.Fatalf("the second locker got the lock (%v) while the first held it", err)
	case <-time.After(3 * lockPoll):
	}
	if err := a.Unlock(ctx, name); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("the second locker: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the second locker did not get the lock within 5s of the unlock")
	}
	short, cancel := context.WithTimeout(ctx, 3*lockPoll)
	defer cancel()
	if err := a.Lock(short, name); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a lock held elsewhere, waited on until the context ended: %v, want its deadline", err)
	}
	// The holder vanishes: its connection closes, and the lock with it.
	b.mu.Lock()
	b.locks[name].Close(ctx)
	b.mu.Unlock()
	short2, cancel2 := context.WithTimeout(ctx, 5*time.Second)
	defer cancel2()
	if err := a.Lock(short2, name); err != nil {
		t.Errorf("the lock of a vanished holder: %v, want it free", err)
	}
	if err := a.Unlock(ctx, name); err != nil {
		t.Error(err)
	}
	if err := a.Unlock(ctx, name); err == nil {
		t.Error("Unlock of a lock not held: nil, want an error")
	}
}
