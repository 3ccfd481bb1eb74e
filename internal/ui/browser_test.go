package ui_test

import (
	"cmp"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	gocmp "github.com/google/go-cmp/cmp"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/netpol-advisor/netpol-advisor/internal/cli"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/aggregated"
	"github.com/netpol-advisor/netpol-advisor/internal/ui"
)

const (
	storyDir  = "../../webhook/testdata/story/"
	storyNS   = "example-java-app"
	golden    = "../policy/testdata/story/recommended.golden.yaml"
	cassandra = "w:example-java-app/Deployment/example-java-app-cassandra"
	external  = "ip:203.0.113.7"
)

// jane may read the story's namespace and change its workloads, and list
// namespaces; nothing in kube-system.
const janeRBAC = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ui-test-namespaces}
rules: [{apiGroups: [""], resources: [namespaces], verbs: [list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ui-test-namespaces}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ui-test-namespaces}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: jane}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: ui-test, namespace: example-java-app}
rules:
- {apiGroups: [netpol-advisor.io], resources: [baselines, topologies, recommendations], verbs: [get, list]}
- {apiGroups: [netpol-advisor.io], resources: [recommendationreviews, policychecks], verbs: [create]}
- {apiGroups: [apps], resources: [deployments, statefulsets], verbs: [get, patch]}
- {apiGroups: [networking.k8s.io], resources: [networkpolicies], verbs: [list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ui-test, namespace: example-java-app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ui-test}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: jane}]
`

// page is the UI served as jane in front of the story, and a headless
// Chromium looking at it.
type page struct {
	cp  *testutil.ControlPlane
	srv *ui.Server
	ctx context.Context
	dir string // screenshots
}

func startPage(t *testing.T) *page {
	t.Helper()
	chrome := chromium(t)
	cp := aggregated.StartStory(t, storyDir)
	if _, errOut, err := cp.Kubectl(context.Background(), []byte(janeRBAC), "apply", "-f", "-"); err != nil {
		t.Fatalf("grant jane: %v\n%s", err, errOut)
	}
	cfg := rest.CopyConfig(cp.Config)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "jane"}
	srv := serveUI(t, ui.Config{REST: cfg, Namespace: storyNS})
	return &page{cp: cp, srv: srv, ctx: newBrowser(t, chrome), dir: artefacts(t)}
}

func newBrowser(t testing.TB, chrome string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.WindowSize(1400, 1000))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelB(); cancelA() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", chrome, err)
	}
	return ctx
}

// artefacts is where screenshots go: $NETPOL_ADVISOR_ARTEFACTS/ui, or
// _artefacts/ui at the repository's root.
func artefacts(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "_artefacts", "ui")
	if d := os.Getenv("NETPOL_ADVISOR_ARTEFACTS"); d != "" {
		dir = filepath.Join(d, "ui")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func (p *page) run(t *testing.T, what string, action func(context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 60*time.Second)
	defer cancel()
	if err := action(ctx); err != nil {
		errText, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`(document.getElementById('error')||{}).textContent||''`))
		p.screenshot(t, "failed")
		t.Fatalf("%s: %v (page error: %q)", what, err, errText)
	}
}

// js evaluates expr, which must not throw.
func js[T any](t *testing.T, p *page, expr string) T {
	t.Helper()
	var v T
	p.run(t, expr, func(ctx context.Context) (err error) {
		v, err = chromedp.Run(ctx, chromedp.Evaluate[T](expr))
		return err
	})
	return v
}

// do evaluates expr for its effect.
func (p *page) do(t *testing.T, expr string) {
	t.Helper()
	js[any](t, p, "("+expr+", true)")
}

// waitJS waits until expr is truthy.
func (p *page) waitJS(t *testing.T, what, expr string) {
	t.Helper()
	p.run(t, "wait for "+what, func(ctx context.Context) error {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(45*time.Second)))
		return err
	})
}

func (p *page) screenshot(t *testing.T, name string) {
	t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	file := filepath.Join(p.dir, name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Error(err)
	}
	t.Logf("screenshot %s", file)
}

// choose sets a select's (or input's) value as a person would.
func choose(id, value string) string {
	return `(() => { const e = document.getElementById(` + quote(id) + `); e.value = ` + quote(value) +
		`; e.dispatchEvent(new Event('change', {bubbles: true})); return true })()`
}

func typeInto(id, value string) string {
	return `(() => { const e = document.getElementById(` + quote(id) + `); e.value = ` + quote(value) +
		`; e.dispatchEvent(new Event('input', {bubbles: true})); return true })()`
}

// tab clicks the tab of that name.
func tab(name string) string {
	return `[...document.querySelectorAll('nav .tab')].find(b => b.textContent === ` + quote(name) + `).click()`
}

// edgeClass is how the map draws the edges that carry flows with the peer
// (the key of the tables' rows): "" allowed, or excluded, external,
// blocked, failed; "a|b" when the edges differ.
func edgeClass(t *testing.T, p *page, peer string) string {
	t.Helper()
	return js[string](t, p, `(() => { const es = window.netpolUI.cy.edges().filter(e => e.data('peers').includes(`+quote(peer)+`)); `+
		`return es.length === 0 ? 'no edge' : [...new Set(es.map(e => e.classes().join(' ')))].sort().join('|') })()`)
}

// mapNode is a node of the map as the tests read it.
type mapNode struct {
	Label, Classes, Parent string
}

func mapNodes(t *testing.T, p *page) []mapNode {
	t.Helper()
	nodes := js[[]mapNode](t, p, `window.netpolUI.cy.nodes().map(n => ({Label: n.data('label'), Classes: n.data('base'), Parent: n.data('parent') || ''}))`)
	slices.SortFunc(nodes, func(a, b mapNode) int {
		return cmp.Or(strings.Compare(a.Classes, b.Classes), strings.Compare(a.Label, b.Label))
	})
	return nodes
}

// edgeLabels are the map's edges as "from -> to: ports", sorted.
func edgeLabels(t *testing.T, p *page) []string {
	t.Helper()
	got := js[[]string](t, p, `window.netpolUI.cy.edges().map(e => e.source().data('label') + ' -> ' + e.target().data('label') + ': ' + e.data('label'))`)
	slices.Sort(got)
	return got
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

func row(table, peer string) string {
	return `document.querySelector('#` + table + ` tr[data-peer="` + peer + `"]')`
}

func TestPageInChromium(t *testing.T) {
	p := startPage(t)
	p.run(t, "open the page", func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Navigate(p.srv.URL())) })
	p.waitJS(t, "the namespaces", `document.querySelectorAll('#namespaces option').length > 0`)
	p.do(t, choose("namespace", storyNS))
	p.waitJS(t, "the owner kinds", `[...document.querySelectorAll('#kind option')].some(o => o.value === 'Deployment')`)
	p.do(t, choose("kind", "Deployment"))
	p.waitJS(t, "the workloads", `[...document.querySelectorAll('#workload option')].some(o => o.value === 'example-java-app-javaapp')`)
	p.do(t, choose("workload", "example-java-app-javaapp"))

	t.Run("the map and the tables show every peer, 203.0.113.7 external", func(t *testing.T) {
		p.waitJS(t, "the map", `window.netpolUI.cy && window.netpolUI.cy.nodes().length === 13`)
		app, sys := "ns:"+storyNS, "ns:kube-system"
		want := []mapNode{
			{"external 203.0.113.7", "external", ""},
			{"example-java-app", "namespace", ""},
			{"kube-system", "namespace", ""},
			{"example-java-app-cassandra", "service", app},
			{"example-java-app-mongo", "service", app},
			{"example-java-app-redis", "service", app},
			{"kube-dns", "service", sys},
			{"coredns", "workload", sys},
			{"example-java-app-cassandra", "workload", app},
			{"example-java-app-jclient", "workload", app},
			{"example-java-app-mongo", "workload", app},
			{"example-java-app-redis", "workload", app},
			{"example-java-app-javaapp", "workload center", app},
		}
		if diff := gocmp.Diff(want, mapNodes(t, p)); diff != "" {
			t.Errorf("map nodes (-want +got):\n%s", diff)
		}
		wantEdges := []string{
			"example-java-app-cassandra -> example-java-app-cassandra: 9042/TCP",
			"example-java-app-javaapp -> example-java-app-cassandra: 9042→9042/TCP",
			"example-java-app-javaapp -> example-java-app-mongo: 27017→27017/TCP",
			"example-java-app-javaapp -> example-java-app-redis: 6379→6379/TCP",
			"example-java-app-javaapp -> external 203.0.113.7: 27017/TCP",
			"example-java-app-javaapp -> kube-dns: 53→53/UDP",
			"example-java-app-jclient -> example-java-app-javaapp: 8080/TCP",
			"example-java-app-mongo -> example-java-app-mongo: 27017/TCP",
			"example-java-app-redis -> example-java-app-redis: 6379/TCP",
			"kube-dns -> coredns: 53/UDP",
		}
		if diff := gocmp.Diff(wantEdges, edgeLabels(t, p)); diff != "" {
			t.Errorf("map edges (-want +got):\n%s", diff)
		}
		peers := js[[]string](t, p, `[...document.querySelectorAll('#egress tbody tr')].map(r => r.dataset.peer)`)
		p.do(t, tab("Ingress"))
		peers = append(peers, js[[]string](t, p, `[...document.querySelectorAll('#ingress tbody tr')].map(r => r.dataset.peer)`)...)
		slices.Sort(peers)
		p.do(t, tab("Egress"))
		wantPeers := []string{external, cassandra, "w:example-java-app/Deployment/example-java-app-jclient",
			"w:example-java-app/Deployment/example-java-app-redis", "w:example-java-app/StatefulSet/example-java-app-mongo", "w:kube-system/Deployment/coredns"}
		if diff := gocmp.Diff(wantPeers, peers); diff != "" {
			t.Errorf("table rows (-want +got):\n%s", diff)
		}
		resolved := js[string](t, p, row("egress", external)+`.querySelector('.resolved').textContent`)
		if !strings.Contains(resolved, "external") {
			t.Errorf("203.0.113.7's resolved cell says %q, want it marked external", resolved)
		}
		if got := edgeClass(t, p, external); got != "external" {
			t.Errorf("the edge to 203.0.113.7 is drawn %q, want external", got)
		}
		if got := edgeClass(t, p, cassandra); got != "" {
			t.Errorf("the edge to cassandra is drawn %q, want allowed", got)
		}
		p.screenshot(t, "1-javaapp")
	})

	t.Run("untick cassandra, allow 203.0.113.7/32: the CLI's policy for the same adjustments", func(t *testing.T) {
		p.do(t, row("egress", cassandra)+`.querySelector('input').click()`)
		p.do(t, tab("Allowed CIDRs"))
		p.do(t, typeInto("cidr", "203.0.113.7/32"))
		p.do(t, typeInto("alias", "external-mongodb"))
		p.waitJS(t, "the CIDR's verdict", `(document.getElementById('cidr-verdict')||{}).textContent === 'outside the cluster: holds external 203.0.113.7'`)
		p.do(t, `document.getElementById('allow').click()`)
		p.do(t, tab("Generated policy"))
		p.waitForGolden(t)
		var cliOut, cliErr strings.Builder
		cmd := cli.NewCommand(cli.Options{In: strings.NewReader(""), Out: &cliOut, ErrOut: &cliErr, Version: "test"})
		cmd.SetArgs([]string{"generate", "deploy/example-java-app-javaapp", "-n", storyNS, "--allow-cidr", "203.0.113.7/32=external-mongodb",
			"--exclude", "deploy/example-java-app-cassandra", "--kubeconfig", p.cp.Kubeconfig})
		if err := cmd.ExecuteContext(context.Background()); err != nil {
			t.Fatalf("netpol-advisor generate: %v\n%s", err, cliErr.String())
		}
		var fromCLI, fromPage networkingv1.NetworkPolicy
		if err := yaml.Unmarshal([]byte(cliOut.String()), &fromCLI); err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal([]byte(js[string](t, p, `document.getElementById('yaml').textContent`)), &fromPage); err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(fromCLI, fromPage); diff != "" {
			t.Errorf("the page's policy differs from the CLI's for the same adjustments (-cli +page):\n%s", diff)
		}
		if got := edgeClass(t, p, cassandra); got != "excluded" {
			t.Errorf("the edge to cassandra is drawn %q, want excluded", got)
		}
		if got := edgeClass(t, p, external); got != "" {
			t.Errorf("the edge to the allowed 203.0.113.7 is drawn %q, want allowed", got)
		}
		p.screenshot(t, "2-generated-policy")
		p.do(t, tab("Egress"))
		p.screenshot(t, "3-egress-adjusted")
	})

	t.Run("saved, the adjustments are the CLI's annotation and survive a reload", func(t *testing.T) {
		p.do(t, `document.getElementById('save').click()`)
		p.waitJS(t, "the save", `document.getElementById('status').textContent.startsWith('saved')`)
		ann, errOut, err := p.cp.Kubectl(context.Background(), nil, "get", "deploy", "-n", storyNS, "example-java-app-javaapp",
			"-o", `jsonpath={.metadata.annotations.netpol-advisor\.io/adjustments}`)
		if err != nil {
			t.Fatalf("read the annotation: %v\n%s", err, errOut)
		}
		var want, got map[string]any
		readYAML(t, storyDir+"adjustments.yaml", &want)
		want["exclude"].([]any)[0].(map[string]any)["workload"].(map[string]any)["namespace"] = storyNS
		if err := yaml.Unmarshal([]byte(ann), &got); err != nil {
			t.Fatalf("saved annotation %q: %v", ann, err)
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("saved adjustments (-want +got):\n%s", diff)
		}
		p.run(t, "reload", func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Reload()) })
		p.waitJS(t, "the stored adjustments", row("egress", cassandra)+` && !`+row("egress", cassandra)+`.querySelector('input').checked && `+
			row("egress", external)+`.querySelector('input').checked`)
		p.do(t, tab("Generated policy"))
		p.waitForGolden(t)
		p.do(t, tab("Egress"))
		p.screenshot(t, "4-reloaded")
		// Ticking cassandra again undoes a stored decision: the page sends
		// its whole proposal (a review of mode Replace), so the policy,
		// the map and the table show cassandra allowed before any save.
		p.do(t, row("egress", cassandra)+`.querySelector('input').click()`)
		p.do(t, tab("Generated policy"))
		p.waitJS(t, "cassandra back in the policy", `(document.getElementById('yaml')||{}).textContent.includes('app.kubernetes.io/name: example-java-app-cassandra')`)
		if got := edgeClass(t, p, cassandra); got != "" {
			t.Errorf("the edges to cassandra, ticked again, are drawn %q, want allowed", got)
		}
		if js[bool](t, p, `document.getElementById('save').disabled`) {
			t.Error("undoing a stored decision left nothing to save")
		}
		p.screenshot(t, "5-stored-exclusion-undone-before-save")
		if after, _, err := p.cp.Kubectl(context.Background(), nil, "get", "deploy", "-n", storyNS, "example-java-app-javaapp",
			"-o", `jsonpath={.metadata.annotations.netpol-advisor\.io/adjustments}`); err != nil || after != ann {
			t.Errorf("the stored adjustments changed before a save: %q, was %q (%v)", after, ann, err)
		}
		p.do(t, tab("Egress"))
		p.do(t, row("egress", cassandra)+`.querySelector('input').click()`)
		p.do(t, tab("Generated policy"))
		p.waitForGolden(t)
		p.do(t, tab("Egress"))
	})

	t.Run("the policies in force: what they block, with the fix, on the map", func(t *testing.T) {
		if _, errOut, err := p.cp.Kubectl(context.Background(), nil, "apply", "-f", storyDir+"handwritten.yaml"); err != nil {
			t.Fatalf("apply the hand-written policy: %v\n%s", err, errOut)
		}
		// The server's informer sees the policy a moment later: look again
		// until the page lists what it blocks.
		deadline := time.Now().Add(30 * time.Second)
		for {
			p.run(t, "reload", func(ctx context.Context) error { return chromedp.Do(ctx, chromedp.Reload()) })
			p.waitJS(t, "the map", `window.netpolUI.cy && window.netpolUI.cy.nodes().length === 13`)
			p.do(t, tab("Generated policy"))
			p.waitJS(t, "the check", `!!document.querySelector('#policy h3 + *') && !document.querySelector('#policy h3 + p.note')?.textContent.startsWith('checking')`)
			if js[bool](t, p, `!!document.querySelector('#blocked li')`) || time.Now().After(deadline) {
				break
			}
			time.Sleep(300 * time.Millisecond)
		}
		items := js[[]string](t, p, `[...document.querySelectorAll('#blocked li')].map(li => li.textContent)`)
		var external, dns bool
		for _, it := range items {
			external = external || strings.Contains(it, "203.0.113.7") && strings.Contains(it, "fix: add an egress rule to ipBlock 203.0.113.7/32 on TCP 27017")
			dns = dns || strings.Contains(it, "fix: add an egress rule to namespace kube-system pods k8s-app=kube-dns")
		}
		if !external || !dns {
			t.Errorf("blocked flows listed (want 203.0.113.7 and DNS, each with its fix):\n%s", strings.Join(items, "\n"))
		}
		if got := edgeClass(t, p, "ip:203.0.113.7"); got != "blocked" {
			t.Errorf("the edge to 203.0.113.7 is drawn %q, want blocked by the policy in force", got)
		}
		p.screenshot(t, "6-blocked-by-policies-in-force")
	})

	t.Run("a click on a peer in the map goes to that workload", func(t *testing.T) {
		p.do(t, `window.netpolUI.cy.nodes().filter(n => n.data('label') === 'example-java-app-jclient').emit('tap')`)
		p.waitJS(t, "jclient chosen", `location.hash.includes('w=Deployment%2Fexample-java-app-jclient')`)
		// The story recorded javaapp only: the page says so.
		p.waitJS(t, "the note", `(document.getElementById('no-baseline')||{}).textContent?.includes('example-java-app/example-java-app-jclient')`)
		p.do(t, choose("workload", "example-java-app-javaapp"))
		p.waitJS(t, "javaapp again", `window.netpolUI.cy.nodes().length === 13`)
	})

	t.Run("Service as an owner kind: the flows through it, client to backend", func(t *testing.T) {
		p.do(t, choose("kind", "Service"))
		p.waitJS(t, "the Services", `document.querySelectorAll('#workload option').length > 1`)
		names := js[[]string](t, p, `[...document.querySelectorAll('#workload option')].map(o => o.value).filter(v => v)`)
		if diff := gocmp.Diff([]string{"example-java-app-cassandra", "example-java-app-mongo", "example-java-app-redis"}, names); diff != "" {
			t.Errorf("Services offered (-want +got):\n%s", diff)
		}
		p.do(t, choose("workload", "example-java-app-mongo"))
		p.waitJS(t, "the Service's flows", `!!document.querySelector('#service-flows tbody tr') && window.netpolUI.cy.nodes().length === 4`)
		app := "ns:" + storyNS
		want := []mapNode{{"example-java-app", "namespace", ""}, {"example-java-app-mongo", "service center", app},
			{"example-java-app-javaapp", "workload", app}, {"example-java-app-mongo", "workload", app}}
		if diff := gocmp.Diff(want, mapNodes(t, p)); diff != "" {
			t.Errorf("the Service's map (-want +got):\n%s", diff)
		}
		wantEdges := []string{"example-java-app-javaapp -> example-java-app-mongo: 27017→27017/TCP", "example-java-app-mongo -> example-java-app-mongo: 27017/TCP"}
		if diff := gocmp.Diff(wantEdges, edgeLabels(t, p)); diff != "" {
			t.Errorf("the Service's edges (-want +got):\n%s", diff)
		}
		rows := js[[]string](t, p, `[...document.querySelectorAll('#service-flows tbody tr')].map(r => [...r.cells].slice(0, 10).map(c => c.textContent).join(' '))`)
		if diff := gocmp.Diff([]string{"example-java-app-javaapp Deployment example-java-app 27017 27017 TCP example-java-app-mongo StatefulSet java 40"}, rows); diff != "" {
			t.Errorf("the Service's flows (-want +got):\n%s", diff)
		}
		if !strings.Contains(js[string](t, p, `document.getElementById('service-note').textContent`), "NetworkPolicies select pods") {
			t.Error("the page does not say what a Service's view shows")
		}
		p.screenshot(t, "7-service-mongo")
		p.do(t, `window.netpolUI.cy.nodes('.workload').filter(n => n.data('label') === 'example-java-app-mongo').emit('tap')`)
		p.waitJS(t, "the backend chosen", `location.hash.includes('w=StatefulSet%2Fexample-java-app-mongo')`)
		p.do(t, choose("kind", "Deployment"))
		p.do(t, choose("workload", "example-java-app-javaapp"))
		p.waitJS(t, "javaapp again", `window.netpolUI.cy.nodes().length === 13`)
	})

	t.Run("netpol-advisor ui prints the URL of the page and serves it", func(t *testing.T) {
		out := &testutil.SyncBuffer{}
		ctx, cancel := context.WithCancel(context.Background())
		cmd := cli.NewCommand(cli.Options{In: strings.NewReader(""), Out: out, ErrOut: io.Discard, Version: "test"})
		cmd.SetArgs([]string{"ui", "--no-browser", "--port", "0", "--kubeconfig", p.cp.Kubeconfig, "-n", storyNS})
		done := make(chan error, 1)
		go func() { done <- cmd.ExecuteContext(ctx) }()
		defer func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("netpol-advisor ui: %v", err)
			}
		}()
		var url string
		deadline := time.Now().Add(10 * time.Second)
		for url == "" && time.Now().Before(deadline) {
			if i := strings.Index(out.String(), "http://127.0.0.1:"); i >= 0 {
				url = strings.Fields(out.String()[i:])[0]
			}
			time.Sleep(50 * time.Millisecond)
		}
		if !strings.Contains(url, "/?token=") {
			t.Fatalf("no URL with a token printed: %q", out.String())
		}
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `<div id="app">`) {
			t.Errorf("GET %s: %d\n%s", url, resp.StatusCode, body)
		}
	})

	t.Run("refused: no token, another Origin or Host, a namespace jane may not read", func(t *testing.T) {
		base := strings.TrimSuffix(p.srv.URL(), "/?token="+tokenOf(p.srv.URL()))
		tok := tokenOf(p.srv.URL())
		cases := []struct {
			name, method, path string
			header             map[string]string
			want               int
		}{
			{"page without the token", "GET", "/", nil, http.StatusForbidden},
			{"page with a wrong token", "GET", "/?token=" + strings.Map(func(r rune) rune { return 'a' + (r-'a'+1)%6 }, tok[:1]) + tok[1:], nil, http.StatusForbidden},
			{"API without the token", "GET", "/api/namespaces/" + storyNS + "/baselines", nil, http.StatusForbidden},
			{"another Origin", "GET", "/api/namespaces/" + storyNS + "/baselines", map[string]string{ui.TokenHeader: tok, "Origin": "http://evil.example"}, http.StatusForbidden},
			{"a rebound Host", "GET", "/api/namespaces/" + storyNS + "/baselines", map[string]string{ui.TokenHeader: tok, "Host": "evil.example:" + portOf(base)}, http.StatusForbidden},
			{"cross-site fetch", "POST", "/api/namespaces/" + storyNS + "/check", map[string]string{ui.TokenHeader: tok, "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
			{"kube-system's baselines", "GET", "/api/namespaces/kube-system/baselines", map[string]string{ui.TokenHeader: tok}, http.StatusForbidden},
			{"kube-system's workload", "GET", "/api/namespaces/kube-system/adjustments/Deployment/coredns", map[string]string{ui.TokenHeader: tok}, http.StatusForbidden},
			{"the story's baselines, with the token", "GET", "/api/namespaces/" + storyNS + "/baselines", map[string]string{ui.TokenHeader: tok, "Origin": base}, http.StatusOK},
		}
		for _, c := range cases {
			req, err := http.NewRequest(c.method, base+c.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range c.header {
				if k == "Host" {
					req.Host = v
					continue
				}
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Errorf("%s: status %d, want %d: %s", c.name, resp.StatusCode, c.want, body)
			}
		}
	})
}

// waitForGolden waits until the page's YAML is the story's fixed policy,
// which the CLI's generate prints for the same adjustments.
func (p *page) waitForGolden(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		text := js[string](t, p, `(document.getElementById('yaml')||{}).textContent||''`)
		if samePolicy(t, golden, text) {
			return
		}
		if time.Now().After(deadline) {
			want, _ := os.ReadFile(golden)
			p.screenshot(t, "failed-policy")
			t.Fatalf("the page's policy is not %s:\n--- want\n%s\n--- got\n%s", golden, want, text)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func tokenOf(url string) string { return url[strings.Index(url, "token=")+len("token="):] }

func portOf(base string) string { return base[strings.LastIndex(base, ":")+1:] }

func samePolicy(t *testing.T, wantFile, got string) bool {
	t.Helper()
	var want, have networkingv1.NetworkPolicy
	readYAML(t, wantFile, &want)
	if err := yaml.Unmarshal([]byte(got), &have); err != nil {
		return false
	}
	have.CreationTimestamp, want.CreationTimestamp = metav1.Time{}, metav1.Time{}
	return gocmp.Equal(want, have)
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, v); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
}
