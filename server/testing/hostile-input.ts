// Hostile inputs for any tool, derived from its zod input schema and its valid example: the example mutated by
// fast-check (wrong types, missing and extra fields, huge and deeply nested JSON, numbers JSON cannot hold, invalid
// dates and regular expressions, text PostgreSQL cannot store), then written out as bytes for a JSON body and as a
// query string, so every face can be sent exactly the same thing. Used by server/test/hostile-input.test.ts.
import fc from 'fast-check';
import { z } from 'zod';
import type { AnyTool } from '../tools/define';

/** JSON text that JSON.stringify cannot produce (`1e400`, `-0`, 40-digit integers, nesting 100,000 deep), spliced in as written. */
export class RawJson {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text.length > 60 ? `raw ${this.text.slice(0, 40)}… (${this.text.length} chars)` : `raw ${this.text}`;
  }
}

export interface HostileCase {
  /** What was done to the example, in order: the counterexample fast-check reports. */
  steps: string[];
  /** Top-level fields a step touched; empty when the input as a whole was replaced or the JSON text broken. */
  fields: string[];
  /** Fields the case made bad whatever else happens: a refusal must name each one (the fixed cases). */
  mustName: string[];
  /** The same for the query string, where some damage cannot travel (a lone surrogate arrives as U+FFFD, JSON as text). */
  queryMustName: string[];
  /**
   * A batch's item (list, index) poisoned the known ways, alone in the input: whether the call is refused or the item
   * rejected one by one, a refusal or rejection names it and nothing is written.
   */
  poisonedItem?: [string, number];
  /** Top-level keys the schema does not know: whatever else the input holds, it must be refused. */
  unknownFields: string[];
  /** The input as a JSON body (not always valid JSON, not always valid UTF-8). */
  body: Uint8Array<ArrayBuffer>;
  /** The input as a GET query string, without the `?` (made when asked: percent-encoding megabytes takes a while). */
  query: () => string;
}

type Path = (string | number)[];

interface PropertyShape {
  type: string[];
  enum?: unknown[];
  format?: string;
}

interface ToolShape {
  properties: Map<string, PropertyShape>;
  required: string[];
}

function typesOf(schema: Record<string, any>): string[] {
  if (typeof schema.type === 'string') return [schema.type];
  if (Array.isArray(schema.type)) return schema.type;
  return [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].flatMap((alternative: Record<string, any>) => typesOf(alternative));
}

/** Each top-level field's JSON types (and enum, format), read from the JSON Schema MCP and OpenAPI publish. */
export function toolShape(tool: AnyTool): ToolShape {
  const schema = z.toJSONSchema(tool.input, { io: 'input', unrepresentable: 'any' }) as Record<string, any>;
  const properties = new Map<string, PropertyShape>(
    Object.entries((schema.properties ?? {}) as Record<string, Record<string, any>>).map(([key, property]) => [
      key,
      { type: typesOf(property), enum: property.enum, format: property.format },
    ]),
  );
  return { properties, required: schema.required ?? [] };
}

// ---- values -------------------------------------------------------------------------------------------------

const LONE_SURROGATES = ['\uD800', '\uDBFF', '\uDC00', '\uDFFF'];

/** Characters from the whole range, with U+0000, lone surrogates and other troublemakers over-represented. */
const hostileChar = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.constantFrom('\u0000', ...LONE_SURROGATES) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('\uFEFF', '\u202E', '\uFFFE', '\uFFFF', '\u2028', '\u007F', '\\', '"', '%', '%00', '\n', '🚀', 'é', 'Ω'),
  },
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
);

/**
 * Text that is valid input but means something to what handles it: SQL and LIKE metacharacters, JSON paths, words
 * a parser might take for a value, case-folding that changes length, lengths at the schemas' bounds.
 */
