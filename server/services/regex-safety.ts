import { checkSync } from 'recheck';
import { HoneError } from '../errors';

// recheck analyses the regex automaton instead of guessing from its shape (as star-height checks do),
// so it refuses (a|a)*$ as well as (a+)+$ while letting the spec's own .*implement.*algorithm.* through.
// Exponential patterns are refused; polynomial ones are accepted and kept cheap at match time
// (see compileForMatching in routing.ts).
const CHECK_TIMEOUT_MS = 5000;

export function assertNoCatastrophicBacktracking(pattern: string, field = 'pattern'): void {
  const diagnostics = checkSync(pattern, '', { timeout: CHECK_TIMEOUT_MS });
  if (diagnostics.status === 'safe') return;
  if (diagnostics.status === 'vulnerable') {
    if (diagnostics.complexity.type !== 'exponential') return;
    throw HoneError.invalidField(
      field,
      `can backtrack catastrophically (exponential time, e.g. on ${diagnostics.attack.pattern}); rewrite nested or overlapping quantifiers`,
    );
  }
  throw HoneError.invalidField(field, `could not be proven free of catastrophic backtracking (${diagnostics.error.kind}); simplify it`);
}
