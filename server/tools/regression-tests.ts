import { GenerateRegressionTestInput, GetRegressionTestCategoriesInput, GetRegressionTestsInput } from '../schemas/regression-tests';
import { generateRegressionTest, getRegressionTestCategories, getRegressionTests } from '../services/regression-tests';
import { defineTool } from './define';

export const generateRegressionTestTool = defineTool({
  name: 'generate_regression_test',
  description:
    'Store a regression test (TypeScript/Vitest code) born from a bug, pattern or user feedback, so the bug cannot silently return. ' +
    'testName is unique: repeating a call with identical content returns the stored test; different content under the same name is a conflict. ' +
    'testCode must parse as TypeScript.',
  input: GenerateRegressionTestInput,
  readOnly: false,
  // The spec's example.
  example: {
    testName: 'routing_timeout_recovery',
    category: 'routing',
    description: 'Verify that router handles model timeouts gracefully',
    testCode: `
        it('should retry on timeout', async () => {
            const result = await router.route({ 
                input: 'test', 
                maxRetries: 3 
            });
            expect(result).toBeDefined();
        });
    `,
    expectedBehavior: 'Router should retry up to 3 times on timeout',
    discoveredFrom: 'bug',
    metadata: { bugTicket: 'ISSUE-123' },
  },
  handler: ({ prisma }, input) => generateRegressionTest(prisma, input),
});

export const getRegressionTestsTool = defineTool({
  name: 'get_regression_tests',
  description:
    'List stored regression tests, newest first, optionally only one category. Paginated: pass nextCursor back as cursor for the next page.',
  input: GetRegressionTestsInput,
  readOnly: true,
  // The spec's example.
  example: { category: 'routing' },
  handler: ({ prisma }, input) => getRegressionTests(prisma, input),
});

export const getRegressionTestCategoriesTool = defineTool({
  name: 'get_regression_test_categories',
  description: 'The categories of stored regression tests with the number of tests in each, alphabetically.',
  input: GetRegressionTestCategoriesInput,
  readOnly: true,
  example: {},
  handler: ({ prisma }) => getRegressionTestCategories(prisma),
});
