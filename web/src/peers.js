// What the user decided about a peer, in the form of the adjustments
// annotation: workloads are included unless excluded, external addresses
// only when an allowed CIDR holds them, nodes and the API server unless an
// excluded CIDR holds them. Pure functions: the tables and the map share
// them.

// parseIP returns [bits, width] (BigInt, 32 or 128) or null.
export function parseIP(s) {
  if (!s) return null;
  if (s.includes('.') && !s.includes(':')) {
    const p = s.split('.');
    if (p.length !== 4) return null;
    let v = 0n;
    for (const x of p) {
      if (!/^\d{1,3}$/.test(x) || +x > 255) return null;
      v = (v << 8n) | BigInt(+x);
    }
    return [v, 32];
  }
  if (!s.includes(':')) return null;
  let [head, tail] = s.split('::');
  if (s.split('::').length > 2) return null;
  const h = head ? head.split(':') : [];
  const t = tail !== undefined ? (tail ? tail.split(':') : []) : [];
  if (tail === undefined && h.length !== 8) return null;
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8) return null;
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  return [v, 128];
}

// parseCIDR returns {base, bits, width} or null.
export function parseCIDR(s) {
  const [ip, len] = (s || '').trim().split('/');
  const a = parseIP(ip);
  if (!a || len === undefined || !/^\d+$/.test(len) || +len > a[1]) return null;
  const bits = +len;
  const shift = BigInt(a[1] - bits);
  return { base: (a[0] >> shift) << shift, bits, width: a[1] };
}

export function cidrContains(cidr, ip) {
  const c = typeof cidr === 'string' ? parseCIDR(cidr) : cidr;
  const a = parseIP(ip);
  if (!c || !a || a[1] !== c.width) return false;
  const shift = BigInt(c.width - c.bits);
  return (a[0] >> shift) << shift === c.base;
}

export function hostCIDR(ip) {
  return ip + (ip.includes(':') ? '/128' : '/32');
}

// peerKey names a peer the same way in flows, topology nodes and findings.
export function peerKey(p) {
  if (p.kind === 'Workload') return `w:${p.namespace}/${p.workloadKind}/${p.name}`;
  return `ip:${p.ip || p.display}`;
}

function sameWorkload(ex, p, ns) {
  return ex.workload && (ex.workload.namespace || ns) === p.namespace && ex.workload.kind === p.workloadKind && ex.workload.name === p.name;
}

// included says whether the proposal allows traffic with peer p under
// adjustments adj, for a workload of namespace ns.
export function included(adj, p, ns) {
  const ex = adj.exclude || [];
  if (p.kind === 'Workload') return !ex.some((e) => sameWorkload(e, p, ns));
  if (ex.some((e) => e.cidr && cidrContains(e.cidr, p.ip))) return false;
  if (p.kind === 'External' || !p.resolved) return (adj.allow || []).some((a) => cidrContains(a.cidr, p.ip));
  return true;
}

// toggle returns the adjustments with peer p included (on) or not.
export function toggle(adj, p, ns, on) {
  let allow = [...(adj.allow || [])];
  let exclude = [...(adj.exclude || [])];
  if (p.kind === 'Workload') {
    exclude = exclude.filter((e) => !sameWorkload(e, p, ns));
    if (!on) exclude.push({ workload: { namespace: p.namespace, kind: p.workloadKind, name: p.name } });
    return { allow, exclude };
  }
  const host = hostCIDR(p.ip);
  exclude = exclude.filter((e) => !(e.cidr && cidrContains(e.cidr, p.ip) && on));
  const external = p.kind === 'External' || !p.resolved;
  if (on && external && !allow.some((a) => cidrContains(a.cidr, p.ip))) allow.push({ cidr: host, alias: '' });
  if (!on) {
    allow = allow.filter((a) => a.cidr !== host);
    if (!external || allow.some((a) => cidrContains(a.cidr, p.ip))) exclude.push({ cidr: host });
  }
  return { allow, exclude };
}

// cidrVerdict says what an allowed CIDR holds of the observed peers.
export function cidrVerdict(cidr, peers) {
  const c = parseCIDR(cidr);
  if (!c) return { ok: false, text: 'not a CIDR such as 203.0.113.7/32' };
  const inside = peers.filter((p) => p.ip && cidrContains(c, p.ip));
  const cluster = inside.filter((p) => p.kind !== 'External' && p.resolved);
  if (cluster.length) return { ok: true, text: `inside the cluster: holds ${cluster.map((p) => p.display).join(', ')}` };
  if (inside.length) return { ok: true, text: `outside the cluster: holds ${inside.map((p) => p.display).join(', ')}` };
  return { ok: true, text: 'outside the cluster as far as seen: no observed peer in it' };
}
