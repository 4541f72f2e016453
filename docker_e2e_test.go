package main

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestDockerImage builds the Dockerfile and runs the example fleet in it:
// the web ship answers through the published port, and the process runs
// as a user without privileges. It needs a Docker daemon that can pull
// the base images, and skips, saying why, without one.
func TestDockerImage(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no image build")
	}
	if out, err := exec.Command("docker", "info").CombinedOutput(); err != nil {
		t.Skipf("no Docker daemon (docker info: %v: %s)", err, lastLine(out))
	}
	tag := "mothership-test:" + fmt.Sprint(time.Now().UnixNano())
	build := exec.Command("docker", "build", "-t", tag, ".")
	if out, err := build.CombinedOutput(); err != nil {
		if s := string(out); strings.Contains(s, "pull") || strings.Contains(s, "registry") || strings.Contains(s, "resolve") {
			t.Skipf("the base images cannot be pulled here: %s", lastLine(out))
		}
		t.Fatalf("docker build: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("docker", "rmi", "-f", tag).Run() })
	port := freePort(t)
	out, err := exec.Command("docker", "run", "-d", "--rm", "-p", fmt.Sprintf("127.0.0.1:%d:8080", port), tag).Output()
	if err != nil {
		t.Fatalf("docker run: %v", err)
	}
	id := strings.TrimSpace(string(out))
	t.Cleanup(func() { exec.Command("docker", "stop", "-t", "5", id).Run() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		if code, body := get(t, fmt.Sprintf("http://127.0.0.1:%d/hello", port)); code == 200 && strings.Contains(body, "web") {
			break
		}
		if time.Now().After(deadline) {
			logs, _ := exec.Command("docker", "logs", id).CombinedOutput()
			t.Fatalf("the example fleet did not answer /hello in the container within 30s:\n%s", logs)
		}
		time.Sleep(200 * time.Millisecond)
	}
	inspect, err := exec.Command("docker", "inspect", "-f", "{{.Config.User}}", id).Output()
	if err != nil || strings.TrimSpace(string(inspect)) != "nonroot" {
		t.Errorf("the container runs as %q (%v), want nonroot", strings.TrimSpace(string(inspect)), err)
	}
}

// lastLine is the last line of a command's output, where docker says why.
func lastLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	return s[strings.LastIndexByte(s, '\n')+1:]
}
