import { api, getJson, ApiError } from '../api';
import { alertBox, h, section, table } from '../dom';
import { time } from '../format';
import { hashOf, type RouteMatch } from '../router';
import type { EffectivePolicy, PolicyState } from '../types';
import { display, policyForm, PolicyFields, valueAt, type PolicyForm } from './policyForm';
import { whatIfPanel } from './whatif';

function effectiveTable(items: EffectivePolicy[]): HTMLElement {
  return table('Effective policy per team (source in brackets)', [
    { header: 'Team', cell: e => h('a', { href: hashOf('/policies', { scope: e.team }) }, e.team) },
    ...PolicyFields.filter(f => !f.globalOnly).map(f => ({
      header: f.label,
      cell: (e: EffectivePolicy) => [display(valueAt(e.values, f.key)) || '—', ' ',
        h('span', { class: 'source' }, `(${e.sources[f.key] ?? e.sources[f.key.split('.')[0]] ?? '—'})`)],
      value: (e: EffectivePolicy) => display(valueAt(e.values, f.key)),
    })),
  ], items, 'effective', e => e.team);
}

function diff(older: PolicyState | undefined, newer: PolicyState): HTMLElement {
  const rows = PolicyFields.map(f => ({ f, a: display(older ? valueAt(older.document, f.key) : undefined), b: display(valueAt(newer.document, f.key)) }));
  return h('div', { 'data-diff': `${older?.version ?? 0}-${newer.version}` },
    table(`Version ${older?.version ?? 0} → ${newer.version}`, [
      { header: 'Field', cell: r => r.f.label },
      { header: `v${older?.version ?? 0}`, cell: r => r.a || '(inherited)' },
      { header: `v${newer.version}`, cell: r => r.b || '(inherited)' },
      { header: 'Changed', cell: r => (r.a === r.b ? '' : h('strong', { class: 'changed' }, 'changed')), value: r => (r.a === r.b ? '' : 'changed') },
    ], rows, 'diff', r => r.f.key));
}

function history(scope: string, versions: PolicyState[], etag: string, reload: () => void): HTMLElement {
  const view = h('div', { 'aria-live': 'polite' });
  const status = h('p', { class: 'hint', 'aria-live': 'polite' });
  const current = versions[0]?.version ?? 0;
  const rollback = (v: number, button: HTMLButtonElement) => async () => {
    if (button.dataset.confirm !== 'yes') {
      button.dataset.confirm = 'yes';
      button.textContent = `Confirm: restore v${v} as a new version`;
      return;
    }
    try {
      await api(`/v1/policies/${encodeURIComponent(scope)}/rollback?version=${v}`, { method: 'POST', headers: { 'If-Match': etag } });
      reload();
    } catch (error) {
      status.textContent = error instanceof ApiError ? error.describe() : String(error);
    }
  };
  return section('versions', 'Version history', 'Who changed this policy, when, what changed, and how to go back.',
    versions.length === 0 ? h('p', { class: 'empty', 'data-empty': 'true' }, `No version of the ${scope} policy was written yet: it inherits everything.`) :
      table('Versions, newest first', [
        { header: 'Version', cell: v => `v${v.version}${v.version === current ? ' (current)' : ''}`, value: v => v.version },
        { header: 'Written', cell: v => time(v.createdAt) },
        { header: 'By key', cell: v => v.createdByKey ?? '—' },
        { header: 'Restored from', cell: v => (v.restoredFrom ? `v${v.restoredFrom}` : '') },
        { header: 'Actions', cell: v => {
          const i = versions.indexOf(v);
          const back = h('button', { type: 'button', 'data-rollback': v.version }, `Roll back to v${v.version}`);
          back.addEventListener('click', rollback(v.version, back));
          return [h('button', { type: 'button', 'data-diff-button': v.version, onclick: () => view.replaceChildren(diff(versions[i + 1], v)) },
            `Diff with v${versions[i + 1]?.version ?? 0}`), v.version === current ? null : [' ', back]];
        } },
      ], versions, 'versions', v => String(v.version)),
    status, view);
}

export async function renderPolicies(main: HTMLElement, match: RouteMatch): Promise<void> {
  const effective = (await getJson<{ items: EffectivePolicy[] }>('/v1/policies')).items;
  const scopes = ['global', ...effective.map(e => e.team).filter(t => t !== 'global')];
  const requested = match.query.get('scope');
  const scope = requested && /^[a-z0-9-]{1,64}$/.test(requested) ? requested : 'global';
  if (!scopes.includes(scope)) scopes.push(scope);
  main.append(h('h1', { tabindex: '-1' }, 'Policies'),
    h('p', { class: 'lede' }, 'Which burst rules apply to each team, who changed them, and what would a change do?'),
    section('effective-policies', 'Effective policies', 'What each team gets once its override, the global policy and configuration are combined.',
      effective.length === 0 ? alertBox('No team is known yet.') : effectiveTable(effective)));
  const picker = h('select', { id: 'policy-scope', onchange: (e: Event) => { location.hash = hashOf('/policies', { scope: (e.target as HTMLSelectElement).value }); } },
    scopes.map(s => h('option', { value: s, selected: s === scope }, s)));
  const res = await api<PolicyState>(`/v1/policies/${encodeURIComponent(scope)}`);
  const etag = res.headers.get('ETag') ?? `"${res.data.version}"`;
  const versions = (await getJson<{ items: PolicyState[] }>(`/v1/policies/${encodeURIComponent(scope)}/versions`)).items;
  const reload = () => { location.hash = hashOf('/policies', { scope, v: String(Date.now()) }); };
  let form: PolicyForm | null = null;
  form = policyForm(res.data, etag, reload);
  main.append(
    section('edit-policy', 'Edit a policy', 'Change one scope; each refused value is explained next to its field.',
      h('div', { class: 'field inline' }, h('label', { for: 'policy-scope' }, 'Scope'), picker), form.element),
    history(scope, versions, etag, reload),
    whatIfPanel(scope, () => form));
}
