/**
 * The match worker: a `node:worker_threads` thread that holds compiled rule sets and answers which rule of a set
 * matches an input first. It runs outside the main thread so that a slow pattern can be cut off (by terminating this
 * thread, see match-worker-pool.ts) instead of stalling every request. Plain JavaScript, run by Node as is.
 *
 * Messages in:  { type: 'load', jobId, setId, patterns }  { type: 'match', jobId, setId, input }  { type: 'forget', setId }
 * Messages out: { type: 'loaded', jobId, unusable: [{ index, reason }] }  { type: 'matched', jobId, index }  (index -1: none)
 */
import { parentPort } from 'node:worker_threads';
import { boundedInput, compilePattern } from './pattern-compiler.mjs';

/** setId -> the usable rules of the set, in evaluation order, each with its index in the set. */
const ruleSets = new Map();

function load({ jobId, setId, patterns }) {
  const usable = [];
  const unusable = [];
  patterns.forEach((pattern, index) => {
    const compilation = compilePattern(pattern);
    if (compilation.ok) usable.push({ index, test: compilation.compiled.test });
    else unusable.push({ index, reason: compilation.reason });
  });
  ruleSets.set(setId, usable);
  parentPort.postMessage({ type: 'loaded', jobId, unusable });
}

function match({ jobId, setId, input }) {
  const usable = ruleSets.get(setId);
  if (!usable) throw new Error(`rule set ${setId} was not loaded before matching`);
  const bounded = boundedInput(input);
  const first = usable.find((rule) => rule.test(bounded));
  parentPort.postMessage({ type: 'matched', jobId, index: first ? first.index : -1 });
}

parentPort.on('message', (message) => {
  if (message.type === 'load') load(message);
  else if (message.type === 'match') match(message);
  else if (message.type === 'forget') ruleSets.delete(message.setId);
  else throw new Error(`unknown message type ${String(message.type)}`);
});
