/**
 * A set of patterns, in evaluation order, that answers which one matches an input first without running every one.
 *
 * Each pattern carries the literals a match requires (pattern-compiler.js). One pass of an Aho-Corasick automaton
 * over the input finds which of those literals occur (a second automaton, whose alphabet folds ASCII case, finds the
 * case-insensitive ones without a lower-cased copy of the input). The patterns those literals point to become the
 * candidates; only a candidate whose whole condition holds is run, in order, and the first that matches answers.
 * A literal the pattern puts right after or before a `\b` counts only where it stands at a word boundary, so
 * `\b(test|tests)\b` is not run on "the latest build" (checked by the automaton where it finds the literal). Skipping a pattern whose required literals are absent
 * cannot change the answer (pattern-set.unit.test.ts compares with running every pattern).
 *
 * A pattern that requires no literal, or single characters only (`\d{3}-\d{4}`: a '-' is in most code), would be
 * run over the whole input on nearly every decision: when there are several, they are grouped into combined RE2
 * programs (re2js RE2Set), so one linear pass answers for a whole group, run only when the first of its patterns that
 * passes its prefilter is reached. Patterns anchored at the start stay on their own: a failing run stops at once.
 * Grouped patterns may require a character of some class (`[\u0400-\u04ff]{3,}`, `\d+ ?[-+*] ?\d+`): the classes
 * met in the input are noted in the same decision, so such a pattern is not run on input that lacks one.
 *
 * A pattern that matches exactly where one of a few literals stands, between the word boundaries it names
 * (`\b(refactor|debug|optimi[sz]e)\b`, `(?i)\bsecurity review\b`: the common rule), is decided by the automaton
 * alone: found where its boundaries were checked, it matches, and re2js does not run (a pass over 2 KB costs about as
 * much as the automaton's whole scan). A sequence makes a pattern a candidate by its most telling part only, so
 * `\bword\b.*optimi[sz]e` is not looked at wherever an `e` occurs.
 *
 * Profiling showed what a decision spent its time on, and so what is avoided here: a Map lookup per character
 * (transitions are a flat table), a lower-cased copy of the input, a closure call per pattern (only candidates are
 * looked at), one regex pass per literal-free pattern, separate passes of the two automata and the class masks (one
 * loop reads each code unit once; a negative table entry says a literal ends there), sorting candidates (they are
 * bits, read in order) and allocation per decision (stamped typed arrays; garbage collection paused the timed loop).
 *
 * Plain JavaScript, imported by matcher.ts and by the match worker (server/services/routing/match-worker.mjs) alike. No side effects.
 */
import { RE2Set } from 're2js';
import { boundedInput, compilePattern, FOLD_CASE, SYNTAX_OP } from './pattern-compiler.js';

/** Above this many table cells (4 bytes each), an automaton keeps its transitions sparse instead of dense. */
export const DENSE_TABLE_LIMIT = 1 << 21;
/** Patterns per combined RE2 program: small enough that its lazy DFA keeps few threads per state. */
const PATTERNS_PER_GROUP = 64;
/** Character classes a literal-free pattern requires are tracked as bits of one 32-bit word; further ones are ignored. */
const MAX_TRACKED_CLASSES = 31;

const CHAR_CODES = 0x10000;
/** Occurrences of a literal that must stand at a word boundary checked per decision before it counts as found. */
const MAX_FAILED_BOUNDARY_CHECKS = 8;
/** Scans are numbered in Int32Array stamps; before the count would overflow them, they are cleared and it restarts. */
const MAX_STAMP = 0x3fffffff;
/** The transitions of an automaton with no literal: its root, row 0, goes back to itself. */
const ROOT_ONLY = new Int32Array(1);

/**
 * For the case-folding automaton: the code units a case-insensitive ASCII letter matches under RE2's simple case
 * folding, besides the letter itself (upper case, U+212A KELVIN SIGN for k, U+017F LONG S for s).
 */
function foldedAlternatives(unit) {
  if (unit < 0x61 || unit > 0x7a) return [];
  const alternatives = [unit - 0x20];
  if (unit === 0x6b) alternatives.push(0x212a);
  if (unit === 0x73) alternatives.push(0x17f);
  return alternatives;
}

