/**
 * Example inputs a pattern matches ("witnesses"), for the rule checks: they stand in for traffic a rule would see when
 * the decision samples hold too little of it.
 *
 * Built from re2js's syntax tree (a few strings per node: optional parts left out and put in, a few characters of
 * each class, each branch of an alternation) and from the literals the pattern requires, each put bare and inside
 * surrounding prose. Only strings the compiled pattern really matches are kept, so a witness is never wrong, only
 * possibly unrepresentative. Pure and bounded: no database, a capped number of short strings.
 */
import { FOLD_CASE, SYNTAX_OP, type PatternSyntaxNode, type RequiredLiterals } from './pattern-compiler.mjs';
import type { CompiledPattern } from './matcher';

/** Strings kept per syntax node: enough to vary each part, few enough that combining parts stays cheap. */
const VARIANTS_PER_NODE = 4;
/** A witness longer than this is not built (a counted repetition of a long part). */
const MAX_WITNESS_CHARS = 2_000;
export const DEFAULT_MAX_WITNESSES = 16;

/** Characters tried first when picking members of a class: readable, and varied in kind (letter, digit, space, punctuation). */
const PREFERRED_CHARACTERS = ['a', 'Z', '7', ' ', '-', '.', 'é', '\n', '_', '!'].map((c) => c.codePointAt(0)!);

const surrogate = (codePoint: number) => codePoint >= 0xd800 && codePoint <= 0xdfff;

function classMembers(ranges: Int32Array): number[] {
  const inClass = (codePoint: number) => {
    for (let i = 0; i + 1 < ranges.length; i += 2) if (codePoint >= ranges[i]! && codePoint <= ranges[i + 1]!) return true;
    return false;
  };
  const members = PREFERRED_CHARACTERS.filter(inClass);
  for (let i = 0; i + 1 < ranges.length && members.length < VARIANTS_PER_NODE; i += 2) {
    for (const codePoint of [ranges[i]!, ranges[i + 1]!]) {
      if (!surrogate(codePoint) && codePoint <= 0x10ffff && !members.includes(codePoint)) members.push(codePoint);
    }
  }
  return members.slice(0, VARIANTS_PER_NODE);
}

/** Up to `limit` distinct strings, the i-th of each list joined: every variant of every part appears at least once. */
function joinVariants(parts: readonly (readonly string[])[], limit: number): string[] {
  if (parts.some((variants) => variants.length === 0)) return [];
  const rounds = Math.min(limit, Math.max(1, ...parts.map((variants) => variants.length)));
  const joined = new Set<string>();
  for (let round = 0; round < rounds; round++) {
    const text = parts.map((variants) => variants[round % variants.length]!).join('');
    if (text.length <= MAX_WITNESS_CHARS) joined.add(text);
  }
  return [...joined];
}

const distinct = (strings: readonly string[], limit: number) => [...new Set(strings)].slice(0, limit);

/** Strings matched by the node on its own (anchors and boundaries contribute nothing: the full pattern is checked later). */
function variantsOf(node: PatternSyntaxNode): string[] {
  switch (node.op) {
    case SYNTAX_OP.NO_MATCH:
      return [];
    case SYNTAX_OP.LITERAL: {
      const text = String.fromCodePoint(...node.runes);
      return (node.flags & FOLD_CASE) === 0 ? [text] : distinct([text.toLowerCase(), text], VARIANTS_PER_NODE);
    }
    case SYNTAX_OP.CHAR_CLASS:
      return classMembers(node.runes).map((codePoint) => String.fromCodePoint(codePoint));
    case SYNTAX_OP.ANY_CHAR_NOT_NL:
      return ['x', ' ', '7'];
    case SYNTAX_OP.ANY_CHAR:
      return ['x', ' ', '\n'];
    case SYNTAX_OP.CAPTURE:
      return variantsOf(node.subs[0]!);
    case SYNTAX_OP.STAR:
    case SYNTAX_OP.QUEST:
      return distinct(['', ...variantsOf(node.subs[0]!)], VARIANTS_PER_NODE);
    case SYNTAX_OP.PLUS:
      return variantsOf(node.subs[0]!);
    case SYNTAX_OP.REPEAT: {
      const times = Math.max(node.min, 1);
      const once = variantsOf(node.subs[0]!);
      const repeated = once.map((variant) => variant.repeat(times)).filter((text) => text.length <= MAX_WITNESS_CHARS);
      return node.min === 0 ? distinct(['', ...repeated], VARIANTS_PER_NODE) : repeated;
    }
    case SYNTAX_OP.CONCAT:
      return joinVariants(node.subs.map(variantsOf), VARIANTS_PER_NODE);
    case SYNTAX_OP.ALTERNATE: {
      // Round-robin over the branches, so that every branch is represented before any gets a second string.
      const branches = node.subs.map(variantsOf);
      const picked: string[] = [];
      for (let round = 0; picked.length < VARIANTS_PER_NODE * 2 && branches.some((b) => b.length > round); round++) {
        for (const branch of branches) if (round < branch.length) picked.push(branch[round]!);
      }
      return distinct(picked, VARIANTS_PER_NODE * 2);
    }
    default: // empty match, anchors, word boundaries
      return [''];
  }
}

/** Strings holding the required literals: each way of satisfying the condition, its parts separated by spaces. */
function literalVariants(required: RequiredLiterals, limit: number): string[] {
  if ('literal' in required) return [required.literal];
  if ('anyOf' in required)
    return distinct(
      required.anyOf.flatMap((part) => literalVariants(part, limit)),
      limit,
    );
  const parts = required.allOf.flatMap((part, i) => (i === 0 ? [] : [[' ']]).concat([literalVariants(part, limit)]));
  return joinVariants(parts, limit);
}

/** Prose around a core string: a rule usually meets its words inside a request, not alone. */
const CONTEXTS: readonly ((core: string) => string)[] = [
  (core) => core,
  (core) => `Please ${core} and explain the result.`,
  (core) => `${core}\nThanks!`,
  (core) => `Context: the service returns 500 errors. Task: ${core}`,
];

/** Witnesses by pattern and cap: checks run again on every save and keystroke over mostly the same rules. */
const cache = new Map<string, readonly string[]>();
const CACHED_PATTERNS = 5_000;

/**
 * Up to `limit` distinct inputs that the compiled pattern matches, built from its syntax tree and its required
 * literals; none when nothing built matches.
 */
export function witnessesOf(compiled: CompiledPattern, limit = DEFAULT_MAX_WITNESSES): readonly string[] {
  const key = `${limit}:${compiled.pattern}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const cores = distinct(
    [
      ...variantsOf(compiled.syntaxTree),
      ...(compiled.requiredLiterals ? literalVariants(compiled.requiredLiterals, VARIANTS_PER_NODE) : []),
    ],
    VARIANTS_PER_NODE * 2,
  );
  const witnesses = new Set<string>();
  // Context by context, so that the first witnesses are the bare cores.
  build: for (const context of CONTEXTS) {
    for (const core of cores) {
      if (witnesses.size >= limit) break build;
      const candidate = context(core);
      if (!witnesses.has(candidate) && compiled.test(candidate)) witnesses.add(candidate);
    }
  }
  if (cache.size >= CACHED_PATTERNS) cache.delete(cache.keys().next().value!);
  const built = [...witnesses];
  cache.set(key, built);
  return built;
}
