// netpol-advisor's page: namespace → owner kind → workload → window, then
// the topology map, the Ingress and Egress tables with a checkbox per peer,
// allowed CIDRs, and the generated policy with what the policies in force
// block. State that must survive a reload lives in the URL's fragment (the
// selection) and in the workload's adjustments annotation (the decisions).
import { Component, h, render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import { api } from './api.js';
import { cidrVerdict, included, peerKey, toggle } from './peers.js';
import { blockedKey, createMap, drawTopology, restyle } from './map.js';

const html = htm.bind(h);
const probe = (window.netpolUI = { redraws: [], readyAt: 0, cy: null, marks: {} });
const mark = (name) => { if (!probe.marks[name]) probe.marks[name] = Math.round(performance.now()); };
const windows = [['', "server's default"], ['1h', 'last hour'], ['3h', 'last 3 hours'], ['24h', 'last day'], ['168h', 'last week'], ['720h', 'last 30 days']];

function readHash() {
  const q = new URLSearchParams(location.hash.slice(1));
  const [kind, name] = (q.get('w') || '').split('/');
  return { ns: q.get('ns') || '', kind: kind || '', name: name || '', window: q.get('window') || '' };
}

function writeHash(sel) {
  const q = new URLSearchParams();
  if (sel.ns) q.set('ns', sel.ns);
  if (sel.kind && sel.name) q.set('w', `${sel.kind}/${sel.name}`);
  if (sel.window) q.set('window', sel.window);
  history.replaceState(null, '', `${location.pathname}${location.search}#${q}`);
}

const empty = { allow: [], exclude: [] };
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const fmtTime = (t) => (t ? t.replace('T', ' ').replace('Z', '') : '');

function App() {
  const [sel, setSel] = useState(readHash());
  const [nsList, setNsList] = useState({ namespaces: [], note: '' });
  const [baselines, setBaselines] = useState(null);
  const [topo, setTopo] = useState(null);
  const [stored, setStored] = useState({ adjustments: empty, resourceVersion: '' });
  const [draft, setDraft] = useState(empty);
  const [rec, setRec] = useState(null);
  const [check, setCheck] = useState(null);
  const [tab, setTab] = useState('Egress');
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');
  const redrawT0 = useRef(0);

  const fail = (what) => (e) => setError(`${what}: ${e.message}`);

  useEffect(() => {
    api.namespaces().then((l) => {
      setNsList(l);
      if (!sel.ns && l.default) setSel((s) => ({ ...s, ns: l.default }));
    }, fail('namespaces'));
  }, []);
  useEffect(() => writeHash(sel), [sel]);

  useEffect(() => {
    setBaselines(null);
    if (!sel.ns) return;
    setError('');
    api.baselines(sel.ns, sel.window).then((l) => { mark('baselines'); setBaselines(l.items || []); }, fail(`baselines of namespace ${sel.ns}`));
  }, [sel.ns, sel.window]);

  const kinds = useMemo(() => [...new Set((baselines || []).map((b) => b.workload.kind))].sort(), [baselines]);
  const kind = sel.kind && kinds.includes(sel.kind) ? sel.kind : kinds[0] || '';
  const inKind = useMemo(() => (baselines || []).filter((b) => b.workload.kind === kind).sort((a, b) => a.workload.name.localeCompare(b.workload.name)), [baselines, kind]);
  const baseline = inKind.find((b) => b.workload.name === sel.name) || null;
  const wkey = baseline ? `${sel.ns}/${baseline.workload.kind}/${baseline.workload.name}` : '';

  // A workload chosen: its topology, stored adjustments and the check.
  useEffect(() => {
    setTopo(null); setRec(null); setCheck(null);
    if (!baseline) return;
    const ns = sel.ns, wl = baseline.workload;
    // The map first: the proposal and the check wait for it, so that the
    // server answers the request the person looks at first alone.
    api.adjustments(ns, wl).then((a) => { setStored(a); setDraft(a.adjustments); }, (e) => { setStored({ adjustments: empty, resourceVersion: '' }); setDraft(empty); fail('stored adjustments')(e); });
    api.topology(ns, baseline.metadata.name, sel.window)
      .then((l) => { mark('topology'); setTopo((l.items || [])[0] || { nodes: [], edges: [], workload: wl, metadata: { namespace: ns } }); }, fail('topology'))
      .then(() => api.check(ns).then(setCheck, fail('policies in force')));
  }, [wkey, sel.window]);

  // The proposal: a review with the page's adjustments.
  useEffect(() => {
    if (!baseline || !topo) return;
    const wl = baseline.workload;
    let live = true;
    api.recommendation(sel.ns, wl, sel.window, draft).then((r) => live && setRec(r), fail('recommendation'));
    return () => { live = false; };
  }, [wkey, sel.window, draft, !!topo]);

  const blocked = useMemo(() => {
    const s = new Set();
    const findings = [];
    if (check && baseline) {
      for (const r of check.status.results || []) {
        for (const f of r.findings || []) {
          if (f.workload.kind === baseline.workload.kind && f.workload.name === baseline.workload.name) {
            s.add(blockedKey(f.direction, f.flow.peer, f.flow.port, f.flow.protocol));
            findings.push({ ...f, policy: r.policy });
          }
        }
      }
    }
    return { keys: s, findings };
  }, [check, baseline]);

  const onPeerToggle = (p, on) => {
    redrawT0.current = performance.now();
    setDraft((d) => toggle(d, p, sel.ns, on));
  };
  const pick = (p) => {
    if (p.kind !== 'Workload') return;
    setSel((s) => ({ ...s, ns: p.namespace, kind: p.workloadKind, name: p.name }));
  };
  const save = () => {
    setStatus('saving…');
    api.save(sel.ns, baseline.workload, draft, stored.resourceVersion).then((a) => {
      setStored(a);
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

  const peers = useMemo(() => (topo ? topo.nodes.map((n) => n.peer) : []), [topo]);
  const dirty = !same(draft, stored.adjustments);
  // The server adds the page's adjustments to the stored ones: a stored
  // decision undone here shows in the proposal once saved.
  const has = (list, x) => (list || []).some((y) => same(y, x));
  const undone = [...(stored.adjustments.allow || []).filter((a) => !has(draft.allow, a)), ...(stored.adjustments.exclude || []).filter((e) => !has(draft.exclude, e))].length > 0;

  return html`
    <header>
      <h1>netpol-advisor</h1>
      <label>Namespace
        <input list="namespaces" value=${sel.ns} onChange=${(e) => setSel({ ...sel, ns: e.target.value.trim(), kind: '', name: '' })} id="namespace" />
        <datalist id="namespaces">${nsList.namespaces.map((n) => html`<option value=${n} />`)}</datalist>
      </label>
      <label>Owner kind
        <select id="kind" value=${kind} onChange=${(e) => setSel({ ...sel, kind: e.target.value, name: '' })}>
          ${kinds.map((k) => html`<option value=${k}>${k}</option>`)}
        </select>
      </label>
      <label>Workload
        <select id="workload" value=${baseline ? baseline.workload.name : ''} onChange=${(e) => setSel({ ...sel, kind, name: e.target.value })}>
          <option value="">choose…</option>
          ${inKind.map((b) => html`<option value=${b.workload.name}>${b.workload.name}</option>`)}
        </select>
      </label>
      <label>Window
        <select id="window" value=${sel.window} onChange=${(e) => setSel({ ...sel, window: e.target.value })}>
          ${windows.map(([v, t]) => html`<option value=${v}>${t}</option>`)}
        </select>
      </label>
    </header>
    ${nsList.note && html`<p class="note">${nsList.note}</p>`}
    ${error && html`<p class="error" id="error">${error}</p>`}
    ${baselines && !baselines.length && html`<p class="note">No baseline in namespace ${sel.ns} in this window.</p>`}
    ${baselines && baselines.length > 0 && sel.name && !baseline && html`<p class="note" id="no-baseline">No baseline of ${sel.kind || 'workload'} ${sel.ns}/${sel.name} in this window: its observers have not reported it yet, or it made no connection.</p>`}
    <${TopologyMap} topo=${topo} draft=${draft} ns=${sel.ns} blocked=${blocked.keys} onPick=${pick} />
    <${Legend} />
    ${baseline && html`
      <nav>
        ${['Ingress', 'Egress', 'Allowed CIDRs', 'Generated policy'].map((t) => html`<button class=${tab === t ? 'tab active' : 'tab'} onClick=${() => setTab(t)}>${t}</button>`)}
        <span class="save">
          ${dirty && html`<em>unsaved changes</em>`}
          <button id="save" disabled=${!dirty} onClick=${save}>Save adjustments</button>
          <span id="status">${status}</span>
        </span>
      </nav>
      ${tab === 'Ingress' && html`<${FlowTable} id="ingress" flows=${baseline.ingress} draft=${draft} ns=${sel.ns} blocked=${blocked.keys} dir="Ingress" onToggle=${onPeerToggle} />`}
      ${tab === 'Egress' && html`<${FlowTable} id="egress" flows=${baseline.egress} draft=${draft} ns=${sel.ns} blocked=${blocked.keys} dir="Egress" onToggle=${onPeerToggle} />`}
      ${tab === 'Allowed CIDRs' && html`<${CIDRs} draft=${draft} peers=${peers} setDraft=${(d) => { redrawT0.current = performance.now(); setDraft(d); }} />`}
      ${tab === 'Generated policy' && html`<${Policy} rec=${rec} check=${check} findings=${blocked.findings} undone=${undone} />`}
    `}
  `;
}

function Legend() {
  return html`<p class="legend">
    <span class="sw allowed"></span> allowed by the proposal
    <span class="sw excluded"></span> excluded by you
    <span class="sw external"></span> external / unresolved, not allowed
    <span class="sw blocked"></span> blocked by the policies in force now
    <span class="sw failed"></span> never established</p>`;
}

function TopologyMap({ topo, draft, ns, blocked, onPick }) {
  const box = useRef(null);
  const cy = useRef(null);
  const pickRef = useRef(onPick);
  pickRef.current = onPick;
  useEffect(() => {
    cy.current = createMap(box.current, (p) => pickRef.current(p));
    probe.cy = cy.current;
    return () => cy.current.destroy();
  }, []);
  useEffect(() => {
    if (!topo) { cy.current.elements().remove(); return; }
    drawTopology(cy.current, topo);
    mark('drawn');
  }, [topo]);
  useEffect(() => {
    if (!topo) return;
    restyle(cy.current, draft, ns, blocked);
    if (!probe.readyAt) requestAnimationFrame(() => setTimeout(() => { probe.readyAt = performance.now(); }));
  }, [topo, draft, blocked]);
  return html`<div id="map" ref=${box}></div>`;
}

// pageRows is how many rows a table shows before "show more": thousands
// of rows take seconds to lay out and nobody reads them without a filter.
const pageRows = 200;

function FlowTable({ id, flows, draft, ns, blocked, dir, onToggle }) {
  const [filter, setFilter] = useState('');
  const [limit, setLimit] = useState(pageRows);
  const all = flows || [];
  const q = filter.trim().toLowerCase();
  const shown = q ? all.filter((f) => `${f.peer.display} ${f.peer.name || ''} ${f.peer.namespace || ''} ${f.port} ${f.process || ''}`.toLowerCase().includes(q)) : all;
  return html`<section class="flows">
    <input class="filter" placeholder="filter: peer, namespace, port, process" value=${filter} onInput=${(e) => { setFilter(e.target.value); setLimit(pageRows); }} />
    <span class="note">${shown.length} of ${all.length} ${dir.toLowerCase()} flows</span>
    <table id=${id} data-rows=${all.length}>
    <thead><tr><th>include</th><th>peer</th><th>kind</th><th>namespace</th><th>port</th><th>protocol</th><th>process</th>
      <th>count</th><th>failed</th><th>first seen</th><th>last seen</th><th>resolved</th></tr></thead>
    <tbody>${shown.slice(0, limit).map((f) => {
      const p = f.peer;
      return html`<${FlowRow} f=${f} on=${included(draft, p, ns)} blocked=${blocked.has(blockedKey(dir, p, f.port, f.protocol))} onToggle=${onToggle} />`;
    })}</tbody></table>
    ${shown.length > limit && html`<button class="more" onClick=${() => setLimit(limit + 5 * pageRows)}>show ${Math.min(5 * pageRows, shown.length - limit)} more of ${shown.length - limit}</button>`}
  </section>`;
}

// FlowRow renders again only when its flow, decision or verdict changes:
// a proposal change touches a few rows of thousands.
class FlowRow extends Component {
  shouldComponentUpdate(n) {
    return n.f !== this.props.f || n.on !== this.props.on || n.blocked !== this.props.blocked;
  }

  render({ f, on, blocked, onToggle }) {
    const p = f.peer;
    const ext = p.kind === 'External' || !p.resolved;
    const never = f.count === 0;
    return html`<tr class=${[ext ? 'external' : '', on && !never ? '' : 'off', blocked ? 'blocked' : ''].join(' ')} data-peer=${peerKey(p)}>
      <td><input type="checkbox" checked=${on && !never} disabled=${never} title=${never ? 'never established: never allowed' : ''}
        onChange=${(e) => onToggle(p, e.target.checked)} /></td>
      <td>${p.kind === 'Workload' ? p.name : p.display}${p.service ? html` <small>via ${p.service}</small>` : ''}</td>
      <td>${p.kind === 'Workload' ? p.workloadKind : p.kind}</td>
      <td>${p.namespace || ''}</td><td>${f.port}</td><td>${f.protocol}</td><td>${f.process || ''}</td>
      <td>${f.count}</td><td>${f.failed || 0}</td><td>${fmtTime(f.firstSeen)}</td><td>${fmtTime(f.lastSeen)}</td>
      <td class="resolved">${ext ? 'no: external' : 'yes'}${blocked ? ' · blocked now' : ''}</td></tr>`;
  }
}

function CIDRs({ draft, peers, setDraft }) {
  const [cidr, setCidr] = useState('');
  const [alias, setAlias] = useState('');
  const verdict = cidr ? cidrVerdict(cidr, peers) : null;
  const add = (e) => {
    e.preventDefault();
    if (!verdict || !verdict.ok) return;
    const allow = (draft.allow || []).filter((a) => a.cidr !== cidr.trim());
    allow.push({ cidr: cidr.trim(), alias: alias.trim() });
    setDraft({ ...draft, allow, exclude: (draft.exclude || []).filter((x) => x.cidr !== cidr.trim()) });
    setCidr(''); setAlias('');
  };
  return html`<section id="cidrs">
    <form onSubmit=${add}>
      <input id="cidr" placeholder="203.0.113.7/32" value=${cidr} onInput=${(e) => setCidr(e.target.value)} />
      <input id="alias" placeholder="alias (e.g. billing-api)" value=${alias} onInput=${(e) => setAlias(e.target.value)} />
      <button id="allow" type="submit" disabled=${!verdict || !verdict.ok}>Allow</button>
      ${verdict && html`<span class=${verdict.ok ? 'note' : 'error'} id="cidr-verdict">${verdict.text}</span>`}
    </form>
    <ul>${(draft.allow || []).map((a) => html`<li>${a.cidr}${a.alias ? ` (${a.alias})` : ''}
      <span class="note">${cidrVerdict(a.cidr, peers).text}</span>
      <button onClick=${() => setDraft({ ...draft, allow: draft.allow.filter((x) => x !== a) })}>remove</button></li>`)}</ul>
  </section>`;
}

function Policy({ rec, check, findings, undone }) {
  if (!rec) return html`<p class="note">computing the proposal…</p>`;
  const r = rec.recommendation;
  const name = `${r.policy.metadata ? r.policy.metadata.name : 'policy'}.yaml`;
  const copy = () => navigator.clipboard.writeText(rec.yaml).catch(() => {});
  const download = () => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([rec.yaml], { type: 'application/yaml' }));
    a.download = name;
    a.click();
    URL.revokeObjectURL(a.href);
  };
  return html`<section id="policy">
    <div class="buttons"><button id="copy" onClick=${copy}>Copy</button><button id="download" onClick=${download}>Download ${name}</button>
      <span class="note">covers ${r.flows} observed flows</span></div>
    ${undone && html`<p class="note" id="undone">You undid stored decisions: the policy below still follows them until you save.</p>`}
    ${(r.notes || []).length > 0 && html`<ul class="notes">${r.notes.map((n) => html`<li>${n}</li>`)}</ul>`}
    <pre id="yaml">${rec.yaml || 'no policy: nothing observed to allow'}</pre>
    <h3>What the policies in force block now</h3>
    ${!check ? html`<p class="note">checking…</p>` : check.policies.length === 0 ? html`<p class="note">No NetworkPolicy in force in this namespace: nothing is blocked.</p>` :
      findings.length === 0 ? html`<p class="note">The policies in force (${check.policies.join(', ')}) block none of this workload's observed flows.</p>` :
      html`<ul id="blocked">${findings.map((f) => html`<li><b>${f.policy}</b> · ${f.direction} ${f.flow.peer.display} ${f.flow.port}/${f.flow.protocol}: ${f.message}
        <div class="fix">fix: ${f.fix}</div></li>`)}</ul>`}
  </section>`;
}

render(html`<${App} />`, document.getElementById('app'));
