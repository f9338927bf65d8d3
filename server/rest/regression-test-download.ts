import { z } from 'zod';
import { authenticate } from '../auth/request-auth';
import { getPrisma } from '../db';
import { asHoneError, httpErrorResponse } from '../error-mapping';
import { HoneError } from '../errors';
import { checkHostAndOrigin } from '../http/host-origin';
import { callOrigin, observeRefusal } from '../monitoring/metrics';
import { nonBlank } from '../schemas/common';
import { getRegressionTestByName, getRegressionTestsInCategory, vitestFileOf } from '../services/regression-tests';
import { defineTool } from '../tools/define';
import { invokeTool } from '../tools/pipeline';
import { generateRegressionTestTool } from '../tools/regression-tests';

const DownloadInput = z
  .strictObject({
    name: nonBlank(255).optional().describe('The one test of this name'),
    category: nonBlank(100).optional().describe('Every test of this category'),
  })
  .refine((input) => (input.name === undefined) !== (input.category === undefined), { message: 'give exactly one of name or category' });

/** A file name that is safe everywhere and that Vitest picks up (*.test.ts). */
export const testFileName = (stem: string) => `${stem.replace(/[^A-Za-z0-9_.-]+/g, '_')}.test.ts`;

/**
 * Not a registry tool (its answer is a file, not JSON), but it runs through the same pipeline: a read operation,
 * authorized like `get_regression_tests`, its query parsed by its schema.
 */
export const downloadRegressionTests = defineTool({
  name: 'download_regression_tests',
  description: 'Regression tests as one ready-to-run Vitest file: the test of a name, or every test of a category.',
  input: DownloadInput,
  readOnly: true,
  example: async (call) => {
    const { test } = await call(generateRegressionTestTool, {
      testName: 'downloaded_example',
      category: 'examples',
      description: 'A test to download',
      testCode: "it('runs', () => {});",
      expectedBehavior: 'It runs',
      discoveredFrom: 'bug',
    });
    return { name: test.testName };
  },
  handler: async ({ prisma }, { name, category }) => {
    if (name !== undefined) {
      const test = await getRegressionTestByName(prisma, name);
      if (!test)
        throw new HoneError('NOT_FOUND', `No regression test named ${name}`, [
          { path: ['name'], message: 'no regression test has this name' },
        ]);
      return { fileName: testFileName(name), tests: [test], more: false };
    }
    const { tests, more } = await getRegressionTestsInCategory(prisma, category!);
    if (tests.length === 0)
      throw new HoneError('NOT_FOUND', `No regression test in category ${category}`, [
        { path: ['category'], message: 'no regression test has this category' },
      ]);
    return { fileName: testFileName(`${category}.regression`), tests, more };
  },
});

function downloadQuery(url: URL): Record<string, string> {
  const query: Record<string, string> = {};
  for (const key of ['name', 'category'] as const) {
    const value = url.searchParams.get(key);
    if (value !== null) query[key] = value;
  }
  return query;
}

/** GET /tests/download?name=<testName> or ?category=<category>: a Vitest file, or the JSON error every route answers. */
export async function handleRegressionTestDownload(request: Request): Promise<Response> {
  const origin = callOrigin('rest');
  try {
    checkHostAndOrigin(request);
    const prisma = await getPrisma();
    const auth = await authenticate(prisma, request.headers);
    const { fileName, tests, more } = await invokeTool({
      tool: downloadRegressionTests,
      prisma,
      access: auth,
      readInput: () => downloadQuery(new URL(request.url)),
      origin,
    });
    return new Response(vitestFileOf(tests, { more }), {
      headers: {
        'content-type': 'text/typescript; charset=utf-8',
        'content-disposition': `attachment; filename="${fileName}"`,
        'cache-control': 'no-store',
      },
    });
  } catch (error) {
    const failure = asHoneError(error, 'GET /tests/download');
    observeRefusal(origin, downloadRegressionTests, failure);
    return httpErrorResponse(failure);
  }
}
