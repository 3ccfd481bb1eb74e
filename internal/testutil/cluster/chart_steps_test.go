package cluster

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

const (
	serverSelector   = "app.kubernetes.io/instance=" + chartRelease + ",app.kubernetes.io/component=server"
	observerSelector = "app.kubernetes.io/instance=" + chartRelease + ",app.kubernetes.io/component=observer"
)

func (r *chartRun) checkObserverHooks() {
	r.t.Helper()
	var logs string
	Eventually(r.t, time.Minute, "the observer logs the hooks it attached", func() error {
		out, err := r.c.Kubectl(r.ctx, "-n", chartNS, "logs", "-l", observerSelector, "--tail", "-1")
		logs = out
		if err != nil || !strings.Contains(out, "observer attached") {
			return fmt.Errorf("no \"observer attached\" in the observer's log (%v):\n%s", err, out)
		}
		return nil
	})
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, "observer attached") {
			r.t.Logf("observer: %s", l)
			for _, hook := range []string{"inet_sock_set_state", "cgroup_skb"} {
				if !strings.Contains(l, hook) {
					r.t.Errorf("the observer's start-up line names no %s hook: %s", hook, l)
				}
			}
		}
	}
}

// hostProcess finds the pid of a container's process on the node by its
// argv (the cluster runs on this machine).
func hostProcess(argv ...string) (int, error) {
	want := strings.Join(argv, "\x00") + "\x00"
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		cmdline, err := os.ReadFile(filepath.Join(d, "cmdline"))
		if err != nil || !strings.HasPrefix(string(cmdline), want) {
			continue
		}
		cg, _ := os.ReadFile(filepath.Join(d, "cgroup"))
		if !strings.Contains(string(cg), "netpol-advisor-cluster") {
			continue // not the cluster's (another test's binary)
		}
		return strconv.Atoi(filepath.Base(d))
	}
	return 0, fmt.Errorf("no process %q of the cluster", strings.Join(argv, " "))
}

// observerBPF returns the BPF objects the running observer holds.
func (r *chartRun) observerBPF() testutil.BPFObjects {
	r.t.Helper()
	pid, err := hostProcess("/observer", "run")
	if err != nil {
		r.t.Fatal(err)
	}
	held, err := testutil.HeldBPFObjects(pid)
	if err != nil {
		r.t.Fatal(err)
	}
	if len(held["prog"]) < 3 {
		r.t.Fatalf("the observer (pid %d) holds %d BPF programs, want its TCP and two UDP programs: %v", pid, len(held["prog"]), held)
	}
	r.t.Logf("the observer pod holds BPF programs %v, links %v", held["prog"], held["link"])
	return held
}

// traffic makes n TCP connections from the client pod to the server
// Service (each one a counted connection) and one DNS lookup.
func (r *chartRun) traffic(n int) {
	r.t.Helper()
	for i := range n {
		// A connection that fails (kube-proxy may not have programmed a
		// re-created Deployment's endpoints yet) counts as failed, never in
		// the baseline's count: try it again.
		var out string
		var err error
		for try := 0; try < 5; try++ {
			out, err = r.c.Exec(r.ctx, "e2e", "client", "/netcheck", "tcp", "-timeout", "3s", "server:80")
			if err == nil && strings.Contains(out, "hello over tcp") {
				break
			}
			time.Sleep(time.Second)
		}
		if err != nil || !strings.Contains(out, "hello over tcp") {
			r.t.Fatalf("connection %d of the client to server:80: %v %q", i, err, out)
		}
	}
}

// waitCount waits until the server's baseline holds exactly add more
// client connections than last time: fewer is a lost flow, more a flow
// counted twice.
func (r *chartRun) waitCount(add uint64) {
	r.t.Helper()
	want := r.count + add
	Eventually(r.t, 90*time.Second, fmt.Sprintf("the baseline counts %d client connections", want), func() error {
		got, err := r.clientCount()
		if err != nil {
			return err
		}
		if got > want {
			r.t.Fatalf("the baseline counts %d client connections, want %d: a batch was counted twice", got, want)
		}
		if got < want {
			return fmt.Errorf("the baseline counts %d client connections so far", got)
		}
		return nil
	})
	r.count = want
}

