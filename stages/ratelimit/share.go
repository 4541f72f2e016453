package ratelimit

import "sync/atomic"

// A share is what one server may still admit for one key (the global
// bucket, or one client's) in the current shared window, kept in one
// atomic word so that the request path and the sync agree without a lock:
//
//	bits 53..62  window tag: the window's index mod 1023, plus one (0 = empty)
//	bit  52      reserved: the granted count is reserved in the store
//	bits 26..51  granted: how many this server may admit until the next sync
//	bits  0..25  used: how many it admitted against granted
//
// A share whose tag is not the current window's is spent: the first
// request of a window starts it afresh, unreserved, with the fresh count
// (limit / live servers). The sync reports used, releases the
// reservation and stores the new grant (see sync.go).
type share struct{ v atomic.Uint64 }

const (
	countBits = 26
	countMask = 1<<countBits - 1
	tagShift  = 2*countBits + 1
	reserved  = 1 << (2 * countBits)
)

// windowTag is the tag of window index w; never 0, which marks an empty
// share.
func windowTag(w int64) uint64 { return uint64(w)%1023 + 1 }

func packShare(tag uint64, res bool, granted, used uint64) uint64 {
	v := tag<<tagShift | granted<<countBits | used
	if res {
		v |= reserved
	}
	return v
}

func unpackShare(v uint64) (tag uint64, res bool, granted, used uint64) {
	return v >> tagShift, v&reserved != 0, v >> countBits & countMask, v & countMask
}

// take admits one request in the window tagged tag, starting the window
// with fresh when the share is of another, or tells it has no room.
func (s *share) take(tag, fresh uint64) bool {
	for {
		v := s.v.Load()
		t, _, granted, used := unpackShare(v)
		var nv uint64
		switch {
		case t != tag:
			if fresh == 0 {
				return false
			}
			nv = packShare(tag, false, fresh, 1)
		case used >= granted:
			return false
		default:
			nv = v + 1
		}
		if s.v.CompareAndSwap(v, nv) {
			return true
		}
	}
}

// untake gives back a request take admitted and the local bucket then
// refused.
func (s *share) untake(tag uint64) {
	for {
		v := s.v.Load()
		if t, _, _, used := unpackShare(v); t != tag || used == 0 {
			return
		}
		if s.v.CompareAndSwap(v, v-1) {
			return
		}
	}
}

// claimed is what a sync reads of a share: a zero claim (the share is of
// another window, or has nothing to report or release) needs no store.
type claimed struct {
	used, held uint64
}

// snapshot reads the share for the window tagged tag, and empties it when
// it is of neither that window nor the next, so that a tag that comes
// round again after 1023 windows does not find it.
func (s *share) snapshot(tag, nextTag uint64) claimed {
	for {
		v := s.v.Load()
		t, res, granted, used := unpackShare(v)
		if t == tag {
			c := claimed{used: used}
			if res {
				c.held = granted
			}
			return c
		}
		if t == 0 || t == nextTag || s.v.CompareAndSwap(v, 0) {
			return claimed{}
		}
	}
}

// settle applies a sync's answer to a share still of the window tagged
// tag: with ok, the grant is reserved and counts from the reported used
// on (what was admitted during the round trip counts against it); without,
// the store is unreachable and the share falls back to fresh for the rest
// of the window.
func (s *share) settle(tag uint64, reported uint64, ok bool, grant, fresh uint64) {
	for {
		v := s.v.Load()
		t, res, _, used := unpackShare(v)
		if t != tag {
			return
		}
		var nv uint64
		switch {
		case ok:
			nv = packShare(tag, true, min(grant, countMask), used-min(used, reported))
		case res:
			nv = packShare(tag, false, fresh, used-min(used, reported))
		default:
			return // unreserved: its used keeps counting the whole window
		}
		if s.v.CompareAndSwap(v, nv) {
			return
		}
	}
}
