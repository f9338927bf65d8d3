// A gateway process in miniature, run by client-tracker.test.ts: tracks `count` metric values under `tag`, then
// ends by itself (`end`, `no-flush`) or waits for SIGTERM (`sigterm`), to show what flushOnExit does at the end.
// Usage: node --import tsx server/testing/track-and-exit.ts <hone url> <tag> <count> <end|no-flush|sigterm>
import { createHoneClient } from '../hone-client';

const [url, tag, count, mode] = process.argv.slice(2);
if (!url || !tag || !count || !['end', 'no-flush', 'sigterm'].includes(mode ?? '')) {
  throw new Error('usage: track-and-exit.ts <hone url> <tag> <count> <end|no-flush|sigterm>');
}
// A long interval: only the exit flush can send these items before the process is gone.
const hone = createHoneClient({ url, track: { flushOnExit: mode !== 'no-flush', flushIntervalMs: 600_000 } });
for (let n = 0; n < Number(count); n++) hone.track.metric({ metricName: tag, metricValue: n, metricUnit: 'n' });
if (mode === 'sigterm') {
  setInterval(() => {}, 60_000); // a server's work keeps it alive until it is told to stop
  console.log('tracked');
}
