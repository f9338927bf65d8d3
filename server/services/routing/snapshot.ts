import type { PrismaClient } from '../../db/client';
import { Prisma } from '../../db/generated/client';
import { env } from '../../env';
import { policySnapshotSql, snapshotPolicies, type PolicySnapshotRow } from '../adaptive/policy-snapshot';
import { experimentSnapshotSql } from '../experiments/experiment-snapshot';
import type { RoutingSnapshot, SnapshotExperiment, SnapshotRule } from './engine';

export type { RoutingSnapshot, SnapshotRule } from './engine';

/** The snapshot's one row: each part as JSON, read in one statement. */
interface SnapshotRow {
  snapshotVersion: string;
  rules: SnapshotRule[];
  policies: PolicySnapshotRow[];
  experiments: SnapshotExperiment[];
}

/** What changes when adaptive parameters are recomputed, a policy is edited or an experiment starts, stops or loses an arm. */
const learningVersionSql = Prisma.sql`
  SELECT coalesce((SELECT max(updated_at)::text || count(*) FROM routing_policies), '') || '/' ||
         coalesce((SELECT max(computed_at)::text || count(*) FROM routing_policy_params), '') || '/' ||
         coalesce((SELECT max(updated_at)::text || count(*) FROM routing_experiments WHERE status = 'running'), '')`;

/**
 * The snapshot's version: the set of rule versions (every rule change makes a new version id) and the learning state.
 * The snapshot's ETag, what the event stream announces, and what the server's rule cache checks (active-rules.ts).
 */
const snapshotVersionSql = Prisma.sql`
  (SELECT count(*) || '-' || coalesce(max(version_id), 0) || '-' || coalesce(sum(version_id), 0) FROM routing_rules)
  || '.' || (${learningVersionSql})`;

/** The current snapshot's version alone (one small read): routingSnapshot(prisma).version, without the snapshot. */
export async function routingSnapshotVersion(prisma: PrismaClient): Promise<string> {
  const [row] = await prisma.$queryRaw<{ version: string }[]>`SELECT ${snapshotVersionSql} AS version`;
  return row!.version;
}

/**
 * The active and shadow rules as their current versions, in evaluation order: what every decision is made from, on
 * the server and in gateways (`hone.router()`), with its version (snapshotVersionSql). One statement reads
 * the rules, the policies, the experiments and the version: PostgreSQL gives a statement one snapshot, so a recompute
 * or an edit that commits meanwhile cannot pair one version with another state (a gateway would keep the stale state
 * under a current ETag until the next change).
 */
export async function routingSnapshot(prisma: PrismaClient): Promise<RoutingSnapshot> {
  // One row: the rules, policies and experiments each as one JSON array beside the version, none repeated per rule.
  const [row] = await prisma.$queryRaw<SnapshotRow[]>`
    SELECT ${snapshotVersionSql} AS "snapshotVersion",
           (SELECT coalesce(json_agg(json_build_object(
                     'ruleId', r.id, 'versionId', v.id, 'version', v.version, 'pattern', v.pattern, 'layer', v.preferred_layer,
                     'model', v.preferred_model, 'priority', v.priority, 'state', v.state, 'reasoning', v.reasoning,
                     'policyId', v.policy_id) ORDER BY r.priority DESC, r.updated_at DESC, r.id), '[]'::json)
            FROM routing_rules r JOIN routing_rule_versions v ON v.id = r.version_id
            WHERE r.state IN ('active', 'shadow')) AS rules,
           ${policySnapshotSql} AS policies,
           ${experimentSnapshotSql} AS experiments`;
  const config = env();
  const { snapshotVersion, rules, policies, experiments } = row!;
  return {
    version: snapshotVersion,
    defaultLayer: config.HONE_DEFAULT_LAYER,
    rules,
    sampling: { storeInputs: config.HONE_STORE_DECISION_INPUTS, samplesPerHour: config.HONE_DECISION_SAMPLES_PER_HOUR },
    policies: snapshotPolicies(policies),
    experiments,
  };
}
