package webhook

import (
	"context"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
	"github.com/netpol-advisor/netpol-advisor/webhook/annotator"
)

type kubectl struct {
	t  *testing.T
	cp *testutil.ControlPlane
}

// run runs the real kubectl and fails the test if it fails.
func (k kubectl) run(stdin []byte, args ...string) (stdout, stderr string) {
	k.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stdout, stderr, err := k.cp.Kubectl(ctx, stdin, args...)
	if err != nil {
		k.t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return stdout, stderr
}

func annotatorOptions(resync time.Duration) annotator.Options {
	return annotator.Options{Resync: resync, SkipNamespace: "netpol-advisor"}
}

// checkEnforce labels the story's namespace for enforcement: the
// hand-written policy under another name is then denied, with the same
// warnings.
func (s *suite) checkEnforce(t *testing.T, k kubectl) {
	k.run(nil, "label", "namespace", storyNS, advice.EnforceLabel+"=true")
	defer k.run(nil, "label", "namespace", storyNS, advice.EnforceLabel+"-")
	time.Sleep(200 * time.Millisecond) // cache and snapshot see the label
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	hand := strings.Replace(string(mustRead(t, "testdata/story/handwritten.yaml")), "name: javaapp", "name: javaapp-strict", 1)
	_, stderr, err := s.cp.Kubectl(ctx, []byte(hand), "apply", "--dry-run=server", "-f", "-")
	if err == nil || !strings.Contains(stderr, "would be blocked") {
		t.Errorf("apply in an enforcing namespace: err = %v, stderr:\n%s", err, stderr)
	}
	assertStoryWarnings(t, stderr)
}

// checkFailOpen stops the webhook server: a NetworkPolicy and a Deployment
// are still admitted, well within the webhooks' timeout.
func (s *suite) checkFailOpen(t *testing.T, k kubectl) {
	s.stop()
	start := time.Now()
	hand := strings.Replace(string(mustRead(t, "testdata/story/handwritten.yaml")), "name: javaapp", "name: javaapp-offline", 1)
	_, stderr := k.run([]byte(hand), "apply", "-f", "-")
	dep := strings.Replace(string(mustRead(t, "testdata/story/javaapp.yaml")), "name: example-java-app-javaapp", "name: javaapp-offline", 1)
	k.run([]byte(dep), "apply", "-f", "-")
	if took := time.Since(start); took > 2*3*time.Second {
		t.Errorf("two applies with the server stopped took %s, more than the two timeouts", took)
	}
	if strings.Contains(stderr, "netpol-advisor:") {
		t.Errorf("warnings with the server stopped:\n%s", stderr)
	}
	out, _ := k.run(nil, "get", "deployment", "-n", storyNS, "javaapp-offline", "-o", "jsonpath={.metadata.annotations}")
	if strings.Contains(out, advice.StatusAnnotation) {
		t.Errorf("deployment annotated with the server stopped: %s", out)
	}
}

// checkHungServer puts a listener that accepts connections and never
// answers where the webhook server was: each apply waits the webhook's
// timeout (3 s), then goes through.
func (s *suite) checkHungServer(t *testing.T, k kubectl) {
	wio := s.cp.Env.WebhookInstallOptions
	l, err := net.Listen("tcp", net.JoinHostPort(wio.LocalServingHost, strconv.Itoa(wio.LocalServingPort)))
	if err != nil {
		t.Fatalf("listen where the webhook server was: %v", err)
	}
	var held []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	})
	for _, f := range []struct{ file, from, to string }{
		{"testdata/story/handwritten.yaml", "name: javaapp", "name: javaapp-hung"},
		{"testdata/story/javaapp.yaml", "name: example-java-app-javaapp", "name: javaapp-hung"},
	} {
		start := time.Now()
		k.run([]byte(strings.Replace(string(mustRead(t, f.file)), f.from, f.to, 1)), "apply", "-f", "-")
		if took := time.Since(start); took > 3*time.Second+3*time.Second {
			t.Errorf("apply of %s with a hung webhook took %s; the webhook timeout is 3 s", f.file, took)
		} else {
			t.Logf("apply of %s with a hung webhook took %s", f.file, took.Round(10*time.Millisecond))
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(held) == 0 {
		t.Error("the API server never called the hung webhook")
	}
}
