package fleet

import (
	"math/rand/v2"
	"time"
)

// backoff is the delay before restarting after the n-th crash in a row
// (n ≥ 1): base × 2^(n-1), give or take 10% so that processes that crashed
// together don't all come back in the same instant.
func backoff(base time.Duration, n int) time.Duration {
	d := base << min(n-1, 20) // 2^20 s is twelve days: a cap, never an overflow
	return time.Duration(float64(d) * (0.9 + 0.2*rand.Float64()))
}
