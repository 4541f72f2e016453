// Command shipd is the small program the example manifest's ships run: a web
// server, a worker, or a migration, so that `mothership` can be tried with
// nothing else installed.
//
//	shipd serve      answer HTTP on $PORT (or $SHIPD_SOCKET, a Unix socket);
//	                 /health fails while the file $SICK_FILE exists
//	shipd work       print a line every few seconds, like a job queue worker
//	shipd migrate    print what a migration would and exit 0
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: shipd serve|work|migrate")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(ctx)
	case "work":
		err = work(ctx)
	case "migrate":
		fmt.Println("migrating: 3 migrations applied")
	default:
		err = fmt.Errorf("unknown mode %q; want serve, work or migrate", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "shipd:", err)
		os.Exit(1)
	}
}

func serve(ctx context.Context) error {
	name := os.Getenv("MS_SHIP")
	ln, err := listen()
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	sick := os.Getenv("SICK_FILE")
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		if _, err := os.Stat(sick); sick != "" && err == nil {
			http.Error(w, "sick: "+sick+" exists", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	// /pid answers the process id, to tell one run from the next.
	mux.HandleFunc("GET /pid", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, os.Getpid())
	})
	// /slow?ms=500 answers late, to watch a graceful drain or a 504.
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
			fmt.Fprintf(w, "%s answered after %d ms\n", name, ms)
		case <-r.Context().Done():
		}
	})
	// /text?kb=8 answers that many KiB of text, to watch compression.
	mux.HandleFunc("GET /text", func(w http.ResponseWriter, r *http.Request) {
		kb, _ := strconv.Atoi(r.URL.Query().Get("kb"))
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		line := fmt.Sprintf("%s says hello; ", name)
		w.Write([]byte(strings.Repeat(line, kb*1024/len(line)+1)[:kb*1024]))
	})
	// /header?name=X-Ja4h answers the value of one request header, to see
	// what the proxy added.
	mux.HandleFunc("GET /header", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, r.Header.Get(r.URL.Query().Get("name")))
	})
	// /with-header?name=X-Internal&value=1 answers with that header, to
	// watch a module remove it.
	mux.HandleFunc("GET /with-header", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(r.URL.Query().Get("name"), r.URL.Query().Get("value"))
		fmt.Fprintln(w, "with a header")
	})
	// CORS preflights are answered for any origin and counted, to watch the
	// preflight cache: /preflights tells how many reached this ship.
	var preflights atomic.Int64
	mux.HandleFunc("OPTIONS /", func(w http.ResponseWriter, r *http.Request) {
		preflights.Add(1)
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE")
		h.Set("Access-Control-Max-Age", "600")
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /preflights", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, preflights.Load())
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s: %s %s (from %s, request %s)\n", name, r.Method, r.URL.Path, r.Header.Get("X-Forwarded-For"), r.Header.Get("X-Request-Id"))
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("%s listening on %s\n", name, ln.Addr())
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Printf("%s stopped\n", name)
	return nil
}

func listen() (net.Listener, error) {
	if path := os.Getenv("SHIPD_SOCKET"); path != "" {
		os.Remove(path)
		return net.Listen("unix", path)
	}
	port := os.Getenv("PORT")
	if port == "" {
		return nil, errors.New("PORT is not set")
	}
	return net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
}

func work(ctx context.Context) error {
	for i := 1; ; i++ {
		select {
		case <-ctx.Done():
			fmt.Println("worker stopping")
			return nil
		case <-time.After(5 * time.Second):
			fmt.Printf("processed job %d\n", i)
		}
	}
}
