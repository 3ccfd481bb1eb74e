package testutil

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// BPFObjects are the IDs of the BPF programs, maps and links a process
// holds, by kind ("prog", "map", "link"), read from the fdinfo of its file
// descriptors (the kernel prints prog_id, map_id and link_id there).
type BPFObjects map[string]map[uint32]bool

// HeldBPFObjects returns the BPF objects process pid holds open.
func HeldBPFObjects(pid int) (BPFObjects, error) {
	dir := fmt.Sprintf("/proc/%d/fdinfo", pid)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list fdinfo of %d: %w", pid, err)
	}
	objs := BPFObjects{"prog": {}, "map": {}, "link": {}}
	for _, e := range entries {
		if err := objs.read(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	return objs, nil
}

func (o BPFObjects) read(path string) error {
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

// BPFExists reports whether the kernel still has the object: a program or
// map that is attached or referenced anywhere can be opened by ID.
func BPFExists(kind string, id uint32) (bool, error) {
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
