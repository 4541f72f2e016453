// Command grpcship is a gRPC ship for the end-to-end tests: the standard
// health service (grpc.health.v1) on 127.0.0.1:$PORT, HTTP/2 without TLS.
// Service "ok" is SERVING; any service it does not know is NOT_FOUND.
package main

import (
	"log"
	"net"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

func main() {
	l, err := net.Listen("tcp", "127.0.0.1:"+os.Getenv("PORT"))
	if err != nil {
		log.Fatal(err)
	}
	hs := health.NewServer()
	hs.SetServingStatus("ok", healthpb.HealthCheckResponse_SERVING)
	s := grpc.NewServer()
	healthpb.RegisterHealthServer(s, hs)
	log.Fatal(s.Serve(l))
}
