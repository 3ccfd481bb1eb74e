// The page's calls to its own server (internal/ui), which makes them to
// the Kubernetes API server with the user's kubeconfig credentials.
const token = document.querySelector('meta[name="session-token"]').content;

async function call(method, path, body) {
  const init = { method, headers: { 'X-Netpol-Advisor-Token': token } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const r = await fetch(path, init);
  const text = await r.text();
  if (!r.ok) {
    const err = new Error(text.trim() || `${r.status} ${r.statusText}`);
    err.status = r.status;
    throw err;
  }
  return JSON.parse(text);
}

const nsPath = (ns) => `/api/namespaces/${encodeURIComponent(ns)}`;
const windowQuery = (w) => (w ? `?window=${encodeURIComponent(w)}` : '');

export const api = {
  namespaces: () => call('GET', '/api/namespaces'),
  baselines: (ns, w) => call('GET', `${nsPath(ns)}/baselines${windowQuery(w)}`),
  recommendation: (ns, workload, w, adjustments) => call('POST', `${nsPath(ns)}/recommendation`, { workload, window: w, adjustments }),
  check: (ns) => call('POST', `${nsPath(ns)}/check`, {}),
  adjustments: (ns, wl) => call('GET', `${nsPath(ns)}/adjustments/${wl.kind}/${encodeURIComponent(wl.name)}`),
  save: (ns, wl, adjustments, resourceVersion) =>
    call('PUT', `${nsPath(ns)}/adjustments/${wl.kind}/${encodeURIComponent(wl.name)}`, { adjustments, resourceVersion }),
};
