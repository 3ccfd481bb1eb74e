// The topology map: Cytoscape.js with a preset layout (peers that only
// call the workload on the left, those it only calls on the right, both
// below), so a few hundred nodes lay out at once. Restyling after a
// proposal change touches only the edges' classes.
import cytoscape from 'cytoscape';
import { included, peerKey } from './peers.js';

const style = [
  { selector: 'node', style: { label: 'data(label)', 'font-size': 11, 'text-valign': 'center', 'text-halign': 'right', 'text-margin-x': 6,
    width: 18, height: 18, 'background-color': '#4a6fa5', color: '#222', 'min-zoomed-font-size': 7 } },
  { selector: 'node.center', style: { 'background-color': '#1b3a6b', width: 26, height: 26, 'font-weight': 'bold', 'text-valign': 'bottom', 'text-halign': 'center', 'text-margin-y': 6, 'text-margin-x': 0 } },
  { selector: 'node.in', style: { 'text-halign': 'left', 'text-margin-x': -6 } },
  { selector: 'node.external', style: { 'background-color': '#d62728', color: '#b00' } },
  { selector: 'node.infra', style: { shape: 'round-rectangle', 'background-color': '#8c8c8c' } },
  { selector: 'edge', style: { width: 2, 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', label: 'data(label)', 'font-size': 9,
    'text-rotation': 'autorotate', 'text-background-color': '#fff', 'text-background-opacity': 0.8, 'min-zoomed-font-size': 8,
    'line-color': '#2ca02c', 'target-arrow-color': '#2ca02c' } },
  { selector: 'edge.excluded', style: { 'line-color': '#aaa', 'target-arrow-color': '#aaa', 'line-style': 'dashed' } },
  { selector: 'edge.external', style: { 'line-color': '#d62728', 'target-arrow-color': '#d62728' } },
  { selector: 'edge.failed', style: { 'line-color': '#999', 'target-arrow-color': '#999', 'line-style': 'dotted' } },
  { selector: 'edge.blocked', style: { 'line-color': '#ff7f0e', 'target-arrow-color': '#ff7f0e', width: 4 } },
  { selector: ':selected', style: { 'overlay-opacity': 0.15 } },
];

export function createMap(container, onPick) {
  const cy = cytoscape({ container, style, wheelSensitivity: 0.3, textureOnViewport: true, hideEdgesOnViewport: true, minZoom: 0.05, maxZoom: 4 });
  cy.on('tap', 'node', (ev) => onPick(ev.target.data('peer')));
  return cy;
}

// isCenter tells the topology's own workload.
function isCenter(topo, p) {
  return p.kind === 'Workload' && p.namespace === topo.metadata.namespace && p.workloadKind === topo.workload.kind && p.name === topo.workload.name;
}

export function drawTopology(cy, topo) {
  const byID = new Map(topo.nodes.map((n) => [n.id, n]));
  const center = topo.nodes.find((n) => isCenter(topo, n.peer));
  const side = new Map();
  for (const e of topo.edges) {
    const [other, dir] = center && e.from === center.id ? [e.to, 2] : [e.from, 1];
    side.set(other, (side.get(other) || 0) | dir);
  }
  const cols = { 1: [], 2: [], 3: [] };
  for (const n of topo.nodes) if (n !== center) cols[side.get(n.id) || 3].push(n);
  const pos = new Map();
  if (center) pos.set(center.id, { x: 0, y: 0 });
  const sortByName = (a, b) => a.peer.display.localeCompare(b.peer.display);
  // Columns of at most perCol nodes, further out as they fill.
  const gap = 34, perCol = 40;
  const column = (ns, sign) => ns.sort(sortByName).forEach((n, i) => {
    const c = Math.floor(i / perCol), rows = Math.min(perCol, ns.length);
    pos.set(n.id, { x: sign * (420 + c * 380), y: ((i % perCol) - (rows - 1) / 2) * gap });
  });
  column(cols[1], -1);
  column(cols[2], 1);
  const below = Math.min(perCol, Math.max(cols[1].length, cols[2].length)) * gap / 2 + 120;
  cols[3].sort(sortByName).forEach((n, i) => pos.set(n.id, { x: ((i % 8) - 3.5) * 200, y: below + Math.floor(i / 8) * gap }));
  const els = [];
  for (const n of topo.nodes) {
    const p = n.peer;
    const cls = [n === center ? 'center' : '', side.get(n.id) === 1 ? 'in' : '', p.kind === 'External' || !p.resolved ? 'external' : '', p.kind === 'Node' || p.kind === 'APIServer' ? 'infra' : '']
      .filter(Boolean).join(' ');
    const label = p.kind === 'Workload' ? `${p.namespace}/${p.name}` : p.display;
    els.push({ group: 'nodes', data: { id: n.id, label, peer: p }, position: pos.get(n.id), classes: cls });
  }
  // One edge per pair of nodes and direction, labelled with its ports:
  // ten ports to one peer are one line to read (and to draw).
  const pairs = new Map();
  for (const e of topo.edges) {
    const k = `${e.from}>${e.to}`;
    if (!pairs.has(k)) pairs.set(k, []);
    pairs.get(k).push(e);
  }
  let i = 0;
  for (const [, es] of pairs) {
    const e0 = es[0];
    const egress = center && e0.from === center.id;
    const other = byID.get(egress ? e0.to : e0.from);
    const ports = es.map((e) => ({ port: e.port, protocol: e.protocol, ok: e.count > 0 }));
    els.push({ group: 'edges', data: { id: `e${i++}`, source: e0.from, target: e0.to, label: portsLabel(ports),
      peer: other ? other.peer : null, dir: egress ? 'Egress' : 'Ingress', ports } });
  }
  cy.batch(() => {
    cy.elements().remove();
    cy.add(els);
  });
  cy.layout({ name: 'preset', fit: true, padding: 30 }).run();
}

// blockedKey names a flow the policies in force block.
export const blockedKey = (dir, peer, port, protocol) => `${dir}|${peerKey(peer)}|${port}|${protocol}`;

function portsLabel(ports) {
  const byProto = new Map();
  for (const p of ports) {
    if (!byProto.has(p.protocol)) byProto.set(p.protocol, []);
    byProto.get(p.protocol).push(p.port);
  }
  return [...byProto].map(([proto, ps]) => {
    ps.sort((a, b) => a - b);
    const runs = [];
    for (const p of ps) {
      const r = runs[runs.length - 1];
      if (r && p === r[1] + 1) r[1] = p; else runs.push([p, p]);
    }
    return runs.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',') + `/${proto}`;
  }).join(' ');
}

// rank orders an edge's states: the most telling one colours it.
const rank = { blocked: 4, external: 3, excluded: 2, failed: 1, '': 0 };

// restyle colours the edges by the proposal and the check.
export function restyle(cy, adj, ns, blocked) {
  cy.batch(() => {
    cy.edges().forEach((e) => {
      const d = e.data();
      const p = d.peer;
      let cls = '';
      if (p) {
        const on = included(adj, p, ns);
        for (const f of d.ports) {
          let c = '';
          if (blocked.has(blockedKey(d.dir, p, f.port, f.protocol))) c = 'blocked';
          else if (!f.ok) c = 'failed';
          else if (on) c = '';
          else if (p.kind === 'External' || !p.resolved) c = 'external';
          else c = 'excluded';
          if (rank[c] > rank[cls]) cls = c;
        }
      }
      if (!e.hasClass(cls) || e.classes().length !== (cls ? 1 : 0)) e.classes(cls);
    });
  });
}
