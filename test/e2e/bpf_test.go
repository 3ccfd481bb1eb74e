package e2e

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// bpfObjects are the IDs of the BPF programs, maps and links a process
// holds, by kind ("prog", "map", "link"), read from the fdinfo of its file
// descriptors (the kernel prints prog_id, map_id and link_id there).
type bpfObjects map[string]map[uint32]bool

func heldBPFObjects(pid int) (bpfObjects, error) {
	dir := fmt.Sprintf("/proc/%d/fdinfo", pid)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list fdinfo of %d: %w", pid, err)
	}
	objs := bpfObjects{"prog": {}, "map": {}, "link": {}}
	for _, e := range entries {
		if err := objs.read(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	return objs, nil
}

func (o bpfObjects) read(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		kind, isID := strings.CutSuffix(k, "_id")
		if !ok || !isID || o[kind] == nil {
			continue
		}
		id, err := strconv.ParseUint(strings.TrimSpace(v), 10, 32)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", path, sc.Text(), err)
		}
		o[kind][uint32(id)] = true
	}
	return sc.Err()
}

// The bpf(2) commands that open an object by ID (include/uapi/linux/bpf.h).
var getFDByID = map[string]uintptr{"prog": unix.BPF_PROG_GET_FD_BY_ID, "map": unix.BPF_MAP_GET_FD_BY_ID, "link": unix.BPF_LINK_GET_FD_BY_ID}

// bpfExists reports whether the kernel still has the object: a program or
// map that is attached or referenced anywhere can be opened by ID.
func bpfExists(kind string, id uint32) (bool, error) {
	attr := struct{ id, next, flags uint32 }{id: id}
	fd, _, errno := unix.Syscall(unix.SYS_BPF, getFDByID[kind], uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	switch errno {
	case 0:
		unix.Close(int(fd))
		return true, nil
	case unix.ENOENT:
		return false, nil
	}
	return false, fmt.Errorf("open BPF %s %d by ID: %w", kind, id, errno)
}

// observerBPF returns the BPF objects the running observer holds, after
// checking that they are there and can be looked up by ID.
func observerBPF(t *testing.T, obs *proc) bpfObjects {
	t.Helper()
	held, err := heldBPFObjects(obs.cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if len(held["prog"]) < 3 {
		t.Fatalf("the observer holds %d BPF programs, want its TCP and two UDP programs at least: %v", len(held["prog"]), held)
	}
	requireExist(t, held)
	t.Logf("the observer holds BPF programs %v, maps %v, links %v", keys(held["prog"]), keys(held["map"]), keys(held["link"]))
	return held
}

// requireExist fails unless every one of objs can be opened by ID now, so
// that waitReleased's "gone" means gone and not a lookup that never works.
func requireExist(t *testing.T, objs bpfObjects) {
	t.Helper()
	for kind, ids := range objs {
		for id := range ids {
			if ok, err := bpfExists(kind, id); err != nil || !ok {
				t.Fatalf("BPF %s %d held by the running observer cannot be opened by ID (exists %v, %v)", kind, id, ok, err)
			}
		}
	}
}

// waitReleased waits until none of objs exists any more: the kernel frees
// them after an RCU grace period or from a workqueue, not at once.
func waitReleased(t *testing.T, objs bpfObjects) {
	t.Helper()
	for kind, ids := range objs {
		for id := range ids {
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				ok, err := bpfExists(kind, id)
				if err != nil {
					t.Fatal(err)
				}
				if !ok {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("BPF %s %d still exists 10 s after the observer exited", kind, id)
				}
			}
		}
	}
}

func keys(ids map[uint32]bool) []uint32 {
	out := make([]uint32, 0, len(ids))
	for id := range ids {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}
