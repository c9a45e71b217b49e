import { api, ApiError } from '../api';
import { h } from '../dom';
import type { PolicyDocument, PolicyState } from '../types';

type Kind = 'bool' | 'list' | 'int' | 'number';

interface FieldDef { key: string; label: string; kind: Kind; hint: string; globalOnly?: boolean }

/** The policy document's fields; key is the JSON path the API names in its errors (maxPricePerGpuHour.spot, markets[1] → markets). */
export const PolicyFields: FieldDef[] = [
  { key: 'burstingEnabled', label: 'Bursting enabled', kind: 'bool', hint: 'May this scope burst to the cloud at all?' },
  { key: 'allowedProviders', label: 'Allowed providers', kind: 'list', hint: 'Comma-separated, e.g. aws, gcp' },
  { key: 'allowedRegions', label: 'Allowed regions', kind: 'list', hint: 'Comma-separated, e.g. us-east-1, us-central1' },
  { key: 'markets', label: 'Markets', kind: 'list', hint: 'spot, on-demand, or spot-with-on-demand-fallback alone' },
  { key: 'maxWaitBeforeBurstMinutes', label: 'Max wait before burst (minutes)', kind: 'int', hint: 'Wait this long for on-prem GPUs before bursting' },
  { key: 'maxPricePerGpuHour.spot', label: 'Max spot price (USD per GPU-hour)', kind: 'number', hint: 'Spot offers above this are rejected' },
  { key: 'maxPricePerGpuHour.onDemand', label: 'Max on-demand price (USD per GPU-hour)', kind: 'number', hint: 'On-demand offers above this are rejected' },
  { key: 'maxCloudGpus', label: 'Max cloud GPUs (per team)', kind: 'int', hint: 'Most cloud GPUs one team may hold at once' },
  { key: 'maxCloudGpusGlobal', label: 'Max cloud GPUs (whole fleet)', kind: 'int', hint: 'Global policy only', globalOnly: true },
  { key: 'deadlineMarginMinutes', label: 'Deadline margin (minutes)', kind: 'int', hint: 'Slack a deadline job keeps before leaving spot' },
  { key: 'leaseFactor', label: 'Lease factor', kind: 'number', hint: 'Lease = estimate × this factor (1 to 100)' },
  { key: 'fairShareWeight', label: 'Fair-share weight', kind: 'number', hint: 'Greater than 0, at most 1000' },
];

export const fieldId = (key: string): string => `policy-${key.replace(/\./g, '-')}`;

export function valueAt(doc: PolicyDocument, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), doc);
}

