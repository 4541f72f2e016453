package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mothership-go/mothership/acme"
	"github.com/mothership-go/mothership/control"
	"github.com/mothership-go/mothership/docking"
	"github.com/mothership-go/mothership/flagship"
	"github.com/mothership-go/mothership/fleet"
	"github.com/mothership-go/mothership/internal/sdnotify"
	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/proxy"
	"github.com/mothership-go/mothership/routetree"
	"github.com/mothership-go/mothership/telemetry"
	"github.com/mothership-go/mothership/uplink"
	"github.com/mothership-go/mothership/upstream"
	"github.com/mothership-go/mothership/upstream/bays"
	"github.com/spf13/pflag"
)

// Exit statuses of `run`, so that a platform restarts what should restart.
const (
	exitLanded  = 0 // a clean shutdown
	exitCrashed = 1 // the launch failed, or a critical ship's circuit opened
)

func runCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("run", stderr)
	o := runFlags(fs)
	if code, done := parse(fs, args); done {
		return code
	}
	if *o.dash && !needTerminal("run", stdout, stderr) {
		return exitUsage
	}
	v, out, err := newVoyage(stdout, *o.format, *o.debug)
	if err != nil {
		fmt.Fprintf(stderr, "mothership run: %v\n", err)
		return exitUsage
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(signals)
	// SIGHUP is caught from the start: before Running it would end the
	// process; a reload then waits for the launch.
	reloads := make(chan os.Signal, 1)
	signal.Notify(reloads, syscall.SIGHUP)
	defer signal.Stop(reloads)
	go v.watchSignals(signals, cancel)

	m, tree, ok := loadForCommand("run", *o.path, "launched", stderr)
	if !ok {
		return v.land(fleet.Failed, exitUsage, errors.New("the manifest has problems"))
	}
	if missing := machineProblems(m); len(missing) > 0 {
		return v.land(fleet.Failed, exitUsage, fmt.Errorf("this machine lacks what the manifest names: %s", strings.Join(missing, "; ")))
	}
	v.manifestPath = *o.path
	v.logStart(m, applyCPUs(m))
	v.warnManifest(m)
	v.drain = m.Mothership.DrainTimeout
	if err := v.prepare(m, tree, splitTags(*o.only), splitTags(*o.except)); err != nil {
		return v.shutdown(fleet.Failed, exitCrashed, err)
	}
	if *o.dash {
		v.dashboard = openDashboard(v.local, out, cancel, v.log.Error)
	}
	if code, launched := v.launch(ctx, m); !launched {
		return code
	}
	return v.fly(ctx, m, *o.watch, reloads)
}

// runOptions are run's flags.
type runOptions struct {
	path, only, except, format *string
	debug, dash, watch         *bool
}

func runFlags(fs *pflag.FlagSet) runOptions {
	return runOptions{
		path:   manifestFlag(fs),
		only:   fs.String("only", "", "launch only ships and bays with these tags (comma-separated), and what they depend on"),
		except: fs.String("except", "", "launch everything but ships and bays with these tags"),
		format: fs.String("log-format", "text", "log format: text or json"),
		debug:  fs.Bool("debug", false, "log debug events"),
		dash:   fs.Bool("tui", false, "show the dashboard instead of the log (needs a terminal)"),
		watch:  fs.Bool("watch", false, "reload the manifest when its file changes, as SIGHUP does"),
	}
}

// launch takes the fleet from Preflight through the election and the
// prelaunch jobs to Launching; when it does not get there, launched is
// false and code is the landing's exit status.
func (v *voyage) launch(ctx context.Context, m *manifest.Manifest) (code int, launched bool) {
	v.phase(fleet.Preflight)
	if err := v.checkUplinks(ctx, m); err != nil {
		return v.shutdown(fleet.Failed, exitCrashed, err), false
	}
	if m.Mothership.Flagship.Enabled {
		v.phase(fleet.Electing)
	}
	// A signal during the launch stops it; that is a landing, not a failure.
	failed := func(err error) (int, bool) {
		if ctx.Err() != nil {
			return v.shutdown(fleet.Landed, exitLanded, nil), false
		}
		return v.shutdown(fleet.Failed, exitCrashed, err), false
	}
	role, err := flagship.Coordinate(ctx, m.Mothership.Flagship, os.LookupEnv, func(ctx context.Context) error {
		v.phase(fleet.Prelaunch)
		return v.fleet.RunPrelaunch(ctx)
	}, v.log.Info)
	if role != "" {
		v.role = string(role)
		v.metrics.SetRole(v.role)
	}
	if err != nil {
		return failed(err)
	}
	var bays []string
	for _, p := range v.fleet.Status() {
		if p.Kind == "bay" {
			bays = append(bays, p.Name)
		}
	}
	v.phases.launch(bays)
	if err := v.fleet.Launch(ctx); err != nil {
		return failed(err)
	}
	return 0, true
}

