import { session } from './session';

/** RFC 9457 problem document as Broker writes them; errors are keyed by the JSON field or query parameter. */
export interface Problem {
  title?: string;
  detail?: string;
  status?: number;
  errors?: Record<string, string[]>;
}

export class ApiError extends Error {
  constructor(public readonly status: number, public readonly problem: Problem | null) {
    super(problem?.detail ?? problem?.title ?? `The API answered ${status}.`);
  }

  /** A sentence for the page: the problem's title and detail and each field error. */
  describe(): string {
    const parts = [this.problem?.title, this.problem?.detail].filter(Boolean);
    for (const [field, messages] of Object.entries(this.problem?.errors ?? {})) parts.push(`${field}: ${messages.join(' ')}`);
    return parts.length > 0 ? parts.join(' — ') : this.message;
  }
}

export interface ApiResponse<T> {
  data: T;
  status: number;
  headers: Headers;
}

interface Options {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  accept?: string;
  /** A 401 is the caller's answer (signing in), not a reason to show the sign-in page. */
  quiet401?: boolean;
}

let onUnauthorized: () => void = () => {};
export function whenUnauthorized(handler: () => void): void { onUnauthorized = handler; }

async function send(path: string, options: Options = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: options.accept ?? 'application/json', ...options.headers };
  const key = session.key();
  if (key) headers.Authorization = `Bearer ${key}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    credentials: 'omit',
    cache: 'no-store',
  });
  if (response.ok) return response;
  let problem: Problem | null = null;
  try { problem = await response.json() as Problem; } catch { problem = null; }
  if (response.status === 401 && !options.quiet401) onUnauthorized();
  throw new ApiError(response.status, problem);
}

export async function api<T>(path: string, options: Options = {}): Promise<ApiResponse<T>> {
  const response = await send(path, options);
  const text = await response.text();
  return { data: (text.length > 0 ? JSON.parse(text) : null) as T, status: response.status, headers: response.headers };
}

export async function getJson<T>(path: string): Promise<T> {
  return (await api<T>(path)).data;
}

export async function getBlob(path: string, accept: string): Promise<{ blob: Blob; fileName: string | null }> {
  const response = await send(path, { accept });
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  return { blob: await response.blob(), fileName: match ? decodeURIComponent(match[1]) : null };
}

/** A query string from the defined values only. */
export function qs(params: Record<string, string | number | null | undefined | string[]>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === '') continue;
    if (Array.isArray(value)) value.forEach(v => search.append(name, v));
    else search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** Every page of a keyset-paged list, up to maxItems (the console's cap: it says when it stopped). */
export async function allPages<T>(path: string, params: Record<string, string | number | undefined>, maxItems: number):
  Promise<{ items: T[]; truncated: boolean }> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await getJson<{ items: T[]; nextCursor: string | null }>(path + qs({ ...params, limit: 500, cursor }));
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && items.length < maxItems);
  return { items, truncated: cursor !== undefined };
}
