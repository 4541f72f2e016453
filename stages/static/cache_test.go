package static

import (
	"testing"
	"time"

	"github.com/mothership-go/mothership/stages/compress"
)

// TestEncodedCacheBounds checks that the cache stays within cacheBytes,
// losing the least recently served first, and that an entry made from
// another version of the file is not served.
func TestEncodedCacheBounds(t *testing.T) {
	c := newEncodedCache()
	mod := time.Unix(1700000000, 0)
	key := func(i int) cacheKey { return cacheKey{name: string(rune('a' + i)), enc: compress.Gzip} }
	const each = maxEncoded
	n := cacheBytes/each + 1 // one too many: one must go
	for i := range n {
		c.put(key(i), mod, 10, make([]byte, each))
		if i == 1 {
			c.get(key(0), mod, 10) // served again: not the first to go
		}
	}
	if c.used > cacheBytes {
		t.Errorf("the cache holds %d bytes, more than %d", c.used, cacheBytes)
	}
	if _, ok := c.get(key(0), mod, 10); !ok {
		t.Errorf("the entry served again was evicted before older ones")
	}
	if _, ok := c.get(key(1), mod, 10); ok {
		t.Errorf("the least recently served entry is still there")
	}
	if _, ok := c.get(key(n-1), mod.Add(time.Second), 10); ok {
		t.Errorf("an entry of another modification time was served")
	}
	if _, ok := c.get(key(n-1), mod, 10); ok {
		t.Errorf("a stale entry was kept after it was found stale")
	}
}
