/**
 * The match worker: a `node:worker_threads` thread that holds compiled rule sets and answers which rule of a set
 * matches an input first. It runs outside the main thread so that a slow pattern can be cut off (by terminating this
 * thread, see match-worker-pool.ts) instead of stalling every request. Plain JavaScript, run by Node as is.
 *
 * Messages in:  { type: 'load', jobId, setId, patterns }  { type: 'match', jobId, setId, input }  { type: 'forget', setId }
 * Messages out: { type: 'loaded', jobId, unusable: [{ index, reason }] }  { type: 'matched', jobId, index }  (index -1: none)
 */
import { parentPort } from 'node:worker_threads';
import { compilePatternSet } from '../../../packages/client/src/routing/pattern-set.js';

/** setId -> the compiled patterns of the set, in evaluation order. */
const ruleSets = new Map();

function load({ jobId, setId, patterns }) {
  const compiled = compilePatternSet(patterns);
  ruleSets.set(setId, compiled);
  parentPort.postMessage({ type: 'loaded', jobId, unusable: compiled.unusable });
}

function match({ jobId, setId, input }) {
  const compiled = ruleSets.get(setId);
  if (!compiled) throw new Error(`rule set ${setId} was not loaded before matching`);
  parentPort.postMessage({ type: 'matched', jobId, index: compiled.firstMatchIndex(input) });
}

parentPort.on('message', (message) => {
  if (message.type === 'load') load(message);
  else if (message.type === 'match') match(message);
  else if (message.type === 'forget') ruleSets.delete(message.setId);
  else throw new Error(`unknown message type ${String(message.type)}`);
});
