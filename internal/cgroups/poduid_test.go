package cgroups

import "testing"

func TestPodUID(t *testing.T) {
	const uid = "5f0c6d0e-8a3b-4c1d-9e2f-0a1b2c3d4e5f"
	tests := []struct {
		name, path, want string
		ok               bool
	}{
		{"cgroupfs pod", "/kubepods/besteffort/pod" + uid, uid, true},
		{"cgroupfs container", "/kubepods/burstable/pod" + uid + "/0123abcd", uid, true},
		{"cgroupfs guaranteed", "/kubepods/pod" + uid + "/0123abcd", uid, true},
		{"systemd container", "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5f0c6d0e_8a3b_4c1d_9e2f_0a1b2c3d4e5f.slice/cri-containerd-0123.scope", uid, true},
		{"systemd guaranteed", "/kubepods.slice/kubepods-pod5f0c6d0e_8a3b_4c1d_9e2f_0a1b2c3d4e5f.slice", uid, true},
		{"relative path", "kubepods/besteffort/pod" + uid + "/c", uid, true},
		{"static pod hash", "/kubepods/burstable/pod0123456789abcdef0123456789abcdef/c", "0123456789abcdef0123456789abcdef", true},
		{"not a pod", "/system.slice/containerd.service", "", false},
		{"pod prefix without a UID", "/kubepods/podcast/x", "", false},
		{"slice without a UID", "/kubepods.slice/kubepods-pod.slice", "", false},
		{"root", "/", "", false},
		{"empty", "", "", false},
		{"malformed UUID", "/kubepods/pod5f0c6d0e-8a3b-4c1d-9e2f_0a1b2c3d4e5f", "", false},
		{"not hex", "/kubepods/podzf0c6d0e-8a3b-4c1d-9e2f-0a1b2c3d4e5f", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := PodUID(tt.path)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("PodUID(%q) = %q, %v; want %q, %v", tt.path, got, ok, tt.want, tt.ok)
			}
		})
	}
}