/**
 * An Aho-Corasick automaton over UTF-16 code units that reports which of its literals occur in a text. Code units are
 * first mapped to classes (0: in no literal), so the transition table has a column per class, not per code unit;
 * the case-folding automaton maps both cases of a letter to one class. Each literal-ending node is reported once per
 * scan, so a scan is linear in the text plus the literals found.
 */
class LiteralScanner {
  /**
   * @param {readonly string[]} literals distinct, non-empty (lower case when `foldCase`)
   * @param {readonly { id: number, wordBefore: boolean, wordAfter: boolean }[][]} variants per literal, the literal
   *   ids spelled so, some to be found only at a word boundary
   * @param {boolean} foldCase
   * @param {number} denseLimit
   */
  constructor(literals, variants, foldCase, denseLimit) {
    this.variants = variants;
    this.classOf = new Int32Array(CHAR_CODES);
    let classes = 1;
    for (const literal of literals) {
      for (let i = 0; i < literal.length; i++) {
        const unit = literal.charCodeAt(i);
        if (this.classOf[unit] !== 0) continue;
        this.classOf[unit] = classes;
        if (foldCase) for (const alternative of foldedAlternatives(unit)) this.classOf[alternative] = classes;
        classes++;
      }
    }
    this.classes = classes;

    /** Trie edges while building: per node, class -> child. */
    const edges = [new Map()];
    const literalAt = [-1];
    literals.forEach((literal, i) => {
      let node = 0;
      for (let k = 0; k < literal.length; k++) {
        const cls = this.classOf[literal.charCodeAt(k)];
        let child = edges[node].get(cls);
        if (child === undefined) {
          child = edges.length;
          edges.push(new Map());
          literalAt.push(-1);
          edges[node].set(cls, child);
        }
        node = child;
      }
      literalAt[node] = i;
    });
    const nodes = edges.length;
    this.literalAt = Int32Array.from(literalAt);
    this.fail = new Int32Array(nodes);
    /** The nearest node on the failure chain (itself included) where a literal ends, or -1. */
    this.output = new Int32Array(nodes).fill(-1);
    this.dense = nodes * classes <= denseLimit ? new Int32Array(nodes * classes) : null;
    this.edges = this.dense ? null : edges;
    // Breadth first, so a node's failure target (shallower) is complete before the node.
    const queue = [0];
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head];
      this.output[node] = this.literalAt[node] !== -1 ? node : node === 0 ? -1 : this.output[this.fail[node]];
      if (this.dense) {
        // A full transition table: missing edges take the failure node's transition, computed already.
        const row = node * classes;
        const failRow = this.fail[node] * classes;
        for (let cls = 1; cls < classes; cls++) {
          const child = edges[node].get(cls);
          if (child === undefined) this.dense[row + cls] = node === 0 ? 0 : this.dense[failRow + cls];
          else {
            this.dense[row + cls] = child;
            this.fail[child] = node === 0 ? 0 : this.dense[failRow + cls];
            queue.push(child);
          }
        }
      } else {
        for (const [cls, child] of edges[node]) {
          this.fail[child] = node === 0 ? 0 : this.sparseStep(this.fail[node], cls);
          queue.push(child);
        }
      }
    }
    /**
     * The dense table as the pattern set's scan loop walks it: per cell the child's row (node times classes), bitwise
     * negated when a literal ends at the child or on its failure chain, so one load per character tells both.
     */
    this.steps = null;
    if (this.dense) {
      this.steps = new Int32Array(this.dense.length);
      for (let cell = 0; cell < this.dense.length; cell++) {
        const child = this.dense[cell];
        this.steps[cell] = this.output[child] === -1 ? child * classes : ~(child * classes);
      }
      this.dense = null;
    }
    /** The scan a node was last reported in: its chain of literals is then already recorded. */
    this.reportedInScan = new Int32Array(nodes);
    this.scan = 0;
    /**
     * Per literal-ending node, whether it or a node on its chain has a literal to be found at a word boundary only:
     * such a literal found nowhere yet may pass at any later occurrence, so a walk cannot stop at a reported node.
     */
    this.boundaryOnChain = new Uint8Array(nodes);
    /** Per node, how many occurrences failed their word-boundary check in the scan `failedChecksIn` names. */
    this.failedChecks = new Int32Array(nodes);
    this.failedChecksIn = new Int32Array(nodes);
    for (const node of queue) {
      if (this.literalAt[node] === -1) continue;
      const below = this.output[this.fail[node]];
      const here = variants[this.literalAt[node]].some((v) => v.wordBefore || v.wordAfter);
      this.boundaryOnChain[node] = here || (node !== 0 && below !== -1 && this.boundaryOnChain[below] === 1) ? 1 : 0;
    }
  }

  sparseStep(node, cls) {
    for (;;) {
      const child = this.edges[node].get(cls);
      if (child !== undefined) return child;
      if (node === 0) return 0;
      node = this.fail[node];
    }
  }

  /** Starts a scan: the number its reports are stamped with. */
  nextScan() {
    if (this.scan === MAX_STAMP) {
      this.reportedInScan.fill(0);
      this.failedChecksIn.fill(0);
      this.scan = 0;
    }
    return ++this.scan;
  }

  /**
   * Calls `found(literalId, checked)` for each literal that occurs in `text` (at a word boundary when it must), once
   * (the sparse automaton's scan; the dense ones run in the pattern set's own loop).
   * @param {string} text
   * @param {Int32Array} foundIn literal id -> the decision it was last found in
   * @param {number} decision
   * @param {(literalId: number, checked: boolean) => void} found marks foundIn
   */
  findIn(text, foundIn, decision, found) {
    const scan = this.nextScan();
    const { classOf, output } = this;
    const length = text.length;
    let node = 0;
    for (let i = 0; i < length; i++) {
      const cls = classOf[text.charCodeAt(i)];
      node = cls === 0 ? 0 : this.sparseStep(node, cls);
      if (output[node] !== -1) this.report(node, i, text, scan, foundIn, decision, found);
    }
  }

  /**
   * Reports the literals ending at `node`, found at text[.., i], and on its failure chain. `checked` tells `found`
   * whether the literal's word boundaries were checked there (false once a node gave up checking, see below).
   * @param {number} node
   * @param {number} i
   * @param {string} text
   * @param {number} scan
   * @param {Int32Array} foundIn
   * @param {number} decision
   * @param {(literalId: number, checked: boolean) => void} found
   */
  report(node, i, text, scan, foundIn, decision, found) {
    const { output, fail, literalAt, reportedInScan, variants, boundaryOnChain, failedChecks, failedChecksIn } = this;
    const length = text.length;
    for (let at = output[node]; at !== -1; at = output[fail[at]]) {
      if (reportedInScan[at] === scan) {
        if (boundaryOnChain[at] === 0) break; // its whole chain is reported already
        continue;
      }
      if (failedChecksIn[at] !== scan) {
        failedChecksIn[at] = scan;
        failedChecks[at] = 0;
      }
      // Past a few failed checks of a node, its literals count as found: the prefilter may let a rule through that
      // cannot match, never the reverse, and an input made of near misses costs no more than a few checks a node.
      const giveUp = failedChecks[at] >= MAX_FAILED_BOUNDARY_CHECKS;
      let complete = true;
      const spelled = variants[literalAt[at]];
      for (let v = 0; v < spelled.length; v++) {
        const { id, wordBefore, wordAfter, length: literalLength } = spelled[v];
        if (foundIn[id] === decision) continue;
        // One call of `found` below, not one per case: a call first reached on a hostile input would otherwise make
        // V8 drop this function's optimized code in the middle of a 32 KiB scan.
        let checked = true;
        if ((wordBefore || wordAfter) && giveUp) checked = false;
        else if (wordBefore || wordAfter) {
          const start = i + 1 - literalLength;
          if (
            (wordBefore && start > 0 && isWordUnit(text.charCodeAt(start - 1))) ||
            (wordAfter && i + 1 < length && isWordUnit(text.charCodeAt(i + 1)))
          ) {
            complete = false;
            continue;
          }
        }
        found(id, checked);
      }
      if (complete) reportedInScan[at] = scan;
      else failedChecks[at]++;
    }
  }
}

