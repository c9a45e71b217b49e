import { api, getJson, ApiError } from '../api';
import { h, section, table } from '../dom';
import { duration, iso, num, pct, usd } from '../format';
import type { PolicyForm } from './policyForm';
import type { Placement, WhatIfChange, WhatIfRun, WhatIfSummary } from '../types';

const market = (s: WhatIfSummary, name: 'onprem' | 'spot' | 'ondemand'): number => s.costByMarket[name] ?? Number.NaN;

const Metrics: { label: string; get: (s: WhatIfSummary) => number; show: (n: number) => string; lowerIsBetter: boolean }[] = [
  { label: 'Jobs', get: s => s.jobs, show: num, lowerIsBetter: false },
  { label: 'Cloud spend', get: s => s.cloudSpend, show: usd, lowerIsBetter: true },
  { label: 'On-prem cost', get: s => market(s, 'onprem'), show: usd, lowerIsBetter: true },
  { label: 'Spot cost', get: s => market(s, 'spot'), show: usd, lowerIsBetter: true },
  { label: 'On-demand cost', get: s => market(s, 'ondemand'), show: usd, lowerIsBetter: true },
  { label: 'Wait p50', get: s => s.waitP50Seconds, show: duration, lowerIsBetter: true },
  { label: 'Wait p95', get: s => s.waitP95Seconds, show: duration, lowerIsBetter: true },
  { label: 'Wait p99', get: s => s.waitP99Seconds, show: duration, lowerIsBetter: true },
  { label: 'Deadline misses', get: s => s.deadlineMisses, show: num, lowerIsBetter: true },
  { label: 'Preemptions', get: s => s.preemptions, show: num, lowerIsBetter: true },
  { label: 'On-prem utilization', get: s => s.onPremUtilization, show: n => pct(n * 100), lowerIsBetter: false },
];

const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);
const shown = (m: (typeof Metrics)[number], s: WhatIfSummary): string => (Number.isFinite(m.get(s)) ? m.show(m.get(s)) : '—');

const place = (p: Placement) => p.target === 'cloud' ? `${p.provider ?? ''} ${p.market ?? ''} ${p.instanceType ?? ''}` : p.target;

function result(run: WhatIfRun, changes: WhatIfChange[]): HTMLElement {
  const r = run.result!;
  return h('div', { class: 'whatif-result', 'data-whatif-result': run.id },
    h('p', {}, `${num(r.changedJobs)} jobs would be placed differently.`),
    table('Current policy against the proposed one, over the same jobs', [
      { header: 'Metric', cell: m => m.label },
      { header: 'Current', cell: m => shown(m, r.current), value: m => finite(m.get(r.current)), numeric: true },
      { header: 'Proposed', cell: m => shown(m, r.proposed), value: m => finite(m.get(r.proposed)), numeric: true },
      { header: 'Change', numeric: true, cell: m => {
        const d = m.get(r.proposed) - m.get(r.current);
        if (!Number.isFinite(d)) return '—';
        if (d === 0) return 'same';
        const better = (d < 0) === m.lowerIsBetter;
        return h('span', { class: better ? 'better' : 'worse' }, `${d > 0 ? '+' : '−'}${m.show(Math.abs(d))} (${better ? 'better' : 'worse'})`);
      } },
    ], Metrics, 'whatif', m => m.label),
    changes.length === 0 ? null : table('First jobs placed differently', [
      { header: 'Job', cell: c => h('a', { href: `#/jobs/${encodeURIComponent(c.jobId)}` }, c.jobId) },
      { header: 'Team', cell: c => c.team },
      { header: 'Current', cell: c => `${place(c.current)} ${usd(c.current.cost)}` },
      { header: 'Proposed', cell: c => `${place(c.proposed)} ${usd(c.proposed.cost)}` },
    ], changes, 'whatif-changes', c => c.jobId));
}

export function whatIfPanel(scope: string, form: () => PolicyForm | null): HTMLElement {
  const now = new Date();
  const fromInput = h('input', { id: 'whatif-from', type: 'text', value: iso(new Date(now.getTime() - 7 * 86_400_000)), 'aria-describedby': 'whatif-window-hint' });
  const toInput = h('input', { id: 'whatif-to', type: 'text', value: iso(now), 'aria-describedby': 'whatif-window-hint' });
  const progress = h('progress', { max: '100', value: '0', 'aria-label': 'What-if progress', hidden: true });
  const status = h('p', { 'aria-live': 'polite', 'data-whatif-state': '' });
  const out = h('div', {});
  const button = h('button', { type: 'button', class: 'primary', id: 'run-whatif' }, 'Run what-if with the form\'s policy');
  button.addEventListener('click', async () => {
    const f = form();
    const { doc, errors } = f?.read() ?? { doc: null, errors: {} };
    if (!f || !doc) { f?.showErrors(errors, 'Fix the marked fields before a what-if.'); return; }
    button.disabled = true;
    out.replaceChildren();
    progress.hidden = false;
    progress.value = 0;
    status.textContent = 'Starting…';
    try {
      let run = (await api<WhatIfRun>(`/v1/policies/${encodeURIComponent(scope)}/what-if`, {
        method: 'POST', body: { policy: doc, from: fromInput.value.trim(), to: toInput.value.trim(), trace: null },
      })).data;
      status.setAttribute('data-whatif-run', run.id);
      while (run.state === 'queued' || run.state === 'running') {
        progress.value = run.percent;
        status.textContent = `${run.state}: ${num(run.percent)}%`;
        status.setAttribute('data-whatif-state', run.state);
        await new Promise(resolve => setTimeout(resolve, 700));
        if (!button.isConnected) return;
        run = await getJson<WhatIfRun>(`/v1/what-if/${encodeURIComponent(run.id)}`);
      }
      progress.value = 100;
      status.setAttribute('data-whatif-state', run.state);
      if (run.state === 'failed' || !run.result) {
        status.textContent = `The what-if failed: ${run.error ?? 'no reason given'}`;
        return;
      }
      status.textContent = 'Done.';
      const changes = await getJson<{ items: WhatIfChange[] }>(`/v1/what-if/${encodeURIComponent(run.id)}/changes?limit=20`).then(p => p.items).catch(() => []);
      out.replaceChildren(result(run, changes));
    } catch (error) {
      status.textContent = error instanceof ApiError && error.status === 404 && !error.problem?.errors
        ? 'This Broker does not offer what-if runs yet (the API answered 404).'
        : error instanceof ApiError ? error.describe() : String(error);
      if (error instanceof ApiError && error.problem?.errors) f.showErrors(error.problem.errors, 'The what-if request was refused: see the marked fields.');
    } finally {
      button.disabled = false;
    }
  });
  return section('whatif', 'What if?', 'What would this policy have done to the same jobs: spend, waits, deadlines, utilization?',
    h('div', { class: 'filters' },
      h('div', { class: 'field' }, h('label', { for: 'whatif-from' }, 'From'), fromInput),
      h('div', { class: 'field' }, h('label', { for: 'whatif-to' }, 'To'), toInput),
      h('p', { id: 'whatif-window-hint', class: 'hint' }, 'ISO times (UTC): the jobs submitted in this window are replayed under both policies.')),
    h('div', { class: 'actions' }, button), progress, status, out);
}