// clientCount reads the server Deployment's baseline through the read API
// (as an authorised reader, verifying the chart's ingest certificate) and
// sums the connections it accepted from the client pod on 8080/TCP.
func (r *chartRun) clientCount() (uint64, error) {
	b, err := r.baseline()
	if err != nil {
		return 0, err
	}
	var n uint64
	for _, f := range b.Flows {
		if f.Direction == flow.Ingress && f.Peer.Workload.Name == "client" && f.Port == 8080 && f.Protocol == "TCP" {
			n += f.Count
		}
	}
	return n, nil
}

func (r *chartRun) baseline() (flow.Baseline, error) {
	ip, err := r.c.Kubectl(r.ctx, "-n", chartNS, "get", "pod", "-l", serverSelector, "-o", "jsonpath={.items[0].status.podIP}")
	if err != nil || strings.TrimSpace(ip) == "" {
		return flow.Baseline{}, fmt.Errorf("server pod IP: %v %q", err, ip)
	}
	// A person's token, for the API server's own audience: the product's
	// audience is for observers' ingest only.
	token, err := r.c.Kubectl(r.ctx, "-n", "e2e", "create", "token", "baseline-reader")
	if err != nil {
		return flow.Baseline{}, fmt.Errorf("token: %v %s", err, token)
	}
	caB64, err := r.c.Kubectl(r.ctx, "-n", chartNS, "get", "secret", chartRelease+"-ingest-tls", "-o", `jsonpath={.data.ca\.crt}`)
	if err != nil {
		return flow.Baseline{}, fmt.Errorf("ingest CA: %v %s", err, caB64)
	}
	ca, err := base64.StdEncoding.DecodeString(strings.TrimSpace(caB64))
	if err != nil {
		return flow.Baseline{}, err
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(ca)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: chartRelease + "." + chartNS + ".svc"}}}
	req, _ := http.NewRequestWithContext(r.ctx, http.MethodGet, "https://"+strings.TrimSpace(ip)+":8443/v1/namespaces/e2e/workloads/Deployment/server/baseline", nil)
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(token))
	resp, err := client.Do(req)
	if err != nil {
		return flow.Baseline{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return flow.Baseline{}, errors.New("no baseline for e2e/Deployment/server yet")
	}
	if resp.StatusCode != http.StatusOK {
		return flow.Baseline{}, fmt.Errorf("read API: %s", resp.Status)
	}
	var b flow.Baseline
	return b, json.NewDecoder(resp.Body).Decode(&b)
}

// checkAggregatedAPI reads the baselines as a user does, through the API
// server and the chart's APIService (kubectl get baselines).
func (r *chartRun) checkAggregatedAPI() {
	r.t.Helper()
	r.kubectl("wait", "--for=condition=Available", "apiservice/v1alpha1.netpol-advisor.io", "--timeout", "2m")
	Eventually(r.t, time.Minute, "kubectl get baselines lists the server Deployment", func() error {
		out, err := r.c.Kubectl(r.ctx, "-n", "e2e", "get", "baselines")
		if err != nil || !strings.Contains(out, "server") {
			return fmt.Errorf("kubectl get baselines: %v\n%s", err, out)
		}
		r.t.Logf("kubectl -n e2e get baselines:\n%s", out)
		return nil
	})
}

func (r *chartRun) annotations(deployment string) map[string]string {
	r.t.Helper()
	var m map[string]string
	out := r.kubectl("-n", "e2e", "get", "deployment", deployment, "-o", "jsonpath={.metadata.annotations}")
	if strings.TrimSpace(out) == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		r.t.Fatalf("annotations of %s: %v: %s", deployment, err, out)
	}
	return m
}

