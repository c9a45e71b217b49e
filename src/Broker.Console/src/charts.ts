import {
  ArcElement, BarController, BarElement, CategoryScale, Chart, DoughnutController, Filler, Legend, LinearScale, LineController,
  LineElement, PointElement, Tooltip, type ChartConfiguration,
} from 'chart.js';
import { h, empty } from './dom';
import { num, shortTime, usd } from './format';

Chart.register(ArcElement, BarController, BarElement, CategoryScale, DoughnutController, Filler, Legend, LinearScale, LineController,
  LineElement, PointElement, Tooltip);
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
Chart.defaults.font.size = 13;
Chart.defaults.color = '#1f2933';
Chart.defaults.animation = false;

/** Okabe–Ito: distinguishable with the common colour-vision deficiencies, each with enough contrast on white. */
export const palette = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#8C6D00'];

const live: { destroy(): void }[] = [];

/**
 * Draws once the canvas is in the document (a page may assemble its sections before inserting them), then marks the
 * figure data-drawn. Gives up after about ten seconds of frames: the page was left before it showed the chart.
 */
function drawWhenConnected(canvas: HTMLCanvasElement, draw: () => { destroy(): void }, frames = 600): void {
  requestAnimationFrame(() => {
    if (canvas.isConnected) {
      live.push(draw());
      canvas.closest('figure')?.setAttribute('data-drawn', 'true');
    } else if (frames > 0) drawWhenConnected(canvas, draw, frames - 1);
  });
}

/** Charts of the page being left: Chart.js keeps resize observers that must go with their canvas. */
export function destroyCharts(): void {
  while (live.length > 0) live.pop()?.destroy();
}

export type Unit = 'usd' | 'gpuh' | 'gpus' | 'count';

export interface Series {
  label: string;
  values: (number | null)[];
  stack?: string;
  dashed?: boolean;
  /** Palette index, so related series (used and available of one model) share a colour. */
  color?: number;
}

export interface ChartSpec {
  id: string;
  title: string;
  kind: 'bar' | 'line' | 'doughnut';
  labels: string[];
  /** Raw keys of the labels (ISO times, ids) for the data table's data-key; the labels by default. */
  keys?: string[];
  series: Series[];
  unit: Unit;
  stacked?: boolean;
  horizontal?: boolean;
  emptyMessage?: string;
  /** The API request the numbers come from (data-source), so anyone can check the chart against the API. */
  source?: string;
}

export const formatUnit = (unit: Unit, value: number | null): string =>
  value === null ? '—' : unit === 'usd' ? usd(value) : unit === 'gpuh' ? `${num(value)} GPU-h` : num(value);

/**
 * A chart with the same numbers in a table next to it (screen readers and tests read the table; the canvas is an image
 * with a summary). Each cell keeps the API's raw number in data-value.
 */
export function chartFigure(spec: ChartSpec): HTMLElement {
  const hasData = spec.labels.length > 0 && spec.series.some(s => s.values.some(v => v !== null && v !== 0));
  if (!hasData) {
    return h('figure', { class: 'chart', 'data-chart': spec.id, 'data-empty': 'true', 'data-source': spec.source },
      h('figcaption', {}, spec.title), empty(spec.emptyMessage ?? 'No data yet for this range.'));
  }
  const canvas = h('canvas', { role: 'img', 'aria-label': summary(spec) });
  const figure = h('figure', { class: 'chart', 'data-chart': spec.id, 'data-source': spec.source },
    h('figcaption', { id: `${spec.id}-caption` }, spec.title),
    h('div', { class: 'chart-box' }, canvas),
    h('details', { class: 'chart-data' }, h('summary', {}, `${spec.title}: data table`), dataTable(spec)));
  drawWhenConnected(canvas, () => new Chart(canvas, config(spec)));
  return figure;
}

function summary(spec: ChartSpec): string {
  const totals = spec.series.map(s => `${s.label} ${formatUnit(spec.unit, s.values.reduce<number>((a, v) => a + (v ?? 0), 0))}`);
  return `${spec.title}, ${spec.labels.length} ${spec.kind === 'doughnut' ? 'slices' : 'points'}; totals: ${totals.join(', ')}. The table below has every value.`;
}

