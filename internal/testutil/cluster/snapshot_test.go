package cluster

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLinesNormalizes(t *testing.T) {
	tests := []struct {
		name, kind, out string
		want            []string
	}{
		{
			name: "volatile sysctls dropped, rest sorted",
			kind: "sysctls",
			out:  "vm.swappiness = 60\nfs.file-nr = 2457\t0\t2466170\nkernel.random.uuid = 0f91\nkernel.panic = 1\n",
			want: []string{"kernel.panic = 1", "vm.swappiness = 60"},
		},
		{
			name: "nft counters zeroed",
			kind: "nft",
			out:  "\t\tip saddr @ranges counter packets 2 bytes 120 drop\n",
			want: []string{"ip saddr @ranges counter drop"},
		},
		{
			name: "mount ids dropped",
			kind: "mounts",
			out:  "36 25 0:31 / /sys rw,nosuid shared:7 - sysfs sysfs rw\n",
			want: []string{"0:31 / /sys rw,nosuid shared:7 - sysfs sysfs rw"},
		},
		{
			name: "other tests' bpffs and netns mounts dropped, ours kept",
			kind: "mounts",
			out: "40 25 0:40 / /sys/fs/bpf rw - bpf bpf rw\n" +
				"41 30 0:4 net:[4026532] /run/netns/pod-a rw shared:9 - nsfs nsfs rw\n" +
				"42 30 0:4 net:[4026533] /var/lib/netpol-advisor-cluster/netns/ext7 rw - nsfs nsfs rw\n",
			want: []string{"0:4 net:[4026533] /var/lib/netpol-advisor-cluster/netns/ext7 rw - nsfs nsfs rw"},
		},
		{
			name: "interface index dropped",
			kind: "links",
			out:  "5: npa-br0: <BROADCAST,UP> mtu 1500\n1: lo: <LOOPBACK> mtu 65536\n",
			want: []string{"lo: <LOOPBACK> mtu 65536", "npa-br0: <BROADCAST,UP> mtu 1500"},
		},
		{name: "empty output", kind: "ipsets", out: "\n", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, lines(tt.out, tt.kind)); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
		})
	}
}