func (r *chartRun) checkAnnotations() {
	r.t.Helper()
	r.apply("chart-new-deployment.yaml")
	// Annotated by the mutating webhook in the create request itself.
	if st := r.annotations("newcomer")["netpol-advisor.io/recommendation-status"]; !strings.Contains(st, "learning") {
		r.t.Fatalf("the new Deployment was created without a learning status annotation: %q", st)
	}
	// An update goes through the webhook too: the observed Deployment's
	// recommendation allows what was seen, the client on 8080. (The
	// annotator would also get there, at its next resync.)
	r.kubectl("-n", "e2e", "annotate", "--overwrite", "deployment", "server", "e2e.netpol-advisor.io/touched="+strconv.FormatInt(time.Now().Unix(), 10))
	r.requireRecommendation("after an update")
	// Re-created (a redeploy): the new object carries the recommendation
	// from the stored baseline the moment it is created.
	r.kubectl("-n", "e2e", "delete", "deployment", "server", "--wait")
	r.apply("workload.yaml")
	r.requireRecommendation("created anew")
	r.kubectl("-n", "e2e", "rollout", "status", "deployment/server", "--timeout", "2m")
}

func (r *chartRun) requireRecommendation(when string) {
	r.t.Helper()
	ann := r.annotations("server")
	pol := ann["netpol-advisor.io/recommended-policy"]
	if !strings.Contains(pol, "app: client") || !strings.Contains(pol, "8080") {
		r.t.Fatalf("%s, the server Deployment's recommended policy does not allow the observed client on 8080:\n%s\nstatus %s", when, pol, ann["netpol-advisor.io/recommendation-status"])
	}
}

// checkWebhookPortClosed: a pod that is not the API server cannot reach
// the webhook port, nor the ingest (only observers may): the chart's
// NetworkPolicy is in force on this cluster.
func (r *chartRun) checkWebhookPortClosed() {
	r.t.Helper()
	// The chart found the API server's address at install time (lookup of
	// the default/kubernetes EndpointSlice): the webhook port admits that
	// address only.
	apiIP := strings.TrimSpace(r.kubectl("-n", "default", "get", "endpointslice", "kubernetes", "-o", "jsonpath={.endpoints[0].addresses[0]}"))
	from := r.kubectl("-n", chartNS, "get", "networkpolicy", chartRelease+"-server", "-o", "jsonpath={.spec.ingress[0].from[*].ipBlock.cidr}")
	if strings.TrimSpace(from) != apiIP+"/32" {
		r.t.Errorf("the webhook port admits %q, want only the API server %s/32", from, apiIP)
	}
	ip := strings.TrimSpace(r.kubectl("-n", chartNS, "get", "pod", "-l", serverSelector, "-o", "jsonpath={.items[0].status.podIP}"))
	for _, port := range []string{"9443", "8443"} {
		out, err := r.c.Exec(r.ctx, "e2e", "client", "/netcheck", "tcp", "-timeout", "2s", ip+":"+port)
		if err == nil {
			r.t.Errorf("the client pod reached the server's port %s: %q", port, out)
		}
	}
}

// killServer kills the server process (SIGKILL, no clean shutdown) while
// observers keep sending; the kubelet restarts it on the same volume.
func (r *chartRun) killServer() {
	r.t.Helper()
	pid, err := hostProcess("/server")
	if err != nil {
		r.t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		r.t.Fatal(err)
	}
	r.traffic(4) // while it is down or starting: observers keep them in their outbox
	r.kubectl("-n", chartNS, "wait", "--for=condition=Ready", "pod", "-l", serverSelector, "--timeout", "3m")
	r.waitCount(4)
	restarts := r.kubectl("-n", chartNS, "get", "pod", "-l", serverSelector, "-o", "jsonpath={.items[0].status.containerStatuses[0].restartCount}")
	if restarts == "0" {
		r.t.Fatal("the server container was not restarted: the kill did not take")
	}
}