const TRICKY_TEXT = [
  '%',
  '_',
  '\\',
  'a\\',
  '\\%',
  "'",
  "''",
  '"',
  "' OR '1'='1",
  "x'); DROP TABLE bug_patterns; --",
  '{a,b}',
  '$.a',
  'a.b',
  '->>',
  '::text',
  '$1',
  '?',
  '*',
  'NULL',
  'null',
  'undefined',
  'NaN',
  'true',
  '0',
  '-1',
  '\\u0000',
  '\t',
  '\u00A0',
  '\u200B',
  'İ',
  'ß',
  'ﬀ',
  'İ'.repeat(100),
  '🚀'.repeat(50),
  ...[99, 100, 101, 199, 200, 201, 254, 255, 256, 1_000, 1_001].map((length) => 'a'.repeat(length)),
  ` ${'a'.repeat(100)} `,
];

const hostileText = fc.oneof(fc.string({ unit: hostileChar, maxLength: 40 }), fc.constantFrom(...TRICKY_TEXT));

const HUGE_LENGTHS = [101, 201, 256, 1_001, 5_001, 10_001, 32_769, 200_001, 1_000_001, 1_100_000];
const hugeText = fc
  .tuple(fc.constantFrom(...HUGE_LENGTHS), fc.constantFrom('x', 'é', '🚀', ' ', '\u0000'))
  .map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length)));

const NUMBERS = [
  0,
  -0,
  -1,
  1.5,
  0.1,
  -1e-300,
  5e-324,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  -(2 ** 31) - 1,
  2 ** 32,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 63,
  2 ** 64,
  -(2 ** 63),
  86_400_000,
  86_400_001,
  1e6,
  1e6 + 1,
  1e15,
  1e15 + 1,
  -1e15 - 1,
  1e300,
  -1e308,
  Number.MAX_VALUE,
  NaN,
  Infinity,
  -Infinity,
];
const RAW_NUMBERS = [
  '1e400',
  '-1e400',
  '1e-400',
  '-0',
  '-0.0',
  '0e0',
  '1E5',
  '1.0',
  '12345678901234567890123456789012345678901234567890',
  '-9223372036854775809',
  '9223372036854775808',
  '2147483648',
  '0.30000000000000004',
  '1' + '0'.repeat(400),
  '-' + '9'.repeat(400),
].map((text) => new RawJson(text));

const hostileNumber = fc.oneof(
  fc.constantFrom(...NUMBERS),
  fc.constantFrom(...RAW_NUMBERS),
  fc.integer({ min: -(2 ** 31) - 10, max: 2 ** 31 + 10 }),
  fc.double(),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map((n) => new RawJson(n.toString())),
);

const DATES = [
  '0000-01-01T00:00:00Z',
  '1969-12-31T23:59:59Z',
  '1970-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '10000-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  '-000001-01-01T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '2026-13-01T00:00:00Z',
  '2026-01-01T24:00:00Z',
  '2026-01-01T23:59:60Z',
  '2026-01-01T00:00:00+25:00',
  '2026-01-01T00:00:00',
  '2026-01-01',
  '2026-W01',
  'yesterday',
  'now',
  'NaN',
  'Invalid Date',
  '2026-01-01T00:00:00.0000000001Z',
  '2026-01-01T00:00:00Z\u0000',
  ' 2026-01-01T00:00:00Z',
  '２０２６-01-01T00:00:00Z',
];
const hostileDate = fc.oneof(
  fc.constantFrom(...DATES),
  fc.date({ noInvalidDate: true, min: new Date(-8.64e15), max: new Date(8.64e15) }).map((date) => date.toISOString()),
  fc.integer({ min: -1e13, max: 1e13 }), // epoch milliseconds where a string is expected
);

