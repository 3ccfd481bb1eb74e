// The topology map: Cytoscape.js with the dagre layered layout (left to
// right: callers, the chosen workload or Service, Services, backends),
// namespaces as compound boxes. Restyling after a proposal change only
// sets classes; it never lays out again.
import cytoscape from 'cytoscape';
import dagre from 'cytoscape-dagre';

cytoscape.use(dagre);

const edgeColour = (sel, c, extra = {}) => ({ selector: sel, style: { 'line-color': c, 'target-arrow-color': c, ...extra } });

const style = [
  { selector: 'node', style: { label: 'data(label)', 'font-size': 11, 'text-valign': 'bottom', 'text-margin-y': 3, width: 18, height: 18,
    'background-color': '#4a6fa5', color: '#222', 'min-zoomed-font-size': 7 } },
  { selector: 'node.namespace', style: { shape: 'round-rectangle', 'background-color': '#eef2f8', 'background-opacity': 1, 'border-width': 1,
    'border-color': '#9aaccc', 'text-valign': 'top', 'text-margin-y': -3, color: '#1b3a6b', 'font-weight': 'bold', padding: 14 } },
  { selector: 'node.center', style: { 'background-color': '#1b3a6b', width: 26, height: 26, 'font-weight': 'bold' } },
  { selector: 'node.service', style: { shape: 'round-hexagon', 'background-color': '#8e6bbf', width: 24, height: 20 } },
  { selector: 'node.service.center', style: { 'background-color': '#5b3a8e', width: 32, height: 26 } },
  { selector: 'node.external', style: { 'background-color': '#d62728', color: '#b00' } },
  { selector: 'node.infra', style: { shape: 'round-rectangle', 'background-color': '#8c8c8c' } },
  { selector: 'node.excluded', style: { 'background-color': '#c8c8c8', color: '#999' } },
  { selector: 'node.blocked', style: { 'border-width': 3, 'border-color': '#ff7f0e' } },
  { selector: 'edge', style: { width: 2, 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', label: 'data(label)', 'font-size': 9,
    'text-background-color': '#fff', 'text-background-opacity': 0.85, 'min-zoomed-font-size': 8, 'line-color': '#2ca02c', 'target-arrow-color': '#2ca02c' } },
  edgeColour('edge.excluded', '#aaa', { 'line-style': 'dashed', color: '#999' }),
  edgeColour('edge.external', '#d62728'),
  edgeColour('edge.failed', '#999', { 'line-style': 'dotted' }),
  edgeColour('edge.blocked', '#ff7f0e', { width: 4 }),
  { selector: ':selected', style: { 'overlay-opacity': 0.15 } },
];

export function createMap(container, onPick) {
  const cy = cytoscape({ container, style, wheelSensitivity: 0.3, textureOnViewport: true, hideEdgesOnViewport: true, minZoom: 0.05, maxZoom: 4 });
  cy.on('tap', 'node', (ev) => { if (ev.target.data('peer')) onPick(ev.target.data('peer')); });
  return cy;
}

// layout is the layered layout of the map. dagre's default ranker
// (network simplex) keeps edges short: a peer called directly sits beside
// the Services, not at the far end. With namespaces as compound nodes it
// took 1.1-1.7 s for 300 peers in headless Chromium, so large maps use the
// longest-path ranker (about half), which ranks these graphs (callers →
// workload → Services → backends) alike except that every peer nobody is
// drawn past ends in the last column.
const bigMap = 150;
const layout = (n) => ({ name: 'dagre', rankDir: 'LR', ranker: n > bigMap ? 'longest-path' : 'network-simplex', nodeSep: 8, rankSep: 110,
  edgeSep: 6, nodeDimensionsIncludeLabels: true, fit: true, padding: 24, animate: false });

// drawGraph replaces the map's elements with g ({nodes, edges}) and lays
// them out; it returns how long each step took (ms), for make bench-ui.
export function drawGraph(cy, g) {
  const t0 = performance.now();
  cy.batch(() => {
    cy.elements().remove();
    cy.add(g.nodes);
    cy.add(g.edges);
  });
  const t1 = performance.now();
  cy.layout(layout(g.nodes.length)).run();
  const took = { add: Math.round(t1 - t0), layout: Math.round(performance.now() - t1) };
  // A handful of nodes would fill the box at four times their size.
  if (cy.zoom() > 1.3) {
    cy.zoom(1.3);
    cy.center();
  }
  return took;
}

// rank orders the states of an edge's flows: the most telling one colours
// it.
const rank = { blocked: 4, external: 3, excluded: 2, failed: 1, '': 0 };

// restyle colours each edge by the worst verdict of its flows (verdict(item)
// is '', excluded, external, failed or blocked), greys nodes all of whose
// edges are excluded and rings nodes with a blocked edge.
export function restyle(cy, verdict) {
  cy.batch(() => {
    cy.edges().forEach((e) => {
      let cls = '';
      for (const it of e.data('items')) {
        const c = verdict(it);
        if (rank[c] > rank[cls]) cls = c;
      }
      if (e.classes().join(' ') !== cls) e.classes(cls);
    });
    cy.nodes().forEach((n) => {
      const base = n.data('base');
      if (base === 'namespace' || base.includes('center')) return;
      const es = n.connectedEdges();
      let state = '';
      if (es.some((e) => e.hasClass('blocked'))) state = 'blocked';
      else if (es.length && es.every((e) => e.hasClass('excluded'))) state = 'excluded';
      const cls = state ? `${base} ${state}` : base;
      if (n.classes().join(' ') !== cls) n.classes(cls);
    });
  });
}
