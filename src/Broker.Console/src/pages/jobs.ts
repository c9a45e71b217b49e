import { getJson, qs } from '../api';
import { h, section, table } from '../dom';
import { time } from '../format';
import { hashOf, type RouteMatch } from '../router';
import { session } from '../session';
import type { Job, Page } from '../types';

const States = ['pending', 'placed', 'starting', 'running', 'succeeded', 'failed', 'cancelled'];
const Filters = ['state', 'team', 'label', 'submittedFrom', 'submittedTo'] as const;

/** The pages already seen of one filter, so "Newer" walks back without the API having to page backwards. */
const trail: string[] = [];

function filterForm(query: URLSearchParams, submitter: boolean): HTMLFormElement {
  const chosen = new Set((query.get('state') ?? '').split(',').filter(Boolean));
  const text = (name: string, label: string, hint: string, type = 'text') => h('div', { class: 'field' },
    h('label', { for: `filter-${name}` }, label),
    h('input', { id: `filter-${name}`, name, type, value: query.get(name) ?? '', 'aria-describedby': `filter-${name}-hint` }),
    h('p', { id: `filter-${name}-hint`, class: 'hint' }, hint));
  const form = h('form', { class: 'filters', 'aria-label': 'Job filters' },
    h('fieldset', {}, h('legend', {}, 'State'),
      States.map(s => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'state', value: s, checked: chosen.has(s) }), s))),
    submitter ? null : text('team', 'Team', 'One team, e.g. vision'),
    text('label', 'Label', 'key=value, e.g. project=vision'),
    text('submittedFrom', 'Submitted from', 'ISO time, e.g. 2026-11-24T00:00:00Z'),
    text('submittedTo', 'Submitted to', 'ISO time'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Apply filters'),
      h('a', { href: '#/jobs', class: 'button' }, 'Clear')));
  form.addEventListener('submit', event => {
    event.preventDefault();
    const data = new FormData(form);
    trail.length = 0;
    location.hash = hashOf('/jobs', {
      state: data.getAll('state').join(','),
      team: String(data.get('team') ?? '').trim(),
      label: String(data.get('label') ?? '').trim(),
      submittedFrom: String(data.get('submittedFrom') ?? '').trim(),
      submittedTo: String(data.get('submittedTo') ?? '').trim(),
    });
  });
  return form;
}

export async function renderJobs(main: HTMLElement, match: RouteMatch): Promise<void> {
  const submitter = session.me()!.role === 'submitter';
  const query = match.query;
  const filters = Object.fromEntries(Filters.map(f => [f, query.get(f) ?? undefined]));
  const cursor = query.get('cursor') ?? undefined;
  main.append(h('h1', { tabindex: '-1' }, 'Jobs'),
    h('p', { class: 'lede' }, submitter ? `What is queued and what ran for team ${session.me()!.team}, newest first.` : 'What is queued and what ran, newest first.'),
    filterForm(query, submitter));
  const page = await getJson<Page<Job>>('/v1/jobs' + qs({ ...filters, cursor, limit: 25 }));
  const current = hashOf('/jobs', { ...filters, cursor });
  const newer = trail.length > 0 && trail[trail.length - 1] !== current ? trail[trail.length - 1] : null;
  const pager = h('nav', { class: 'pager', 'aria-label': 'Job list pages' },
    cursor ? h('a', { class: 'button', href: hashOf('/jobs', filters), onclick: () => { trail.length = 0; } }, 'First page') : null,
    newer ? h('a', { class: 'button', href: newer, onclick: () => { trail.pop(); } }, 'Newer') : null,
    page.nextCursor ? h('a', { class: 'button', href: hashOf('/jobs', { ...filters, cursor: page.nextCursor }), 'data-next': 'true',
      onclick: () => { trail.push(current); } }, 'Older') : null);
  main.append(section('job-list', 'Jobs', `${page.items.length} on this page${page.nextCursor ? '; older ones on the next' : ''}.`,
    page.items.length === 0
      ? h('p', { class: 'empty', 'data-empty': 'true' }, Object.values(filters).some(Boolean)
        ? 'No job matches these filters.' : 'No jobs yet. Submit one with POST /v1/jobs (see /docs).')
      : table('Jobs, newest first', [
        { header: 'Name', cell: j => h('a', { href: `#/jobs/${encodeURIComponent(j.id)}`, 'data-job': j.id }, j.name), value: j => j.id },
        { header: 'Team', cell: j => j.team },
        { header: 'State', cell: j => h('span', { class: `state state-${j.state}` }, j.state), value: j => j.state },
        { header: 'GPUs', cell: j => `${j.gpu.count} × ${j.gpu.models.join(' | ') || 'any'}`, numeric: false },
        { header: 'Submitted', cell: j => time(j.submittedAt), value: j => j.submittedAt },
        { header: 'Updated', cell: j => time(j.updatedAt) },
        { header: 'Attempts', cell: j => String(j.attempts), numeric: true },
      ], page.items, 'jobs', j => j.id),
    pager));
}
