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
func windowTag(w int64) uint64 { return uint64(w)%tagCycle + 1 }

// tagCycle is how many window tags there are before they come round.
const tagCycle = 1023

// ahead reports whether tag a is of a later window than tag b, one of
// the next half cycle of windows (8 minutes of one-second windows). A
// request reads the clock before it takes from a share; stalled in
// between, it may find the share already in a later window, and must not
// turn it back: each turn would start that window's count afresh.
func ahead(a, b uint64) bool {
	d := (a + tagCycle - b) % tagCycle
	return a != 0 && b != 0 && d > 0 && d <= tagCycle/2
}

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
// with fresh when the share is of an earlier one, and returns the tag of
// the window it counted in, or 0 when there is no room. A request whose
// window the share is already past counts in the share's window, the one
// it is admitted in.
func (s *share) take(tag, fresh uint64) (counted uint64) {
	for {
		v := s.v.Load()
		t, _, granted, used := unpackShare(v)
		// Off the common case (the share is of this window) only.
		if t != tag && ahead(t, tag) {
			tag = t
		}
		var nv uint64
		switch {
		case t != tag:
			if fresh == 0 {
				return 0
			}
			nv = packShare(tag, false, fresh, 1)
		case used >= granted:
			return 0
		default:
			nv = v + 1
		}
		if s.v.CompareAndSwap(v, nv) {
			return tag
		}
	}
}

// untake gives back a request take admitted, counted in the window
// tagged tag, and the local bucket then refused.
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
// it is of an earlier window, so that a tag that comes round again after
// tagCycle windows does not find it. A share of a later window (the next,
// or, after a sync stalled across windows, a later one) is left alone:
// emptying it would start its window's count afresh.
func (s *share) snapshot(tag uint64) claimed {
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
		if t == 0 || ahead(t, tag) || s.v.CompareAndSwap(v, 0) {
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
