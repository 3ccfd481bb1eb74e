// The Ingress and Egress tables (a checkbox per peer) of a workload, and
// the table of a Service's traffic. Rows render again only when their
// flow, decision or verdict changes: a proposal change touches a few rows
// of thousands.
import { Component, h } from 'preact';
import { useState } from 'preact/hooks';
import htm from 'htm';
import { included, peerKey } from './peers.js';
import { blockedKey } from './verdict.js';
import { workloadKey } from './graph.js';

const html = htm.bind(h);
export const fmtTime = (t) => (t ? t.replace('T', ' ').replace('Z', '') : '');

// pageRows is how many rows a table shows before "show more": thousands
// of rows take seconds to lay out and nobody reads them without a filter.
const pageRows = 200;

export function FlowTable({ id, flows, draft, ns, wl, blocked, dir, onToggle }) {
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
      return html`<${FlowRow} f=${f} on=${included(draft, p, ns)} blocked=${blocked.has(blockedKey(wl, dir, p, f.port, f.protocol))} onToggle=${onToggle} />`;
    })}</tbody></table>
    ${shown.length > limit && html`<button class="more" onClick=${() => setLimit(limit + 5 * pageRows)}>show ${Math.min(5 * pageRows, shown.length - limit)} more of ${shown.length - limit}</button>`}
  </section>`;
}

// FlowRow is one flow of a workload.
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


// ServiceTable is the traffic through a Service: one row per flow, from
// the client that made it to the backend that answered.
export function ServiceTable({ svc, blocked }) {
  const rows = [...svc.flows].sort((a, b) => a.workload.name.localeCompare(b.workload.name) || a.flow.peer.serviceRef.port - b.flow.peer.serviceRef.port);
  return html`<section class="flows"><table id="service-flows" data-rows=${rows.length}>
    <thead><tr><th>client</th><th>client kind</th><th>client namespace</th><th>service port</th><th>target port</th><th>protocol</th>
      <th>backend</th><th>backend kind</th><th>process</th><th>count</th><th>failed</th><th>first seen</th><th>last seen</th></tr></thead>
    <tbody>${rows.map((r) => {
      const f = r.flow, p = f.peer;
      const client = workloadKey(r.namespace, r.workload.kind, r.workload.name);
      const isBlocked = blocked.has(blockedKey(client, 'Egress', p, f.port, f.protocol));
      return html`<tr class=${[f.count === 0 ? 'off' : '', isBlocked ? 'blocked' : ''].join(' ')} data-client=${client} data-peer=${peerKey(p)}>
        <td>${r.workload.name}</td><td>${r.workload.kind}</td><td>${r.namespace}</td><td>${p.serviceRef.port}</td><td>${f.port}</td><td>${f.protocol}</td>
        <td>${p.kind === 'Workload' ? p.name : p.display}</td><td>${p.kind === 'Workload' ? p.workloadKind : p.kind}</td><td>${f.process || ''}</td>
        <td>${f.count}</td><td>${f.failed || 0}</td><td>${fmtTime(f.firstSeen)}</td><td>${fmtTime(f.lastSeen)}${isBlocked ? ' · blocked now' : ''}</td></tr>`;
    })}</tbody></table></section>`;
}
