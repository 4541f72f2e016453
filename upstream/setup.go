package upstream

import (
	"cmp"
	"context"
	"fmt"
	"github.com/mothership-go/mothership/internal/fieldpolicy"
	"net/http"
	"strings"
	"time"

	"github.com/mothership-go/mothership/internal/shipgate"
	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/routetree"
)

// Timeouts when a route sets none.
const (
	// DefaultConnectTimeout bounds connecting to a target.
	DefaultConnectTimeout = 5 * time.Second
	// DefaultReadTimeout bounds the wait for a target's response head, and
	// then between two reads of its body; a slower target gets 504.
	DefaultReadTimeout = 60 * time.Second
	// DefaultRequestBuffer is how much of a request body is read before an
	// upstream connection is taken (nginx's client_body_buffer_size is
	// 8–16 KiB in memory, then a file; bodies here stream past this bound).
	DefaultRequestBuffer = 64 << 10
)

// Options are what the forward stage needs besides the manifest.
type Options struct {
	// Resolve gives the addresses of a route's target, once per route at
	// build time; an error makes the route answer 502 with its text.
	Resolve func(manifest.Target) ([]manifest.Addr, error)
	// RequestBuffer is how much of a request body is read in full before an
	// upstream connection is taken; 0 means DefaultRequestBuffer, a negative
	// value streams every body.
	RequestBuffer int
	// Gate gives the routing state of the fleet's ship at an address, nil
	// when no ship binds it; a nil Gate means no address has one.
	Gate func(manifest.Addr) *shipgate.Gate
}

// pools are the pools of every address, shared by the routes of a server
// (one pool per address and connect timeout).
type pools map[poolKey]*Pool

type poolKey struct {
	addr    manifest.Addr
	connect time.Duration
}

// Builder returns the builder of the forward stage: for every route whose
// target is a ship or an HTTP upstream, a stage that forwards to its
// addresses. Routes to bays (and docking upstreams) are left to
// upstream/bays: the builder returns nil for them.
func Builder(opts Options) pipeline.Builder {
	return func(b *pipeline.Build, r *routetree.Route) (pipeline.Stage, error) {
		return build(b, r, opts)
	}
}

func build(b *pipeline.Build, r *routetree.Route, opts Options) (pipeline.Stage, error) {
	up := upstreamOf(b.Manifest, r.Target)
	if r.Target.Kind == manifest.TargetBay || up != nil && up.Protocol == manifest.UpstreamDocking {
		return nil, nil
	}
	name := RouteName(r)
	addrs, err := opts.Resolve(r.Target)
	if err != nil {
		b.ErrorLog.Printf("upstream: %s: %v; it answers 502", name, err)
		return Refuse{pipeline.NewAnswer(http.StatusBadGateway, err.Error())}, nil
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("%s resolved to no address", r.Target)
	}
	v, err := b.Shared(poolsKey{}, func() (any, error) {
		ps := pools{}
		b.OnDrain(func(context.Context) {
			for _, p := range ps {
				p.CloseIdle()
			}
		})
		return ps, nil
	})
	if err != nil {
		return nil, err
	}
	ps := v.(pools)
	f := &forward{
		edit:     PathEditOf(r),
		policy:   PolicyOf(b, r),
		read:     cmp.Or(r.Source.ReadTimeout, DefaultReadTimeout),
		buffer:   bufferBound(opts.RequestBuffer),
		errorLog: b.ErrorLog,
		name:     name,
	}
	if up != nil {
		f.balance.strategy = strategyOf(up.Strategy)
		f.pool = up.Name
	}
	connect := cmp.Or(r.Source.ConnectTimeout, DefaultConnectTimeout)
	for _, a := range addrs {
		k := poolKey{addr: a, connect: connect}
		if ps[k] == nil {
			ps[k] = NewPool(a, connect)
		}
		t := &target{pool: ps[k], gate: gateAt(opts, a)}
		if up != nil {
			if t.member, err = memberOf(b, up, a, len(addrs) > 1); err != nil {
				return nil, err
			}
		}
		f.balance.targets = append(f.balance.targets, t)
	}
	if protocolOf(b.Manifest, r.Target) == manifest.UpstreamH2C {
		return newH2C(b, f)
	}
	return f, nil
}

