package observer

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/features"
	"golang.org/x/sys/unix"
)

// Capability bits (linux/capability.h).
const (
	capNetAdmin = 12 // cgroup_skb programs (is_net_admin_prog_type)
	capSysAdmin = 21
	capPerfmon  = 38
	capBPF      = 39
)

const privilegeHint = "the observer needs CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN (or CAP_SYS_ADMIN on kernels before 5.8): run it as root or add the capabilities"

// checkPrivileges fails early, with what to do, when the effective
// capabilities cannot load tracing programs.
func checkPrivileges() error {
	caps, err := effectiveCaps()
	if err != nil {
		return nil // cannot tell: let the load say
	}
	has := func(c uint) bool { return caps&(1<<c) != 0 }
	if has(capSysAdmin) || (has(capBPF) && has(capPerfmon) && has(capNetAdmin)) {
		return nil
	}
	return fmt.Errorf("%s (uid %d): %w", privilegeHint, os.Geteuid(), ErrPermission)
}

func effectiveCaps() (uint64, error) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("read process status: %w", err)
	}
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
			return strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		}
	}
	return 0, errors.New("no CapEff in /proc/self/status")
}

// checkKernel reports the first program or map type the observer needs
// that this kernel lacks, with the version that brought it. A probe that
// fails for another reason proves nothing, and the load will tell. (Tracing
// programs are not probed: their probe needs an attach target; BTF and
// the load itself cover them.)
func checkKernel() error {
	progs := []struct {
		typ   ebpf.ProgramType
		since string
	}{{ebpf.CGroupSKB, "4.10"}}
	for _, p := range progs {
		if err := unsupported(fmt.Sprintf("%s programs (Linux %s)", p.typ, p.since), features.HaveProgramType(p.typ)); err != nil {
			return err
		}
	}
	maps := []struct {
		typ   ebpf.MapType
		since string
	}{{ebpf.LRUHash, "4.10"}, {ebpf.PerCPUArray, "4.6"}, {ebpf.SkStorage, "5.2"}}
	for _, m := range maps {
		if err := unsupported(fmt.Sprintf("%s maps (Linux %s)", m.typ, m.since), features.HaveMapType(m.typ)); err != nil {
			return err
		}
	}
	return nil
}

// unsupported explains a failed feature probe; nil unless the feature is
// known to be missing.
func unsupported(what string, err error) error {
	if errors.Is(err, ebpf.ErrNotSupported) {
		return fmt.Errorf("this kernel lacks %s: the observer needs Linux 5.10+ with BTF: %w", what, ErrUnsupported)
	}
	return nil
}

func checkBTF() error {
	if _, err := btf.LoadKernelSpec(); err != nil {
		return fmt.Errorf("the kernel exposes no BTF (/sys/kernel/btf/vmlinux): the observer needs Linux 5.10+ built with CONFIG_DEBUG_INFO_BTF=y: %w (%w)", ErrUnsupported, err)
	}
	return nil
}

// commInCgroupSKB reports whether cgroup_skb programs may call
// bpf_get_current_comm (newer kernels only; probed, not assumed).
// taskInCgroupSKB tells whether cgroup_skb programs may read the current
// task (newer kernels): then UDP flows name the sending process.
func taskInCgroupSKB() bool {
	return features.HaveProgramHelper(ebpf.CGroupSKB, asm.FnGetCurrentTask) == nil &&
		features.HaveProgramHelper(ebpf.CGroupSKB, asm.FnProbeReadKernel) == nil
}

func commInCgroupSKB() bool {
	return features.HaveProgramHelper(ebpf.CGroupSKB, asm.FnGetCurrentComm) == nil
}

func explainLoad(err error) error {
	var ve *ebpf.VerifierError
	switch {
	case errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES):
		return fmt.Errorf("load BPF programs: %s: %w (%w)", privilegeHint, ErrPermission, err)
	case errors.Is(err, ebpf.ErrNotSupported):
		return fmt.Errorf("load BPF programs: this kernel lacks a needed feature (Linux 5.10+ with BTF required): %w (%w)", ErrUnsupported, err)
	case errors.As(err, &ve):
		return fmt.Errorf("load BPF programs: the kernel's verifier rejected them (please report this with the kernel version): %w", err)
	}
	return fmt.Errorf("load BPF programs: %w", err)
}

func explainAttach(hook string, err error) error {
	switch {
	case errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES):
		return fmt.Errorf("attach to %s: %s: %w (%w)", hook, privilegeHint, ErrPermission, err)
	case errors.Is(err, ebpf.ErrNotSupported):
		return fmt.Errorf("attach to %s: not supported by this kernel (Linux 5.10+ with BTF required): %w (%w)", hook, ErrUnsupported, err)
	}
	return fmt.Errorf("attach to %s: %w", hook, err)
}
