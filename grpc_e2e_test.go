package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

const grpcManifest = `
[mothership.bind]
http = { addr = "127.0.0.1:%d", h2c = true }

[[fleet.web]]
name = "grpc"
command = %q
protocol = "h2c"
routes = [{ bind = "http", pattern = "/.*" }]
`

// TestGRPCThroughH2C: a gRPC client on the mothership's h2c bind calls a
// real gRPC ship (the standard health service) that the mothership reaches
// over HTTP/2 without TLS. A success, an error status (which gRPC carries
// in the grpc-status trailer: a lost trailer is an Internal or Unknown
// error on the client) and a server stream all come through as the ship
// sent them.
func TestGRPCThroughH2C(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin, err := builtBinaries()
	if err != nil {
		t.Fatal(err)
	}
	ship := filepath.Join(bin, "grpcship")
	port := freePort(t)
	writeManifest(t, dir, fmt.Sprintf(grpcManifest, port, ship))
	v := startRunIn(t, dir, nil)
	v.waitFor(t, "phase=Running", 20*time.Second)

	cc, err := grpc.NewClient(fmt.Sprintf("127.0.0.1:%d", port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	client := healthpb.NewHealthClient(cc)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	cases := []struct {
		name    string
		service string
		code    codes.Code
		want    healthpb.HealthCheckResponse_ServingStatus
	}{
		{"a serving service", "ok", codes.OK, healthpb.HealthCheckResponse_SERVING},
		{"an unknown service", "nope", codes.NotFound, 0},
	}
	for _, c := range cases {
		for i := range 3 { // several calls: streams on one shared connection
			resp, err := client.Check(ctx, &healthpb.HealthCheckRequest{Service: c.service})
			if got := status.Code(err); got != c.code {
				t.Fatalf("%s, call %d: status %s (%v), want %s", c.name, i, got, err, c.code)
			}
			if err == nil && resp.GetStatus() != c.want {
				t.Errorf("%s, call %d: %s, want %s", c.name, i, resp.GetStatus(), c.want)
			}
		}
	}

	watch, err := client.Watch(ctx, &healthpb.HealthCheckRequest{Service: "ok"})
	if err != nil {
		t.Fatalf("a server stream: %v", err)
	}
	first, err := watch.Recv()
	if err != nil || first.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("a server stream: first message %v, %v; want SERVING while the stream stays open", first, err)
	}
	checkHTTP1Trailers(t, port)
}

// checkHTTP1Trailers: an HTTP/1.1 client that sends TE: trailers gets the
// ship's grpc-status as a chunked trailer; one that does not gets none.
func checkHTTP1Trailers(t *testing.T, port int) {
	// A gRPC frame: uncompressed, 4 bytes, HealthCheckRequest{service: "ok"}.
	msg := "\x00\x00\x00\x00\x04\x0a\x02ok"
	for _, c := range []struct {
		name, te, want string
	}{
		{"HTTP/1.1 with TE: trailers", "trailers", "0"},
		{"HTTP/1.1 without TE", "", ""},
	} {
		req, _ := http.NewRequest("POST", fmt.Sprintf("http://127.0.0.1:%d/grpc.health.v1.Health/Check", port), strings.NewReader(msg))
		req.Header.Set("Content-Type", "application/grpc")
		if c.te != "" {
			req.Header.Set("TE", c.te)
		}
		resp, err := (&http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}).Do(req)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || len(body) < 5 {
			t.Errorf("%s: %d %q %v, want 200 and a gRPC message", c.name, resp.StatusCode, body, err)
		}
		if got := resp.Trailer.Get("Grpc-Status"); got != c.want {
			t.Errorf("%s: trailer grpc-status %q, want %q", c.name, got, c.want)
		}
	}
}