// fly serves the launched fleet, Running, with phased restarts and
// reloads, until a signal lands it or a critical ship or the proxy fails;
// it returns the landing's exit status.
func (v *voyage) fly(ctx context.Context, m *manifest.Manifest, watch bool, reloads chan os.Signal) int {
	served := make(chan error, 1)
	go func() {
		// Serve returns nil at once when no bind is declared (a fleet of
		// workers): that is not the proxy failing.
		if err := v.srv.Serve(); err != nil {
			served <- err
		}
	}()
	v.startACME()
	v.reloadMu.Lock()
	v.running = true
	v.reloadMu.Unlock()
	restarts := make(chan os.Signal, 1)
	signal.Notify(restarts, syscall.SIGUSR1)
	defer signal.Stop(restarts)
	go v.watchPhasedRestarts(ctx, restarts)
	go v.watchReloads(ctx, reloads)
	// The watch is in place before Running is told: a save made once a
	// user (or a script) sees Running is not lost.
	if watch {
		if err := v.watchManifest(ctx, filepath.Join(m.Dir, filepath.Base(m.File))); err != nil {
			v.log.Warn("not watching the manifest", "error", err.Error())
		}
	}
	v.phase(fleet.Running)
	v.phases.fly()
	select {
	case <-ctx.Done():
		return v.shutdown(fleet.Landed, exitLanded, nil)
	case err := <-v.fleet.Crashed():
		return v.shutdown(fleet.Crashed, exitCrashed, err)
	case err := <-served:
		return v.shutdown(fleet.Crashed, exitCrashed, fmt.Errorf("proxy: %w", err))
	}
}

// voyage carries one run of the mothership through its phases to a landing.
type voyage struct {
	log        *telemetry.Log
	metrics    *telemetry.Metrics
	phases     *phaseWatch  // Mayday while a process is down, Running when all are back
	hub        *control.Hub // the recent log, for the control socket
	fleet      *fleet.Fleet
	local      *control.Local  // the fleet as the control socket and the dashboard read it
	control    *control.Server // nil without a control socket
	dashboard  *dashboard      // nil without --tui
	srv        *proxy.Server
	acme       *acme.Manager        // nil without acme binds; replaced by a reload that changes them
	access     *telemetry.AccessLog // nil with access_log = false
	out        io.Writer            // stdout, held back while the dashboard is up
	textLog    bool                 // --log-format text
	metricsSrv interface{ Close() error }
	drain      time.Duration
	role       string
	forced     chan struct{}
	notify     sdnotify.Notifier
	restarting sync.Map // pid → struct{}: a restart of the bay stuck in that process is under way

	manifestPath string             // as --manifest gave it, for reloads
	yard         *docking.Yard      // the bays' berths, kept across reloads
	reloadMu     sync.Mutex         // one reload at a time, and none during the landing
	m            *manifest.Manifest // the manifest the fleet and the proxy run, under reloadMu
	running      bool               // the fleet launched: reloads may begin
	landing      bool               // the shutdown began: no more reloads
}

// newVoyage starts a run in the Initializing phase, logging to stdout
// through out, which the dashboard holds back while it has the screen,
// and to the hub that the control socket and the dashboard read.
func newVoyage(stdout io.Writer, format string, debug bool) (*voyage, *heldWriter, error) {
	out := &heldWriter{w: stdout}
	log, err := telemetry.NewLog(out, format, stdout == os.Stdout && telemetry.ColorFor(os.Stdout))
	if err != nil {
		return nil, nil, err
	}
	log.SetDebug(debug)
	v := &voyage{log: log, metrics: telemetry.NewMetrics(), hub: control.NewHub(0), forced: make(chan struct{}), role: string(flagship.RoleSolo), out: out, textLog: format == "text"}
	log.SetTap(v.hub.Add)
	if v.notify, err = sdnotify.FromEnv(); err != nil {
		log.Warn("not notifying systemd", "error", err.Error())
	}
	v.phase(fleet.Initializing)
	return v, out, nil
}

