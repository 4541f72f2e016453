package fleet

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mothership-go/mothership/internal/testparallel"
	"github.com/mothership-go/mothership/manifest"
)

// The test binary doubles as the programs the fleet runs: with
// GO_FLEET_HELPER set it becomes one of them instead of running tests.
// The tests mostly wait on those programs, several at a time.
func TestMain(m *testing.M) {
	if mode := os.Getenv("GO_FLEET_HELPER"); mode != "" {
		helper(mode)
		os.Exit(0)
	}
	testparallel.AtLeast(4)
	os.Exit(m.Run())
}

// helper runs one helper program. Each notes what happens to it, with the
// time, in $HELPER_LOG; see note.
func helper(mode string) {
	switch mode {
	case "sleep": // runs until SIGTERM
		term := notifyTerm()
		note("start")
		<-term
		note("term")
	case "ignoreterm": // only SIGKILL ends it
		signal.Ignore(syscall.SIGTERM)
		note("start")
		time.Sleep(time.Hour)
	case "exit": // exits with $HELPER_CODE after $HELPER_DELAY
		note("start")
		time.Sleep(envDuration("HELPER_DELAY"))
		note("end")
		code, _ := strconv.Atoi(os.Getenv("HELPER_CODE"))
		os.Exit(code)
	case "http": // serves /health, failing until $HELPER_READY_AFTER and while $HELPER_SICK_FILE exists
		helperHTTP()
	case "listen": // accepts connections after $HELPER_DELAY
		term := notifyTerm()
		note("start")
		time.Sleep(envDuration("HELPER_DELAY"))
		ln := helperListen()
		note("listening")
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
		<-term
		note("term")
	case "env": // prints its environment and arguments, and listens on $PORT if set
		term := notifyTerm()
		if os.Getenv("PORT") != "" {
			go http.Serve(helperListen(), nil)
		}
		for _, kv := range os.Environ() {
			fmt.Println("ENV " + kv)
		}
		for _, a := range os.Args[1:] {
			fmt.Println("ARG " + a)
		}
		fmt.Println("DONE")
		<-term
	case "output": // writes to both streams and exits 0
		fmt.Println("hello stdout")
		fmt.Fprintln(os.Stderr, "hello stderr")
		fmt.Println(strings.Repeat("x", 100<<10))
		fmt.Print("after long\r\npartial")
	case "supervisor": // a mothership of its own, for the Pdeathsig test
		helperSupervisor()
	default:
		fmt.Fprintf(os.Stderr, "unknown helper mode %q\n", mode)
		os.Exit(2)
	}
}

func notifyTerm() <-chan os.Signal {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM)
	return ch
}

// note appends "<ship> <event> <unix nanoseconds>" to $HELPER_LOG; lines
// this short are appended atomically.
func note(event string) {
	path := os.Getenv("HELPER_LOG")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		panic(err)
	}
	fmt.Fprintf(f, "%s %s %d\n", os.Getenv("MS_SHIP"), event, time.Now().UnixNano())
	f.Close()
}

func envDuration(key string) time.Duration {
	d, _ := time.ParseDuration(os.Getenv(key))
	return d
}

// helperListen listens on $HELPER_UNIX, or on $PORT at loopback.
func helperListen() net.Listener {
	network, address := "tcp", "127.0.0.1:"+os.Getenv("PORT")
	if p := os.Getenv("HELPER_UNIX"); p != "" {
		network, address = "unix", p
	}
	ln, err := net.Listen(network, address)
	if err != nil {
		panic(err)
	}
	return ln
}

func helperHTTP() {
	term := notifyTerm()
	start := time.Now()
	readyAfter := envDuration("HELPER_READY_AFTER")
	var healthy sync.Once
	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		if time.Since(start) < readyAfter {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if sick := os.Getenv("HELPER_SICK_FILE"); sick != "" {
			if _, err := os.Stat(sick); err == nil {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
		}
		healthy.Do(func() { note("healthy") })
		w.WriteHeader(http.StatusOK)
	})
	note("start")
	go http.Serve(helperListen(), mux)
	<-term
	note("term")
}

// helperSupervisor launches two sleeping ships, prints their pids and
// "launched", and waits to be killed.
func helperSupervisor() {
	m := &manifest.Manifest{Ships: []*manifest.Ship{helperShip("pa", "sleep"), helperShip("pb", "sleep")}}
	m.Mothership.Env = map[string]string{"GORACE": "atexit_sleep_ms=0"}
	f, err := New(m, Options{Logger: nopLogger{}})
	if err == nil {
		err = f.Launch(context.Background())
	}
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	for _, s := range f.Status() {
		fmt.Println("pid", s.PID)
	}
	fmt.Println("launched")
	time.Sleep(time.Hour)
}

type nopLogger struct{}

func (nopLogger) Output(string, string, string) {}
func (nopLogger) Event(string, string, ...any)  {}
