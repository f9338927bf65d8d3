import { isDeepStrictEqual } from 'node:util';
import ts from 'typescript';
import type { z } from 'zod';
import type { PrismaClient } from '../db/client';
import type { RegressionTest } from '../db/generated/client';
import { HoneError } from '../errors';
import type { Page } from '../schemas/common';
import type {
  DiscoveredFromValue,
  GenerateRegressionTestInput,
  GetRegressionTestsInput,
} from '../schemas/regression-tests';
import { fromDiscoveredFrom, toDiscoveredFrom } from './enums';
import { pageOf } from './pagination';

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
    data: [{ ...input, discoveredFrom: toDiscoveredFrom(input.discoveredFrom), metadata: input.metadata as object }],
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

export async function getRegressionTests(
  prisma: PrismaClient,
  { category, search, limit, cursor }: z.output<typeof GetRegressionTestsInput>,
): Promise<Page<RegressionTestDto>> {
  const rows = await prisma.regressionTest.findMany({
    where: {
      category,
      ...(search
        ? {
            OR: [
              { testName: { contains: search, mode: 'insensitive' } },
              { description: { contains: search, mode: 'insensitive' } },
            ],
          }
        : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit + 1,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  });
  return pageOf(rows.map(toRegressionTestDto), limit);
}

export async function getRegressionTestCategories(prisma: PrismaClient): Promise<{ category: string; tests: number }[]> {
  const groups = await prisma.regressionTest.groupBy({ by: ['category'], _count: { _all: true }, orderBy: { category: 'asc' } });
  return groups.map((g) => ({ category: g.category, tests: g._count._all }));
}

const indent = (code: string) =>
  code
    .trimEnd()
    .split('\n')
    .map((line) => (line ? `  ${line}` : line))
    .join('\n');

/**
 * A ready-to-run Vitest file holding the given tests, each in a describe block named after it.
 * Test code is stored as the body of a test file (it calls it/expect), so it is wrapped, not rewritten.
 */
export function vitestFileOf(tests: Pick<RegressionTestDto, 'testName' | 'category' | 'description' | 'expectedBehavior' | 'testCode'>[]): string {
  const blocks = tests.map((t) =>
    [
      `// ${t.category}: ${t.description.replace(/\s+/g, ' ')}`,
      `// Expected: ${t.expectedBehavior.replace(/\s+/g, ' ')}`,
      `describe(${JSON.stringify(t.testName)}, () => {`,
      indent(t.testCode),
      '});',
    ].join('\n'),
  );
  return [`// Regression tests exported from Hone. Run with: npx vitest run <this file>`, `import { describe, expect, it } from 'vitest';`, '', blocks.join('\n\n'), ''].join('\n');
}

/** The test of that exact name (names are unique), or null: a direct lookup, whatever the name's length. */
export async function getRegressionTestByName(prisma: PrismaClient, testName: string): Promise<RegressionTestDto | null> {
  const row = await prisma.regressionTest.findUnique({ where: { testName } });
  return row ? toRegressionTestDto(row) : null;
}

/** Every test of a category, oldest first (the order a downloaded file lists them in). */
export async function getRegressionTestsInCategory(prisma: PrismaClient, category: string): Promise<RegressionTestDto[]> {
  const rows = await prisma.regressionTest.findMany({ where: { category }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  return rows.map(toRegressionTestDto);
}