/**
 * Per UTF-16 code unit, the bits of the classes it belongs to. A class reaching beyond U+FFFF also claims every high
 * surrogate: noting more classes than the input holds only runs a pattern that could have been skipped.
 * @param {readonly (readonly number[])[]} classRanges
 */
function classMasks(classRanges) {
  const masks = new Int32Array(CHAR_CODES);
  classRanges.forEach((ranges, i) => {
    const bit = 1 << i;
    for (let k = 0; k < ranges.length; k += 2) {
      const [lo, hi] = [ranges[k], ranges[k + 1]];
      for (let unit = lo; unit <= Math.min(hi, CHAR_CODES - 1); unit++) masks[unit] |= bit;
      if (hi >= CHAR_CODES) for (let unit = 0xd800; unit <= 0xdbff; unit++) masks[unit] |= bit;
    }
  });
  return masks;
}

/** The bits of the classes the text holds a character of, stopping once all are met. */
function classesIn(text, masks, all) {
  let met = 0;
  for (let i = 0; i < text.length && met !== all; i++) met |= masks[text.charCodeAt(i)];
  return met;
}

const isWordUnit = (unit) => (unit >= 48 && unit <= 57) || (unit >= 65 && unit <= 90) || (unit >= 97 && unit <= 122) || unit === 95;

