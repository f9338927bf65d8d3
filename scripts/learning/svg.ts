// The regret curves as a hand-written SVG (no chart package): cumulative regret of each strategy against the requests
// served, with the degradation and the new model marked.
import type { CurvePoint } from './metrics';

export interface CurveSeries {
  label: string;
  points: CurvePoint[];
}

export interface CurveMark {
  at: number;
  label: string;
}

const COLORS = ['#9e9e9e', '#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e'];
const WIDTH = 860;
const HEIGHT = 480;
const MARGIN = { left: 70, right: 200, top: 56, bottom: 56 };

/** A "nice" tick step (1, 2 or 5 × a power of ten) giving about `count` ticks up to `max`. */
export function niceStep(max: number, count = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const format = (value: number) => (value >= 1000 ? `${(value / 1000).toLocaleString('en', { maximumFractionDigits: 1 })}k` : String(value));

export function regretCurvesSvg({
  title,
  subtitle,
  series,
  marks,
}: {
  title: string;
  subtitle: string;
  series: CurveSeries[];
  marks: CurveMark[];
}): string {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const maxX = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.requests)));
  const maxY = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.regret)));
  const stepX = niceStep(maxX);
  const stepY = niceStep(maxY);
  const topY = Math.ceil(maxY / stepY) * stepY;
  const x = (requests: number) => MARGIN.left + (requests / maxX) * plotWidth;
  const y = (regret: number) => MARGIN.top + plotHeight - (Math.max(0, regret) / topY) * plotHeight;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="24" font-size="16" font-weight="600">${escape(title)}</text>`,
    `<text x="${MARGIN.left}" y="42" fill="#555">${escape(subtitle)}</text>`,
  ];
  for (let value = 0; value <= topY + 1e-9; value += stepY) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${y(value).toFixed(1)}" y2="${y(value).toFixed(1)}" stroke="#e5e5e5"/>`,
      `<text x="${MARGIN.left - 8}" y="${(y(value) + 4).toFixed(1)}" text-anchor="end">${format(Math.round(value))}</text>`,
    );
  }
  for (let value = 0; value <= maxX + 1e-9; value += stepX) {
    parts.push(
      `<line x1="${x(value).toFixed(1)}" x2="${x(value).toFixed(1)}" y1="${MARGIN.top + plotHeight}" y2="${MARGIN.top + plotHeight + 5}" stroke="#333"/>`,
      `<text x="${x(value).toFixed(1)}" y="${MARGIN.top + plotHeight + 20}" text-anchor="middle">${format(value)}</text>`,
    );
  }
  parts.push(
    `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${MARGIN.top + plotHeight}" y2="${MARGIN.top + plotHeight}" stroke="#333"/>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotHeight}" stroke="#333"/>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 14}" text-anchor="middle">requests</text>`,
    `<text transform="translate(18 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">cumulative regret vs oracle (reward units)</text>`,
  );
  for (const [markIndex, mark] of marks.entries()) {
    const at = x(mark.at).toFixed(1);
    parts.push(
      `<line x1="${at}" x2="${at}" y1="${MARGIN.top}" y2="${MARGIN.top + plotHeight}" stroke="#555" stroke-dasharray="4 4"/>`,
      `<text x="${(x(mark.at) + 4).toFixed(1)}" y="${MARGIN.top + 12 + 14 * markIndex}" fill="#555">${escape(mark.label)}</text>`,
    );
  }
  series.forEach((s, index) => {
    const color = COLORS[index % COLORS.length];
    const path = s.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.requests).toFixed(1)},${y(p.regret).toFixed(1)}`).join('');
    const legendY = MARGIN.top + 10 + index * 22;
    const legendX = MARGIN.left + plotWidth + 16;
    parts.push(
      `<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>`,
      `<line x1="${legendX}" x2="${legendX + 22}" y1="${legendY}" y2="${legendY}" stroke="${color}" stroke-width="3"/>`,
      `<text x="${legendX + 28}" y="${legendY + 4}">${escape(s.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
