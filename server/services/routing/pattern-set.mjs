/**
 * A set of patterns, in evaluation order, that answers which one matches an input first without running every one.
 *
 * Each pattern carries the literals a match requires (pattern-compiler.mjs). One Aho-Corasick automaton over all those
 * literals finds, in a single pass over the input, which of them occur; only the patterns whose condition holds on
 * them (and those that require no literal) are run, in order, and the first that matches answers. Case-insensitive
 * literals get a second automaton, run over the input folded to lower case. Skipping a pattern whose required
 * literals are absent cannot change the answer (pattern-set.unit.test.ts compares with running every pattern).
 *
 * Plain JavaScript, imported by matcher.ts and by the match worker (match-worker.mjs) alike. No side effects.
 */
import { boundedInput, compilePattern, foldedForLiterals } from './pattern-compiler.mjs';

/**
 * An Aho-Corasick automaton over UTF-16 code units, answering which of its literals occur in a text. Transitions are
 * kept per node in a Map; every literal occurrence is recorded once per node per scan, so a scan is linear in the
 * text plus the literals found.
 */
class LiteralScanner {
  /** @param {readonly string[]} literals distinct, non-empty */
  constructor(literals) {
    /** @type {Map<number, number>[]} */
    this.next = [new Map()];
    /** Per node, the literal ending there (-1 for none). */
    this.literalAt = [-1];
    literals.forEach((literal, id) => {
      let node = 0;
      for (let i = 0; i < literal.length; i++) {
        const unit = literal.charCodeAt(i);
        let child = this.next[node].get(unit);
        if (child === undefined) {
          child = this.next.length;
          this.next.push(new Map());
          this.literalAt.push(-1);
          this.next[node].set(unit, child);
        }
        node = child;
      }
      this.literalAt[node] = id;
    });
    const nodes = this.next.length;
    this.fail = new Int32Array(nodes);
    /** The nearest node on the failure chain (itself included) where a literal ends, or -1. */
    this.output = new Int32Array(nodes).fill(-1);
    const queue = [0];
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head];
      this.output[node] = this.literalAt[node] !== -1 ? node : node === 0 ? -1 : this.output[this.fail[node]];
      for (const [unit, child] of this.next[node]) {
        if (node !== 0) this.fail[child] = this.step(this.fail[node], unit);
        queue.push(child);
      }
    }
    /** The scan a node was last reported in: its chain of literals is then already recorded. */
    this.reportedInScan = new Int32Array(nodes);
    this.scan = 0;
  }

  step(node, unit) {
    for (;;) {
      const child = this.next[node].get(unit);
      if (child !== undefined) return child;
      if (node === 0) return 0;
      node = this.fail[node];
    }
  }

  /**
   * Marks in `found` (indexed by literal id) the literals that occur in `text`.
   * @param {string} text
   * @param {Uint8Array} found cleared by the caller
   */
  findIn(text, found) {
    const scan = ++this.scan;
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      node = this.step(node, text.charCodeAt(i));
      for (let at = this.output[node]; at !== -1 && this.reportedInScan[at] !== scan; at = this.output[this.fail[at]]) {
        this.reportedInScan[at] = scan;
        found[this.literalAt[at]] = 1;
      }
    }
  }
}

/**
 * Turns a RequiredLiterals condition into a test over the found-literal flags, numbering its literals in `exactIds`
 * (searched in the input) and `foldedIds` (searched in the folded input).
 * @returns {(foundExact: Uint8Array, foundFolded: Uint8Array) => boolean}
 */
function conditionOver(required, exactIds, foldedIds) {
  if ('literal' in required) {
    const ids = required.caseInsensitive ? foldedIds : exactIds;
    let id = ids.get(required.literal);
    if (id === undefined) ids.set(required.literal, (id = ids.size));
    return required.caseInsensitive ? (_, foundFolded) => foundFolded[id] === 1 : (foundExact) => foundExact[id] === 1;
  }
  const parts = ('allOf' in required ? required.allOf : required.anyOf).map((part) => conditionOver(part, exactIds, foldedIds));
  return 'allOf' in required
    ? (foundExact, foundFolded) => parts.every((part) => part(foundExact, foundFolded))
    : (foundExact, foundFolded) => parts.some((part) => part(foundExact, foundFolded));
}

/** Finds which of some literals occur in a text, into flags reused from one input to the next. */
function literalFinder(ids) {
  const found = new Uint8Array(ids.size);
  const scanner = ids.size > 0 ? new LiteralScanner([...ids.keys()]) : null;
  return {
    found,
    /** @param {() => string} text the text to search, computed only when there are literals to find */
    findIn(text) {
      if (!scanner) return;
      found.fill(0);
      scanner.findIn(text(), found);
    },
  };
}

/**
 * Compiles patterns given in evaluation order. Patterns that do not compile are left out and listed with their
 * index and the reason, never thrown.
 * @param {readonly string[]} patterns
 */
export function compilePatternSet(patterns) {
  const usable = [];
  const unusable = [];
  /** @type {(import('./pattern-compiler.d.mts').CompiledPattern | null)[]} */
  const compiled = [];
  /** @type {Map<string, number>} literal -> id */
  const exactIds = new Map();
  /** @type {Map<string, number>} lower-case literal -> id */
  const foldedIds = new Map();
  patterns.forEach((pattern, index) => {
    const compilation = compilePattern(pattern);
    if (!compilation.ok) {
      unusable.push({ index, reason: compilation.reason });
      compiled.push(null);
      return;
    }
    compiled.push(compilation.compiled);
    const { requiredLiterals, test } = compilation.compiled;
    usable.push({ index, test, mayMatch: requiredLiterals === null ? null : conditionOver(requiredLiterals, exactIds, foldedIds) });
  });
  const exact = literalFinder(exactIds);
  const folded = literalFinder(foldedIds);
  return {
    unusable,
    compiled,
    /** Index of the first pattern that matches the input (its first MATCHED_INPUT_CHARS characters), or -1. */
    firstMatchIndex(input) {
      const bounded = boundedInput(input);
      exact.findIn(() => bounded);
      folded.findIn(() => foldedForLiterals(bounded));
      for (const { index, test, mayMatch } of usable) {
        if ((mayMatch === null || mayMatch(exact.found, folded.found)) && test(bounded)) return index;
      }
      return -1;
    },
    /** Indexes, in order, of every pattern that matches the input. */
    allMatchIndexes(input) {
      const bounded = boundedInput(input);
      exact.findIn(() => bounded);
      folded.findIn(() => foldedForLiterals(bounded));
      const matching = [];
      for (const { index, test, mayMatch } of usable) {
        if ((mayMatch === null || mayMatch(exact.found, folded.found)) && test(bounded)) matching.push(index);
      }
      return matching;
    },
  };
}