func (r *chartRun) upgrade() {
	r.t.Helper()
	r.helm("upgrade", chartRelease, r.chart, "--namespace", chartNS, "--wait", "--timeout", "5m",
		"-f", "testdata/chart-values.yaml", "-f", "testdata/chart-upgrade-values.yaml",
		"--set", "observer.hostCgroupRoot="+r.cgroup2, "--set", "observer.hostDataDir="+filepath.Join(r.c.Dir, "observer-outbox"))
	args := r.kubectl("-n", chartNS, "get", "pod", "-l", serverSelector, "-o", "jsonpath={.items[*].spec.containers[0].args}")
	if !strings.Contains(args, "--retention=240h") || strings.Count(args, "--retention") != 1 {
		r.t.Fatalf("after the upgrade the server pods run %s, want one with --retention=240h", args)
	}
	got, err := r.clientCount()
	if err != nil || got != r.count {
		r.t.Fatalf("after the upgrade the baseline counts %d client connections (%v), want the %d stored before", got, err, r.count)
	}
	r.traffic(2)
	r.waitCount(2)
}

// checkWarning applies a policy that cuts the observed client -> server
// connection: kubectl prints the installed webhook's Warning (Service,
// certificate and caBundle as the chart and the server made them).
func (r *chartRun) checkWarning() {
	r.t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "deny.yaml"))
	if err != nil {
		r.t.Fatal(err)
	}
	out, err := r.c.kubectl(r.ctx, string(data), "apply", "-f", "-")
	if err != nil {
		r.t.Fatalf("kubectl apply of the deny policy: %v\n%s", err, out)
	}
	r.t.Logf("kubectl apply said:\n%s", out)
	if !strings.Contains(out, "Warning:") || !strings.Contains(out, "client") {
		r.t.Fatalf("kubectl apply of a policy cutting the observed client -> server connection printed no Warning naming the client:\n%s", out)
	}
	if !strings.Contains(out, "created") && !strings.Contains(out, "configured") {
		r.t.Fatalf("the policy was not created (the webhook must only warn):\n%s", out)
	}
}

// uninstall removes the release and checks that nothing of it intercepts
// or holds rights, and that the observers' BPF programs left the kernel.
func (r *chartRun) uninstall(bpf testutil.BPFObjects) {
	r.t.Helper()
	r.helm("uninstall", chartRelease, "--namespace", chartNS, "--wait", "--timeout", "3m")
	hooks := r.kubectl("get", "mutatingwebhookconfigurations,validatingwebhookconfigurations", "-o", "name")
	if strings.Contains(hooks, "/"+chartRelease+"\n") || strings.HasSuffix(strings.TrimSpace(hooks), "/"+chartRelease) {
		r.t.Errorf("webhook configurations left after helm uninstall:\n%s", hooks)
	}
	for _, kind := range []string{"clusterroles", "clusterrolebindings"} {
		if left := r.kubectl("get", kind, "-l", "app.kubernetes.io/instance="+chartRelease, "-o", "name"); strings.TrimSpace(left) != "" {
			r.t.Errorf("%s left after helm uninstall:\n%s", kind, left)
		}
	}
	// An APIService left behind breaks discovery for every kubectl user.
	if out, err := r.c.Kubectl(r.ctx, "get", "apiservice", "v1alpha1.netpol-advisor.io"); err == nil || !strings.Contains(out, "NotFound") {
		r.t.Errorf("APIService v1alpha1.netpol-advisor.io left after helm uninstall (%v):\n%s", err, out)
	}
	if left := r.kubectl("-n", "kube-system", "get", "rolebindings", "-l", "app.kubernetes.io/instance="+chartRelease, "-o", "name"); strings.TrimSpace(left) != "" {
		r.t.Errorf("RoleBindings left in kube-system after helm uninstall:\n%s", left)
	}
	if left := r.kubectl("-n", chartNS, "get", "secrets,configmaps,services,daemonsets,deployments", "-l", "app.kubernetes.io/instance="+chartRelease, "-o", "name"); strings.TrimSpace(left) != "" {
		r.t.Errorf("objects left in %s after helm uninstall:\n%s", chartNS, left)
	}
	// The pods go with their owners by garbage collection, after their
	// grace period: helm --wait does not wait for them.
	Eventually(r.t, time.Minute, "the product's pods gone after uninstall", func() error {
		if left := r.kubectl("-n", chartNS, "get", "pods", "-o", "name"); strings.TrimSpace(left) != "" {
			return fmt.Errorf("pods left: %s", left)
		}
		return nil
	})
	for kind, ids := range bpf {
		for id := range ids {
			Eventually(r.t, 30*time.Second, fmt.Sprintf("BPF %s %d released after uninstall", kind, id), func() error {
				ok, err := testutil.BPFExists(kind, id)
				if err != nil {
					return err
				}
				if ok {
					return fmt.Errorf("BPF %s %d still in the kernel", kind, id)
				}
				return nil
			})
		}
	}
	pvc := r.kubectl("-n", chartNS, "get", "pvc", "-o", "name")
	r.t.Logf("kept on purpose (helm.sh/resource-policy: keep, the baselines): %s", strings.TrimSpace(pvc))
}

