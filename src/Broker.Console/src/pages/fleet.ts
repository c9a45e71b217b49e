import { allPages, getJson, ApiError } from '../api';
import { chartFigure } from '../charts';
import { alertBox, h, section, table, tile } from '../dom';
import { duration, time, usd } from '../format';
import type { Instance, OnPremNode, Provider, Bursting } from '../types';

async function guarded(work: () => Promise<Node[]>): Promise<Node[]> {
  try {
    return await work();
  } catch (error) {
    return [alertBox(error instanceof ApiError && error.status === 404
      ? 'This Broker does not serve this list yet (the API answered 404).'
      : error instanceof ApiError ? error.describe() : String(error))];
  }
}

async function nodes(): Promise<Node[]> {
  const list = await getJson<OnPremNode[]>('/v1/onprem/nodes');
  return [
    h('div', { class: 'tiles' },
      tile('On-prem GPUs', String(list.reduce((a, n) => a + n.gpuTotal, 0)), 'onprem-gpus'),
      tile('In use', String(list.reduce((a, n) => a + n.gpuUsed, 0)), 'onprem-used'),
      tile('Idle', String(list.reduce((a, n) => a + n.gpuIdle, 0)), 'onprem-idle'),
      tile('Nodes not schedulable', String(list.filter(n => !n.schedulable).length), 'onprem-down')),
    chartFigure({
      id: 'node-gpus', title: 'GPUs per node: used and idle', kind: 'bar', unit: 'gpus', stacked: true, horizontal: true,
      labels: list.map(n => `${n.name} (${n.gpuModel})`), keys: list.map(n => n.name),
      series: [{ label: 'Used', values: list.map(n => n.gpuUsed) }, { label: 'Idle', values: list.map(n => n.gpuIdle) }],
      emptyMessage: 'No on-prem node is known yet (the inventory job copies them from Slurm every minute).',
    }),
    table('On-prem nodes', [
      { header: 'Node', cell: n => n.name },
      { header: 'GPU model', cell: n => n.gpuModel },
      { header: 'GPUs', cell: n => String(n.gpuTotal), value: n => n.gpuTotal, numeric: true },
      { header: 'Used', cell: n => String(n.gpuUsed), value: n => n.gpuUsed, numeric: true },
      { header: 'Idle', cell: n => String(n.gpuIdle), value: n => n.gpuIdle, numeric: true },
      { header: 'State', cell: n => `${n.state}${n.schedulable ? '' : ' (not schedulable)'}${n.present ? '' : ' (gone)'}` },
      { header: 'Last seen', cell: n => time(n.lastSeenAt) },
    ], list, 'nodes', n => n.name),
  ];
}

async function instances(): Promise<Node[]> {
  const { items, truncated } = await allPages<Instance>('/v1/instances', {}, 2000);
  return [
    truncated ? alertBox('Showing the first 2,000 instances.') : null,
    table('Cloud instances not closed', [
      { header: 'Provider', cell: i => i.provider },
      { header: 'Region / zone', cell: i => `${i.region ?? ''} ${i.zone ?? ''}` },
      { header: 'Type', cell: i => i.instanceType ?? '—' },
      { header: 'Market', cell: i => i.market },
      { header: 'State', cell: i => i.state },
      { header: 'GPUs', cell: i => `${i.gpus} × ${i.gpuModel}`, value: i => i.gpus },
      { header: 'Team', cell: i => i.team },
      { header: 'Job', cell: i => h('a', { href: `#/jobs/${encodeURIComponent(i.jobId)}` }, 'job') },
      { header: 'Age', cell: i => duration(i.ageSeconds), value: i => i.ageSeconds, numeric: true },
      { header: 'Price/h', cell: i => usd(i.pricePerHour), value: i => i.pricePerHour, numeric: true },
      { header: 'Cost so far', cell: i => usd(i.costSoFar), value: i => i.costSoFar, numeric: true },
    ], items, 'instances', i => i.id),
  ].filter((n): n is HTMLElement => n !== null);
}

async function providers(): Promise<Node[]> {
  const [list, bursting] = await Promise.all([getJson<{ items: Provider[] }>('/v1/providers'), getJson<Bursting>('/v1/bursting')]);
  const blocks = list.items.flatMap(p => p.blocks.map(b => ({ provider: p.name, ...b })));
  return [
    h('div', { class: 'tiles' }, tile('Kill switch', bursting.running ? 'Bursting runs' : 'Stopped', 'fleet-kill-switch',
      bursting.stopped ? `${bursting.stopped.reason} (since ${time(bursting.stopped.since)})` : undefined)),
    table('Providers', [
      { header: 'Provider', cell: p => p.name },
      { header: 'Kind', cell: p => p.kind },
      { header: 'Health', cell: p => h('span', { class: `state state-health-${p.health.status}` }, p.health.status), value: p => p.health.status },
      { header: 'Last error', cell: p => (p.health.errorCode ? `${p.health.errorCode}: ${p.health.errorMessage ?? ''}` : '—') },
      { header: 'Circuit', cell: p => (p.health.circuit === 'closed' ? 'closed'
        : `${p.health.circuit} after ${p.health.consecutiveFailures} failures${p.health.refusingUntil ? ` (refusing until ${time(p.health.refusingUntil)})` : ''}`),
        value: p => p.health.circuit },
      { header: 'Drained', cell: p => (p.drained ? `yes: ${p.drained.reason}` : 'no') },
      { header: 'Capacity blocks', cell: p => String(p.blocks.length), value: p => p.blocks.length, numeric: true },
      { header: 'Prices refreshed', cell: p => (p.lastPriceRefresh ? `${time(p.lastPriceRefresh.at)} ${p.lastPriceRefresh.succeeded ? 'ok' : `failed: ${p.lastPriceRefresh.reason ?? ''}`}` : 'never') },
    ], list.items, 'providers', p => p.name),
    blocks.length === 0 ? h('p', { class: 'empty', 'data-empty': 'true' }, 'No capacity block is in force: every offer may be tried.') :
      table('Capacity blocks in force', [
        { header: 'Provider', cell: b => b.provider },
        { header: 'Scope', cell: b => b.scope },
        { header: 'Target', cell: b => b.target },
        { header: 'Reason', cell: b => b.reason },
        { header: 'Until', cell: b => time(b.until) },
      ], blocks, 'blocks', b => b.target),
  ];
}

export async function renderFleet(main: HTMLElement): Promise<void> {
  main.append(h('h1', { tabindex: '-1' }, 'Fleet'),
    h('p', { class: 'lede' }, 'What hardware is there, what runs in the cloud and what does it cost, and can each provider be used?'));
  const [n, i, p] = await Promise.all([guarded(nodes), guarded(instances), guarded(providers)]);
  main.append(
    section('onprem-nodes', 'On-prem nodes', 'Which nodes and GPUs are there, and how many are busy?', ...n),
    section('cloud-instances', 'Cloud instances', 'What runs in the cloud now, for whom, for how long, at what cost?', ...i),
    section('providers', 'Providers', 'Is each cloud healthy, drained or blocked for capacity?', ...p));
}
