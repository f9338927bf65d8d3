import { z } from 'zod';
import { databaseId, nonBlank, optionalText, pageCursor, pageLimit } from './common';
import { withTimeRange } from './time-range';

/** In rank order: lowest first. */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type SeverityValue = (typeof SEVERITIES)[number];

export const RecordBugPatternInput = z.strictObject({
  category: nonBlank(100).describe('Bug category, e.g. timeout, parsing, api'),
  pattern: nonBlank(1000).describe('Pattern description; (category, pattern) identifies the bug'),
  description: optionalText(10_000).optional().describe('Detailed bug description (the newest non-empty one is kept)'),
  solution: optionalText(10_000).optional().describe('How to fix (the newest non-empty one is kept)'),
  severity: z.enum(SEVERITIES).default('medium').describe('low, medium, high or critical; the highest seen is kept'),
});

export const GetBugPatternsInput = z
  .strictObject({
    category: nonBlank(100).optional().describe('Only patterns of this category'),
    severity: z.enum(SEVERITIES).optional().describe('Only patterns of this severity'),
    limit: pageLimit,
    cursor: pageCursor,
  })
  .prefault({});

export const BUG_TREND_GROUPS = ['category', 'severity'] as const;

export const GetBugPatternTrendsInput = withTimeRange({
  groupBy: z.enum(BUG_TREND_GROUPS).default('category').describe('Stack occurrences by category or by severity (the severity reported)'),
  category: nonBlank(100).optional().describe('Only patterns of this category'),
  severity: z.enum(SEVERITIES).optional().describe('Only occurrences reported with this severity'),
}).prefault({});

export const GetBugPatternInput = withTimeRange({
  id: databaseId().describe('Bug pattern id (from get_bug_patterns)'),
});
