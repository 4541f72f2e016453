package fleet

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// groupAlive reports whether a process group has a live member. kill(2)
// also counts zombies, and an init that reaps lazily (containers, microVMs)
// can leave the killed members of a group as zombies for seconds; a stop
// must not wait on those, so on Linux /proc settles it.
func groupAlive(pgid int) bool {
	if syscall.Kill(-pgid, 0) != nil {
		return false
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return true
	}
	for _, e := range entries {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // it just ended
		}
		if state, pgrp, ok := parseStat(stat); ok && pgrp == pgid && state != 'Z' && state != 'X' {
			return true
		}
	}
	return false
}

// parseStat reads the state and process group from /proc/PID/stat, whose
// second field, the command name in parentheses, may itself hold spaces and
// parentheses.
func parseStat(stat []byte) (state byte, pgrp int, ok bool) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := bytes.Fields(stat[i+1:])
	if len(f) < 3 || len(f[0]) != 1 {
		return 0, 0, false
	}
	pgrp, err := strconv.Atoi(string(f[2]))
	return f[0][0], pgrp, err == nil
}