export function display(value: unknown): string {
  if (value === undefined || value === null) return '';
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** The form field an API error key belongs to: "allowedProviders[0]" → allowedProviders, "$.leaseFactor" → leaseFactor. */
export function fieldOf(errorKey: string): string | null {
  const key = errorKey.replace(/^\$\.?/, '').replace(/\[\d+\]/g, '');
  return PolicyFields.find(f => f.key === key)?.key ?? PolicyFields.find(f => key.startsWith(`${f.key}.`))?.key ?? null;
}

export interface PolicyForm {
  element: HTMLFormElement;
  /** The document as the form stands, or the client-side errors that stop it from being sent. */
  read(): { doc: PolicyDocument | null; errors: Record<string, string[]> };
  showErrors(errors: Record<string, string[]>, summary: string): void;
}

export function policyForm(state: PolicyState, etag: string, saved: () => void): PolicyForm {
  const scope = state.scope;
  const fields = PolicyFields.filter(f => !f.globalOnly || scope === 'global');
  const formError = h('div', { class: 'form-error', role: 'alert', 'data-form-error': 'true' });
  const status = h('p', { class: 'hint', 'aria-live': 'polite', 'data-save-status': 'true' });
  const controls = new Map<string, HTMLInputElement | HTMLSelectElement>();
  const errorBoxes = new Map<string, HTMLElement>();
  const element = h('form', { class: 'policy-form', novalidate: true, 'aria-labelledby': 'policy-form-title', 'data-scope': scope },
    h('h3', { id: 'policy-form-title' }, `Edit the ${scope} policy (version ${state.version})`),
    h('p', { class: 'hint' }, 'Leave a field empty to inherit it (a team from the global policy, the global policy from configuration).'),
    formError,
    fields.map(f => {
      const id = fieldId(f.key);
      const current = display(valueAt(state.document, f.key));
      const control = f.kind === 'bool'
        ? h('select', { id, name: f.key, 'aria-describedby': `${id}-hint ${id}-error` },
          [['', 'inherit'], ['true', 'yes'], ['false', 'no']].map(([v, t]) => h('option', { value: v, selected: current === v }, t)))
        : h('input', { id, name: f.key, type: 'text', inputmode: f.kind === 'list' ? null : 'decimal', value: current, 'aria-describedby': `${id}-hint ${id}-error` });
      const error = h('p', { id: `${id}-error`, class: 'field-error', 'data-error-for': f.key });
      controls.set(f.key, control);
      errorBoxes.set(f.key, error);
      return h('div', { class: 'field' }, h('label', { for: id }, f.label), control, h('p', { id: `${id}-hint`, class: 'hint' }, f.hint), error);
    }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save policy'), status));

  const read = (): { doc: PolicyDocument | null; errors: Record<string, string[]> } => {
    const doc: Record<string, unknown> = {};
    const errors: Record<string, string[]> = {};
    for (const f of fields) {
      const text = controls.get(f.key)!.value.trim();
      if (text === '') continue;
      let value: unknown;
      if (f.kind === 'bool') value = text === 'true';
      else if (f.kind === 'list') value = text.split(',').map(s => s.trim()).filter(Boolean);
      else {
        const n = Number(text);
        if (!Number.isFinite(n) || (f.kind === 'int' && !Number.isInteger(n))) { errors[f.key] = [f.kind === 'int' ? 'must be a whole number' : 'must be a number']; continue; }
        value = n;
      }
      const [head, tail] = f.key.split('.');
      if (tail) doc[head] = { ...(doc[head] as object | undefined), [tail]: value };
      else doc[head] = value;
    }
    return { doc: Object.keys(errors).length > 0 ? null : doc as PolicyDocument, errors };
  };

  const showErrors = (errors: Record<string, string[]>, summary: string): void => {
    for (const [key, box] of errorBoxes) { box.textContent = ''; controls.get(key)!.removeAttribute('aria-invalid'); }
    formError.replaceChildren();
    const loose: string[] = [];
    for (const [key, messages] of Object.entries(errors)) {
      const field = fieldOf(key);
      const box = field ? errorBoxes.get(field) : undefined;
      if (field && box) {
        box.textContent = [box.textContent, ...messages.map(m => (key === field ? m : `${key}: ${m}`))].filter(Boolean).join(' ');
        controls.get(field)!.setAttribute('aria-invalid', 'true');
      } else loose.push(...messages.map(m => `${key}: ${m}`));
    }
    if (summary || loose.length > 0) formError.append(h('p', {}, summary), h('ul', { hidden: loose.length === 0 }, loose.map(m => h('li', {}, m))));
    const first = Object.keys(errors).map(fieldOf).find(Boolean);
    if (first) controls.get(first)?.focus();
  };

  element.addEventListener('submit', async event => {
    event.preventDefault();
    const { doc, errors } = read();
    if (!doc) { showErrors(errors, 'Fix the marked fields.'); return; }
    status.textContent = 'Saving…';
    try {
      await api<PolicyState>(`/v1/policies/${encodeURIComponent(scope)}`, { method: 'PUT', body: doc, headers: { 'If-Match': etag } });
      showErrors({}, '');
      status.textContent = 'Saved.';
      saved();
    } catch (error) {
      status.textContent = '';
      if (error instanceof ApiError && error.status === 412) showErrors({}, 'Someone changed this policy since you opened it. Reload the page and apply your change again.');
      else if (error instanceof ApiError) showErrors(error.problem?.errors ?? {}, `${error.problem?.title ?? 'The policy was not saved'}${error.status === 422 ? ': see the marked fields.' : ''}`);
      else showErrors({}, String(error));
    }
  });
  return { element, read, showErrors };
}
