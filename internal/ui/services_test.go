package ui_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	gocmp "github.com/google/go-cmp/cmp"
)

// A shop of its own (not the story): storefront calls its ledger through
// Service ledger on two ports that differ from the target ports, and an
// invoicer in another namespace through that namespace's Service; web
// calls storefront directly and the ledger through its Service.
func shopFixture(now time.Time) (objects, batch string) {
	objects = namespaces("shop", "billing") + workload("Deployment", "shop", "storefront") + workload("Deployment", "shop", "web") +
		workload("StatefulSet", "shop", "ledger") + workload("Deployment", "billing", "invoicer")
	const storefront, web, ledger = "shop/Deployment/storefront", "shop/Deployment/web", "shop/StatefulSet/ledger"
	batch = "observer: shop\nseq: 1\nflows:\n" +
		flowYAML(storefront, "Egress", ledger, "shop/ledger:80", 7000, 40, now) +
		flowYAML(storefront, "Egress", ledger, "shop/ledger:81", 7001, 4, now) +
		flowYAML(storefront, "Egress", "billing/Deployment/invoicer", "billing/invoices:443", 8443, 9, now) +
		flowYAML(storefront, "Egress", "ip:203.0.113.9", "", 443, 3, now) +
		flowYAML(storefront, "Ingress", web, "", 8080, 120, now) +
		flowYAML(web, "Egress", storefront, "", 8080, 120, now) +
		flowYAML(web, "Egress", ledger, "shop/ledger:80", 7000, 7, now)
	return objects, batch
}

func TestShopInChromium(t *testing.T) {
	objects, batch := shopFixture(time.Now())
	f := serveFixture(t, objects, batch, "shop")
	p := &page{cp: f.cp, srv: f.srv, ctx: newBrowser(t, f.chrome), dir: artefacts(t)}
	p.run(t, "open the page", func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.Navigate(p.srv.URL()+"#ns=shop&w=Deployment/storefront"))
	})

	t.Run("a workload's map: through each Service, service port → target port, namespaces as boxes", func(t *testing.T) {
		p.waitJS(t, "the map", `window.netpolUI.cy && window.netpolUI.cy.nodes().length === 9`)
		shop, billing := "ns:shop", "ns:billing"
		want := []mapNode{{"external 203.0.113.9", "external", ""}, {"billing", "namespace", ""}, {"shop", "namespace", ""},
			{"invoices", "service", billing}, {"ledger", "service", shop},
			{"invoicer", "workload", billing}, {"ledger", "workload", shop}, {"web", "workload", shop}, {"storefront", "workload center", shop}}
		if diff := gocmp.Diff(want, mapNodes(t, p)); diff != "" {
			t.Errorf("map nodes (-want +got):\n%s", diff)
		}
		wantEdges := []string{"invoices -> invoicer: 8443/TCP", "ledger -> ledger: 7000-7001/TCP", "storefront -> external 203.0.113.9: 443/TCP",
			"storefront -> invoices: 443→8443/TCP", "storefront -> ledger: 80→7000,81→7001/TCP", "web -> storefront: 8080/TCP"}
		if diff := gocmp.Diff(wantEdges, edgeLabels(t, p)); diff != "" {
			t.Errorf("map edges (-want +got):\n%s", diff)
		}
		// dagre's layers, left to right: the caller, the workload, its
		// Services, their backends.
		x := js[map[string]float64](t, p, `Object.fromEntries(window.netpolUI.cy.nodes().filter(n => !n.isParent()).map(n => [n.data('base') + ':' + n.data('label'), n.position('x')]))`)
		if !(x["workload:web"] < x["workload center:storefront"] && x["workload center:storefront"] < x["service:ledger"] && x["service:ledger"] < x["workload:ledger"]) {
			t.Errorf("not laid out in layers (caller, workload, Service, backend): x = %v", x)
		}
		p.do(t, row("egress", "w:shop/StatefulSet/ledger")+`.querySelector('input').click()`)
		p.waitJS(t, "the map restyled", `window.netpolUI.cy.edges('.excluded').length > 0`)
		if got := edgeClass(t, p, "w:shop/StatefulSet/ledger"); got != "excluded" {
			t.Errorf("the edges to the unticked ledger are drawn %q, want excluded", got)
		}
		if got := js[string](t, p, `window.netpolUI.cy.nodes('.service').filter(n => n.data('label') === 'ledger').classes().join(' ')`); !strings.Contains(got, "excluded") {
			t.Errorf("the Service of the unticked ledger is drawn %q, want greyed (excluded)", got)
		}
		p.screenshot(t, "8-shop-storefront")
	})

	t.Run("a Service: each client's flows through it to the backend", func(t *testing.T) {
		p.do(t, choose("kind", "Service"))
		p.do(t, choose("workload", "ledger"))
		p.waitJS(t, "the Service's flows", `document.querySelectorAll('#service-flows tbody tr').length === 3 && window.netpolUI.cy.nodes().length === 5`)
		wantEdges := []string{"ledger -> ledger: 7000-7001/TCP", "storefront -> ledger: 80→7000,81→7001/TCP", "web -> ledger: 80→7000/TCP"}
		if diff := gocmp.Diff(wantEdges, edgeLabels(t, p)); diff != "" {
			t.Errorf("the Service's edges (-want +got):\n%s", diff)
		}
		rows := js[[]string](t, p, `[...document.querySelectorAll('#service-flows tbody tr')].map(r => [...r.cells].slice(0, 10).map(c => c.textContent).join(' '))`)
		want := []string{
			"storefront Deployment shop 80 7000 TCP ledger StatefulSet app 40",
			"storefront Deployment shop 81 7001 TCP ledger StatefulSet app 4",
			"web Deployment shop 80 7000 TCP ledger StatefulSet app 7",
		}
		if diff := gocmp.Diff(want, rows); diff != "" {
			t.Errorf("the Service's flows (-want +got):\n%s", diff)
		}
		p.screenshot(t, "9-shop-service-ledger")
		p.do(t, `window.netpolUI.cy.nodes('.workload').filter(n => n.data('label') === 'web').emit('tap')`)
		p.waitJS(t, "web chosen", `location.hash.includes('w=Deployment%2Fweb') && window.netpolUI.cy.nodes().length === 5`)
	})
}