/** A test of which literals were found (`foundIn[id] === scan`), numbering literals through `literalId`. */
function conditionOver(required, literalId) {
  if ('literal' in required) {
    const id = literalId(required);
    return (foundIn, scan) => foundIn[id] === scan;
  }
  const tests = ('allOf' in required ? required.allOf : required.anyOf).map((part) => conditionOver(part, literalId));
  return 'allOf' in required
    ? (foundIn, scan) => tests.every((test) => test(foundIn, scan))
    : (foundIn, scan) => tests.some((test) => test(foundIn, scan));
}

/** Whether any one literal of the condition suffices: a pattern that became a candidate by a literal then passes. */
function anyLiteralSuffices(required) {
  return 'literal' in required || ('anyOf' in required && required.anyOf.every(anyLiteralSuffices));
}

/** The fewest characters of literal text any input the condition accepts must hold. */
function guaranteedLength(required) {
  if ('literal' in required) return required.literal.length;
  const lengths = ('allOf' in required ? required.allOf : required.anyOf).map(guaranteedLength);
  return 'allOf' in required ? lengths.reduce((sum, length) => sum + length, 0) : Math.min(...lengths);
}

/** The length of the longest literal of the condition. */
function longestLiteral(required) {
  if ('literal' in required) return required.literal.length;
  return Math.max(...('allOf' in required ? required.allOf : required.anyOf).map(longestLiteral));
}

/**
 * The condition without the single characters a sequence also requires longer literals beside (`[sz]e` in
 * `\bword\b.*optimi[sz]e`): nearly every input holds an `e`, so checking it costs a report per occurrence and tells
 * nothing. Dropping a part of a sequence only weakens the condition: a pattern may be run that could have been
 * skipped, never the reverse.
 */
function withoutSingleCharacters(required) {
  if ('literal' in required) return required;
  if ('anyOf' in required) return { anyOf: required.anyOf.map(withoutSingleCharacters) };
  const parts = required.allOf.map(withoutSingleCharacters);
  const telling = parts.filter((part) => guaranteedLength(part) > 1);
  if (telling.length === 0 || telling.length === parts.length) return { allOf: parts };
  return telling.length === 1 ? telling[0] : { allOf: telling };
}

/**
 * The literals whose occurrence makes a pattern a candidate: for a sequence, those of its most telling part alone (a
 * match requires every part, so that part's literals occur whenever the whole condition holds); for an alternation,
 * those of every branch.
 */
function triggerLiterals(required, into = []) {
  if ('literal' in required) into.push(required);
  else if ('anyOf' in required) for (const part of required.anyOf) triggerLiterals(part, into);
  else {
    const lengths = required.allOf.map(guaranteedLength);
    triggerLiterals(required.allOf[lengths.indexOf(Math.max(...lengths))], into);
  }
  return into;
}

/** At most this many strings are spelled out for a pattern the literal automaton decides alone. */
const MAX_DECIDING_STRINGS = 64;
const { LITERAL, CHAR_CLASS, EMPTY_MATCH, WORD_BOUNDARY, CAPTURE, QUEST, CONCAT, ALTERNATE } = SYNTAX_OP;

