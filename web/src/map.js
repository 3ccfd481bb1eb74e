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
  const gap = 34;
  cols[1].sort(sortByName).forEach((n, i) => pos.set(n.id, { x: -420, y: (i - (cols[1].length - 1) / 2) * gap }));
  cols[2].sort(sortByName).forEach((n, i) => pos.set(n.id, { x: 420, y: (i - (cols[2].length - 1) / 2) * gap }));
  cols[3].sort(sortByName).forEach((n, i) => pos.set(n.id, { x: (i - (cols[3].length - 1) / 2) * 160, y: Math.max(cols[1].length, cols[2].length) * gap / 2 + 120 }));
  const els = [];
  for (const n of topo.nodes) {
    const p = n.peer;
    const cls = [n === center ? 'center' : '', side.get(n.id) === 1 ? 'in' : '', p.kind === 'External' || !p.resolved ? 'external' : '', p.kind === 'Node' || p.kind === 'APIServer' ? 'infra' : '']
      .filter(Boolean).join(' ');
    const label = p.kind === 'Workload' ? `${p.namespace}/${p.name}` : p.display;
    els.push({ group: 'nodes', data: { id: n.id, label, peer: p }, position: pos.get(n.id), classes: cls });
  }
  topo.edges.forEach((e, i) => {
    const egress = center && e.from === center.id;
    const other = byID.get(egress ? e.to : e.from);
    els.push({ group: 'edges', data: { id: `e${i}`, source: e.from, target: e.to, label: `${e.port}/${e.protocol}`,
      peer: other ? other.peer : null, dir: egress ? 'Egress' : 'Ingress', port: e.port, protocol: e.protocol, ok: e.count > 0 } });
  });
  cy.batch(() => {
    cy.elements().remove();
    cy.add(els);
  });
  cy.layout({ name: 'preset', fit: true, padding: 30 }).run();
}

// blockedKey names a flow the policies in force block.
export const blockedKey = (dir, peer, port, protocol) => `${dir}|${peerKey(peer)}|${port}|${protocol}`;

// restyle colours the edges by the proposal and the check.
export function restyle(cy, adj, ns, blocked) {
  cy.batch(() => {
    cy.edges().forEach((e) => {
      const d = e.data();
      const p = d.peer;
      let cls = '';
      if (!p) cls = '';
      else if (blocked.has(blockedKey(d.dir, p, d.port, d.protocol))) cls = 'blocked';
      else if (!d.ok) cls = 'failed';
      else if (included(adj, p, ns)) cls = '';
      else if (p.kind === 'External' || !p.resolved) cls = 'external';
      else cls = 'excluded';
      e.classes(cls);
    });
  });
}
