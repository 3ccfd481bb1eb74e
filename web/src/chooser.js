// The chooser: namespace → kind of owner (the workload kinds seen in the
// namespace's baselines, and Service when flows went through one of its
// Services) → workload or Service → time window. The selection lives in
// the URL's fragment, so a reload or a shared link shows the same.
import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import htm from 'htm';
import { api } from './api.js';
import { workloadKey } from './graph.js';

const html = htm.bind(h);
const windows = [['', "server's default"], ['1h', 'last hour'], ['3h', 'last 3 hours'], ['24h', 'last day'], ['168h', 'last week'], ['720h', 'last 30 days']];

export function readHash() {
  const q = new URLSearchParams(location.hash.slice(1));
  const [kind, name] = (q.get('w') || '').split('/');
  return { ns: q.get('ns') || '', kind: kind || '', name: name || '', window: q.get('window') || '' };
}

export function writeHash(sel) {
  const q = new URLSearchParams();
  if (sel.ns) q.set('ns', sel.ns);
  if (sel.kind && sel.name) q.set('w', `${sel.kind}/${sel.name}`);
  if (sel.window) q.set('window', sel.window);
  history.replaceState(null, '', `${location.pathname}${location.search}#${q}`);
}

export function Chooser({ sel, setSel, kinds, kind, names, fail }) {
  const [nsList, setNsList] = useState({ namespaces: [], note: '' });
  useEffect(() => {
    api.namespaces().then((l) => {
      setNsList(l);
      if (!sel.ns && l.default) setSel((s) => ({ ...s, ns: l.default }));
    }, fail('namespaces'));
  }, []);
  const name = names.includes(sel.name) ? sel.name : '';
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
      <label>${kind === 'Service' ? 'Service' : 'Workload'}
        <select id="workload" value=${name} onChange=${(e) => setSel({ ...sel, kind, name: e.target.value })}>
          <option value="">choose…</option>
          ${names.map((n) => html`<option value=${n}>${n}</option>`)}
        </select>
      </label>
      <label>Window
        <select id="window" value=${sel.window} onChange=${(e) => setSel({ ...sel, window: e.target.value })}>
          ${windows.map(([v, t]) => html`<option value=${v}>${t}</option>`)}
        </select>
      </label>
    </header>
    ${nsList.note && html`<p class="note">${nsList.note}</p>`}`;
}

// choice is what the selection names among the namespace's baselines and
// Services (svcs): the kinds to offer, the kind and the names of that kind,
// and the chosen Service or workload baseline with its key.
export function choice(sel, baselines, svcs) {
  const all = baselines || [];
  const kinds = [...new Set(all.map((b) => b.workload.kind))].sort().concat(svcs.length ? ['Service'] : []);
  const kind = sel.kind && kinds.includes(sel.kind) ? sel.kind : kinds[0] || '';
  if (kind === 'Service') {
    const svc = svcs.find((s) => s.name === sel.name) || null;
    return { kinds, kind, names: svcs.map((s) => s.name), svc, baseline: null, wl: '', chosen: svc ? `${sel.ns}/Service/${svc.name}` : '' };
  }
  const names = all.filter((b) => b.workload.kind === kind).map((b) => b.workload.name).sort();
  const baseline = all.find((b) => b.workload.kind === kind && b.workload.name === sel.name) || null;
  const wl = baseline ? workloadKey(sel.ns, baseline.workload.kind, baseline.workload.name) : '';
  return { kinds, kind, names, svc: null, baseline, wl, chosen: wl };
}