/**
 * The strings a syntax tree matches when it matches only finitely many, few strings spelled with one case rule:
 * `{ strings, folded }` (`folded`: matched ignoring ASCII case, strings in lower case; null while no letter said), or
 * null. Conservative: anything else (a repetition, a class of more than a few characters, a non-ASCII letter matched
 * ignoring case, mixed case rules) gives null.
 * @param {import('./types.js').PatternSyntaxNode} node
 * @returns {{ strings: string[], folded: boolean | null } | null}
 */
function spelledStrings(node) {
  switch (node.op) {
    case EMPTY_MATCH:
      return { strings: [''], folded: null };
    case LITERAL: {
      const codePoints = Array.from(node.runes);
      if (codePoints.some((codePoint) => codePoint === 0xfffd || (codePoint >= 0xd800 && codePoint <= 0xdfff))) return null;
      const text = String.fromCodePoint(...codePoints);
      if ((node.flags & FOLD_CASE) === 0) return { strings: [text], folded: false };
      return codePoints.every((codePoint) => codePoint < 0x80) ? { strings: [text.toLowerCase()], folded: true } : null;
    }
    case CHAR_CLASS: {
      const ranges = Array.from(node.runes);
      const characters = [];
      for (let k = 0; k < ranges.length; k += 2) {
        if (ranges[k + 1] >= 0x80 || ranges[k + 1] - ranges[k] >= 8) return null;
        for (let unit = ranges[k]; unit <= ranges[k + 1]; unit++) characters.push(String.fromCharCode(unit));
      }
      return characters.length > 0 && characters.length <= 8 ? { strings: characters, folded: false } : null;
    }
    case CAPTURE:
      return spelledStrings(node.subs[0]);
    case QUEST: {
      const sub = spelledStrings(node.subs[0]);
      return sub === null ? null : { strings: [...sub.strings, ''], folded: sub.folded };
    }
    case ALTERNATE:
    case CONCAT: {
      let result = { strings: node.op === ALTERNATE ? [] : [''], folded: null };
      for (const sub of node.subs) {
        const part = spelledStrings(sub);
        if (part === null) return null;
        const folded = result.folded ?? part.folded;
        if (part.folded !== null && part.folded !== folded) return null;
        const strings =
          node.op === ALTERNATE
            ? [...result.strings, ...part.strings]
            : result.strings.flatMap((before) => part.strings.map((after) => before + after));
        if (strings.length > MAX_DECIDING_STRINGS) return null;
        result = { strings, folded };
      }
      return { strings: [...new Set(result.strings)], folded: result.folded };
    }
    default:
      return null;
  }
}

/**
 * When a pattern matches exactly where one of a few literals occurs, at a word boundary where the pattern puts `\b`
 * (`\b(refactor|debug|optimi[sz]e)\b`, `(?i)\bfix the bug\b`, `timeout`), those literals, flagged like
 * requiredLiterals' (`wordBefore`, `wordAfter`); else null. The literal automaton then decides such a pattern alone,
 * without running it. Conservative, from the syntax tree: `\b`, then strings spelled out, then `\b`, each `\b`
 * optional; a `\b` is only accepted next to a word character the automaton checks as RE2 does: an ASCII letter,
 * digit or `_`, and not a `k` or `s` matched ignoring case (RE2 folds them to U+212A and U+017F, which are not word
 * characters).
 * @param {import('./types.js').PatternSyntaxNode} tree
 * @returns {import('./types.js').RequiredLiterals[] | null}
 */
function decidingLiterals(tree) {
  const subs = tree.op === CONCAT ? tree.subs : [tree];
  const boundaryBefore = subs.length > 1 && subs[0].op === WORD_BOUNDARY;
  const boundaryAfter = subs.length > 1 && subs[subs.length - 1].op === WORD_BOUNDARY;
  const middle = subs.slice(boundaryBefore ? 1 : 0, boundaryAfter ? -1 : undefined);
  if (middle.length === 0) return null;
  const spelled = spelledStrings(middle.length === 1 ? middle[0] : { op: CONCAT, subs: middle });
  if (spelled === null || spelled.strings.includes('')) return null;
  const caseInsensitive = spelled.folded === true;
  const checkable = (unit) => isWordUnit(unit) && !(caseInsensitive && (unit === 0x6b || unit === 0x73));
  const literals = [];
  for (const literal of spelled.strings) {
    if (boundaryBefore && !checkable(literal.charCodeAt(0))) return null;
    if (boundaryAfter && !checkable(literal.charCodeAt(literal.length - 1))) return null;
    literals.push({
      literal,
      ...(caseInsensitive ? { caseInsensitive: true } : {}),
      ...(boundaryBefore ? { wordBefore: true } : {}),
      ...(boundaryAfter ? { wordAfter: true } : {}),
    });
  }
  return literals;
}

