import { isDeepStrictEqual } from 'node:util';
import ts from 'typescript';
import type { z } from 'zod';
import type { PrismaClient } from '../db/client';
import type { RegressionTest } from '../db/generated/client';
import { HoneError } from '../errors';
import type { Page } from '../schemas/common';
import type { DiscoveredFromValue, GenerateRegressionTestInput, GetRegressionTestsInput } from '../schemas/regression-tests';
import { fromDiscoveredFrom, toDiscoveredFrom } from './enums';
import { MAX_LISTED, pageOf } from './pagination';

export interface RegressionTestDto {
  id: number;
  testName: string;
  category: string;
  description: string;
  testCode: string;
  expectedBehavior: string;
  discoveredFrom: DiscoveredFromValue;
  metadata: Record<string, unknown>;
  createdAt: string;
}

export function toRegressionTestDto(row: RegressionTest): RegressionTestDto {
  return {
    id: row.id,
    testName: row.testName,
    category: row.category,
    description: row.description,
    testCode: row.testCode,
    expectedBehavior: row.expectedBehavior,
    discoveredFrom: fromDiscoveredFrom(row.discoveredFrom),
    metadata: row.metadata as Record<string, unknown>,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Rejects code the TypeScript parser cannot read, naming the first error's line and column. */
export function assertParsesAsTypeScript(code: string): void {
  const { diagnostics = [] } = ts.transpileModule(code, {
    fileName: 'regression.test.ts',
    reportDiagnostics: true,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  });
  const error = diagnostics.find((d) => d.category === ts.DiagnosticCategory.Error && d.file && d.start !== undefined);
  if (!error) return;
  const { line, character } = error.file!.getLineAndCharacterOfPosition(error.start!);
  const message = ts.flattenDiagnosticMessageText(error.messageText, ' ');
  throw HoneError.invalidField('testCode', `TypeScript syntax error at line ${line + 1}, column ${character + 1}: ${message}`);
}

const CONTENT_FIELDS = ['category', 'description', 'testCode', 'expectedBehavior', 'discoveredFrom', 'metadata'] as const;

export async function generateRegressionTest(
  prisma: PrismaClient,
  input: z.output<typeof GenerateRegressionTestInput>,
): Promise<{ created: boolean; test: RegressionTestDto }> {
  assertParsesAsTypeScript(input.testCode);
  const [inserted] = await prisma.regressionTest.createManyAndReturn({
    data: [{ ...input, discoveredFrom: toDiscoveredFrom(input.discoveredFrom), metadata: input.metadata }],
    skipDuplicates: true,
  });
  if (inserted) return { created: true, test: toRegressionTestDto(inserted) };

  const existing = await prisma.regressionTest.findUniqueOrThrow({ where: { testName: input.testName } });
  const stored = toRegressionTestDto(existing);
  const differing = CONTENT_FIELDS.filter((field) => !isDeepStrictEqual(stored[field], input[field]));
  if (differing.length === 0) return { created: false, test: stored };
  throw new HoneError(
    'CONFLICT',
    `Regression test "${input.testName}" already exists with different content (${differing.join(', ')} differ); choose another testName`,
    [{ path: ['testName'], message: `"${input.testName}" already exists with different ${differing.join(', ')}` }],
  );
}

/** Prisma's `contains` is SQL LIKE: `%`, `_` and the escape character `\\` are made literal, so a search finds its text. */
export const likeLiteral = (text: string) => text.replace(/[\\%_]/g, '\\$&');

export async function getRegressionTests(
  prisma: PrismaClient,
  { category, search: rawSearch, limit, cursor }: z.output<typeof GetRegressionTestsInput>,
): Promise<Page<RegressionTestDto>> {
  const search = rawSearch && likeLiteral(rawSearch);
  const rows = await prisma.regressionTest.findMany({
    where: {
      category,
      ...(search
        ? {
            OR: [{ testName: { contains: search, mode: 'insensitive' } }, { description: { contains: search, mode: 'insensitive' } }],
          }
        : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit + 1,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  });
  return pageOf(rows.map(toRegressionTestDto), limit);
}

/** The categories with their test counts, alphabetically: the first MAX_LISTED. */
export async function getRegressionTestCategories(prisma: PrismaClient): Promise<{ category: string; tests: number }[]> {
  const groups = await prisma.regressionTest.groupBy({
    by: ['category'],
    _count: { _all: true },
    orderBy: { category: 'asc' },
    take: MAX_LISTED,
  });
  return groups.map((g) => ({ category: g.category, tests: g._count._all }));
}

// The downloaded file is run by whoever downloads it, so every stored value is encoded for the place it lands:
// names and categories as string literals, descriptions as one-line comments. Only testCode is code, and it must
// parse on its own (checked on generation), so it cannot close the describe block it is wrapped in.

/** A string literal for any text: JSON's escaping, plus U+2028/U+2029, which end a line for older parsers. */
export function stringLiteral(text: string): string {
  return JSON.stringify(text)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Text for a `//` comment: on one line (no LF, CR, U+2028, U+2029, which would end the comment) and without `*\/`. */
export function commentText(text: string): string {
  return text
    .replace(/[\s\u2028\u2029]+/g, ' ')
    .replace(/\*\//g, '* /')
    .trim();
}

const VITEST_GLOBALS = ['describe', 'expect', 'it'];

interface SplitTestCode {
  /** Import declarations, which cannot stay inside the describe callback. */
  imports: string[];
  /** Named value imports from 'vitest', merged into the file's own import of it. */
  vitestNames: string[];
  body: string;
}

function splitImports(code: string): SplitTestCode {
  const source = ts.createSourceFile('regression.test.ts', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const imports: string[] = [];
  const vitestNames: string[] = [];
  let body = '';
  let copiedUpTo = 0;
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement)) continue;
    const clause = statement.importClause;
    const fromVitest = ts.isStringLiteral(statement.moduleSpecifier) && statement.moduleSpecifier.text === 'vitest';
    if (fromVitest && clause && !clause.isTypeOnly && !clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings)) {
      vitestNames.push(...clause.namedBindings.elements.map((element) => element.getText(source)));
    } else {
      imports.push(statement.getText(source));
    }
    body += code.slice(copiedUpTo, statement.getStart(source));
    copiedUpTo = statement.end;
  }
  body += code.slice(copiedUpTo);
  return { imports, vitestNames, body };
}

/** Start..end of every string or template literal token, whose text must not change when the code is indented. */
function literalRanges(code: string): [number, number][] {
  const source = ts.createSourceFile('regression.test.ts', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const ranges: [number, number][] = [];
  const visit = (node: ts.Node) => {
    if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node)
    ) {
      ranges.push([node.getStart(source), node.end]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return ranges;
}

/** Indents each line by two spaces, except lines that begin inside a multi-line string or template literal. */
function indent(code: string): string {
  const trimmed = code.replace(/^\n+/, '').trimEnd();
  const ranges = literalRanges(trimmed);
  let offset = 0;
  return trimmed
    .split('\n')
    .map((line) => {
      const lineStart = offset;
      offset += line.length + 1;
      const insideLiteral = ranges.some(([start, end]) => start < lineStart && lineStart < end);
      return line && !insideLiteral ? `  ${line}` : line;
    })
    .join('\n');
}

/**
 * A ready-to-run Vitest file holding the given tests, each in a describe block named after it.
 * Test code is stored as the body of a test file (it calls it/expect), so it is wrapped, not rewritten; its
 * import declarations are moved to the top of the file, where they are allowed.
 */
export function vitestFileOf(
  tests: Pick<RegressionTestDto, 'testName' | 'category' | 'description' | 'expectedBehavior' | 'testCode'>[],
  { more = false }: { more?: boolean } = {},
): string {
  const imports = new Set<string>();
  const vitestNames = new Set(VITEST_GLOBALS);
  const blocks = tests.map((t) => {
    const split = splitImports(t.testCode);
    split.imports.forEach((declaration) => imports.add(declaration));
    split.vitestNames.forEach((name) => vitestNames.add(name));
    return [
      `// ${commentText(t.category)}: ${commentText(t.description)}`,
      `// Expected: ${commentText(t.expectedBehavior)}`,
      `describe(${stringLiteral(t.testName)}, () => {`,
      indent(split.body),
      '});',
    ].join('\n');
  });
  return [
    '// Regression tests exported from Hone. Run with: npx vitest run <this file>',
    ...(more ? [`// The category has more tests than the ${MAX_LISTED} oldest listed here: download the others by name.`] : []),
    `import { ${[...vitestNames].join(', ')} } from 'vitest';`,
    ...imports,
    '',
    blocks.join('\n\n'),
    '',
  ].join('\n');
}

/** The test of that exact name (names are unique), or null: a direct lookup, whatever the name's length. */
export async function getRegressionTestByName(prisma: PrismaClient, testName: string): Promise<RegressionTestDto | null> {
  const row = await prisma.regressionTest.findUnique({ where: { testName } });
  return row ? toRegressionTestDto(row) : null;
}

/** A category's tests, oldest first (the order a downloaded file lists them in): the first MAX_LISTED, and whether there are more. */
export async function getRegressionTestsInCategory(
  prisma: PrismaClient,
  category: string,
): Promise<{ tests: RegressionTestDto[]; more: boolean }> {
  const rows = await prisma.regressionTest.findMany({
    where: { category },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: MAX_LISTED + 1,
  });
  return { tests: rows.slice(0, MAX_LISTED).map(toRegressionTestDto), more: rows.length > MAX_LISTED };
}