// prepare builds the fleet and the proxy and opens every listener, so that
// a port in use fails the launch before any process starts.
func (v *voyage) prepare(m *manifest.Manifest, tree *routetree.Tree, only, except []string) error {
	if err := fleet.AssignPorts(m); err != nil {
		return err
	}
	yard := bays.NewYard(m, v.log.Event)
	v.metrics.Bays(yard.Stats)
	timing, err := testTiming(os.Getenv(testTimingEnv), fleet.Timing{Grace: m.Mothership.DrainTimeout})
	if err != nil {
		return err
	}
	if os.Getenv(testTimingEnv) != "" {
		v.log.Warn("test timings in effect: restart backoff and circuit are shortened", "variable", testTimingEnv)
	}
	v.phases = newPhaseWatch(v.metrics, v.phase)
	fl, err := fleet.New(m, fleet.Options{Only: only, Except: except, Logger: v.log, Observer: v.phases, Timing: timing, Docker: yard})
	if err != nil {
		return err
	}
	v.fleet = fl
	v.local = control.NewLocal(fl, v.metrics, v.hub, m, tree)
	v.local.SetReload(v.reload)
	// Before the binds, so that a second instance of the manifest hears
	// that the first runs, not that its ports are taken.
	if err := v.listenControl(m); err != nil {
		return err
	}
	v.yard, v.m = yard, m
	if err := v.openAccessLog(m); err != nil {
		return err
	}
	if v.acme, err = v.openACME(context.Background(), m); err != nil {
		return err
	}
	srv, err := proxy.New(m, tree, v.proxyOptions(m))
	if err != nil {
		return err
	}
	if err := srv.Listen(); err != nil {
		return err
	}
	v.srv = srv
	v.metrics.Certificates(v.certificateExpiry)
	for _, bt := range tree.Binds {
		v.log.Info("bind listening", "bind", bt.Bind.Name, "addr", srv.Addr(bt.Bind.Name).String())
	}
	if a := m.Mothership.MetricsAddr; a.Network != "" {
		msrv, ln, err := telemetry.ListenMetrics(a.Address, v.metrics.Handler())
		if err != nil {
			return err
		}
		go msrv.Serve(ln)
		v.metricsSrv = msrv
		v.log.Info("metrics listening", "addr", ln.Addr().String())
	}
	return nil
}

// proxyOptions are the proxy's options for a plan compiled from m.
func (v *voyage) proxyOptions(m *manifest.Manifest) proxy.Options {
	o := proxy.Options{
		Resolve:        upstream.ManifestResolver(m),
		Gate:           shipGates(m, v.fleet),
		TrustedProxies: m.Mothership.TrustedProxies,
		Observer:       v.metrics,
		ErrorLog:       v.errorLog(),
		Debug:          v.debugLog(),
		Events:         v.log.Event,
		Yard:           v.yard,
		RecycleWorker:  v.recycleWorker,
		ServerSoftware: "mothership/" + readBuildVersion().short(),
		ACME:           v.acme,
	}
	if v.access != nil { // a nil *AccessLog would be a non-nil interface
		o.Access = v.access
	}
	return o
}

// certificateExpiry is when each name's certificate expires, for /metrics.
func (v *voyage) certificateExpiry() []telemetry.CertExpiry {
	var out []telemetry.CertExpiry
	for _, c := range v.srv.CertificateNames() {
		out = append(out, telemetry.CertExpiry{Bind: c.Bind, Name: c.Name, NotAfter: c.Leaf.NotAfter})
	}
	return out
}

// logStart says which mothership runs which manifest on how many CPUs,
// first in the log.
func (v *voyage) logStart(m *manifest.Manifest, cpus int) {
	b := readBuildVersion()
	v.log.Info("Mothership starting", "version", b.short(), "revision", b.revision, "manifest", filepath.Join(m.Dir, filepath.Base(m.File)), "pid", os.Getpid(), "cpus", cpus)
	v.metrics.SetBuildInfo(b.short(), b.revision)
}

// warnManifest logs each warning that run goes ahead despite (a bind named
// https serving plain HTTP), so that the run's own
// log says it and not only the terminal that started it.
func (v *voyage) warnManifest(m *manifest.Manifest) {
	for _, w := range m.Warnings {
		if !w.Machine {
			v.log.Warn(w.Message, "manifest", w.File, "line", w.Line, "key", w.Key)
		}
	}
}

// listenControl opens the control socket. A default path too deep for a
// Unix socket leaves the fleet without one, with a warning: the manifest
// did not ask for it, and running matters more.
func (v *voyage) listenControl(m *manifest.Manifest) error {
	ctl, err := control.Listen(m.ControlSocketPath(os.Getenv), v.local)
	if errors.Is(err, control.ErrPathTooLong) && m.Mothership.ControlSocket == "" {
		v.log.Warn("no control socket: status, restart and tui will not reach this fleet", "error", err.Error())
		return nil
	}
	if err != nil {
		return err
	}
	v.control = ctl
	go v.serveControl()
	return nil
}

// serveControl serves the control socket; its failure is logged, as the
// fleet runs on without it.
func (v *voyage) serveControl() {
	if err := v.control.Serve(); err != nil {
		v.log.Error("control socket failed", "error", err.Error())
	}
}

