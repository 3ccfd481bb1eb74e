// What the page knows of each flow: blocked by the policies in force now
// (the check's findings), never established, or allowed, excluded or left
// out (external) by the proposal. The map and the tables share it.
import { included, peerKey } from './peers.js';

// blockedKey names a flow of workload wl (its key) that the policies in
// force block.
export const blockedKey = (wl, dir, peer, port, protocol) => `${wl}|${dir}|${peerKey(peer)}|${port}|${protocol}`;

// blockedFlows are the check's findings of namespace ns: the keys of every
// blocked flow, and the findings of workload wl (its key) to list.
export function blockedFlows(check, ns, wl) {
  const keys = new Set();
  const findings = [];
  for (const r of (check && check.status.results) || []) {
    for (const f of r.findings || []) {
      const key = `w:${ns}/${f.workload.kind}/${f.workload.name}`;
      keys.add(blockedKey(key, f.direction, f.flow.peer, f.flow.port, f.flow.protocol));
      if (key === wl) findings.push({ ...f, policy: r.policy });
    }
  }
  return { keys, findings };
}

// verdict is how the map draws a flow (an edge's item) under the proposal
// adj of a workload of namespace ns; with no proposal (a Service's view)
// only what is blocked or never established shows.
export function verdict(blocked, adj, ns) {
  return (it) => {
    if (blocked.has(blockedKey(it.wl, it.dir, it.peer, it.port, it.protocol))) return 'blocked';
    if (!it.ok) return 'failed';
    if (!adj || included(adj, it.peer, ns)) return '';
    return it.external ? 'external' : 'excluded';
  };
}
