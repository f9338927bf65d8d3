/**
 * The match worker: a `node:worker_threads` thread that holds compiled routing snapshots and answers, per input, the
 * first active rule and every shadow rule that match (the client package's decide.js `compileSnapshot`, the very code gateways run). It
 * runs outside the main thread so that a slow pattern can be cut off (by terminating this thread, see
 * match-worker-pool.ts) instead of stalling every request. Plain JavaScript, run by Node as is.
 *
 * Messages in:  { type: 'load', jobId, setId, snapshot }  { type: 'match', jobId, setId, input }  { type: 'forget', setId }
 * Messages out: { type: 'loaded', jobId, unusable: [{ index, reason }] }  { type: 'matched', jobId, match: { ruleIndex, shadowIndices } }
 */
import { parentPort } from 'node:worker_threads';
import { compileSnapshot } from '../../../packages/client/src/routing/decide.js';

/** setId -> the compiled snapshot. */
const snapshots = new Map();

function load({ jobId, setId, snapshot }) {
  const compiled = compileSnapshot(snapshot);
  snapshots.set(setId, compiled);
  parentPort.postMessage({ type: 'loaded', jobId, unusable: compiled.unusable });
}

function match({ jobId, setId, input }) {
  const compiled = snapshots.get(setId);
  if (!compiled) throw new Error(`snapshot ${setId} was not loaded before matching`);
  parentPort.postMessage({ type: 'matched', jobId, match: compiled.match(input) });
}

parentPort.on('message', (message) => {
  if (message.type === 'load') load(message);
  else if (message.type === 'match') match(message);
  else if (message.type === 'forget') snapshots.delete(message.setId);
  else throw new Error(`unknown message type ${String(message.type)}`);
});
