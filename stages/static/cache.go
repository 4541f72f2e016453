package static

import (
	"container/list"
	"os"
	"sync"
	"time"

	"github.com/mothership-go/mothership/stages/compress"
)

// What is compressed on the fly: a text file without a precompressed
// sibling the client accepts, between minEncoded and maxEncoded bytes, is
// encoded once and kept encoded, at most cacheBytes of them per server
// (the least recently served go first).
const (
	minEncoded = 1 << 10
	maxEncoded = 1 << 20
	cacheBytes = 32 << 20
)

// encodedCache keeps files encoded on the fly, bounded in bytes. An entry
// is valid for the file's modification time and size it was made from; a
// file that changed is encoded again.
type encodedCache struct {
	mu      sync.Mutex
	used    int64
	entries map[cacheKey]*list.Element
	lru     list.List // of *encoded, most recent first
}

type cacheKey struct {
	root *os.Root
	name string
	enc  compress.Encoding
}

// encoded is one file in one coding.
type encoded struct {
	key  cacheKey
	mod  time.Time
	size int64
	data []byte
}

func newEncodedCache() *encodedCache {
	return &encodedCache{entries: map[cacheKey]*list.Element{}}
}

// get returns the file encoded as k says, if it is kept for this version
// of the file.
func (c *encodedCache) get(k cacheKey, mod time.Time, size int64) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[k]
	if !ok {
		return nil, false
	}
	e := el.Value.(*encoded)
	if !e.mod.Equal(mod) || e.size != size {
		c.remove(el)
		return nil, false
	}
	c.lru.MoveToFront(el)
	return e.data, true
}

// put keeps data, evicting the least recently served to stay in bounds.
func (c *encodedCache) put(k cacheKey, mod time.Time, size int64, data []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[k]; ok {
		c.remove(el)
	}
	c.entries[k] = c.lru.PushFront(&encoded{key: k, mod: mod, size: size, data: data})
	c.used += int64(len(data))
	for c.used > cacheBytes {
		c.remove(c.lru.Back())
	}
}

func (c *encodedCache) remove(el *list.Element) {
	e := c.lru.Remove(el).(*encoded)
	delete(c.entries, e.key)
	c.used -= int64(len(e.data))
}
