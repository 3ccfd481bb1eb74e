// The Allowed CIDRs tab and the Generated policy tab.
import { h } from 'preact';
import { useState } from 'preact/hooks';
import htm from 'htm';
import { cidrVerdict } from './peers.js';

const html = htm.bind(h);

export function CIDRs({ draft, peers, setDraft }) {
  const [cidr, setCidr] = useState('');
  const [alias, setAlias] = useState('');
  const verdict = cidr ? cidrVerdict(cidr, peers) : null;
  const add = (e) => {
    e.preventDefault();
    if (!verdict || !verdict.ok) return;
    const allow = (draft.allow || []).filter((a) => a.cidr !== cidr.trim());
    allow.push({ cidr: cidr.trim(), alias: alias.trim() });
    setDraft({ ...draft, allow, exclude: (draft.exclude || []).filter((x) => x.cidr !== cidr.trim()) });
    setCidr(''); setAlias('');
  };
  return html`<section id="cidrs">
    <form onSubmit=${add}>
      <input id="cidr" placeholder="203.0.113.7/32" value=${cidr} onInput=${(e) => setCidr(e.target.value)} />
      <input id="alias" placeholder="alias (e.g. billing-api)" value=${alias} onInput=${(e) => setAlias(e.target.value)} />
      <button id="allow" type="submit" disabled=${!verdict || !verdict.ok}>Allow</button>
      ${verdict && html`<span class=${verdict.ok ? 'note' : 'error'} id="cidr-verdict">${verdict.text}</span>`}
    </form>
    <ul>${(draft.allow || []).map((a) => html`<li>${a.cidr}${a.alias ? ` (${a.alias})` : ''}
      <span class="note">${cidrVerdict(a.cidr, peers).text}</span>
      <button onClick=${() => setDraft({ ...draft, allow: draft.allow.filter((x) => x !== a) })}>remove</button></li>`)}</ul>
  </section>`;
}

export function Policy({ rec, check, findings }) {
  if (!rec) return html`<p class="note">computing the proposal…</p>`;
  const r = rec.recommendation;
  const name = `${r.policy.metadata ? r.policy.metadata.name : 'policy'}.yaml`;
  const copy = () => navigator.clipboard.writeText(rec.yaml).catch(() => {});
  const download = () => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([rec.yaml], { type: 'application/yaml' }));
    a.download = name;
    a.click();
    URL.revokeObjectURL(a.href);
  };
  return html`<section id="policy">
    <div class="buttons"><button id="copy" onClick=${copy}>Copy</button><button id="download" onClick=${download}>Download ${name}</button>
      <span class="note">covers ${r.flows} observed flows</span></div>
    ${(r.notes || []).length > 0 && html`<ul class="notes">${r.notes.map((n) => html`<li>${n}</li>`)}</ul>`}
    <pre id="yaml">${rec.yaml || 'no policy: nothing observed to allow'}</pre>
    <h3>What the policies in force block now</h3>
    ${!check ? html`<p class="note">checking…</p>` : check.policies.length === 0 ? html`<p class="note">No NetworkPolicy in force in this namespace: nothing is blocked.</p>` :
      findings.length === 0 ? html`<p class="note">The policies in force (${check.policies.join(', ')}) block none of this workload's observed flows.</p>` :
      html`<ul id="blocked">${findings.map((f) => html`<li><b>${f.policy}</b> · ${f.direction} ${f.flow.peer.display} ${f.flow.port}/${f.flow.protocol}: ${f.message}
        <div class="fix">fix: ${f.fix}</div></li>`)}</ul>`}
  </section>`;
}

