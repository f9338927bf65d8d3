import type { z } from 'zod';
import type { PrismaClient, SqlClient } from '../db/client';
import type { BugPattern } from '../db/generated/client';
import type { Page } from '../schemas/common';
import { SEVERITIES, type GetBugPatternsInput, type RecordBugPatternInput, type SeverityValue } from '../schemas/bug-patterns';
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

/** One report of a bug: what record_bug_pattern and ingest take, with the instant it happened. */
export interface BugReport {
  category: string;
  pattern: string;
  description?: string;
  solution?: string;
  severity: SeverityValue;
  at: Date;
}

/** Reports of one (category, pattern), folded into the increment of its row. */
interface PatternTotals {
  category: string;
  pattern: string;
  description: string;
  solution: string;
  occurrences: number;
  severity: SeverityValue;
  firstAt: Date;
  lastAt: Date;
}

/**
 * Folds reports per (category, pattern) as one report after another would: counted, the highest severity, the
 * newest non-empty description and solution (the later report in the batch), first and last seen. Sorted by key,
 * so concurrent writers lock rows in one order.
 */
function totalsPerPattern(reports: readonly BugReport[]): PatternTotals[] {
  const totals = new Map<string, PatternTotals>();
  for (const report of reports) {
    const key = JSON.stringify([report.category, report.pattern]);
    const entry = totals.get(key);
    if (!entry) {
      totals.set(key, {
        category: report.category,
        pattern: report.pattern,
        description: report.description ?? '',
        solution: report.solution ?? '',
        occurrences: 1,
        severity: report.severity,
        firstAt: report.at,
        lastAt: report.at,
      });
      continue;
    }
    entry.occurrences += 1;
    if (SEVERITIES.indexOf(report.severity) > SEVERITIES.indexOf(entry.severity)) entry.severity = report.severity;
    if (report.description) entry.description = report.description;
    if (report.solution) entry.solution = report.solution;
    if (report.at < entry.firstAt) entry.firstAt = report.at;
    if (report.at > entry.lastAt) entry.lastAt = report.at;
  }
  return [...totals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entry]) => entry);
}

/**
 * Records bug reports, any number, in ONE statement: each (category, pattern) created or counted again set-wise
 * (keeping the highest severity and the newest non-empty description and solution), and each report logged as a
 * dated occurrence for trends. Returns the patterns touched. The one write path of bug reports: record_bug_pattern
 * is a batch of one, ingest a batch of many.
 */
export async function recordBugReports(db: SqlClient, reports: readonly BugReport[]): Promise<BugPattern[]> {
  if (reports.length === 0) return [];
  const patterns = totalsPerPattern(reports);
  return db.$queryRaw<BugPattern[]>`
    WITH upserted AS (
      INSERT INTO bug_patterns AS b (category, pattern, description, solution, occurrences, severity, first_seen, last_seen)
      SELECT category, pattern, description, solution, occurrences, severity::bug_severity, first_at, last_at
      FROM unnest(${patterns.map((p) => p.category)}::text[], ${patterns.map((p) => p.pattern)}::text[],
                  ${patterns.map((p) => p.description)}::text[], ${patterns.map((p) => p.solution)}::text[],
                  ${patterns.map((p) => p.occurrences)}::int[], ${patterns.map((p) => p.severity)}::text[],
                  ${patterns.map((p) => p.firstAt.toISOString())}::timestamptz[],
                  ${patterns.map((p) => p.lastAt.toISOString())}::timestamptz[])
           WITH ORDINALITY AS u(category, pattern, description, solution, occurrences, severity, first_at, last_at, n)
      ORDER BY n
      ON CONFLICT (category, pattern) DO UPDATE SET
        occurrences = b.occurrences + EXCLUDED.occurrences,
        severity = GREATEST(b.severity, EXCLUDED.severity),
        description = COALESCE(NULLIF(EXCLUDED.description, ''), b.description),
        solution = COALESCE(NULLIF(EXCLUDED.solution, ''), b.solution),
        first_seen = LEAST(b.first_seen, EXCLUDED.first_seen),
        last_seen = GREATEST(b.last_seen, EXCLUDED.last_seen)
      RETURNING b.id, b.category, b.pattern, b.description, b.solution, b.occurrences, b.severity,
                b.first_seen AS "firstSeen", b.last_seen AS "lastSeen"
    ), logged AS (
      INSERT INTO bug_pattern_occurrences (bug_pattern_id, severity, occurred_at)
      SELECT upserted.id, report.severity::bug_severity, report.at
      FROM unnest(${reports.map((r) => r.category)}::text[], ${reports.map((r) => r.pattern)}::text[],
                  ${reports.map((r) => r.severity)}::text[], ${reports.map((r) => r.at.toISOString())}::timestamptz[])
           AS report(category, pattern, severity, at)
      JOIN upserted USING (category, pattern)
    )
    SELECT * FROM upserted`;
}

/** Records one report, now (record_bug_pattern): a batch of one through recordBugReports. */
export async function recordBugPattern(prisma: PrismaClient, input: z.output<typeof RecordBugPatternInput>): Promise<BugPatternDto> {
  const [row] = await recordBugReports(prisma, [{ ...input, at: new Date() }]);
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
