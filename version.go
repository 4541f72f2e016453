package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise the module version from the build info is used.
var version = ""

// buildVersion is what the build info says of this binary: the module
// version (a release tag, or the pseudo-version the go command derives from
// the checkout), and the VCS revision it was built from when it was built
// in one, with whether the tree had changes.
type buildVersion struct {
	module, revision string
	modified         bool
}

// readBuildVersion reads this binary's build info.
func readBuildVersion() buildVersion {
	bi, _ := debug.ReadBuildInfo()
	return versionFrom(bi, version)
}

// versionFrom reads a build info (nil when there is none); override, from
// -X main.version, wins over the module version.
func versionFrom(bi *debug.BuildInfo, override string) buildVersion {
	var b buildVersion
	if bi != nil {
		b.module = bi.Main.Version
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				b.revision = s.Value
			case "vcs.modified":
				b.modified = s.Value == "true"
			}
		}
	}
	if override != "" {
		b.module = override
	}
	if b.module == "" {
		b.module = "(devel)"
	}
	return b
}

// short is the version for the Server header and the startup log.
func (b buildVersion) short() string { return b.module }

// String is `mothership version`'s line: the module version, the revision
// (12 digits, "+modified" when the tree had changes), the Go version and
// the platform.
func (b buildVersion) String() string {
	rev := "revision unknown"
	if b.revision != "" {
		rev = "revision " + b.revision[:min(12, len(b.revision))]
		if b.modified {
			rev += "+modified"
		}
	}
	return fmt.Sprintf("mothership %s (%s, %s %s/%s)", b.module, rev, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func versionCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("version", stderr)
	if code, done := parse(fs, args); done {
		return code
	}
	fmt.Fprintln(stdout, readBuildVersion())
	return 0
}
