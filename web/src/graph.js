// The map's graph, built from baselines (pure: no Cytoscape here). Nodes
// are workloads, Services, nodes, the API server and external addresses;
// workloads and Services sit in their namespace's box (a compound parent
// node). A connection made through a Service is drawn through the
// Service's node: client → Service, labelled service port → target port,
// then Service → the backend that answered, labelled with the target port.
// Every edge carries the flows it stands for ("items"), so the page can
// colour it by what the proposal and the policies in force say of them.
import { peerKey } from './peers.js';

export const workloadKey = (ns, kind, name) => `w:${ns}/${kind}/${name}`;
export const serviceKey = (s) => `s:${s.namespace}/${s.name}`;
const namespaceKey = (ns) => `ns:${ns}`;

const isExternal = (p) => p.kind === 'External' || !p.resolved;

// workloadPeer is a workload as flows name their peers.
export function workloadPeer(ns, wl) {
  return { kind: 'Workload', namespace: ns, workloadKind: wl.kind, name: wl.name, resolved: true, display: `${ns}/${wl.kind}/${wl.name}` };
}

function builder() {
  const nodes = new Map();
  const edges = new Map();
  const add = (n) => {
    if (n.parent && !nodes.has(n.parent)) nodes.set(n.parent, { id: n.parent, label: n.parent.slice(3), base: 'namespace' });
    if (!nodes.has(n.id)) nodes.set(n.id, n);
    return n.id;
  };
  const peer = (p) => {
    if (p.kind === 'Workload') return add({ id: peerKey(p), label: p.name, parent: namespaceKey(p.namespace), base: 'workload', peer: p });
    const label = (p.display || p.ip || p.kind).replace(/ via service .*$/, '');
    return add({ id: peerKey(p), label, base: isExternal(p) ? 'external' : 'infra', peer: p });
  };
  const service = (s, base = 'service') => add({ id: serviceKey(s), label: s.name, parent: namespaceKey(s.namespace), base,
    peer: { kind: 'Service', namespace: s.namespace, name: s.name } });
  const edge = (source, target, item, mapped) => {
    const k = `${source}>${target}`;
    if (!edges.has(k)) edges.set(k, { source, target, mapped, items: [] });
    edges.get(k).items.push(item);
  };
  // through draws a flow from `from` to its peer, through its Service
  // when it went through one.
  const through = (from, p, item) => {
    if (!p.serviceRef) return edge(from, peer(p), item, false);
    const s = service(p.serviceRef);
    edge(from, s, item, true);
    edge(s, peer(p), item, false);
  };
  return { add, peer, service, edge, through, done: () => elements(nodes, edges) };
}

function item(wl, dir, f) {
  const p = f.peer;
  return { wl, dir, peer: p, peerKey: peerKey(p), port: f.port, protocol: f.protocol, svcPort: p.serviceRef ? p.serviceRef.port : 0,
    ok: f.count > 0, external: isExternal(p) };
}

// workloadGraph is one workload's baseline: who called it (ingress), whom
// it called (egress), Services in between.
export function workloadGraph(ns, b) {
  const g = builder();
  const me = workloadPeer(ns, b.workload);
  const center = g.add({ id: peerKey(me), label: me.name, parent: namespaceKey(ns), base: 'workload center', peer: me });
  const wl = peerKey(me);
  for (const f of b.egress || []) g.through(center, f.peer, item(wl, 'Egress', f));
  for (const f of b.ingress || []) g.edge(g.peer(f.peer), center, item(wl, 'Ingress', f), false);
  return g.done();
}

// serviceGraph is a Service's traffic: the clients whose flows went
// through it, and the backends that answered them.
export function serviceGraph(svc) {
  const g = builder();
  g.service(svc, 'service center');
  for (const c of svc.flows) {
    const client = workloadPeer(c.namespace, c.workload);
    g.through(g.peer(client), c.flow.peer, item(peerKey(client), 'Egress', c.flow));
  }
  return g.done();
}

// services are the Services of namespace ns that flows in baselines went
// through, each with those flows and the workload that made them, sorted
// by name.
export function services(ns, baselines) {
  const out = new Map();
  for (const b of baselines || []) {
    for (const f of b.egress || []) {
      const s = f.peer.serviceRef;
      if (!s || s.namespace !== ns) continue;
      if (!out.has(s.name)) out.set(s.name, { namespace: s.namespace, name: s.name, flows: [] });
      out.get(s.name).flows.push({ namespace: b.metadata.namespace || ns, workload: b.workload, flow: f });
    }
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function elements(nodes, edges) {
  const ns = [...nodes.values()];
  // Parents first: Cytoscape drops a child whose parent is not there yet.
  ns.sort((a, b) => (a.base === 'namespace' ? 0 : 1) - (b.base === 'namespace' ? 0 : 1));
  let i = 0;
  return {
    nodes: ns.map((n) => ({ group: 'nodes', data: { id: n.id, label: n.label, parent: n.parent, peer: n.peer, base: n.base }, classes: n.base })),
    edges: [...edges.values()].map((e) => ({ group: 'edges', classes: '',
      data: { id: `e${i++}`, source: e.source, target: e.target, label: portsLabel(e.items, e.mapped), items: e.items,
        peers: [...new Set(e.items.map((it) => it.peerKey))] } })),
  };
}

// portsLabel names an edge's ports per protocol: runs of target ports
// (8000-8009/TCP), or service port → target port pairs (80→8080/TCP).
export function portsLabel(items, mapped) {
  const byProto = new Map();
  for (const it of items) {
    if (!byProto.has(it.protocol)) byProto.set(it.protocol, new Map());
    byProto.get(it.protocol).set(mapped ? `${it.svcPort}→${it.port}` : `${it.port}`, mapped ? it.svcPort * 65536 + it.port : it.port);
  }
  return [...byProto].sort(([a], [b]) => a.localeCompare(b)).map(([proto, ports]) => {
    const sorted = [...ports].sort((a, b) => a[1] - b[1]);
    if (mapped) return `${sorted.map(([s]) => s).join(',')}/${proto}`;
    const runs = [];
    for (const [, p] of sorted) {
      const r = runs[runs.length - 1];
      if (r && p === r[1] + 1) r[1] = p; else runs.push([p, p]);
    }
    return `${runs.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',')}/${proto}`;
  }).join(' ');
}
