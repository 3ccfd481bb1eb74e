// The map as a component of the page, and its legend.
import { h } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import htm from 'htm';
import { createMap, drawGraph, restyle } from './map.js';
import { mark, probe } from './probe.js';

const html = htm.bind(h);

export function Legend({ proposal }) {
  return html`<p class="legend">
    ${proposal ? html`<span class="sw allowed"></span> allowed by the proposal
    <span class="sw excluded"></span> excluded by you
    <span class="sw external"></span> external / unresolved, not allowed` : html`<span class="sw allowed"></span> observed`}
    <span class="sw blocked"></span> blocked by the policies in force now
    <span class="sw failed"></span> never established
    <span class="shape service"></span> Service (service port→target port)
    <span class="shape namespace"></span> namespace</p>`;
}

export function TopologyMap({ graph, colour, onPick }) {
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
    if (!graph) { cy.current.elements().remove(); return; }
    probe.draw = drawGraph(cy.current, graph);
    mark('drawn');
  }, [graph]);
  useEffect(() => {
    if (!graph) return;
    restyle(cy.current, colour);
    if (!probe.readyAt) requestAnimationFrame(() => setTimeout(() => { probe.readyAt = performance.now(); }));
  }, [graph, colour]);
  return html`<div id="map" ref=${box}></div>`;
}