function dataTable(spec: ChartSpec): HTMLElement {
  return h('table', { 'data-table': spec.id },
    h('caption', {}, spec.title),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, ''), spec.series.map(s => h('th', { scope: 'col', class: 'num' }, s.label)))),
    h('tbody', {}, spec.labels.map((label, i) => h('tr', { 'data-key': spec.keys?.[i] ?? label },
      h('th', { scope: 'row' }, label),
      spec.series.map(s => h('td', { class: 'num', 'data-series': s.label, 'data-value': s.values[i] ?? '' },
        formatUnit(spec.unit, s.values[i] ?? null)))))));
}

function config(spec: ChartSpec): ChartConfiguration {
  const doughnut = spec.kind === 'doughnut';
  const categoryAxis = { stacked: spec.stacked, ticks: { autoSkip: true, maxRotation: 0 } };
  const valueAxis = { stacked: spec.stacked, beginAtZero: true, ticks: { callback: (v: string | number) => formatUnit(spec.unit, Number(v)) } };
  return {
    type: spec.kind,
    data: {
      labels: spec.labels,
      datasets: spec.series.map((s, i) => ({
        label: s.label,
        data: s.values,
        stack: s.stack,
        borderColor: doughnut ? '#ffffff' : palette[(s.color ?? i) % palette.length],
        backgroundColor: doughnut ? spec.labels.map((_, j) => palette[j % palette.length]) : palette[(s.color ?? i) % palette.length] + (spec.kind === 'line' ? '33' : ''),
        borderDash: s.dashed ? [6, 4] : undefined,
        fill: spec.kind === 'line' && !s.dashed,
        pointRadius: spec.kind === 'line' ? 2 : undefined,
        tension: 0.2,
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: spec.horizontal ? 'y' : 'x',
      plugins: {
        legend: { position: 'bottom' },
        tooltip: { callbacks: { label: ctx => `${ctx.dataset.label ?? ''}: ${formatUnit(spec.unit, Number(ctx.raw))}` } },
      },
      scales: doughnut ? {} : spec.horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
    },
  } as ChartConfiguration;
}

export interface Span {
  label: string;
  start: number;
  end: number;
  group: string;
}

/** Spans (run segments) as floating bars on a UTC time axis, one row each. */
export function timeAxisFigure(id: string, title: string, spans: Span[]): HTMLElement {
  if (spans.length === 0) return h('figure', { class: 'chart', 'data-chart': id, 'data-empty': 'true' }, h('figcaption', {}, title), empty('No run segments yet.'));
  const groups = [...new Set(spans.map(s => s.group))];
  const first = Math.min(...spans.map(s => s.start));
  const last = Math.max(...spans.map(s => s.end));
  const tick = (ms: number) => (last - first < 2 * 3_600_000 ? new Date(ms).toISOString().slice(11, 19) : shortTime(ms));
  const canvas = h('canvas', { role: 'img', 'aria-label': `${title}: ${spans.length} segments; the table lists each one.` });
  const figure = h('figure', { class: 'chart chart-short', 'data-chart': id }, h('figcaption', {}, title), h('div', { class: 'chart-box' }, canvas));
  drawWhenConnected(canvas, () => new Chart(canvas, {
      type: 'bar',
      data: {
        labels: spans.map(s => s.label),
        datasets: groups.map((g, i) => ({
          label: g,
          data: spans.map(s => (s.group === g ? [s.start, s.end] : null)) as unknown as number[],
          backgroundColor: palette[i % palette.length],
          borderSkipped: false,
          barPercentage: 0.6,
          grouped: false,
        })),
      },
      options: {
        responsive: true, maintainAspectRatio: false, indexAxis: 'y',
        plugins: { legend: { position: 'bottom' }, tooltip: { enabled: false } },
        scales: { x: { type: 'linear', min: first, max: last, ticks: { callback: v => tick(Number(v)), maxRotation: 0 } } },
      },
    }));
  return figure;
}
