import { getBlob, getJson, qs, ApiError } from '../api';
import { chartFigure } from '../charts';
import { alertBox, h, section, table, tile } from '../dom';
import { dateInput, iso, num, pct, startOfUtcMonth, usd } from '../format';
import { hashOf, type RouteMatch } from '../router';
import type { Budget, CostReport, CostRow, Utilization } from '../types';

const Groupings = ['team', 'provider', 'market', 'day', 'region', 'gpuModel', 'instanceType', 'month'];

interface Range { from: Date; to: Date }

function range(query: URLSearchParams): Range {
  const now = new Date();
  const parse = (text: string | null) => (text && /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00Z`) : null);
  const from = parse(query.get('from')) ?? startOfUtcMonth(now);
  const toDay = parse(query.get('to'));
  // The form's "to" is the last day shown, inclusive; the API's is exclusive.
  const to = toDay ? new Date(toDay.getTime() + 86_400_000) : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  return { from, to };
}

function controls(r: Range, groupBy: string[]): HTMLFormElement {
  const form = h('form', { class: 'filters', 'aria-label': 'Report range and grouping' },
    h('div', { class: 'field' }, h('label', { for: 'costs-from' }, 'From (UTC day)'), h('input', { id: 'costs-from', name: 'from', type: 'date', value: dateInput(r.from) })),
    h('div', { class: 'field' }, h('label', { for: 'costs-to' }, 'To (UTC day, included)'),
      h('input', { id: 'costs-to', name: 'to', type: 'date', value: dateInput(new Date(r.to.getTime() - 86_400_000)) })),
    h('fieldset', {}, h('legend', {}, 'Table grouping'), Groupings.map(g =>
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'groupBy', value: g, checked: groupBy.includes(g) }), g))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Show')));
  form.addEventListener('submit', event => {
    event.preventDefault();
    const data = new FormData(form);
    location.hash = hashOf('/costs', { from: String(data.get('from') ?? ''), to: String(data.get('to') ?? ''), groupBy: data.getAll('groupBy').join(',') });
  });
  return form;
}

const report = (r: Range, groupBy: string[]) => getJson<CostReport>('/v1/reports/costs' + qs({ from: iso(r.from), to: iso(r.to), groupBy: groupBy.join(',') }));
const keyOf = (row: CostRow, groupBy: string[]) => groupBy.map(g => row.key[g] ?? '(none)').join(' · ');

function byChart(id: string, title: string, rep: CostReport, kind: 'bar' | 'doughnut'): HTMLElement {
  const g = rep.groupBy;
  const labels = rep.rows.map(r => keyOf(r, g));
  return chartFigure({
    id, title, kind, unit: 'usd', labels,
    series: kind === 'doughnut' ? [{ label: 'Cost', values: rep.rows.map(r => r.costUsd) }]
      : [{ label: 'Cost', values: rep.rows.map(r => r.costUsd) }, { label: 'On-demand equivalent', values: rep.rows.map(r => r.onDemandCostUsd) }],
    emptyMessage: 'Nothing spent in this range yet.',
  });
}

const csvPath = (r: Range, groupBy: string[]) => '/v1/reports/costs' + qs({ from: iso(r.from), to: iso(r.to), groupBy: groupBy.join(','), format: 'csv' });

async function download(r: Range, groupBy: string[], status: HTMLElement): Promise<void> {
  status.textContent = 'Preparing the CSV…';
  try {
    const { blob, fileName } = await getBlob(csvPath(r, groupBy), 'text/csv');
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: fileName ?? 'costs.csv', class: 'visually-hidden' }, 'download');
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    status.textContent = `Downloaded ${fileName ?? 'costs.csv'}.`;
  } catch (error) {
    status.textContent = error instanceof ApiError ? error.describe() : String(error);
  }
}

export async function renderCosts(main: HTMLElement, match: RouteMatch): Promise<void> {
  const r = range(match.query);
  const chosen = (match.query.get('groupBy') ?? 'team,market').split(',').filter(g => Groupings.includes(g));
  const groupBy = chosen.length > 0 ? chosen : ['team'];
  main.append(h('h1', { tabindex: '-1' }, 'Costs'),
    h('p', { class: 'lede' }, 'Where did the money go, how much did spot and on-prem save against on-demand, what did idle GPUs cost, and where are the budgets?'),
    controls(r, groupBy));
  const [shown, teams, providers, markets, days, budgets, idle] = await Promise.all([
    report(r, groupBy), report(r, ['team']), report(r, ['provider']), report(r, ['market']), report(r, ['day']),
    getJson<{ items: Budget[] }>('/v1/budgets'),
    getJson<Utilization>('/v1/reports/utilization' + qs({ from: iso(r.from), to: iso(r.to), step: '1d' })).catch(() => null),
  ]);
  const t = shown.totals;
  main.append(h('div', { class: 'tiles' },
    tile('Spent', usd(t.costUsd), 'costs-total', `${num(t.gpuHours)} GPU-hours`),
    tile('On-demand equivalent', usd(t.onDemandCostUsd), 'costs-ondemand'),
    tile('Saved against on-demand', usd(t.savingsUsd), 'costs-savings', t.onDemandCostUsd > 0 ? pct((t.savingsUsd / t.onDemandCostUsd) * 100) : undefined),
    tile('Idle on-prem cost', idle ? usd(idle.idleCostUsd) : '—', 'costs-idle', idle ? `${num(idle.idleGpuHours)} idle GPU-hours` : 'not readable with this key')));
  main.append(h('div', { class: 'grid' },
    section('by-team', 'By team', 'Which team spent what, against its on-demand equivalent?', byChart('costs-team', 'Spend by team', teams, 'bar')),
    section('by-provider', 'By provider', 'Which cloud (or on-prem, "slurm") was paid?', byChart('costs-provider', 'Spend by provider', providers, 'bar')),
    section('by-market', 'By market', 'On-prem, spot or on-demand?', byChart('costs-market', 'Spend by market', markets, 'doughnut')),
    section('by-day', 'By day', 'How did spend move day by day (UTC)?', byChart('costs-day', 'Spend by day', days, 'bar'))));
  const status = h('p', { class: 'hint', 'aria-live': 'polite', 'data-download-status': 'true' });
  main.append(section('cost-table', 'The report', `Grouped by ${groupBy.join(', ')}; the CSV is the API's own export of exactly these rows.`,
    h('div', { class: 'actions' }, h('button', { type: 'button', id: 'download-csv', 'data-csv': csvPath(r, groupBy), onclick: () => void download(r, groupBy, status) }, 'Download CSV'), status),
    table(`Costs by ${groupBy.join(', ')}`, [
      ...groupBy.map(g => ({ header: g, cell: (row: CostRow) => row.key[g] ?? '(none)', value: (row: CostRow) => row.key[g] ?? '' })),
      { header: 'GPU-hours', cell: row => num(row.gpuHours), value: row => row.gpuHours, numeric: true },
      { header: 'Cost', cell: row => usd(row.costUsd), value: row => row.costUsd, numeric: true },
      { header: 'On-demand', cell: row => usd(row.onDemandCostUsd), value: row => row.onDemandCostUsd, numeric: true },
      { header: 'Saved', cell: row => usd(row.savingsUsd), value: row => row.savingsUsd, numeric: true },
      { header: 'Entries', cell: row => String(row.entries), value: row => row.entries, numeric: true },
    ], shown.rows, 'costs', row => keyOf(row, groupBy))));
  main.append(section('budgets', 'Budgets', 'Each team\'s budget, its soft and hard thresholds, and how much of it is committed.',
    budgets.items.length === 0 ? alertBox('No budgets are set. Finance sets one with PUT /v1/budgets/{team}.') :
      table('Budgets', [
        { header: 'Team', cell: b => b.team },
        { header: 'Amount', cell: b => usd(b.amountUsd), value: b => b.amountUsd, numeric: true },
        { header: 'Soft threshold', cell: b => `${pct(b.softPercent)} (${usd(b.softLimitUsd)})`, value: b => b.softLimitUsd, numeric: true },
        { header: 'Hard threshold', cell: b => `${pct(b.hardPercent)} (${usd(b.hardLimitUsd)})`, value: b => b.hardLimitUsd, numeric: true },
        { header: 'Period', cell: b => b.period },
        { header: 'Spent', cell: b => usd(b.current?.spentUsd), value: b => b.current?.spentUsd, numeric: true },
        { header: 'Committed', cell: b => usd(b.current?.committedUsd), value: b => b.current?.committedUsd, numeric: true },
        { header: 'State', cell: b => h('span', { class: `state state-budget-${b.current?.state ?? 'ok'}` }, b.current?.state ?? 'ok') },
      ], budgets.items, 'budgets', b => b.team)));
}