/** Patterns an engine may refuse, mis-parse or take forever on, besides random strings of regex syntax. */
const PATTERNS = [
  '(a+)+$',
  '(a|a)*b',
  '(.*a){20}',
  '(?=a)',
  '(?!a)',
  '(?<=a)b',
  '(?<!a)b',
  '\\1',
  '(a)\\1',
  '(?<n>a)\\k<n>',
  '[',
  '(',
  ')',
  '*',
  '+?',
  '?',
  '{',
  'a{1001}',
  'a{1000}{1000}',
  'a{2,1}',
  '(?i)',
  '(?i)ABC',
  '(?x) a',
  '\\p{L}{100}',
  '\\p{Nope}',
  '\\P{L}+',
  '[^]',
  '\\u{110000}',
  '\\u0041',
  '\\x',
  '\\c',
  '\\',
  '$^',
  '^$',
  '',
  ' ',
  '.*',
  '(?P<a>x)',
  '[z-a]',
  '[\\d-z]',
  '\\b\\B',
  '(?:)',
  '('.repeat(1_000) + ')'.repeat(1_000),
  '('.repeat(200) + 'a' + ')'.repeat(200),
  '(a*)*'.repeat(60),
  '[a-z]'.repeat(70),
  '\\d'.repeat(1_000),
  'x'.repeat(1_001),
  '\u0000',
  'a\uD800',
  '(?<💥>a)',
];
const REGEX_SYNTAX = [...'()[]{}*+?|^$\\.-,0123456789aZz:=!<>pPdDwWsSbBkunx '];
const hostilePattern = fc.oneof(
  fc.constantFrom(...PATTERNS),
  fc.string({ unit: fc.constantFrom(...REGEX_SYNTAX), minLength: 1, maxLength: 30 }),
);

/** Nesting `depth` levels deep, as JSON text: no stack is used to make or print it. */
export function deepJson(depth: number, kind: 'object' | 'array' = 'object'): RawJson {
  return kind === 'object'
    ? new RawJson('{"a":'.repeat(depth) + '1' + '}'.repeat(depth))
    : new RawJson('['.repeat(depth) + ']'.repeat(depth));
}
const hostileDepth = fc
  .tuple(fc.constantFrom(9, 33, 100, 1_000, 10_000, 100_000), fc.constantFrom('object' as const, 'array' as const))
  .map(([depth, kind]) => deepJson(depth, kind));

/** An own property whatever its key (`__proto__` in an object literal would set the prototype instead). */
function withKey(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return target;
}

const hostileKey = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    '',
    ' ',
    '\u0000',
    'a\u0000',
    '\uD800',
    'toString',
    'hasOwnProperty',
    'x'.repeat(10_000),
  ),
  hostileText,
);

const hostileObject = fc.oneof(
  fc.tuple(hostileKey, fc.jsonValue({ maxDepth: 2 })).map(([key, value]) => withKey({}, key, value)),
  fc.constantFrom(200, 5_000).map((count) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, i]))),
  fc.constant({ blob: 'x'.repeat(16_384) }),
);

const WRONG_TYPES = [null, true, false, 0, 1, -1, '', 'x', 'true', 'null', [], {}, ['x'], [null], { a: 1 }];

/** Any value a field may be given, from plausible to absurd. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...WRONG_TYPES) },
  { weight: 3, arbitrary: hostileNumber },
  { weight: 3, arbitrary: hostileText },
  { weight: 2, arbitrary: hugeText },
  { weight: 2, arbitrary: hostileDate },
  { weight: 2, arbitrary: hostilePattern },
  { weight: 2, arbitrary: hostileDepth },
  { weight: 2, arbitrary: hostileObject },
  { weight: 1, arbitrary: fc.array(fc.oneof(hostileText, hostileNumber, fc.constant(null)), { maxLength: 60 }) },
  { weight: 1, arbitrary: fc.constantFrom(1_000, 100_000).map((length) => Array.from({ length }, (_, i) => `m${i}`)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** A value of the field's own type (often valid, sometimes just past a bound): mutated inputs reach the handlers too. */
function plausibleValue(shape: PropertyShape | undefined): fc.Arbitrary<unknown> {
  if (!shape) return hostileValue;
  const choices: fc.Arbitrary<unknown>[] = [];
  if (shape.enum) {
    const variants = shape.enum.flatMap((value) =>
      typeof value === 'string' ? [value, value.toUpperCase(), ` ${value}`, `${value}\u0000`] : [value],
    );
    choices.push(fc.constantFrom(...shape.enum), fc.constantFrom(...variants));
  } else if (shape.format === 'date-time') choices.push(hostileDate);
  else if (shape.type.includes('string')) choices.push(fc.string({ unit: 'grapheme', maxLength: 30 }), hostileText, hostilePattern);
  if (shape.type.includes('integer')) choices.push(fc.integer(), fc.integer({ min: -5, max: 1_100 }), hostileNumber);
  if (shape.type.includes('number')) choices.push(fc.double({ min: -1e16, max: 1e16, noNaN: true }), fc.nat(10_000), hostileNumber);
  if (shape.type.includes('boolean')) choices.push(fc.boolean(), fc.constantFrom('true', 'false', 0, 1));
  if (shape.type.includes('null')) choices.push(fc.constant(null));
  if (shape.type.includes('array')) choices.push(fc.array(fc.string({ unit: 'grapheme', maxLength: 20 }), { maxLength: 60 }));
  if (shape.type.includes('object'))
    choices.push(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 9 }), { maxKeys: 5 }));
  return choices.length > 0 ? fc.oneof(...choices) : hostileValue;
}

