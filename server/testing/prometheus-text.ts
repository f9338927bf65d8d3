// Reads Prometheus's text exposition format (what GET /api/metrics answers) for tests: samples with their labels.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/gy;

function unescapeLabelValue(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL_PAIR.lastIndex = 0;
  let consumed = 0;
  for (let match = LABEL_PAIR.exec(text); match; match = LABEL_PAIR.exec(text)) {
    labels[match[1]!] = unescapeLabelValue(match[2]!);
    consumed = LABEL_PAIR.lastIndex;
  }
  if (consumed !== text.length) throw new Error(`Unreadable labels in exposition line: ${line}`);
  return labels;
}

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/** Every sample of an exposition; comments (# HELP, # TYPE) are skipped. Throws on a line it cannot read. */
export function parseExposition(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = SAMPLE_LINE.exec(line);
      if (!match) throw new Error(`Unreadable exposition line: ${line}`);
      return { name: match[1]!, labels: match[2] ? parseLabels(match[2], line) : {}, value: parseValue(match[3]!) };
    });
}

/** The sum of the samples of `name` whose labels include `labels` (0 when there is none). */
export function sampleSum(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

/** Every value a label takes across the samples of the metrics whose names start with `prefix`. */
export function labelValues(samples: readonly Sample[], prefix: string, label: string): Set<string> {
  return new Set(samples.filter((s) => s.name.startsWith(prefix) && label in s.labels).map((s) => s.labels[label]!));
}
