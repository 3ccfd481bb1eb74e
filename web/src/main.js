// netpol-advisor's page: namespace → owner kind → workload (or Service) →
// window, then the topology map, the Ingress and Egress tables with a
// checkbox per peer, allowed CIDRs, and the generated policy with what the
// policies in force block. State that must survive a reload lives in the
// URL's fragment (the selection) and in the workload's adjustments
// annotation (the decisions).
import { h, render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import { api } from './api.js';
import { toggle } from './peers.js';
import { Legend, TopologyMap } from './mapview.js';
import { mark, probe } from './probe.js';
import { serviceGraph, services, workloadGraph } from './graph.js';
import { blockedFlows, verdict } from './verdict.js';
import { FlowTable, ServiceTable } from './tables.js';
import { CIDRs, Policy } from './policy.js';
import { Chooser, choice, readHash, writeHash } from './chooser.js';

const html = htm.bind(h);

const empty = { allow: [], exclude: [] };
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const none = { adjustments: empty, resourceVersion: '', loaded: false };

function App() {
  const [sel, setSel] = useState(readHash());
  const [baselines, setBaselines] = useState(null);
  const [stored, setStored] = useState(none);
  const [draft, setDraft] = useState(empty);
  const [rec, setRec] = useState(null);
  const [check, setCheck] = useState(null);
  const [tab, setTab] = useState('Egress');
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');
  const redrawT0 = useRef(0);
  const fail = (what) => (e) => setError(`${what}: ${e.message}`);

  useEffect(() => writeHash(sel), [sel]);
  useEffect(() => {
    setBaselines(null);
    if (!sel.ns) return;
    setError('');
    api.baselines(sel.ns, sel.window).then((l) => { mark('baselines'); setBaselines(l.items || []); }, fail(`baselines of namespace ${sel.ns}`));
  }, [sel.ns, sel.window]);

  const svcs = useMemo(() => services(sel.ns, baselines), [baselines]);
  const { kinds, kind, names, svc, baseline, wl, chosen } = useMemo(() => choice(sel, baselines, svcs), [sel, baselines, svcs]);

  // Something chosen: the check (the map marks what it blocks) and, for a
  // workload, its stored adjustments.
  useEffect(() => {
    setRec(null); setCheck(null); setStored(none); setDraft(empty);
    if (!chosen) return;
    if (baseline) {
      api.adjustments(sel.ns, baseline.workload).then((a) => { setStored({ ...a, loaded: true }); setDraft(a.adjustments); },
        (e) => { setStored({ ...none, loaded: true }); fail('stored adjustments')(e); });
    }
    api.check(sel.ns).then(setCheck, fail('policies in force'));
  }, [chosen, sel.window]);

  // The proposal: a review with the page's complete adjustments (they
  // replace the stored ones, so a stored decision undone here shows now).
  useEffect(() => {
    if (!baseline || !stored.loaded) return;
    let live = true;
    api.recommendation(sel.ns, baseline.workload, sel.window, draft).then((r) => live && setRec(r), fail('recommendation'));
    return () => { live = false; };
  }, [wl, sel.window, draft, stored.loaded]);

  const blocked = useMemo(() => blockedFlows(check, sel.ns, wl), [check, sel.ns, wl]);
  const graph = useMemo(() => {
    const g = baseline ? workloadGraph(sel.ns, baseline) : svc ? serviceGraph(svc) : null;
    if (g) mark('graph');
    return g;
  }, [baseline, svc]);
  const colour = useMemo(() => verdict(blocked.keys, baseline ? draft : null, sel.ns), [blocked, draft, baseline]);

  const onPeerToggle = (p, on) => {
    redrawT0.current = performance.now();
    setDraft((d) => toggle(d, p, sel.ns, on));
  };
  const pick = (p) => {
    if (p.kind === 'Workload') setSel((s) => ({ ...s, ns: p.namespace, kind: p.workloadKind, name: p.name }));
    if (p.kind === 'Service') setSel((s) => ({ ...s, ns: p.namespace, kind: 'Service', name: p.name }));
  };
  const save = () => {
    setStatus('saving…');
    api.save(sel.ns, baseline.workload, draft, stored.resourceVersion).then((a) => {
      setStored({ ...a, loaded: true });
      setDraft(a.adjustments);
      setStatus(`saved on ${baseline.workload.kind} ${sel.ns}/${baseline.workload.name} (annotation netpol-advisor.io/adjustments)`);
    }, (e) => { setStatus(''); fail('save')(e); });
  };

  useEffect(() => {
    if (redrawT0.current) {
      const t0 = redrawT0.current;
      redrawT0.current = 0;
      requestAnimationFrame(() => setTimeout(() => probe.redraws.push(performance.now() - t0)));
    }
  }, [draft]);

  const peers = useMemo(() => (baseline ? [...(baseline.ingress || []), ...(baseline.egress || [])].map((f) => f.peer) : []), [baseline]);
  const dirty = stored.loaded && !same(draft, stored.adjustments);

  return html`
    <${Chooser} sel=${sel} setSel=${setSel} kinds=${kinds} kind=${kind} names=${names} fail=${fail} />
    ${error && html`<p class="error" id="error">${error}</p>`}
    ${baselines && !baselines.length && html`<p class="note">No baseline in namespace ${sel.ns} in this window.</p>`}
    ${baselines && baselines.length > 0 && sel.name && !chosen && html`<p class="note" id="no-baseline">${kind === 'Service' ?
      `No flow through Service ${sel.ns}/${sel.name} in the baselines of namespace ${sel.ns} in this window.` :
      `No baseline of ${sel.kind || 'workload'} ${sel.ns}/${sel.name} in this window: its observers have not reported it yet, or it made no connection.`}</p>`}
    ${svc && html`<p class="note" id="service-note">A Service has no policy of its own: NetworkPolicies select pods, after the Service's
      address is translated to a backend's. Shown here: every flow that went through Service ${sel.ns}/${svc.name} in the baselines of
      namespace ${sel.ns} you may read — the client, the Service port it used, the target port and the backend workload that answered.
      Clients in other namespaces show in theirs. Choose a backend or a client (or click it on the map) to see and adjust its policy.</p>`}
    <${TopologyMap} graph=${graph} colour=${colour} onPick=${pick} />
    <${Legend} proposal=${!svc} />
    ${svc && html`<${ServiceTable} svc=${svc} blocked=${blocked.keys} />`}
    ${baseline && html`
      <nav>
        ${['Ingress', 'Egress', 'Allowed CIDRs', 'Generated policy'].map((t) => html`<button class=${tab === t ? 'tab active' : 'tab'} onClick=${() => setTab(t)}>${t}</button>`)}
        <span class="save">
          ${dirty && html`<em>unsaved changes</em>`}
          <button id="save" disabled=${!dirty} onClick=${save}>Save adjustments</button>
          <span id="status">${status}</span>
        </span>
      </nav>
      ${tab === 'Ingress' && html`<${FlowTable} id="ingress" flows=${baseline.ingress} draft=${draft} ns=${sel.ns} wl=${wl} blocked=${blocked.keys} dir="Ingress" onToggle=${onPeerToggle} />`}
      ${tab === 'Egress' && html`<${FlowTable} id="egress" flows=${baseline.egress} draft=${draft} ns=${sel.ns} wl=${wl} blocked=${blocked.keys} dir="Egress" onToggle=${onPeerToggle} />`}
      ${tab === 'Allowed CIDRs' && html`<${CIDRs} draft=${draft} peers=${peers} setDraft=${(d) => { redrawT0.current = performance.now(); setDraft(d); }} />`}
      ${tab === 'Generated policy' && html`<${Policy} rec=${rec} check=${check} findings=${blocked.findings} />`}
    `}
  `;
}

render(html`<${App} />`, document.getElementById('app'));
