import { z } from 'zod';
import { jsonDescription, jsonObject, nonBlank, optionalText, pageCursor, pageLimit, storableText } from './common';

export const DISCOVERED_FROM = ['bug', 'pattern', 'user-feedback'] as const;
export type DiscoveredFromValue = (typeof DISCOVERED_FROM)[number];

export const GenerateRegressionTestInput = z.strictObject({
  testName: nonBlank(255).describe('Unique test identifier; calling again with identical content is a safe retry'),
  category: nonBlank(100).describe('Test category, e.g. routing, context, api'),
  description: nonBlank(10_000).describe('What the test validates'),
  testCode: storableText(z.string().min(1, 'must not be empty').max(200_000, 'must be at most 200,000 characters')).describe(
    'TypeScript/Vitest source; must parse as TypeScript',
  ),
  expectedBehavior: nonBlank(10_000).describe('Expected outcome'),
  discoveredFrom: z.enum(DISCOVERED_FROM).describe('Where the test came from'),
  metadata: jsonObject.default({}).describe(jsonDescription('Additional context, e.g. { bugTicket: "ISSUE-123" }')),
});

export const GetRegressionTestsInput = z
  .strictObject({
    category: nonBlank(100).optional().describe('Only tests of this category'),
    search: optionalText(255)
      .optional()
      .describe(
        'Case-insensitive text to find in name or description, literally (% and _ are plain characters); up to 255 characters, so any test name can be searched',
      ),
    limit: pageLimit,
    cursor: pageCursor,
  })
  .prefault({});

export const GetRegressionTestCategoriesInput = z.strictObject({}).prefault({});
