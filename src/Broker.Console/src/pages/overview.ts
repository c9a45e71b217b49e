import { allPages, getJson, qs, ApiError } from '../api';
import { chartFigure } from '../charts';
import { alertBox, h, loading, section, table, tile } from '../dom';
import { duration, iso, num, pct, quantile, shortTime, startOfUtcDay, time, usd } from '../format';
import { hashOf, type RouteMatch } from '../router';
import { session } from '../session';
import type { Bursting, CostReport, Instance, Job, Summary, Utilization } from '../types';

const Ranges: Record<string, { hours: number; step: string; label: string }> = {
  '24h': { hours: 24, step: '1h', label: 'Last 24 hours' },
  '7d': { hours: 24 * 7, step: '6h', label: 'Last 7 days' },
  '30d': { hours: 24 * 30, step: '1d', label: 'Last 30 days' },
};

/** Fills a section's body when its data arrives; a refusal or failure stays inside that section. */
async function fill(body: HTMLElement, work: () => Promise<Node[]>): Promise<void> {
  try {
    body.replaceChildren(...await work());
  } catch (error) {
    const text = error instanceof ApiError && error.status === 404
      ? 'This Broker does not serve this report yet (the API answered 404).'
      : error instanceof ApiError ? error.describe() : String(error);
    body.replaceChildren(alertBox(text));
  }
}

function body(): HTMLElement {
  return h('div', { class: 'section-body' }, loading());
}

export async function renderOverview(main: HTMLElement, match: RouteMatch): Promise<void> {
  const role = session.me()!.role;
  const readsCosts = role !== 'submitter';
  const operates = role === 'ops' || role === 'admin';
  const rangeName = Ranges[match.query.get('range') ?? ''] ? match.query.get('range')! : '24h';
  const now = new Date();
  main.append(h('h1', { tabindex: '-1' }, 'Overview'),
    h('p', { class: 'lede' }, 'Are the GPUs busy, what is queued, what is running in the cloud, and what is it costing?'));
  const grid = h('div', { class: 'grid' });
  main.append(grid);
  const work: Promise<void>[] = [];

  if (operates) {
    const b = body();
    grid.append(section('kill-switch', 'Cloud bursting', 'May Broker launch new cloud instances right now?', b));
    work.push(fill(b, () => killSwitch()));
  }
  const queueBody = body();
  grid.append(section('queue', 'Queue', 'How many jobs wait, and for how long so far?', queueBody));
  work.push(fill(queueBody, () => queue(now)));

  const spendBody = body();
  grid.append(section('spend', 'Spend against budgets', 'What was spent today and this month, per team, against its budget?', spendBody));
  work.push(fill(spendBody, () => spend(now)));

  if (readsCosts) {
    const picker = h('label', { class: 'inline' }, 'Range ',
      h('select', { id: 'utilization-range', onchange: (e: Event) => { location.hash = hashOf('/overview', { range: (e.target as HTMLSelectElement).value }); } },
        Object.entries(Ranges).map(([k, r]) => h('option', { value: k, selected: k === rangeName }, r.label))));
    const b = body();
    grid.append(section('utilization', 'On-prem GPU utilization', 'How much of the on-prem fleet was used, per GPU model, and what did idle GPUs cost?', picker, b));
    work.push(fill(b, () => utilization(now, rangeName)));
    const c = body();
    grid.append(section('cloud', 'Cloud GPUs running', 'How many cloud GPUs run now, by provider and market?', c));
    work.push(fill(c, () => cloud()));
  }
  await Promise.all(work);
}

async function killSwitch(): Promise<Node[]> {
  const state = await getJson<Bursting>('/v1/bursting');
  const drained = state.drainedProviders.map(d => `${d.scope} (since ${time(d.since)}: ${d.reason})`);
  return [h('div', { class: 'tiles' },
    tile('Kill switch', state.running ? 'Bursting runs' : 'Stopped', 'kill-switch',
      state.stopped ? `Since ${time(state.stopped.since)}: ${state.stopped.reason}` : 'No stop in force'),
    tile('Drained providers', drained.length === 0 ? 'None' : String(drained.length), 'drained', drained.join('; ') || undefined)),
  h('p', {}, h('a', { href: '#/fleet' }, 'Providers and instances on the Fleet page'))];
}

async function queue(now: Date): Promise<Node[]> {
  const [pending, running] = await Promise.all([
    allPages<Job>('/v1/jobs', { state: 'pending' }, 5000),
    allPages<Job>('/v1/jobs', { state: 'placed,starting,running' }, 5000),
  ]);
  const waits = pending.items.map(j => (now.getTime() - new Date(j.submittedAt).getTime()) / 1000);
  const more = (r: { truncated: boolean }) => (r.truncated ? '+' : '');
  return [h('div', { class: 'tiles' },
    tile('Queued jobs', `${pending.items.length}${more(pending)}`, 'queue-length'),
    tile('Wait so far, p50', duration(quantile(waits, 0.5)), 'wait-p50', 'of the jobs waiting now'),
    tile('Wait so far, p95', duration(quantile(waits, 0.95)), 'wait-p95'),
    tile('Placed or running', `${running.items.length}${more(running)}`, 'running-jobs')),
  h('p', {}, h('a', { href: hashOf('/jobs', { state: 'pending' }) }, 'The queue on the Jobs page'))];
}