// ---- mutations ----------------------------------------------------------------------------------------------

type Mutation =
  { kind: 'set'; path: Path; value: unknown } | { kind: 'remove'; path: Path } | { kind: 'extra'; path: Path; key: string; value: unknown };

const isContainer = (value: unknown): value is Record<string, unknown> | unknown[] =>
  typeof value === 'object' && value !== null && !(value instanceof RawJson);

/** Every path in a value (objects and arrays, at most 4 levels), the value itself excluded. */
function pathsIn(value: unknown, prefix: Path = [], into: Path[] = []): Path[] {
  if (!isContainer(value) || prefix.length >= 4) return into;
  for (const [key, child] of Array.isArray(value) ? value.map((item, i) => [i, item] as const) : Object.entries(value)) {
    const path = [...prefix, key];
    into.push(path);
    pathsIn(child, path, into);
  }
  return into;
}

function containerPaths(value: unknown): Path[] {
  return [[], ...pathsIn(value)].filter((path) => {
    const at = valueAt(value, path);
    return isContainer(at) && !Array.isArray(at);
  });
}

function valueAt(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((at, key) => (isContainer(at) ? (at as Record<string | number, unknown>)[key] : undefined), value);
}

function clone<T>(value: T): T {
  if (value instanceof RawJson || !isContainer(value)) return value;
  if (Array.isArray(value)) return value.map(clone) as T;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) withKey(copy, key, clone(value[key]));
  return copy as T;
}

function apply(input: unknown, mutation: Mutation): unknown {
  if (mutation.kind === 'set' && mutation.path.length === 0) return mutation.value;
  const root = clone(input);
  const parentPath = mutation.kind === 'extra' ? mutation.path : mutation.path.slice(0, -1);
  const parent = valueAt(root, parentPath);
  if (!isContainer(parent)) return root;
  if (mutation.kind === 'extra') withKey(parent as Record<string, unknown>, mutation.key, mutation.value);
  else {
    const key = mutation.path[mutation.path.length - 1]!;
    if (mutation.kind === 'remove') {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    } else if (Array.isArray(parent)) parent[Number(key)] = mutation.value;
    else withKey(parent, String(key), mutation.value);
  }
  return root;
}

const show = (value: unknown): string => {
  if (value instanceof RawJson) return value.toString();
  const text = jsonText(value);
  return text.length > 80 ? `${text.slice(0, 60)}… (${text.length} chars of JSON)` : text;
};

function describe(mutation: Mutation): string {
  const where = (path: Path) => (path.length ? path.join('.') : '(input)');
  if (mutation.kind === 'set') return `${where(mutation.path)} = ${show(mutation.value)}`;
  if (mutation.kind === 'remove') return `without ${where(mutation.path)}`;
  return `${where([...mutation.path, mutation.key])} added = ${show(mutation.value)}`;
}

// ---- writing it out ------------------------------------------------------------------------------------------

