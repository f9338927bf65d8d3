import type { z } from 'zod';
import type { PrismaClient } from '../db/client';
import type { BugPattern } from '../db/generated/client';
import type { Page } from '../schemas/common';
import type { GetBugPatternsInput, RecordBugPatternInput, SeverityValue } from '../schemas/bug-patterns';
import { pageOf } from './pagination';

export interface BugPatternDto {
  id: number;
  category: string;
  pattern: string;
  description: string;
  solution: string;
  occurrences: number;
  severity: SeverityValue;
  firstSeen: string;
  lastSeen: string;
}

export function toBugPatternDto(row: BugPattern): BugPatternDto {
  return {
    id: row.id,
    category: row.category,
    pattern: row.pattern,
    description: row.description,
    solution: row.solution,
    occurrences: row.occurrences,
    severity: row.severity,
    firstSeen: row.firstSeen.toISOString(),
    lastSeen: row.lastSeen.toISOString(),
  };
}

/**
 * One statement: create the pattern or count another occurrence of it (keeping the highest severity
 * and the newest non-empty description and solution), and log the dated occurrence for trends.
 */
export async function recordBugPattern(prisma: PrismaClient, input: z.output<typeof RecordBugPatternInput>): Promise<BugPatternDto> {
  const [row] = await prisma.$queryRaw<BugPattern[]>`
    WITH upserted AS (
      INSERT INTO bug_patterns AS b (category, pattern, description, solution, occurrences, severity)
      VALUES (${input.category}, ${input.pattern}, ${input.description ?? ''}, ${input.solution ?? ''}, 1,
              ${input.severity}::bug_severity)
      ON CONFLICT (category, pattern) DO UPDATE SET
        occurrences = b.occurrences + 1,
        severity = GREATEST(b.severity, EXCLUDED.severity),
        description = COALESCE(NULLIF(EXCLUDED.description, ''), b.description),
        solution = COALESCE(NULLIF(EXCLUDED.solution, ''), b.solution),
        last_seen = clock_timestamp()
      RETURNING b.id, b.category, b.pattern, b.description, b.solution, b.occurrences, b.severity,
                b.first_seen AS "firstSeen", b.last_seen AS "lastSeen"
    ), logged AS (
      INSERT INTO bug_pattern_occurrences (bug_pattern_id, severity, occurred_at)
      SELECT id, ${input.severity}::bug_severity, "lastSeen" FROM upserted
    )
    SELECT * FROM upserted`;
  return toBugPatternDto(row!);
}

/** Occurrences descending, then severity by rank (the enum's order), then last seen, then id. */
export const BUG_PATTERN_ORDER = [{ occurrences: 'desc' }, { severity: 'desc' }, { lastSeen: 'desc' }, { id: 'asc' }] as const;

export async function getBugPatterns(
  prisma: PrismaClient,
  { category, severity, limit, cursor }: z.output<typeof GetBugPatternsInput>,
): Promise<Page<BugPatternDto>> {
  const rows = await prisma.bugPattern.findMany({
    where: { category, severity },
    orderBy: [...BUG_PATTERN_ORDER],
    take: limit + 1,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  });
  return pageOf(rows.map(toBugPatternDto), limit);
}