async function spend(now: Date): Promise<Node[]> {
  const dayStart = startOfUtcDay(now);
  const to = new Date(Math.max(now.getTime(), dayStart.getTime() + 1000));
  const todaySource = '/v1/reports/costs' + qs({ from: iso(dayStart), to: iso(to), groupBy: 'team' });
  const [today, month] = await Promise.all([
    getJson<CostReport>(todaySource),
    getJson<Summary>('/v1/reports/summary'),
  ]);
  const teams = [...new Set([...month.teams.map(t => t.team), ...today.rows.map(r => r.key.team ?? '')])].sort();
  const todayOf = (team: string) => today.rows.find(r => r.key.team === team)?.costUsd ?? 0;
  const monthOf = (team: string) => month.teams.find(t => t.team === team);
  const rows = teams.map(team => ({ team, today: todayOf(team), month: monthOf(team) }));
  return [
    h('div', { class: 'tiles' },
      tile('Spent today (UTC)', usd(today.totals.costUsd), 'spend-today'),
      tile(`Spent in ${month.month}`, usd(month.costUsd), 'spend-month', `projected ${usd(month.forecast.projectedUsd)} by month end`),
      tile('Saved against on-demand', usd(month.savingsUsd), 'savings-month', month.savingsPercent != null ? pct(month.savingsPercent) : undefined)),
    chartFigure({
      id: 'spend-by-team', title: 'Spend per team: today, this month and the budget', kind: 'bar', unit: 'usd', labels: teams,
      source: `${todaySource} /v1/reports/summary`,
      series: [
        { label: 'Today', values: rows.map(r => r.today) },
        { label: 'This month', values: rows.map(r => r.month?.costUsd ?? 0) },
        { label: 'Budget (hard limit)', values: rows.map(r => r.month?.budget?.hardLimitUsd ?? null) },
      ],
      emptyMessage: 'Nothing spent yet this month.',
    }),
    table('Budgets this month', [
      { header: 'Team', cell: r => r.team },
      { header: 'Budget', cell: r => usd(r.month?.budget?.hardLimitUsd), value: r => r.month?.budget?.hardLimitUsd, numeric: true },
      { header: 'Used', cell: r => pct(r.month?.budgetUsedPercent), value: r => r.month?.budgetUsedPercent, numeric: true },
      { header: 'State', cell: r => r.month?.budget?.current?.state ?? (r.month?.budget ? 'ok' : 'no budget') },
    ], rows.filter(r => r.month?.budget), 'budgets-overview', r => r.team,
      'No team has a budget yet (finance sets one with PUT /v1/budgets/{team}).'),
  ];
}

async function utilization(now: Date, rangeName: string): Promise<Node[]> {
  const range = Ranges[rangeName];
  const to = new Date(Math.ceil(now.getTime() / 3_600_000) * 3_600_000);
  const from = new Date(to.getTime() - range.hours * 3_600_000);
  const source = '/v1/reports/utilization' + qs({ from: iso(from), to: iso(to), step: range.step });
  const report = await getJson<Utilization>(source);
  const starts = [...new Set(report.buckets.map(b => b.start))].sort((a, b) => Date.parse(a) - Date.parse(b));
  const models = [...new Set(report.buckets.map(b => b.gpuModel))].sort();
  const at = (start: string, model: string) => report.buckets.find(b => b.start === start && b.gpuModel === model);
  const used = report.byGpuModel.reduce((a, b) => a + b.usedGpuHours, 0);
  const available = report.byGpuModel.reduce((a, b) => a + b.availableGpuHours, 0);
  return [
    h('div', { class: 'tiles' },
      tile('Used of available', available > 0 ? pct((used / available) * 100) : '—', 'utilization-ratio', `${num(used)} of ${num(available)} GPU-hours`),
      tile('Idle on-prem cost', usd(report.idleCostUsd), 'idle-cost', `${num(report.idleGpuHours)} idle GPU-hours`),
      tile('Served on-prem', report.onPremShare != null ? pct(report.onPremShare * 100) : '—', 'onprem-share', 'share of all GPU-hours')),
    chartFigure({
      id: 'utilization', title: `On-prem GPU-hours used vs available per ${report.step}, by GPU model`, kind: 'line', unit: 'gpuh', source,
      labels: starts.map(s => shortTime(Date.parse(s))), keys: starts,
      series: models.flatMap((m, i) => [
        { label: `${m} used`, values: starts.map(s => at(s, m)?.usedGpuHours ?? null), color: i },
        { label: `${m} available`, values: starts.map(s => at(s, m)?.availableGpuHours ?? null), dashed: true, color: i },
      ]),
      emptyMessage: 'No on-prem samples in this range yet (the inventory job records one per node and minute).',
    }),
  ];
}

async function cloud(): Promise<Node[]> {
  const { items, truncated } = await allPages<Instance>('/v1/instances', {}, 5000);
  const running = items.filter(i => i.state === 'running');
  const providers = [...new Set(running.map(i => i.provider))].sort();
  const markets = [...new Set(running.map(i => i.market))].sort();
  const gpus = (p: string, m: string) => running.filter(i => i.provider === p && i.market === m).reduce((a, i) => a + i.gpus, 0);
  const starting = items.filter(i => i.state !== 'running').reduce((a, i) => a + i.gpus, 0);
  return [
    h('div', { class: 'tiles' },
      tile('Cloud GPUs running', `${running.reduce((a, i) => a + i.gpus, 0)}${truncated ? '+' : ''}`, 'cloud-gpus'),
      tile('Starting or releasing', String(starting), 'cloud-gpus-other'),
      tile('Cost so far (open instances)', usd(items.reduce((a, i) => a + i.costSoFar, 0)), 'cloud-cost-open')),
    chartFigure({
      id: 'cloud-gpus', source: '/v1/instances', title: 'Cloud GPUs running by provider and market', kind: 'bar', unit: 'gpus', labels: providers, stacked: true,
      series: markets.map(m => ({ label: m, values: providers.map(p => gpus(p, m)) })),
      emptyMessage: 'No cloud instance runs right now.',
    }),
  ];
}