// checkUplinks logs each uplink's check and fails when any is unreachable.
func (v *voyage) checkUplinks(ctx context.Context, m *manifest.Manifest) error {
	results := uplink.Check(ctx, m.Mothership.Uplinks)
	for _, r := range results {
		if r.Err != nil {
			v.log.Error("uplink unreachable", "uplink", r.Name, "target", r.Target, "error", r.Err.Error())
		} else {
			v.log.Info("uplink ok", "uplink", r.Name, "target", r.Target, "took", r.Took.String())
		}
	}
	if failed := uplink.Failed(results); len(failed) > 0 {
		names := make([]string, len(failed))
		for i, r := range failed {
			names[i] = r.Name
		}
		return fmt.Errorf("uplinks unreachable: %s", strings.Join(names, ", "))
	}
	return nil
}

// debugLog is the proxy's debug log (each request with its JA4H), nil
// without --debug so that routes skip the work.
func (v *voyage) debugLog() pipeline.DebugFunc {
	if !v.log.DebugOn() {
		return nil
	}
	return v.log.Debug
}

// errorLog is the request path's error log (an upstream that cut its
// answer, a bay that broke a link), as warnings of the run's log.
func (v *voyage) errorLog() *log.Logger { return log.New(warnings{v.log}, "", 0) }

// warnings writes each line it is given as a warning.
type warnings struct{ l *telemetry.Log }

func (w warnings) Write(p []byte) (int, error) {
	w.l.Warn("request path", "error", strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

func (v *voyage) phase(p fleet.Phase) {
	v.metrics.SetPhase(p)
	v.log.Info("phase", "phase", string(p))
	v.notifyPhase(p)
}

// watchSignals cancels the run on the first SIGINT or SIGTERM; a second
// SIGINT forces the landing: processes get SIGKILL at once.
func (v *voyage) watchSignals(signals <-chan os.Signal, cancel context.CancelFunc) {
	first := <-signals
	v.log.Info("signal: draining", "signal", first.String())
	cancel()
	for s := range signals {
		if s == syscall.SIGINT {
			v.log.Warn("second interrupt: forcing the landing")
			close(v.forced)
			return
		}
	}
}

// watchPhasedRestarts rolls the HTTP bays to a new generation on each
// SIGUSR1, one restart at a time, until ctx ends.
func (v *voyage) watchPhasedRestarts(ctx context.Context, restarts <-chan os.Signal) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-restarts:
			v.log.Info("signal: phased restart of the HTTP bays", "signal", "SIGUSR1")
			v.fleet.PhasedRestart(ctx)
		}
	}
}

// shutdown answers the requests held for restarting ships, drains the
// proxy, stops the fleet dependents first, and lands.
// The dashboard goes first, so that the terminal shows the landing.
func (v *voyage) shutdown(status fleet.Phase, code int, cause error) int {
	v.dashboard.close()
	v.reloadMu.Lock()
	v.landing = true
	v.reloadMu.Unlock()
	if v.phases != nil {
		v.phases.land()
	}
	v.phase(fleet.Draining)
	if v.fleet != nil {
		v.fleet.ReleaseHolds()
	}
	if v.srv != nil {
		ctx, cancel := v.untilForced(v.drain)
		if err := v.srv.Shutdown(ctx); err != nil {
			v.log.Warn("drain cut short", "error", err.Error())
		}
		cancel()
	}
	v.acme.Stop()
	v.closeAccessLog()
	if v.fleet != nil {
		ctx, cancel := v.untilForced(0)
		if err := v.fleet.Stop(ctx); err != nil {
			v.log.Warn("stop", "error", err.Error())
		}
		cancel()
	}
	if v.metricsSrv != nil {
		v.metricsSrv.Close()
	}
	return v.land(status, code, cause)
}

// untilForced is a context that ends after d (0: never) or on a forced landing.
func (v *voyage) untilForced(d time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	if d > 0 {
		ctx, cancel = context.WithTimeout(context.Background(), d)
	}
	go func() {
		select {
		case <-v.forced:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// land writes the landing record, the last line of every run.
func (v *voyage) land(status fleet.Phase, code int, cause error) int {
	v.metrics.SetPhase(status)
	kv := []any{"status", strings.ToLower(string(status)), "role", v.role}
	if cause != nil {
		v.log.Error("Mothership landed", append(kv, "error", cause.Error())...)
	} else {
		v.log.Info("Mothership landed", kv...)
	}
	// Last, so that whoever follows the log over it sees the landing.
	if v.control != nil {
		v.control.Close()
	}
	return code
}

func splitTags(s string) []string {
	var tags []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	return tags
}
