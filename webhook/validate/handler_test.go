package validate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	admissionv1 "k8s.io/api/admission/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
	"github.com/netpol-advisor/netpol-advisor/webhook/advice"
)

// fakeChecker records the change it was asked about and answers a fixed
// result: the handler's logic is tested apart from the policy core.
type fakeChecker struct {
	got    policy.Change
	shown  int
	result advice.Checked
	err    error
}

func (f *fakeChecker) CheckShown(_ context.Context, ch policy.Change, shown int) (advice.Checked, error) {
	f.got, f.shown = ch, shown
	return f.result, f.err
}

func raw(t *testing.T, name string) runtime.RawExtension {
	np := networkingv1.NetworkPolicy{TypeMeta: metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop"}}
	b, err := json.Marshal(np)
	if err != nil {
		t.Fatal(err)
	}
	return runtime.RawExtension{Raw: b}
}

func request(op admissionv1.Operation, obj, old runtime.RawExtension) admission.Request {
	return admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{UID: "u", Operation: op, Namespace: "shop", Object: obj, OldObject: old}}
}

func findings(n int) []policy.Finding {
	out := make([]policy.Finding, n)
	for i := range out {
		out[i] = policy.Finding{Class: policy.ClassPeer, Message: fmt.Sprintf("egress to shop/db%d TCP 5432 (in-cluster peer) is not allowed", i), Fix: "add an egress rule",
			Flow: flow.Flow{Key: flow.Key{Workload: flow.WorkloadRef{Namespace: "shop", Kind: flow.KindDeployment, Name: "api"}, Process: "java"},
				Count: 3, LastSeen: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}}
	}
	return out
}

func TestHandle(t *testing.T) {
	none := runtime.RawExtension{}
	tests := []struct {
		name       string
		req        admission.Request
		result     advice.Checked
		err        error
		wantAllow  bool
		wantCode   int32
		wantOld    bool
		wantNew    bool
		wantWarned int
	}{
		{name: "create, no finding", req: request(admissionv1.Create, raw(t, "p"), none), wantAllow: true, wantNew: true},
		{name: "update with findings warns", req: request(admissionv1.Update, raw(t, "p"), raw(t, "p")),
			result: advice.Checked{Report: policy.Report{Findings: findings(2)}}, wantAllow: true, wantOld: true, wantNew: true, wantWarned: 2},
		{name: "delete reads oldObject", req: request(admissionv1.Delete, none, raw(t, "p")), wantAllow: true, wantOld: true},
		{name: "enforcing namespace denies a finding", req: request(admissionv1.Create, raw(t, "p"), none),
			result: advice.Checked{Report: policy.Report{Findings: findings(1)}, Enforce: true}, wantNew: true, wantWarned: 1, wantCode: 403},
		{name: "enforcing namespace allows no finding", req: request(admissionv1.Create, raw(t, "p"), none),
			result: advice.Checked{Enforce: true, Report: policy.Report{Excluded: findings(1)}}, wantAllow: true, wantNew: true},
		{name: "check error allows with a warning", req: request(admissionv1.Create, raw(t, "p"), none),
			err: errors.New("store down"), wantAllow: true, wantNew: true, wantWarned: 1},
		{name: "update without oldObject is an error", req: request(admissionv1.Update, raw(t, "p"), none), wantCode: 400},
		{name: "connect is an error", req: request(admissionv1.Connect, raw(t, "p"), none), wantCode: 400},
		{name: "not a policy", req: request(admissionv1.Create, runtime.RawExtension{Raw: []byte(`{"apiVersion":"v1","kind":"Pod"}`)}, none), wantCode: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := &fakeChecker{result: tt.result, err: tt.err}
			resp := (&Handler{Checker: fc}).Handle(context.Background(), tt.req)
			if resp.Allowed != tt.wantAllow {
				t.Errorf("allowed = %v, want %v (%+v)", resp.Allowed, tt.wantAllow, resp.Result)
			}
			if !tt.wantAllow && resp.Result.Code != tt.wantCode {
				t.Errorf("code = %d, want %d (%s)", resp.Result.Code, tt.wantCode, resp.Result.Message)
			}
			if len(resp.Warnings) != tt.wantWarned {
				t.Errorf("warnings = %q, want %d", resp.Warnings, tt.wantWarned)
			}
			if tt.wantCode == 400 {
				return
			}
			if (fc.got.Old != nil) != tt.wantOld || (fc.got.New != nil) != tt.wantNew || string(fc.got.Operation) != string(tt.req.Operation) {
				t.Errorf("change = %+v, want old %v new %v", fc.got, tt.wantOld, tt.wantNew)
			}
		})
	}
}

// The checker writes the texts of as many findings as the warnings show.
func TestHandleAsksForTheTextsItShows(t *testing.T) {
	for max, want := range map[int]int{0: DefaultMaxWarnings, 3: 3} {
		fc := &fakeChecker{}
		(&Handler{Checker: fc, MaxWarnings: max}).Handle(context.Background(), request(admissionv1.Create, raw(t, "p"), runtime.RawExtension{}))
		if fc.shown != want {
			t.Errorf("MaxWarnings %d: asked for %d texts, want %d", max, fc.shown, want)
		}
	}
}

func TestHandleDefaultsTheNamespace(t *testing.T) {
	fc := &fakeChecker{}
	obj := runtime.RawExtension{Raw: []byte(`{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"p"}}`)}
	(&Handler{Checker: fc}).Handle(context.Background(), request(admissionv1.Create, obj, runtime.RawExtension{}))
	if fc.got.New == nil || fc.got.New.Namespace != "shop" {
		t.Errorf("policy = %+v, want namespace shop from the request", fc.got.New)
	}
}