/**
 * Compiles patterns given in evaluation order. Patterns that do not compile are left out and listed with their
 * index and the reason, never thrown.
 * @param {readonly string[]} patterns
 * @param {{ denseTableLimit?: number }} [options] for tests: force the sparse automaton
 * @returns {import('./types.js').CompiledPatternSet}
 */
export function compilePatternSet(patterns, { denseTableLimit = DENSE_TABLE_LIMIT } = {}) {
  const unusable = [];
  /** @type {(import('./types.js').CompiledPattern | null)[]} */
  const compiled = [];
  /** Usable patterns, in evaluation order. */
  const usable = [];
  /** "exact|folded  before after  literal" -> literal id */
  const literalIds = new Map();
  /** Per automaton (exact, folded): its distinct strings, and for each the ids of the literals spelled so. */
  const searched = [
    { strings: new Map(), variants: [] },
    { strings: new Map(), variants: [] },
  ];
  /** literal id -> positions in `usable` of the patterns it makes candidates */
  const patternsOfLiteral = [];
  const literalId = ({ literal, caseInsensitive = false, wordBefore = false, wordAfter = false }) => {
    const key = `${Number(caseInsensitive)}${Number(wordBefore)}${Number(wordAfter)}${literal}`;
    let id = literalIds.get(key);
    if (id === undefined) {
      id = literalIds.size;
      literalIds.set(key, id);
      patternsOfLiteral.push([]);
      const { strings, variants } = searched[Number(caseInsensitive)];
      let string = strings.get(literal);
      if (string === undefined) {
        string = variants.length;
        strings.set(literal, string);
        variants.push([]);
      }
      variants[string].push({ id, wordBefore, wordAfter, length: literal.length });
    }
    return id;
  };
  /** Character class (its ranges, joined) -> its bit in the classes-met word. */
  const classBits = new Map();
  const classRanges = [];
  const classBit = (ranges) => {
    const key = ranges.join(',');
    let bit = classBits.get(key);
    if (bit === undefined) {
      bit = classRanges.length < MAX_TRACKED_CLASSES ? 1 << classRanges.length : 0;
      classBits.set(key, bit);
      if (bit !== 0) classRanges.push(ranges);
    }
    return bit;
  };
  /** Positions in `usable` of the patterns that require no literal but single characters, and may start anywhere. */
  const groupable = [];
  patterns.forEach((pattern, index) => {
    const compilation = compilePattern(pattern);
    if (!compilation.ok) {
      unusable.push({ index, reason: compilation.reason });
      compiled.push(null);
      return;
    }
    compiled.push(compilation.compiled);
    const { requiredLiterals, requiredClasses, test, source, anchoredAtStart, syntaxTree } = compilation.compiled;
    const position = usable.length;
    // Weak: the condition holds on a single character, or asks for single characters only (`\d{3}-\d{4}`).
    const weak = requiredLiterals === null || guaranteedLength(requiredLiterals) <= 1 || longestLiteral(requiredLiterals) <= 1;
    const needsClasses = weak ? requiredClasses.reduce((bits, ranges) => bits | classBit(ranges), 0) : 0;
    const deciding = weak || anchoredAtStart ? null : decidingLiterals(syntaxTree);
    /** @type {{ index: number, test: (input: string) => boolean, source: string, condition: ((foundIn: Int32Array, scan: number) => boolean) | null, needsClasses: number, group: number, literalFree: boolean, deciding: Int32Array | null }} */
    const entry = {
      index,
      test,
      source,
      condition: null,
      needsClasses,
      group: -1,
      literalFree: requiredLiterals === null,
      deciding: null,
    };
    usable.push(entry);
    if (weak && !anchoredAtStart) groupable.push(position);
    if (requiredLiterals === null) return;
    const required = deciding === null ? withoutSingleCharacters(requiredLiterals) : { anyOf: deciding };
    if (deciding !== null) entry.deciding = Int32Array.from(deciding, literalId);
    entry.condition = anyLiteralSuffices(required) ? null : conditionOver(required, literalId);
    for (const literal of triggerLiterals(required)) {
      const named = patternsOfLiteral[literalId(literal)];
      if (named.at(-1) !== position) named.push(position);
    }
  });

  // Groupable patterns, in order, PATTERNS_PER_GROUP to a combined program (a lone one is run as it is).
  const groups = [];
  for (let start = 0; groupable.length > 1 && start < groupable.length; start += PATTERNS_PER_GROUP) {
    const members = groupable.slice(start, start + PATTERNS_PER_GROUP);
    const set = new RE2Set();
    for (const position of members) {
      usable[position].group = groups.length;
      set.add(usable[position].source);
    }
    set.compile();
    groups.push({ set, members });
  }

  // Candidates are bits of a word per 32 positions, read in order: no sorting. Literal-free patterns are always set.
  const words = (usable.length + 31) >>> 5;
  const literalFreeBits = new Int32Array(words);
  usable.forEach((entry, position) => {
    if (entry.literalFree) literalFreeBits[position >>> 5] |= 1 << (position & 31);
  });
  const candidateBits = new Int32Array(words);

  const classesOf = classRanges.length > 0 ? classMasks(classRanges) : null;
  const allClasses = (2 ** classRanges.length - 1) | 0;
  /** The classes met in the current decision's input. */
  let classesMet = 0;

  const literalCount = literalIds.size;
  const scanners = searched.map(({ strings, variants }, folded) =>
    strings.size === 0 ? null : new LiteralScanner([...strings.keys()], variants, folded === 1, denseTableLimit),
  );
  const [exact, folded] = scanners;
  /** Stands for an absent automaton or class set in the one loop: every code unit in class 0, which stays at the root. */
  const noClasses = exact === null || folded === null || classesOf === null ? new Int32Array(CHAR_CODES) : null;
  /** Both automata (those there are) dense: walked together with the class masks in one loop. */
  const oneLoop = scanners.every((scanner) => scanner === null || scanner.steps !== null);

  // Per decision state, reused: stamps instead of clearing, so a decision allocates nothing in proportion to the set.
  let scan = 0;
  /** literal id -> the scan it was last found in */
  const literalFoundIn = new Int32Array(literalCount);
  /** literal id -> the scan it was last found in with its word boundaries checked */
  const literalCheckedIn = new Int32Array(literalCount);
  /** position -> the scan its group's program last found it matching in */
  const groupMatchedIn = new Int32Array(usable.length);
  /** group -> the scan its program last ran in */
  const groupRanIn = new Int32Array(groups.length);

  /** @param {number} id @param {boolean} checked */
  const literalFound = (id, checked) => {
    if (checked) literalCheckedIn[id] = scan;
    if (literalFoundIn[id] === scan) return;
    literalFoundIn[id] = scan;
    const named = patternsOfLiteral[id];
    for (let k = 0; k < named.length; k++) candidateBits[named[k] >>> 5] |= 1 << (named[k] & 31);
  };

  /** The dense automata and the class masks over the text in one loop: one read of each code unit. */
  function scanOnce(text) {
    const exactScan = exact === null ? 0 : exact.nextScan();
    const foldedScan = folded === null ? 0 : folded.nextScan();
    const exactClasses = exact === null ? noClasses : exact.classOf;
    const foldedClasses = folded === null ? noClasses : folded.classOf;
    const exactSteps = exact === null ? ROOT_ONLY : exact.steps;
    const foldedSteps = folded === null ? ROOT_ONLY : folded.steps;
    const masks = classesOf ?? noClasses;
    const length = text.length;
    let met = 0;
    let exactRow = 0;
    let foldedRow = 0;
    for (let i = 0; i < length; i++) {
      const unit = text.charCodeAt(i);
      met |= masks[unit];
      exactRow = exactSteps[exactRow + exactClasses[unit]];
      foldedRow = foldedSteps[foldedRow + foldedClasses[unit]];
      if ((exactRow | foldedRow) >= 0) continue;
      // A literal ends here. One call site for both automata, reached on ordinary input already, so that a hostile
      // input does not reach a call V8 has no feedback for (it would drop the loop's optimized code).
      for (let k = 0; k < 2; k++) {
        const row = k === 0 ? exactRow : foldedRow;
        if (row >= 0) continue;
        const scanner = k === 0 ? exact : folded;
        scanner.report(~row / scanner.classes, i, text, k === 0 ? exactScan : foldedScan, literalFoundIn, scan, literalFound);
      }
      if (exactRow < 0) exactRow = ~exactRow;
      if (foldedRow < 0) foldedRow = ~foldedRow;
    }
    return met & allClasses;
  }

  /** Finds the candidates of an input into candidateBits. */
  function findCandidates(bounded) {
    if (scan === MAX_STAMP) {
      for (const stamps of [literalFoundIn, literalCheckedIn, groupMatchedIn, groupRanIn]) stamps.fill(0);
      scan = 0;
    }
    scan++;
    candidateBits.set(literalFreeBits);
    if (oneLoop) classesMet = scanOnce(bounded);
    else {
      for (const scanner of scanners) if (scanner !== null) scanner.findIn(bounded, literalFoundIn, scan, literalFound);
      if (classesOf !== null) classesMet = classesIn(bounded, classesOf, allClasses);
    }
  }

  /** Whether the candidate at `position` matches: its condition holds, and its regex (or its group's) matches. */
  function candidateMatches(position, bounded) {
    const entry = usable[position];
    if (entry.deciding !== null) {
      // Found where its word boundaries were checked: a match, no regex needed. Found only past the automaton's
      // checks (it gives up on a literal after a few failed ones): the regex decides.
      const deciding = entry.deciding;
      for (let k = 0; k < deciding.length; k++) if (literalCheckedIn[deciding[k]] === scan) return true;
      return entry.test(bounded);
    }
    if (entry.condition !== null && !entry.condition(literalFoundIn, scan)) return false;
    if ((entry.needsClasses & classesMet) !== entry.needsClasses) return false;
    if (entry.group === -1) return entry.test(bounded);
    if (groupRanIn[entry.group] !== scan) {
      groupRanIn[entry.group] = scan;
      const { set, members } = groups[entry.group];
      for (const member of set.match(bounded)) groupMatchedIn[members[member]] = scan;
    }
    return groupMatchedIn[position] === scan;
  }

  /** Every pattern flagged: allMatchIndexes collects them all. */
  const collectEvery = new Uint8Array(patterns.length).fill(1);
  return {
    unusable,
    compiled,
    /** Index of the first pattern that matches the input (its first MATCHED_INPUT_CHARS characters), or -1. */
    firstMatchIndex(input) {
      const bounded = boundedInput(input);
      findCandidates(bounded);
      for (let w = 0; w < words; w++) {
        for (let bits = candidateBits[w]; bits !== 0;) {
          const lowest = bits & -bits;
          bits ^= lowest;
          const position = (w << 5) + 31 - Math.clz32(lowest);
          if (candidateMatches(position, bounded)) return usable[position].index;
        }
      }
      return -1;
    },
    /**
     * In one pass: the first matching pattern among those not flagged in `collect` (-1 when none), and every matching
     * pattern among those flagged, in order (for shadow rules: counted whenever they match, never deciding).
     * @param {string} input
     * @param {ArrayLike<unknown>} collect indexed like the patterns given; truthy flags a pattern
     */
    firstMatchAndCollected(input, collect) {
      const bounded = boundedInput(input);
      findCandidates(bounded);
      let first = -1;
      const collected = [];
      for (let w = 0; w < words; w++) {
        for (let bits = candidateBits[w]; bits !== 0;) {
          const lowest = bits & -bits;
          bits ^= lowest;
          const position = (w << 5) + 31 - Math.clz32(lowest);
          const { index } = usable[position];
          const collecting = Boolean(collect[index]);
          if (first !== -1 && !collecting) continue;
          if (!candidateMatches(position, bounded)) continue;
          if (collecting) collected.push(index);
          else first = index;
        }
      }
      return { first, collected };
    },
    /** Indexes, in order, of every pattern that matches the input. */
    allMatchIndexes(input) {
      return this.firstMatchAndCollected(input, collectEvery).collected;
    },
  };
}
