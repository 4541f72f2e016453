package wasm

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// poolBound is how many instances of one module may exist at once: enough
// that a guest stuck until its timeout does not hold up the requests
// behind it, few enough that the memory of a module stays bounded
// (poolBound × memory_limit at most).
//
// An http-wasm instance is held from handle_request until handle_response,
// that is for as long as the target takes, so its bound is the number of
// requests it may have in flight instead.
func poolBound(a *abi) int {
	if a == httpWasmABI {
		return max(256, 64*runtime.GOMAXPROCS(0))
	}
	return max(8, 4*runtime.GOMAXPROCS(0))
}

// initTimeout bounds a new instance's start (_initialize, where a Go
// guest's runtime starts, or a TinyGo command's _start), whatever the
// module's per-call timeout.
const initTimeout = 5 * time.Second

// errBusy is what a call gets when every instance stayed busy for the
// module's whole timeout.
var errBusy = errors.New("every instance stayed busy for the whole timeout")

// pool holds a module's idle instances. slots has one token per instance
// alive or being made, so that at most cap(slots) exist.
type pool struct {
	mod   *module
	slots chan struct{}
	mu    sync.Mutex
	idle  []*instance
}

func newPool(mod *module, bound int) *pool {
	return &pool{mod: mod, slots: make(chan struct{}, bound)}
}

// instance is one instantiated guest. Its context carries it to the host
// functions and is cancelled by its timer when a call runs too long,
// which stops the guest; the instance is then discarded.
type instance struct {
	mod     *module
	m       api.Module
	entry   api.Function // on_request, on_response or handle_request
	respond api.Function // handle_response (http-wasm)
	stack   [2]uint64    // the parameters and results of a call
	// features are the http-wasm features enabled while it started.
	features uint32
	ctx      context.Context
	cancel   context.CancelFunc
	timer    *time.Timer
	call     *call // the call in progress, nil between calls
	out      *lineWriter
	errw     *lineWriter
}

// get takes an idle instance or makes one, waiting up to the module's
// timeout when the pool is at its bound.
func (p *pool) get() (*instance, error) {
	select {
	case p.slots <- struct{}{}:
	default:
		t := time.NewTimer(p.mod.timeout)
		defer t.Stop()
		select {
		case p.slots <- struct{}{}:
		case <-t.C:
			return nil, errBusy
		}
	}
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		in := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return in, nil
	}
	p.mu.Unlock()
	in, err := p.mod.instantiate()
	if err != nil {
		<-p.slots
		return nil, err
	}
	return in, nil
}

// put gives back an instance whose call ended well.
func (p *pool) put(in *instance) {
	p.mu.Lock()
	p.idle = append(p.idle, in)
	p.mu.Unlock()
	<-p.slots
}

// discard closes an instance whose call failed: it is never used again.
func (p *pool) discard(in *instance) {
	in.close()
	<-p.slots
}

// close closes the idle instances.
func (p *pool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, in := range p.idle {
		in.close()
	}
	p.idle = nil
}

func (in *instance) close() {
	in.timer.Stop()
	in.cancel()
	_ = in.m.Close(context.Background())
	in.out.flush()
	in.errw.flush()
}

// instantiate makes an instance: WASI without a filesystem, arguments or
// environment, clocks and random allowed, output as log lines, and a
// reactor's _initialize (or a TinyGo command's _start, whose main
// registers its handlers and returns) run once, within initTimeout. The instance's
// context is its own, not a request's: it outlives the request that made
// it.
func (mod *module) instantiate() (*instance, error) {
	in := &instance{mod: mod, out: mod.lineWriter("stdout"), errw: mod.lineWriter("stderr")}
	in.ctx, in.cancel = context.WithCancel(context.WithValue(context.Background(), instanceKey{}, in))
	in.timer = time.AfterFunc(initTimeout, in.cancel)
	cfg := wazero.NewModuleConfig().WithName("").WithStartFunctions("_initialize", "_start").
		WithStdout(in.out).WithStderr(in.errw).WithSysWalltime().WithSysNanotime().WithSysNanosleep().WithRandSource(rand.Reader)
	m, err := mod.rt.InstantiateModule(in.ctx, mod.compiled, cfg)
	fired := !in.timer.Stop()
	if err != nil || fired {
		in.cancel()
		if m != nil {
			_ = m.Close(context.Background())
		}
		if fired {
			return nil, fmt.Errorf("instantiating: its start (_initialize or _start) ran past %v", initTimeout)
		}
		return nil, fmt.Errorf("instantiating: %w", err)
	}
	if m.IsClosed() {
		// A command's main returned through proc_exit(0): nothing is left
		// to call.
		in.cancel()
		return nil, errors.New("instantiating: its _start exited, so its exports cannot be called; a Go guest is built with -buildmode=c-shared")
	}
	in.m, in.entry = m, m.ExportedFunction(mod.entry)
	if mod.abi == httpWasmABI {
		in.respond = m.ExportedFunction("handle_response")
	}
	return in, nil
}

// run calls fn for c under the module's timeout, with stack holding its
// parameters and then its results, and reports whether the instance may
// serve again.
func (in *instance) run(c *call, timeout time.Duration, fn api.Function, stack []uint64) (reusable bool, err error) {
	in.call = c
	in.timer.Reset(timeout)
	err = fn.CallWithStack(in.ctx, stack)
	fired := !in.timer.Stop()
	in.call = nil
	switch {
	case c.err != nil:
		return false, c.err
	case fired:
		return false, fmt.Errorf("ran past its timeout of %v", timeout)
	case err != nil:
		return false, err
	}
	return true, nil
}