func TestWarningsCapAndTellWhereToSeeTheRest(t *testing.T) {
	got := Warnings(advice.Checked{Report: policy.Report{Findings: findings(13)}, Invalid: []string{"shop/Deployment/api: bad\nannotation"}}, 10)
	if len(got) != 12 {
		t.Fatalf("got %d lines, want 10 findings + 1 more + 1 invalid:\n%s", len(got), strings.Join(got, "\n"))
	}
	want := "netpol-advisor: api: egress to shop/db0 TCP 5432 (in-cluster peer) is not allowed (seen 3 times, last 2026-11-25T10:00:00Z, by \"java\"); fix: add an egress rule"
	if diff := cmp.Diff(want, got[0]); diff != "" {
		t.Errorf("first line (-want +got):\n%s", diff)
	}
	in := findings(1)
	in[0].Flow.Direction, in[0].Message = flow.Ingress, "ingress from shop/web TCP 8080 (in-cluster peer) is not allowed"
	if l := Warnings(advice.Checked{Report: policy.Report{Findings: in}}, 0)[0]; strings.Contains(l, "by ") {
		t.Errorf("ingress line names the server's own process: %q", l)
	}
	if !strings.Contains(got[10], "3 more blocked flows") || !strings.Contains(got[10], "kubectl get deployment api -n shop -o yaml") {
		t.Errorf("more line = %q", got[10])
	}
	if strings.Contains(got[11], "\n") {
		t.Errorf("invalid line has a newline: %q", got[11])
	}
	ws := []flow.WorkloadRef{{Namespace: "shop", Kind: flow.KindDeployment, Name: "a"}, {Namespace: "shop", Kind: flow.KindDeployment, Name: "b"},
		{Namespace: "shop", Kind: flow.KindDeployment, Name: "c"}, {Namespace: "shop", Kind: flow.KindDeployment, Name: "d"}}
	got = Warnings(advice.Checked{Learning: ws}, 0)
	want = "netpol-advisor: not checked, no traffic observed yet for shop/Deployment/a, shop/Deployment/b, shop/Deployment/c, and 1 more"
	if len(got) != 1 || got[0] != want {
		t.Errorf("learning lines = %q, want %q", got, want)
	}
	long := findings(1)
	long[0].Fix = strings.Repeat("é", 1000)
	if l := Warnings(advice.Checked{Report: policy.Report{Findings: long}}, 0)[0]; len([]rune(l)) != maxLine {
		t.Errorf("long line has %d runes, want %d", len([]rune(l)), maxLine)
	}
}

// A process name is a node's word: whatever it holds, every warning line
// stays one the API server passes on (a control character would make it
// drop the line silently), and the name is quoted.
func TestWarningsEscapeNodeStrings(t *testing.T) {
	tests := []struct{ name, process, want string }{
		{name: "bell hides nothing", process: "cu\x07rl", want: `by "cu\x07rl")`},
		{name: "escape sequence", process: "\x1b[2Jjava", want: `by "\x1b[2Jjava")`},
		{name: "newline", process: "a\nb", want: `by "a\x0ab")`},
		{name: "right-to-left override", process: "gnp\u202eexe", want: `by "gnp\u202eexe")`},
		{name: "forged advice is quoted", process: "x); fix: kubectl delete netpol --all", want: `by "x); fix: kubectl delete netpol --all")`},
		{name: "quotes in a name are escaped", process: `a"b`, want: `by "a\"b")`},
		{name: "merged processes each quoted", process: "curl,ja\x00va", want: `by "curl", "ja\x00va")`},
		{name: "invalid UTF-8", process: "\xff\xfe", want: `by "\xff\xfe")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := findings(1)
			f[0].Flow.Process = tt.process
			f[0].Fix = "allow it\x1b]0;owned\x07"
			for _, l := range Warnings(advice.Checked{Report: policy.Report{Findings: f}, Invalid: []string{"shop/Deployment/api: bad \x00 annotation"}}, 0) {
				if _, err := utilnet.NewWarningHeader(299, "-", l); err != nil {
					t.Errorf("the API server would drop %q: %v", l, err)
				}
			}
			if got := Warnings(advice.Checked{Report: policy.Report{Findings: f}}, 0)[0]; !strings.Contains(got, tt.want) {
				t.Errorf("line %q does not contain %q", got, tt.want)
			}
		})
	}
}

// FuzzWarningsPassTheAPIServer: whatever the strings of a finding hold,
// every line is one the API server's warning encoder accepts.
func FuzzWarningsPassTheAPIServer(f *testing.F) {
	f.Add("java", "egress is not allowed", "add a rule", "shop/Deployment/api: bad")
	f.Add("a\x07b", "m\x00", "\xff", "\u202e")
	f.Fuzz(func(t *testing.T, process, message, fix, invalid string) {
		fs := findings(1)
		fs[0].Flow.Process, fs[0].Message, fs[0].Fix = process, message, fix
		for _, l := range Warnings(advice.Checked{Report: policy.Report{Findings: fs}, Invalid: []string{invalid}}, 0) {
			if _, err := utilnet.NewWarningHeader(299, "-", l); err != nil {
				t.Fatalf("the API server would drop %q: %v", l, err)
			}
		}
	})
}
