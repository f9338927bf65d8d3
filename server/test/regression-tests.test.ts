import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { assertParsesAsTypeScript, vitestFileOf } from '../services/regression-tests';
import { ROOT } from '../testing/hone-server';
import { plainExample } from '../testing/tool-examples';
import { generateRegressionTestTool } from '../tools/regression-tests';
import { expectBadRequest, useTestDatabase } from './database';

const t = useTestDatabase();

const specExample = plainExample(generateRegressionTestTool);

describe('generate_regression_test', () => {
  it('stores the spec example', async () => {
    const { created, test } = await t.db.caller.regressionTests.generate(specExample);
    expect(created).toBe(true);
    expect(test).toMatchObject({ ...specExample, id: expect.any(Number) });
    expect(new Date(test.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('treats an identical retry as safe and returns the stored test', async () => {
    const first = await t.db.caller.regressionTests.generate(specExample);
    const retry = await t.db.caller.regressionTests.generate({ ...specExample, metadata: { bugTicket: 'ISSUE-123' } });
    expect(retry.created).toBe(false);
    expect(retry.test).toEqual(first.test);
    expect(await t.db.prisma.regressionTest.count()).toBe(1);
  });

  it('refuses the same name with different content as a conflict naming the test', async () => {
    await t.db.caller.regressionTests.generate(specExample);
    const error = await t.db.caller.regressionTests.generate({ ...specExample, expectedBehavior: 'Something else' }).then(
      () => expect.fail('expected a conflict'),
      (e: { code: string; message: string }) => e,
    );
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain('routing_timeout_recovery');
    expect(error.message).toContain('expectedBehavior');
    const stored = await t.db.prisma.regressionTest.findMany();
    expect(stored.map((s) => s.expectedBehavior)).toEqual([specExample.expectedBehavior]);
  });

  it('refuses code that does not parse as TypeScript, with line and column, and writes nothing', async () => {
    const message = await expectBadRequest(
      t.db.caller.regressionTests.generate({ ...specExample, testCode: "it('x', () => {\n  const a = ;\n});" }),
      'testCode',
    );
    expect(message).toMatch(/line 2, column 13/);
    expect(await t.db.prisma.regressionTest.count()).toBe(0);
  });

  it('accepts TypeScript-only syntax', async () => {
    const testCode =
      "import { it, expect } from 'vitest';\nit('typed', () => { const n: number = 1 as const; expect(n satisfies number).toBe(1); });";
    const { created } = await t.db.caller.regressionTests.generate({ ...specExample, testCode });
    expect(created).toBe(true);
  });

  it.each([
    ['discoveredFrom', { discoveredFrom: 'rumour' }],
    ['testName', { testName: '' }],
    ['category', { category: '  ' }],
    ['testCode', { testCode: '' }],
    ['expectedBehavior', { expectedBehavior: undefined }],
    ['metadata', { metadata: 'not-an-object' }],
  ])('refuses a bad %s and writes nothing', async (field, patch) => {
    await expectBadRequest(t.db.caller.regressionTests.generate({ ...specExample, ...patch } as never), field);
    expect(await t.db.prisma.regressionTest.count()).toBe(0);
  });

  it('accepts user-feedback as a source', async () => {
    const { test } = await t.db.caller.regressionTests.generate({ ...specExample, discoveredFrom: 'user-feedback' });
    expect(test.discoveredFrom).toBe('user-feedback');
  });
});

describe('get_regression_tests', () => {
  async function seed(n: number, category = 'routing') {
    for (let i = 0; i < n; i++) {
      await t.db.caller.regressionTests.generate({ ...specExample, testName: `${category}_${i}`, category });
    }
  }

  it('lists newest first, filtered by category', async () => {
    await seed(3, 'routing');
    await seed(2, 'api');
    const all = await t.db.caller.regressionTests.list();
    expect(all.items.map((x) => x.testName)).toEqual(['api_1', 'api_0', 'routing_2', 'routing_1', 'routing_0']);
    expect(all.nextCursor).toBeNull();
    const api = await t.db.caller.regressionTests.list({ category: 'api' });
    expect(api.items.map((x) => x.testName)).toEqual(['api_1', 'api_0']);
  });

  it('paginates with a cursor and a bounded limit', async () => {
    await seed(5);
    const first = await t.db.caller.regressionTests.list({ limit: 2 });
    expect(first.items.map((x) => x.testName)).toEqual(['routing_4', 'routing_3']);
    const second = await t.db.caller.regressionTests.list({ limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((x) => x.testName)).toEqual(['routing_2', 'routing_1']);
    const third = await t.db.caller.regressionTests.list({ limit: 2, cursor: second.nextCursor! });
    expect(third.items.map((x) => x.testName)).toEqual(['routing_0']);
    expect(third.nextCursor).toBeNull();
    await expectBadRequest(t.db.caller.regressionTests.list({ limit: 1001 }), 'limit');
    await expectBadRequest(t.db.caller.regressionTests.list({ limit: 0 }), 'limit');
  });

  it('searches literally: % and _ are characters, not wildcards, and \\ is a backslash', async () => {
    for (const [testName, description] of <[string, string][]>[
      ['discount_100%', 'Gives 100% off'],
      ['plain', 'No special characters'],
      ['under_score', 'snake_case name'],
      ['back\\slash', 'A path C:\\tmp'],
    ]) {
      await t.db.caller.regressionTests.generate({ ...specExample, testName, description });
    }
    const names = async (search: string) => (await t.db.caller.regressionTests.list({ search })).items.map((x) => x.testName).sort();
    expect(await names('%')).toEqual(['discount_100%']);
    expect(await names('_')).toEqual(['discount_100%', 'under_score']);
    expect(await names('0%_')).toEqual([]);
    expect(await names('\\')).toEqual(['back\\slash']);
    expect(await names('UNDER_')).toEqual(['under_score']);
    expect(await names('%off')).toEqual([]);
    expect(await names('100% OFF')).toEqual(['discount_100%']);
  });

  it('finds a test by its full name up to 255 characters (the download by name searches for it)', async () => {
    const testName = `long_${'n'.repeat(250)}`;
    await t.db.caller.regressionTests.generate({ ...specExample, testName });
    expect((await t.db.caller.regressionTests.list({ search: testName })).items.map((x) => x.testName)).toEqual([testName]);
    await expectBadRequest(t.db.caller.regressionTests.list({ search: 'x'.repeat(256) }), 'search');
  });

  it('defaults to 100 per page', async () => {
    await t.db.prisma.regressionTest.createMany({
      data: Array.from({ length: 101 }, (_, i) => ({ ...specExample, testName: `bulk_${i}`, discoveredFrom: 'bug' as const })),
    });
    const page = await t.db.caller.regressionTests.list();
    expect(page.items).toHaveLength(100);
    expect(page.nextCursor).not.toBeNull();
  });
});

describe('downloaded test files', () => {
  // Each payload marks the module's global object if it ever runs as code; every test in the file checks for the mark.
  const workDir = mkdtempSync(path.join(ROOT, 'test-results', 'generated-'));
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));
  const payload = (field: string) => `globalThis.INJECTED=${JSON.stringify(field)};`;
  const noMark = '  expect((globalThis as { INJECTED?: string }).INJECTED).toBeUndefined();';
  const LS = '\u2028';
  const PS = '\u2029';

  const hostileTests = () => [
    {
      ...specExample,
      testName: `name "quoted" 'single' \`back\` \${${payload('name-template')}} \\ ${LS}${payload('name-ls')}//`,
      category: `routing${LS}${payload('category')}//`,
      description: `first line */ ${payload('description-block')} /*\nsecond line${PS}${payload('description-ps')}//\r${payload('description-cr')}`,
      expectedBehavior: `passes */${LS}${payload('expected')}//\n${payload('expected-lf')}`,
      testCode: ["it('works', () => {", '  expect(1 + 1).toBe(2);', noMark, '});'].join('\n'),
    },
    {
      ...specExample,
      testName: `second ${'`'}\${x}${'`'} */ ${PS}${payload('second')}`,
      category: 'routing',
      description: 'keeps multi-line template literals and hoists imports',
      expectedBehavior: 'the template keeps its lines unindented',
      testCode: [
        "import { vi } from 'vitest';",
        "import path from 'node:path';",
        "it('keeps template text', () => {",
        '  const text = `a',
        'b ${1 + 1}',
        '  c`;',
        "  expect(text).toBe('a\\nb 2\\n  c');",
        "  expect(path.join('a', 'b')).toBe('a/b');",
        '  expect(vi.fn()).not.toHaveBeenCalled();',
        "  const s = 'x\\",
        "y';",
        "  expect(s).toBe('xy');",
        noMark,
        '});',
      ].join('\n'),
    },
  ];

  it('encode every stored value for where it lands: the file parses to imports and one describe per test', async () => {
    for (const test of hostileTests()) await t.db.caller.regressionTests.generate(test);
    const stored = (await t.db.caller.regressionTests.list()).items.reverse();
    const file = vitestFileOf(stored);
    const source = ts.createSourceFile('download.test.ts', file, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const kinds = source.statements.map((statement) => {
      if (ts.isImportDeclaration(statement)) return 'import';
      const call = ts.isExpressionStatement(statement) && ts.isCallExpression(statement.expression) ? statement.expression : undefined;
      if (call && call.expression.getText(source) === 'describe' && call.arguments.length === 2 && ts.isStringLiteral(call.arguments[0]!)) {
        return `describe ${call.arguments[0].text}`;
      }
      return `other: ${statement.getText(source).slice(0, 80)}`;
    });
    expect(kinds).toEqual(['import', 'import', ...stored.map((test) => `describe ${test.testName}`)]);
    expect(file).toMatch(/^import \{ describe, expect, it, vi \} from 'vitest';$/m);
    for (const line of file.split('\n').filter((l) => l.startsWith('//'))) expect(line).not.toMatch(/[\r\u2028\u2029]|\*\//);
    expect(() => assertParsesAsTypeScript(file)).not.toThrow();
  });

  it('runs with Vitest: every test passes under its own name and no injected code runs', async () => {
    for (const test of hostileTests()) await t.db.caller.regressionTests.generate(test);
    const stored = (await t.db.caller.regressionTests.list()).items.reverse();
    writeFileSync(path.join(workDir, 'download.test.ts'), vitestFileOf(stored));
    // A config of its own, so the run does not pick up this repository's projects and global setup.
    writeFileSync(path.join(workDir, 'vitest.config.mjs'), "export default { test: { include: ['download.test.ts'] } };\n");
    const report = path.join(workDir, 'report.json');
    const run = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'node_modules/vitest/vitest.mjs'),
        'run',
        '--root',
        workDir,
        '--config',
        path.join(workDir, 'vitest.config.mjs'),
        '--reporter=json',
        `--outputFile=${report}`,
      ],
      { cwd: workDir, encoding: 'utf8', env: { ...process.env, HONE_TEST_DB: '' }, timeout: 60_000 },
    );
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const results = JSON.parse(readFileSync(report, 'utf8')) as {
      numPassedTests: number;
      testResults: { assertionResults: { ancestorTitles: string[] }[] }[];
    };
    expect(results.numPassedTests).toBe(2);
    expect(results.testResults[0]!.assertionResults.map((a) => a.ancestorTitles[0])).toEqual(stored.map((test) => test.testName));
  });
});