/** JSON text of a value whose leaves may be RawJson; `undefined` members are left out as JSON.stringify does. */
export function jsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (value === undefined) return 'null';
  if (!isContainer(value)) return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  const members = Object.keys(value)
    .filter((key) => value[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${jsonText(value[key])}`);
  return `{${members.join(',')}}`;
}

const utf8 = (text: string) => new TextEncoder().encode(text);

/**
 * UTF-8 percent-encoding of any JavaScript string, lone surrogates included (as the 3-byte sequence WTF-8 gives
 * them, which a server decodes to U+FFFD): encodeURIComponent would throw on them.
 */
export function percentEncode(text: string): string {
  return text
    .split(LONE_SURROGATE)
    .map((part) => (/^[\uD800-\uDFFF]$/.test(part) ? wtf8(part.charCodeAt(0)) : encodeURIComponent(part)))
    .join('');
}

const LONE_SURROGATE = /([\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF])/;

/** The three bytes a surrogate code unit would take in UTF-8, percent-encoded. */
function wtf8(code: number): string {
  return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63)].map((byte) => `%${byte.toString(16).toUpperCase()}`).join('');
}

/** A query value as a person would write it: text as is, numbers and booleans spelt out, anything else as JSON. */
function queryValue(value: unknown): string {
  if (typeof value === 'string') return value;
  return jsonText(value);
}

/** The input as a query string: each top-level field once; a non-object input becomes a query of junk. */
export function queryText(input: unknown): string {
  if (!isContainer(input) || Array.isArray(input)) return `${percentEncode(queryValue(input))}&=&%ZZ=%&a=1&a=2`;
  return Object.keys(input)
    .filter((key) => input[key] !== undefined)
    .map((key) => `${percentEncode(key)}=${percentEncode(queryValue(input[key]))}`)
    .join('&');
}

/** A case as fast-check prints a counterexample: its steps, not its (possibly megabyte) bytes. */
function hostileCase(parts: HostileCase): HostileCase {
  return Object.assign(parts, { [fc.toStringMethod]: () => `[${parts.steps.join('; ')}]` });
}

type CaseFacts = Pick<HostileCase, 'steps' | 'fields'> & Partial<Pick<HostileCase, 'mustName' | 'queryMustName' | 'poisonedItem'>>;

function caseOf(
  input: unknown,
  known: ReadonlySet<string>,
  { steps, fields, mustName = [], queryMustName = mustName, poisonedItem }: CaseFacts,
): HostileCase {
  const unknownFields = isContainer(input) && !Array.isArray(input) ? Object.keys(input).filter((key) => !known.has(key)) : [];
  const body = utf8(jsonText(input));
  return hostileCase({ steps, fields, mustName, queryMustName, poisonedItem, unknownFields, body, query: () => queryText(input) });
}

const topField = (path: Path) => (path.length > 0 ? [String(path[0])] : []);

// ---- bodies no JSON serializer writes ------------------------------------------------------------------------

const BROKEN_BODIES = [
  '',
  ' ',
  'null',
  '[]',
  '"x"',
  '1',
  '1e400',
  'true',
  '{',
  '{"a":',
  '}',
  '{}}',
  '{}garbage',
  '{"a":1,}',
  "{'a':1}",
  'NaN',
  '{"a":NaN}',
  '{"a":Infinity}',
  '{"a":undefined}',
  '\uFEFF{}',
  '{"\\ud800":1}',
  '{"a":"\\u0000"}',
  '{"a":"\\ud800"}',
  '{"a":"\\x00"}',
  '['.repeat(100_000),
  '{"a":1}{"b":2}',
  '/* comment */ {}',
];

/** Bytes that are not UTF-8: a stray continuation byte, an overlong NUL, a CESU-encoded surrogate, 0xFF. */
const INVALID_UTF8 = [[0xff], [0x80], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xc3, 0x28], [0xf4, 0x90, 0x80, 0x80]];

function brokenText(input: unknown): fc.Arbitrary<HostileCase> {
  const text = jsonText(input);
  const wholeBody = fc.constantFrom(...BROKEN_BODIES).map((body) =>
    hostileCase({
      steps: [`body ${JSON.stringify(body.length > 60 ? `${body.slice(0, 40)}…` : body)}`],
      fields: [],
      mustName: [],
      queryMustName: [],
      unknownFields: [],
      body: utf8(body),
      query: () => percentEncode(body),
    }),
  );
  const invalidBytes = fc.tuple(fc.constantFrom(...INVALID_UTF8), fc.nat()).map(([bytes, at]) => {
    // Inside a string value when there is one, so the JSON stays well-formed around the bad bytes.
    const quotes = [...text.matchAll(/"/g)].map((match) => match.index);
    const position = quotes.length > 0 ? quotes[at % quotes.length]! + 1 : at % (text.length + 1);
    const encoded = utf8(text);
    const offset = utf8(text.slice(0, position)).length;
    const body = new Uint8Array([...encoded.slice(0, offset), ...bytes, ...encoded.slice(offset)]);
    const hex = bytes.map((byte) => `%${byte.toString(16).toUpperCase()}`).join('');
    return hostileCase({
      steps: [`bytes ${hex} (not UTF-8) at byte ${offset}`],
      fields: [],
      mustName: [],
      queryMustName: [],
      unknownFields: [],
      body,
      query: () => `${queryText(input)}&${hex}=${hex}`,
    });
  });
  const arbitraries: fc.Arbitrary<HostileCase>[] = [wholeBody, invalidBytes];
  if (isContainer(input) && !Array.isArray(input) && Object.keys(input).length > 0) {
    // The same key twice: JSON.parse keeps the last; the first must not slip through anywhere.
    const duplicate = fc.tuple(fc.constantFrom(...Object.keys(input)), hostileValue).map(([key, value]) =>
      hostileCase({
        steps: [`${key} sent twice, the second time = ${show(value)}`],
        fields: [key],
        mustName: [],
        queryMustName: [],
        unknownFields: [],
        body: utf8(`${text.slice(0, -1)},${JSON.stringify(key)}:${jsonText(value)}}`),
        query: () => `${queryText(input)}&${percentEncode(key)}=${percentEncode(queryValue(value))}`,
      }),
    );
    arbitraries.push(duplicate);
  }
  return fc.oneof(...arbitraries);
}

// ---- the arbitrary and the fixed cases -----------------------------------------------------------------------

/**
 * Inputs derived from a tool's valid `example`: one to three mutations (a field set to a hostile or plausible
 * value, removed, or an unknown field added, at any depth), the whole input replaced, or the JSON text itself
 * broken. Fields of the schema the example leaves out are mutated too.
 */
export function hostileInputs(tool: AnyTool, example: unknown): fc.Arbitrary<HostileCase> {
  const shape = toolShape(tool);
  const known = new Set(shape.properties.keys());
  const nestedPaths = pathsIn(example);
  const fieldPaths: Path[] = [...new Set([...shape.properties.keys(), ...nestedPaths.map((p) => String(p[0]))])].map((key) => [key]);
  const settable = [...fieldPaths, ...nestedPaths.filter((path) => path.length > 1)];
  const valueFor = (path: Path) =>
    path.length === 1 ? fc.oneof(plausibleValue(shape.properties.get(String(path[0]))), hostileValue) : hostileValue;

  const mutations: fc.Arbitrary<Mutation>[] = [];
  if (settable.length > 0) {
    mutations.push(fc.constantFrom(...settable).chain((path) => valueFor(path).map((value): Mutation => ({ kind: 'set', path, value }))));
  }
  if (nestedPaths.length > 0) mutations.push(fc.constantFrom(...nestedPaths).map((path): Mutation => ({ kind: 'remove', path })));
  mutations.push(
    fc
      .tuple(
        fc.constantFrom(...containerPaths(example)),
        fc.oneof(hostileKey, fc.constantFrom('unexpected', 'task_type', 'Name')),
        hostileValue,
      )
      .map(([path, key, value]): Mutation => ({ kind: 'extra', path, key, value })),
  );

  const mutated = fc.array(fc.oneof(...mutations), { minLength: 1, maxLength: 3 }).map((steps) => {
    const input = steps.reduce<unknown>(apply, example);
    const fields = [
      ...new Set(steps.flatMap((step) => (step.kind === 'extra' && step.path.length === 0 ? [step.key] : topField(step.path)))),
    ];
    return caseOf(input, known, { steps: steps.map(describe), fields });
  });
  const replaced = hostileValue.map((value) => caseOf(value, known, { steps: [`(input) = ${show(value)}`], fields: [] }));
  return fc.oneof({ weight: 8, arbitrary: mutated }, { weight: 1, arbitrary: replaced }, { weight: 1, arbitrary: brokenText(example) });
}

/**
 * The known failures, checked on every tool and face whatever the seed: U+0000 and lone surrogates in every text
 * field (and inside every JSON field), every field nested 1,000 levels deep, 1e400 in every number field, an
 * unknown field. Each must be refused naming every field it touched.
 */
export function fixedHostileCases(tool: AnyTool, example: unknown): HostileCase[] {
  const shape = toolShape(tool);
  const known = new Set(shape.properties.keys());
  const base = isContainer(example) && !Array.isArray(example) ? example : {};
  const cases: HostileCase[] = [];
  const everyField = (
    what: string,
    valueFor: (key: string, shape: PropertyShape, current: unknown) => unknown,
    travelsInQuery: (shape: PropertyShape) => boolean,
  ) => {
    const input = clone(base);
    const touched: string[] = [];
    for (const [key, property] of shape.properties) {
      const value = valueFor(key, property, base[key]);
      if (value === undefined) continue;
      withKey(input, key, value);
      touched.push(key);
    }
    const inQuery = touched.filter((key) => travelsInQuery(shape.properties.get(key)!));
    if (touched.length > 0) {
      cases.push(
        caseOf(input, known, { steps: [`${what}: ${touched.join(', ')}`], fields: touched, mustName: touched, queryMustName: inQuery }),
      );
    }
  };
  for (const [what, bad, travels] of [
    ['U+0000 in every text field', 'a\u0000b', true],
    // A URL is bytes: a lone surrogate in a query arrives as U+FFFD, which is storable.
    ['a lone surrogate in every text field', 'a\uD800b', false],
  ] as const) {
    everyField(
      what,
      (_key, property, current) => {
        if (property.type.includes('string')) return `${typeof current === 'string' ? current : 'x'}${bad}`;
        if (property.type.includes('array')) return [bad];
        if (property.type.includes('object')) return withKey({ note: bad }, bad, 1);
        return undefined;
      },
      () => travels,
    );
  }
  // In a query, JSON for a text field is just text (and may be valid text).
  everyField(
    'every field nested 1,000 levels deep',
    () => deepJson(1_000),
    (property) => !property.type.includes('string'),
  );
  everyField(
    '1e400 in every number field',
    (_key, property) => (property.type.includes('number') || property.type.includes('integer') ? new RawJson('1e400') : undefined),
    () => true,
  );
  // The items of a batch (ingest) are checked one by one: the same poisons inside an item, alone in its list.
  for (const [list, items] of Object.entries(base)) {
    const [item] = Array.isArray(items) ? items : [];
    if (!isContainer(item) || Array.isArray(item)) continue;
    const poisons: [string, (value: unknown) => unknown][] = [
      ['U+0000 in every text field', (value) => (typeof value === 'string' ? `${value}\u0000` : undefined)],
      ['every JSON field nested 1,000 levels deep', (value) => (isContainer(value) ? deepJson(1_000) : undefined)],
    ];
    for (const [what, poison] of poisons) {
      const poisoned: Record<string, unknown> = clone(item);
      const touched = Object.keys(poisoned).filter((key) => {
        const value = poison(poisoned[key]);
        if (value !== undefined) withKey(poisoned, key, value);
        return value !== undefined;
      });
      if (touched.length === 0) continue;
      const input = withKey({}, list, [poisoned]);
      cases.push(caseOf(input, known, { steps: [`${what} of ${list}.0: ${touched.join(', ')}`], fields: [list], poisonedItem: [list, 0] }));
    }
  }
  const extra = withKey(clone(base), 'unexpected_field', 1);
  cases.push(caseOf(extra, known, { steps: ['unexpected_field added'], fields: ['unexpected_field'], mustName: ['unexpected_field'] }));
  return cases;
}

/** Fields refusals may name for one another: a range's `to` is judged against its `from`, which carries the issue. */
export const FIELDS_JUDGED_TOGETHER: readonly (readonly string[])[] = [['from', 'to']];

/** Bytes as a percent-encoded query value, whatever they are (a tRPC GET's `input`). */
export function percentEncodeBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}
