// Command imagepack writes an OCI image tarball holding static binaries on an
// empty base:
//
//	imagepack -ref netpol-advisor.local/netcheck:dev -out netcheck.tar \
//	    -file bin/netcheck:/netcheck -entrypoint /netcheck \
//	    -user 65532:65532 -label org.opencontainers.image.version=v1
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/netpol-advisor/netpol-advisor/tools/images/pack"
)

type fileFlags []pack.File

func (f *fileFlags) String() string { return fmt.Sprint(*f) }

func (f *fileFlags) Set(v string) error {
	src, dest, ok := strings.Cut(v, ":")
	if !ok || !strings.HasPrefix(dest, "/") {
		return fmt.Errorf("want SOURCE:/DEST, got %q", v)
	}
	*f = append(*f, pack.File{Source: src, Dest: dest})
	return nil
}

type labelFlags map[string]string

func (l labelFlags) String() string { return fmt.Sprint(map[string]string(l)) }

func (l labelFlags) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", v)
	}
	l[k] = val
	return nil
}

func main() { os.Exit(run()) }

func run() int {
	var spec pack.Spec
	var files fileFlags
	out := flag.String("out", "", "image tarball to write")
	entrypoint := flag.String("entrypoint", "", "ENTRYPOINT (space separated)")
	flag.StringVar(&spec.Ref, "ref", "", "image reference, e.g. netpol-advisor.local/netcheck:dev")
	flag.Var(&files, "file", "SOURCE:/DEST to copy into the image (repeatable)")
	labels := labelFlags{}
	flag.Var(labels, "label", "KEY=VALUE image label (repeatable)")
	flag.StringVar(&spec.User, "user", "", "USER of the image, e.g. 65532:65532 (default root)")
	flag.Parse()
	if *out == "" || spec.Ref == "" || len(files) == 0 {
		fmt.Fprintln(os.Stderr, "imagepack: -out, -ref and at least one -file are required")
		return 2
	}
	spec.Files, spec.Entrypoint = files, strings.Fields(*entrypoint)
	if len(labels) > 0 {
		spec.Labels = labels
	}
	if err := pack.Write(*out, spec); err != nil {
		fmt.Fprintln(os.Stderr, "imagepack:", err)
		return 1
	}
	return 0
}
