package uplink

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

// probe is one check to run.
type probe struct {
	key    string // what uplinks that share the check have in common
	target string // what the table shows
	get    string // the URL to GET, credentials included; empty for a TCP check
}

// errBadURL replaces url.Parse's error, which quotes the URL and with it any
// password.
var errBadURL = errors.New("the URL does not parse; check its syntax")

// plan reads an uplink's URL into the check it needs.
func plan(raw string) (probe, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return probe{}, errBadURL
	}
	port, known := manifest.UplinkPorts[u.Scheme]
	if !known {
		return probe{target: u.Host}, fmt.Errorf("scheme %q is not one mothership can check", u.Scheme)
	}
	if u.Hostname() == "" {
		return probe{}, errors.New("the URL has no host")
	}
	if u.Scheme == "http" || u.Scheme == "https" {
		shown := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
		key := *u
		key.User = nil
		return probe{key: key.String(), target: shown.String(), get: raw}, nil
	}
	if p := u.Port(); p != "" {
		port = p
	}
	if port == "" {
		return probe{target: u.Host}, errors.New("the URL needs a port (tcp://host:port)")
	}
	hp := net.JoinHostPort(u.Hostname(), port)
	return probe{key: hp, target: hp}, nil
}

// run checks the probe's target within timeout.
func (p probe) run(ctx context.Context, timeout time.Duration) error {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var err error
	if p.get != "" {
		err = httpGet(cctx, p.get)
	} else {
		err = dial(cctx, p.target)
	}
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("check stopped: %w", ctx.Err())
	case cctx.Err() != nil:
		return fmt.Errorf("no answer within %v", timeout)
	}
	return err
}

func dial(ctx context.Context, hostport string) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", hostport)
	if err != nil {
		return reason(err)
	}
	return c.Close()
}

func httpGet(ctx context.Context, rawURL string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return errBadURL
	}
	// A fresh transport without keep-alives leaves no idle connection behind
	// a check that runs once.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DisableKeepAlives = true
	client := &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		return reason(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 399 {
		return fmt.Errorf("HTTP %s", resp.Status)
	}
	return nil
}

// reason strips the layers of a network error that repeat the URL or the
// address, which the table shows already and which may hold credentials.
func reason(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		err = ue.Err
	}
	if oe, ok := errors.AsType[*net.OpError](err); ok && oe.Err != nil {
		err = oe.Err
	}
	return err
}
