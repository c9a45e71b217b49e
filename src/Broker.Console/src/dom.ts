// Element building without innerHTML: every string lands in a text node or an attribute, so data is never parsed as HTML.
export type Child = Node | string | number | null | undefined | false;
export type Children = Child | Children[];
type Attr = string | number | boolean | null | undefined | ((event: Event) => void);

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, Attr> = {},
  ...children: Children[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') {
      el.addEventListener(name.replace(/^on/, ''), value);
    } else if (name === 'class') {
      el.className = String(value);
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Children[]): void {
  for (const child of (children as unknown[]).flat(Infinity) as Child[]) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el: Element): void {
  el.replaceChildren();
}

/** A page or section heading area: title, a one-line answer to "what is this for", then the content. */
export function section(id: string, title: string, question: string, ...children: Children[]): HTMLElement {
  return h('section', { class: 'card', id, 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, title), h('p', { class: 'question' }, question), ...children);
}

export function empty(message: string): HTMLElement {
  return h('p', { class: 'empty', 'data-empty': 'true' }, message);
}

export function alertBox(message: string): HTMLElement {
  return h('p', { class: 'alert', role: 'alert' }, message);
}

export function loading(): HTMLElement {
  return h('p', { class: 'loading', 'aria-busy': 'true' }, 'Loading…');
}

/** A titled value tile (key figure). */
export function tile(label: string, value: string, testId: string, hint?: string): HTMLElement {
  return h('div', { class: 'tile', 'data-tile': testId },
    h('div', { class: 'tile-label' }, label), h('div', { class: 'tile-value' }, value), hint ? h('div', { class: 'tile-hint' }, hint) : null);
}

export interface Column<T> {
  header: string;
  cell: (row: T) => Children;
  /** Raw value for tests and sorting (data-value). */
  value?: (row: T) => string | number | null | undefined;
  numeric?: boolean;
}

export function table<T>(caption: string, columns: Column<T>[], rows: T[], testId: string, rowKey?: (row: T) => string,
  emptyText?: string): HTMLElement {
  if (rows.length === 0) return empty(emptyText ?? `${caption}: nothing yet.`);
  return h('div', { class: 'table-wrap' }, h('table', { 'data-table': testId },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, columns.map(c => h('th', { scope: 'col', class: c.numeric ? 'num' : null }, c.header)))),
    h('tbody', {}, rows.map(row => h('tr', { 'data-key': rowKey ? rowKey(row) : null },
      columns.map(c => h('td', { class: c.numeric ? 'num' : null, 'data-col': c.header, 'data-value': c.value ? c.value(row) ?? '' : null },
        c.cell(row))))))));
}

export function link(href: string, text: string): HTMLAnchorElement {
  return h('a', { href }, text);
}
