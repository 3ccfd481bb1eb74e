package netns_test

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/netpol-advisor/netpol-advisor/internal/cgroups"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
)

func TestStartRunsInPodCgroupAndNamespace(t *testing.T) {
	testutil.RequireRoot(t)
	node := netns.NewNode(t)
	mount, err := cgroups.V2Mount()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		add  func(testing.TB, string) *netns.Pod
	}{
		{"pod", func(t testing.TB, n string) *netns.Pod { return node.AddPod(t, n) }},
		{"host network pod", node.AddHostNetworkPod},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := tt.add(t, "web")
			out := runIn(t, pod, "cat /proc/self/cgroup; stat -L -c %i /proc/self/ns/net")
			rel := strings.TrimPrefix(pod.Cgroup, mount)
			if !strings.Contains(out, "0::"+rel+"\n") || !strings.HasSuffix(rel, "/pod"+pod.UID) {
				t.Errorf("process cgroups:\n%s\nwant the v2 entry 0::%s ending in pod<UID>", out, rel)
			}
			ino, err := pod.NetNSInode()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(out, fmt.Sprintf("\n%d\n", ino)) {
				t.Errorf("process network namespace:\n%s\nwant inode %d", out, ino)
			}
			if id, _ := cgroups.ID(pod.Cgroup); id != pod.CgroupID || id == 0 {
				t.Errorf("CgroupID = %d, directory inode %d", pod.CgroupID, id)
			}
		})
	}
}

// runIn runs a shell script in pod and returns its output.
func runIn(t *testing.T, pod *netns.Pod, script string) string {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command("sh", "-c", script)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := pod.Start(t, cmd); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	return out.String()
}
