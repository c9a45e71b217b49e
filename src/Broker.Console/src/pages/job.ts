import { getJson } from '../api';
import { timeAxisFigure } from '../charts';
import { h, section, table } from '../dom';
import { num, time, usd } from '../format';
import type { RouteMatch } from '../router';
import type { Decision, Job, Segment } from '../types';

function where(d: Decision): string {
  if (d.action === 'onprem') return `on-prem node ${d.node ?? '?'} (${d.gpuModel ?? ''})`;
  if (d.action === 'cloud') return `${d.provider} ${d.region ?? ''} ${d.instanceType ?? ''}, ${d.market}`;
  return `wait (${d.waitReason ?? 'no reason given'})${d.retryAt ? `, retry at ${time(d.retryAt)}` : ''}`;
}

function explanation(d: Decision | null | undefined): HTMLElement {
  if (!d) return section('explanation', 'Why it went where it went', 'The engine has not decided on this job yet.',
    h('p', { class: 'empty', 'data-empty': 'true' }, 'No placement decision yet: the next placement pass decides.'));
  return section('explanation', 'Why it went where it went', `The engine's latest decision, ${time(d.decidedAt)}, strategy ${d.strategy}.`,
    h('dl', { class: 'facts' },
      h('dt', {}, 'Decision'), h('dd', { 'data-decision': d.action }, where(d)),
      h('dt', {}, 'Chosen'), h('dd', { 'data-chosen': 'true' }, d.chosen),
      d.pricePerHour != null ? [h('dt', {}, 'Price'), h('dd', {}, `${usd(d.pricePerHour)} per hour`)] : null,
      d.expectedCost != null ? [h('dt', {}, 'Expected cost'), h('dd', {}, usd(d.expectedCost))] : null,
      d.estimatedOnPremStart ? [h('dt', {}, 'On-prem start expected'), h('dd', {}, time(d.estimatedOnPremStart))] : null),
    table('Options the engine rejected, and why', [
      { header: 'Option', cell: r => r.option },
      { header: 'Reason', cell: r => r.reason, value: r => r.reason },
      { header: 'Detail', cell: r => r.detail },
      { header: 'Expected cost', cell: r => usd(r.expectedCost), value: r => r.expectedCost, numeric: true },
    ], d.rejected, 'rejected'));
}

function segments(job: Job): HTMLElement {
  const list: Segment[] = job.segments ?? [];
  const now = Date.now();
  const spans = list.filter(s => s.startedAt || s.createdAt).map((s, i) => ({
    label: `#${i + 1} ${s.location === 'onprem' ? s.node ?? 'on-prem' : `${s.provider} ${s.instanceType ?? ''}`}`,
    start: Date.parse(s.startedAt ?? s.createdAt),
    end: s.endedAt ? Date.parse(s.endedAt) : now,
    group: s.market,
  }));
  return section('segments', 'Run segments', 'Where each attempt ran, from start to end (UTC), and how it ended.',
    timeAxisFigure('segments-chart', 'Run segments on a time axis', spans),
    table('Run segments', [
      { header: 'Where', cell: s => s.location === 'onprem' ? `${s.node ?? ''} (on-prem)` : `${s.provider} ${s.region ?? ''} ${s.zone ?? ''}` },
      { header: 'Instance', cell: s => s.instanceType ?? '—' },
      { header: 'Market', cell: s => s.market },
      { header: 'GPUs', cell: s => `${s.gpus} × ${s.gpuModel}` },
      { header: 'Price/h', cell: s => usd(s.pricePerHour), value: s => s.pricePerHour, numeric: true },
      { header: 'Started', cell: s => time(s.startedAt) },
      { header: 'Ended', cell: s => time(s.endedAt) },
      { header: 'State', cell: s => `${s.state}${s.end ? ` (${s.end})` : ''}` },
      { header: 'Reason', cell: s => s.endReason ?? '' },
    ], list, 'segments', s => s.allocationId));
}

export async function renderJob(main: HTMLElement, match: RouteMatch): Promise<void> {
  const job = await getJson<Job>(`/v1/jobs/${encodeURIComponent(match.params[0])}`);
  const cost = job.cost;
  main.append(
    h('p', {}, h('a', { href: '#/jobs' }, '← Jobs')),
    h('h1', { tabindex: '-1' }, job.name),
    h('p', { class: 'lede' }, h('span', { class: `state state-${job.state}`, 'data-state': job.state }, job.state),
      ` · team ${job.team} · ${job.gpu.count} × ${job.gpu.models.join(' | ') || 'any GPU'} · submitted ${time(job.submittedAt)} · id ${job.id}`),
    h('div', { class: 'grid' },
      section('cost', 'Cost', 'What this job cost so far, and what on-demand would have cost.',
        h('div', { class: 'tiles' },
          h('div', { class: 'tile', 'data-tile': 'job-cost' }, h('div', { class: 'tile-label' }, cost?.final ? 'Cost (final)' : 'Cost so far'),
            h('div', { class: 'tile-value' }, usd(cost?.soFarUsd ?? 0))),
          h('div', { class: 'tile' }, h('div', { class: 'tile-label' }, 'On-demand equivalent'), h('div', { class: 'tile-value' }, usd(cost?.onDemandEquivalentUsd ?? 0))),
          h('div', { class: 'tile' }, h('div', { class: 'tile-label' }, 'Saved'), h('div', { class: 'tile-value' }, usd(cost?.savingsUsd ?? 0))),
          h('div', { class: 'tile' }, h('div', { class: 'tile-label' }, 'Estimate at placement'), h('div', { class: 'tile-value' }, usd(cost?.estimateAtPlacementUsd))))),
      explanation(job.placement)),
    segments(job),
    section('timeline', 'Timeline', `Everything that happened to the job: ${job.attempts} attempts, ${job.interruptions} interruptions, ${num(job.savedProgressMinutes)} minutes of checkpointed progress.`,
      (job.timeline ?? []).length === 0 ? h('p', { class: 'empty' }, 'No events yet.')
        : h('ol', { class: 'timeline', 'data-timeline': 'true' }, (job.timeline ?? []).map(e =>
          h('li', { 'data-kind': e.kind }, h('time', { datetime: e.at }, time(e.at)), ' ', h('strong', {}, e.kind), ' — ', e.message)))));
}
