package main

import (
	"net"

	"github.com/mothership-go/mothership/fleet"
	"github.com/mothership-go/mothership/internal/shipgate"
	"github.com/mothership-go/mothership/manifest"
)

// shipGates maps each address of m's ships to that ship's routing state in
// fl, so that a route to the ship (or an upstream with it among its
// members) passes it over while it is out of routing and holds requests
// while it restarts. A wildcard bind is the same address as its loopback.
func shipGates(m *manifest.Manifest, fl *fleet.Fleet) func(manifest.Addr) *shipgate.Gate {
	if fl == nil {
		return nil
	}
	byAddr := map[manifest.Addr]string{}
	for _, s := range m.Ships {
		if s.Bind != nil {
			byAddr[loopbackOf(*s.Bind)] = s.Name
		}
	}
	return func(a manifest.Addr) *shipgate.Gate {
		name, ok := byAddr[loopbackOf(a)]
		if !ok {
			return nil
		}
		return fl.Gate(name)
	}
}

// loopbackOf is a, with a wildcard or localhost host written as the
// loopback address it is reached at.
func loopbackOf(a manifest.Addr) manifest.Addr {
	if a.Network != "tcp" {
		return a
	}
	host, port, err := net.SplitHostPort(a.Address)
	if err != nil {
		return a
	}
	switch host {
	case "", "0.0.0.0", "localhost":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	a.Address = net.JoinHostPort(host, port)
	return a
}
