import type { Me } from './session';

export type Role = Me['role'];
export const AllRoles: Role[] = ['submitter', 'finance', 'ops', 'admin'];

export interface RouteMatch {
  page: string;
  params: string[];
  query: URLSearchParams;
}

export interface Page {
  name: string;
  title: string;
  /** Shown in the navigation (a job's own page is reached from the list). */
  nav: boolean;
  pattern: RegExp;
  roles: Role[];
  render: (main: HTMLElement, match: RouteMatch) => Promise<void>;
}

/** `#/jobs/abc?state=running` → page path `/jobs/abc` and its query. */
export function parseHash(hash: string): { path: string; query: URLSearchParams } {
  const text = hash.replace(/^#/, '') || '/overview';
  const [path, search] = text.split('?', 2);
  return { path: path || '/overview', query: new URLSearchParams(search ?? '') };
}

export function hashOf(path: string, query: Record<string, string | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) search.set(k, v);
  const text = search.toString();
  return `#${path}${text ? `?${text}` : ''}`;
}

export function match(pages: Page[], path: string, query: URLSearchParams): { page: Page; match: RouteMatch } | null {
  for (const page of pages) {
    const m = page.pattern.exec(path);
    if (m) return { page, match: { page: page.name, params: m.slice(1).map(decodeURIComponent), query } };
  }
  return null;
}