// checkNoForbidden fails when a component's log shows the API server
// refusing it: a right missing from the chart's RBAC.
func (r *chartRun) checkNoForbidden() {
	r.t.Helper()
	for _, sel := range []string{serverSelector, observerSelector} {
		logs := r.kubectl("-n", chartNS, "logs", "-l", sel, "--tail", "-1")
		for _, l := range strings.Split(logs, "\n") {
			if strings.Contains(l, "forbidden") {
				r.t.Errorf("RBAC refused the %s: %s", sel, l)
			}
		}
	}
}

// measureResources logs what the product's pods used, from their memory
// and CPU cgroups (v1 here), for the chart's requests and limits.
func (r *chartRun) measureResources() {
	r.t.Helper()
	for _, sel := range []string{serverSelector, observerSelector} {
		out := r.kubectl("-n", chartNS, "get", "pod", "-l", sel, "-o", `jsonpath={range .items[*]}{.metadata.uid} {.status.startTime}{"\n"}{end}`)
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			uid, started, _ := strings.Cut(line, " ")
			since, _ := time.Parse(time.RFC3339, started)
			mem := podCgroupFile("memory", uid, "memory.max_usage_in_bytes")
			cpu := podCgroupFile("cpuacct", uid, "cpuacct.usage")
			cpuNs, _ := strconv.ParseFloat(cpu, 64)
			r.t.Logf("pod %s (%s): peak memory %s MiB, CPU %.1fs over %s (%.0f millicores on average)",
				uid, sel[strings.LastIndex(sel, "=")+1:], mib(mem), cpuNs/1e9, time.Since(since).Round(time.Second), cpuNs/1e6/time.Since(since).Seconds())
		}
	}
}

func podCgroupFile(controller, uid, file string) string {
	for _, pattern := range []string{"/sys/fs/cgroup/%s/netpol-advisor-cluster/kubepods/*/pod%s/%s", "/sys/fs/cgroup/%s/netpol-advisor-cluster/kubepods/pod%s/%s",
		"/sys/fs/cgroup/cpu,%s/netpol-advisor-cluster/kubepods/*/pod%s/%s", "/sys/fs/cgroup/cpu,%s/netpol-advisor-cluster/kubepods/pod%s/%s"} {
		matches, _ := filepath.Glob(fmt.Sprintf(pattern, controller, uid, file))
		for _, m := range matches {
			if data, err := os.ReadFile(m); err == nil {
				return strings.TrimSpace(string(data))
			}
		}
	}
	return "?"
}

func (r *chartRun) dumpProduct() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, args := range [][]string{
		{"get", "pods,pvc,pv,netpol", "-A", "-o", "wide"},
		{"-n", chartNS, "describe", "pods"},
		{"-n", chartNS, "logs", "-l", serverSelector, "--tail", "60", "--all-containers", "--prefix"},
		{"-n", chartNS, "logs", "-l", serverSelector, "--tail", "30", "--previous"},
		{"-n", chartNS, "logs", "-l", observerSelector, "--tail", "60", "--prefix"},
		{"get", "events", "-A", "--sort-by", ".lastTimestamp"},
	} {
		out, _ := r.c.Kubectl(ctx, args...)
		r.t.Logf("kubectl %s:\n%s", strings.Join(args, " "), out)
	}
}
