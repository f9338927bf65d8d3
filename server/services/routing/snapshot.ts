import type { PrismaClient } from '../../db/client';
import { Prisma } from '../../db/generated/client';
import { env } from '../../env';
import { policySnapshotSql, snapshotPolicies, type PolicySnapshotRow } from '../adaptive/policy-snapshot';
import { experimentSnapshotSql } from '../experiments/experiment-snapshot';
import type { RoutingSnapshot, SnapshotExperiment, SnapshotRule } from './engine';

export type { RoutingSnapshot, SnapshotRule } from './engine';

interface SnapshotRow {
  ruleId: number;
  versionId: number;
  version: number;
  pattern: string;
  layer: SnapshotRule['layer'];
  model: string | null;
  priority: number;
  state: SnapshotRule['state'];
  reasoning: string | null;
  policyId: number | null;
  snapshotVersion: string;
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
  const rows = await prisma.$queryRaw<SnapshotRow[]>`
    WITH fingerprint AS (
      SELECT ${snapshotVersionSql} AS snapshot_version,
             ${policySnapshotSql} AS policies,
             ${experimentSnapshotSql} AS experiments
    )
    SELECT r.id AS "ruleId", v.id AS "versionId", v.version, v.pattern, v.preferred_layer AS layer,
           v.preferred_model AS model, v.priority, v.state, v.reasoning, v.policy_id AS "policyId",
           f.snapshot_version AS "snapshotVersion", f.policies, f.experiments
    FROM fingerprint f
    LEFT JOIN routing_rules r ON r.state IN ('active', 'shadow')
    LEFT JOIN routing_rule_versions v ON v.id = r.version_id
    ORDER BY r.priority DESC, r.updated_at DESC, r.id`;
  const config = env();
  const { snapshotVersion, policies, experiments } = rows[0]!;
  return {
    version: snapshotVersion,
    defaultLayer: config.HONE_DEFAULT_LAYER,
    rules: rows
      .filter((row) => row.ruleId !== null && row.versionId !== null)
      .map(({ snapshotVersion: _version, policies: _policies, experiments: _experiments, ...rule }) => rule),
    sampling: { storeInputs: config.HONE_STORE_DECISION_INPUTS, samplesPerHour: config.HONE_DECISION_SAMPLES_PER_HOUR },
    policies: snapshotPolicies(policies),
    experiments,
  };
}
