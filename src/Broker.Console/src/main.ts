import './styles.css';
import { api, whenUnauthorized, ApiError } from './api';
import { destroyCharts } from './charts';
import { alertBox, clear, h } from './dom';
import { AllRoles, match, parseHash, type Page } from './router';
import { session, type Me } from './session';
import { renderLogin } from './pages/login';
import { renderOverview } from './pages/overview';
import { renderJobs } from './pages/jobs';
import { renderJob } from './pages/job';
import { renderCosts } from './pages/costs';
import { renderPolicies } from './pages/policies';
import { renderFleet } from './pages/fleet';

const pages: Page[] = [
  { name: 'overview', title: 'Overview', nav: true, pattern: /^\/overview$/, roles: AllRoles, render: renderOverview },
  { name: 'jobs', title: 'Jobs', nav: true, pattern: /^\/jobs$/, roles: AllRoles, render: renderJobs },
  { name: 'job', title: 'Job', nav: false, pattern: /^\/jobs\/([^/]+)$/, roles: AllRoles, render: renderJob },
  { name: 'costs', title: 'Costs', nav: true, pattern: /^\/costs$/, roles: ['finance', 'ops', 'admin'], render: renderCosts },
  { name: 'policies', title: 'Policies', nav: true, pattern: /^\/policies$/, roles: ['ops', 'admin'], render: renderPolicies },
  { name: 'fleet', title: 'Fleet', nav: true, pattern: /^\/fleet$/, roles: ['ops', 'admin'], render: renderFleet },
];

const main = document.getElementById('main') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;
const who = document.getElementById('who') as HTMLElement;
let generation = 0;

whenUnauthorized(() => {
  session.clear();
  void show();
});

async function identify(): Promise<Me | null> {
  if (session.me()) return session.me();
  if (!session.key()) return null;
  try {
    const me = (await api<Me>('/v1/me', { quiet401: true })).data;
    session.setMe(me);
    return me;
  } catch {
    session.clear();
    return null;
  }
}

function renderChrome(me: Me | null, current: string | null): void {
  clear(nav);
  clear(who);
  if (!me) return;
  const allowed = pages.filter(p => p.nav && p.roles.includes(me.role));
  nav.append(h('ul', {}, allowed.map(p => h('li', {},
    h('a', { href: `#/${p.name}`, 'data-nav': p.name, 'aria-current': p.name === current || (current === 'job' && p.name === 'jobs') ? 'page' : null }, p.title)))));
  who.append(
    h('span', { 'data-me': me.role }, `${me.name} · ${me.role}${me.team ? ` · team ${me.team}` : ''}`),
    h('button', { type: 'button', class: 'link-button', onclick: () => { session.clear(); location.hash = '#/overview'; void show(); } }, 'Sign out'));
}

async function show(): Promise<void> {
  const mine = ++generation;
  destroyCharts();
  const me = await identify();
  if (mine !== generation) return;
  clear(main);
  if (!me) {
    renderChrome(null, null);
    document.title = 'Sign in · Broker console';
    renderLogin(main, () => void show());
    return;
  }
  const { path, query } = parseHash(location.hash);
  const found = match(pages, path, query);
  renderChrome(me, found?.page.name ?? null);
  if (!found) {
    main.append(h('h1', {}, 'Not found'), alertBox('There is no such page in the console.'));
    return;
  }
  document.title = `${found.page.title} · Broker console`;
  if (!found.page.roles.includes(me.role)) {
    main.append(h('h1', {}, found.page.title), h('p', { class: 'alert', role: 'alert', 'data-forbidden': 'true' },
      `The ${found.page.title} page is for ${found.page.roles.join(', ')} keys; yours is a ${me.role} key.`));
    return;
  }
  try {
    await found.page.render(main, found.match);
  } catch (error) {
    if (mine !== generation) return;
    main.append(alertBox(error instanceof ApiError ? error.describe() : String(error)));
  }
  if (mine === generation) (main.querySelector('h1') as HTMLElement | null)?.focus();
}

window.addEventListener('hashchange', () => void show());
void show();
