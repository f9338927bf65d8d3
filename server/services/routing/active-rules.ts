import type { PrismaClient } from '../../db/client';
import { env } from '../../env';
import { subscribeRoutingChanges } from './change-feed';
import type { SnapshotMatch, SnapshotRule } from './engine';
import { processWide } from '../../process-wide';
import { matchWorkerPool, type PatternSet } from './match-worker-pool';
import { routingSnapshot, routingSnapshotVersion, type RoutingSnapshot } from './snapshot';

/** The rules matched an input (indices into the snapshot's rules), or no answer in time (`cutOff` says why). */
export type RuleMatch = SnapshotMatch | { cutOff: string };

/**
 * The routing snapshot of one database (its active and shadow rules, in evaluation order), compiled and matched in the
 * match worker, never on the main thread: a slow pattern or a large rule set cannot stall other requests (see
 * match-worker-pool.ts). The decision itself is made from the match with the engine's `decisionFrom`.
 */
export interface ActiveRuleSet {
  readonly snapshot: RoutingSnapshot;
  match(input: string): Promise<RuleMatch>;
}

interface RuleCache {
  rules: Promise<ActiveRuleSet>;
  version: string;
  checkedAt: number;
  /** The patterns registered with the match worker, released when this cache entry is replaced. */
  patternSet?: PatternSet;
}

/**
 * Per database client, once per process (processWide): each Next bundle that decides routes (the front door, route
 * files, pages) has its own copy of this module, and a cache per copy would compile the rules once per bundle, keep
 * a pattern set per bundle in the match worker and report an unusable pattern once per bundle.
 */
const caches = () =>
  processWide('activeRuleCaches', () => ({
    rules: new WeakMap<PrismaClient, RuleCache>(),
    /** Per database client whose rule cache listens to the change feed: how many resyncs it was told of. */
    resyncsTold: new WeakMap<PrismaClient, number>(),
    /** Rules whose stored pattern does not compile, by id and pattern: each is reported once. */
    reportedUnusable: new WeakMap<PrismaClient, Set<string>>(),
  }));

/**
 * A change is announced through the change feed (this process at once, others within a second); this check is the
 * safety net for a feed that cannot deliver (LISTEN unsupported by a pooler in between, a notification lost while the
 * feed was reconnecting and its resync not yet run) and for rows written behind Hone's back.
 */
const VERSION_CHECK_INTERVAL_MS = 30_000;

async function loadRules(prisma: PrismaClient, registered: (patternSet: PatternSet) => void): Promise<ActiveRuleSet> {
  const snapshot = await routingSnapshot(prisma);
  const pool = matchWorkerPool();
  const patternSet = pool.register(snapshot, (unusable) =>
    reportUnusable(
      prisma,
      unusable.map(({ index, reason }) => ({ rule: snapshot.rules[index]!, reason })),
    ),
  );
  registered(patternSet);
  return {
    snapshot,
    async match(input) {
      const answer = await pool.match(patternSet, input, env().HONE_ROUTE_MATCH_TIMEOUT_MS);
      return answer.kind === 'cut-off' ? { cutOff: answer.why } : answer.match;
    },
  };
}

/**
 * A stored pattern the matcher refuses (saved before this check, or written behind Hone's back) must not break
 * routing: the rule is skipped and said once, not on every reload.
 */
function reportUnusable(prisma: PrismaClient, unusable: readonly { rule: SnapshotRule; reason: string }[]): void {
  const { reportedUnusable } = caches();
  const reported = reportedUnusable.get(prisma) ?? new Set<string>();
  reportedUnusable.set(prisma, reported);
  for (const { rule, reason } of unusable) {
    const key = `${rule.ruleId}:${rule.pattern}`;
    if (reported.has(key)) continue;
    reported.add(key);
    console.warn(`Hone: routing rule #${rule.ruleId} /${rule.pattern}/ is skipped: its pattern ${reason}`);
  }
}

/** The active and shadow rules, loaded once per database client and reloaded when a rule changes. */
export async function activeRuleSet(prisma: PrismaClient): Promise<ActiveRuleSet> {
  const { rules: ruleCaches, resyncsTold } = caches();
  if (!resyncsTold.has(prisma)) {
    resyncsTold.set(prisma, 0);
    // A change was committed: reload. Changes may have been missed (a resync): check the version on the next decision,
    // which reloads only if something did change.
    subscribeRoutingChanges(prisma, (change) => {
      if (change.kind === 'change') return forgetCache(prisma);
      resyncsTold.set(prisma, resyncsTold.get(prisma)! + 1);
      const cache = ruleCaches.get(prisma);
      if (cache) cache.checkedAt = Number.NEGATIVE_INFINITY;
    });
  }
  const now = Date.now();
  let cache = ruleCaches.get(prisma);
  if (cache && now - cache.checkedAt < VERSION_CHECK_INTERVAL_MS) return cache.rules;
  const resyncsBefore = resyncsTold.get(prisma);
  const version = await routingSnapshotVersion(prisma);
  // A resync told while the version was read may concern a change made after the read: the next decision checks again.
  const checkedAt = resyncsTold.get(prisma) === resyncsBefore ? now : Number.NEGATIVE_INFINITY;
  cache = ruleCaches.get(prisma);
  if (cache && cache.version === version) {
    cache.checkedAt = checkedAt;
    return cache.rules;
  }
  forgetCache(prisma);
  const rules = loadRules(prisma, (patternSet) => {
    fresh.patternSet = patternSet;
    // Invalidated while loading: nobody will release it later (the requests already waiting still get answers).
    if (ruleCaches.get(prisma) !== fresh) matchWorkerPool().release(patternSet);
  });
  const fresh: RuleCache = { rules, version, checkedAt };
  ruleCaches.set(prisma, fresh);
  // The version the rules were read with, which a change committed since the check above may have moved on.
  fresh.rules.then(
    (loaded) => void (fresh.version = loaded.snapshot.version),
    () => {
      if (ruleCaches.get(prisma) === fresh) ruleCaches.delete(prisma);
    },
  );
  return fresh.rules;
}

function forgetCache(prisma: PrismaClient): void {
  const { rules: ruleCaches } = caches();
  const cache = ruleCaches.get(prisma);
  ruleCaches.delete(prisma);
  if (cache?.patternSet) matchWorkerPool().release(cache.patternSet);
}

/** Forget compiled rules, e.g. after a rule changed through another path than the rule store. */
export function invalidateRoutingRules(prisma: PrismaClient): void {
  forgetCache(prisma);
}
