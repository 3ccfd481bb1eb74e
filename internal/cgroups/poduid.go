package cgroups

import "strings"

// PodUID returns the UID of the pod that a cgroup path belongs to, as the
// kubelet names pod cgroups with either cgroup driver:
//
//	cgroupfs: /kubepods/burstable/pod<UID>/<container>
//	systemd:  /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<UID with _>.slice/cri-containerd-<id>.scope
//
// Static pods' UIDs are 32 hex digits instead of a UUID; both are accepted.
func PodUID(cgroupPath string) (string, bool) {
	for part := range strings.SplitSeq(cgroupPath, "/") {
		if uid, ok := strings.CutPrefix(part, "pod"); ok && validUID(uid) {
			return uid, true
		}
		if slice, ok := strings.CutSuffix(part, ".slice"); ok {
			if i := strings.LastIndex(slice, "-pod"); i >= 0 {
				uid := strings.ReplaceAll(slice[i+len("-pod"):], "_", "-")
				if validUID(uid) {
					return uid, true
				}
			}
		}
	}
	return "", false
}

// validUID accepts a UUID (8-4-4-4-12 hex digits) or 32 hex digits.
func validUID(s string) bool {
	switch len(s) {
	case 32:
		return isHex(s)
	case 36:
		for _, i := range []int{8, 13, 18, 23} {
			if s[i] != '-' {
				return false
			}
		}
		return isHex(strings.ReplaceAll(s, "-", ""))
	}
	return false
}

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