// memberKey names a member of an upstream pool in Build.Shared.
type memberKey struct {
	upstream string
	addr     manifest.Addr
}

// memberOf is the member a of upstream up, one per plan for all the
// routes to up; it is checked and observed while the plan runs.
func memberOf(b *pipeline.Build, up *manifest.Upstream, a manifest.Addr, eject bool) (*member, error) {
	v, err := b.Shared(memberKey{up.Name, a}, func() (any, error) {
		m := &member{pool: up.Name, addr: a.String(), eject: eject, events: b.Events}
		if up.Health != nil {
			m.h.unhealthyAt, m.h.healthyAt = up.Health.UnhealthyThreshold, up.Health.HealthyThreshold
		}
		if m.events == nil {
			m.events = func(level, msg string, kv ...any) { b.ErrorLog.Println(append([]any{level, msg}, kv...)...) }
		}
		obs, _ := b.Observer.(MemberObservers)
		b.OnStart(func(ctx context.Context) { m.run(ctx, obs, a, up.Health) })
		return m, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*member), nil
}

// poolsKey keeps the pools in Build.Shared.
type poolsKey struct{}

// upstreamOf is the manifest's upstream a target names, or nil.
func upstreamOf(m *manifest.Manifest, t manifest.Target) *manifest.Upstream {
	if t.Kind != manifest.TargetUpstream || m == nil {
		return nil
	}
	for _, u := range m.Mothership.Upstreams {
		if u.Name == t.Name {
			return u
		}
	}
	return nil
}

// RouteName names a route in logs: where it is declared and its target.
func RouteName(r *routetree.Route) string {
	return fmt.Sprintf("%s (line %d, %s)", r.Source.Pos.Key, r.Source.Pos.Line, r.Target)
}

// AddFields returns the route's add_headers, which replace any field of
// the same name the client sent.
func AddFields(r *routetree.Route) []pipeline.Field {
	var add []pipeline.Field
	for _, h := range r.Source.AddHeaders {
		add = append(add, pipeline.Field{Name: h.Name, Value: h.Value})
	}
	return add
}

// PolicyOf is the header policy of route r (internal/fieldpolicy), with
// underscores_in_headers as the route or its bind sets it.
func PolicyOf(b *pipeline.Build, r *routetree.Route) fieldpolicy.Policy {
	p := fieldpolicy.Policy{Add: AddFields(r)}
	if b.Manifest != nil {
		p.Underscores = b.Manifest.RulesOf(r.Bind, r.Source).KeepUnderscores()
	}
	return p
}

// bufferBound is Options.RequestBuffer with its default.
func bufferBound(n int) int {
	switch {
	case n == 0:
		return DefaultRequestBuffer
	case n < 0:
		return 0
	}
	return n
}

// Refuse is the stage of a route that cannot reach its target (its
// addresses do not resolve, its bay has no berth): it answers every
// request with Answer.
type Refuse struct{ Answer *pipeline.Answer }

// Serve writes the answer.
func (r Refuse) Serve(x *pipeline.Exchange, _ pipeline.Handler) { r.Answer.Write(x.Response) }

// PathEdit is a route's strip_prefix and rewrite. Forward applies it to
// the path as the client escaped it; a bay gets it applied to the decoded
// path (PATH_INFO, a Boarding's path).
type PathEdit struct {
	strip    string
	from, to string
}

// PathEditOf returns r's path edit.
func PathEditOf(r *routetree.Route) PathEdit {
	return PathEdit{strip: r.StripPrefix, from: r.RewritePrefix, to: r.Source.Rewrite}
}

// None reports whether the route edits no path.
func (e PathEdit) None() bool { return e.strip == "" && e.from == "" }

// AppendPath appends the edited path p to dst, without building a string;
// what it appends starts with "/" when p does.
func (e PathEdit) AppendPath(dst []byte, p string) []byte {
	if e.strip != "" {
		if rest, ok := strings.CutPrefix(p, e.strip); ok {
			p = rest
			if p == "" || p[0] != '/' {
				dst = append(dst, '/')
			}
		}
	}
	if e.from != "" {
		if rest, ok := strings.CutPrefix(p, e.from); ok {
			dst = append(dst, e.to...)
			p = rest
		}
	}
	return append(dst, p...)
}
