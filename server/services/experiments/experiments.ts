import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { PrismaClient } from '../../db/client';
import type { RoutingExperiment, RoutingExperimentArm } from '../../db/generated/client';
import { HoneError, type FieldIssue } from '../../errors';
import { scheduleRepeating } from '../background-job';
import {
  CreateExperimentInput,
  type ExperimentStatusValue,
  type ExperimentVariantValue,
  type GetExperimentInput,
  type ListExperimentsInput,
  type StopExperimentInput,
} from '../../schemas/experiments';
import type { RoutingLayerValue } from '../../schemas/routing';
import { announceRoutingChange } from '../routing/change-feed';
import { evaluateExperiment, type ArmStatistics, type ExperimentEvaluation, type Interval, type VerdictStatus } from './statistics';

/** What create_experiment takes (defaults optional): the suggestions' "turn into an experiment" passes it as is. */
export type CreateExperiment = z.input<typeof CreateExperimentInput>;

/** Who makes the change (the API key's name when authentication is on), like the rule store's RuleChangeAuthor. */
export interface ExperimentAuthor {
  changedBy?: string | null;
}

export interface ExperimentArmDto extends Omit<ArmStatistics, 'index'> {
  id: number;
  position: number;
  name: string;
  weight: number;
  variant: ExperimentVariantValue;
  /** Decisions that fell in the arm (outcomes are reported for some of them). */
  decisions: number;
  stoppedAt: string | null;
  stopReason: string | null;
}

export interface ExperimentVerdictDto {
  status: VerdictStatus;
  armId?: number;
  armName?: string;
  /** In percentage points of success rate, with the always-valid interval. */
  effect?: number;
  effectCi?: Interval;
  text: string;
}

export interface ExperimentDto {
  id: number;
  name: string;
  ruleId: number;
  taskType: string | null;
  status: ExperimentStatusValue;
  alpha: number;
  /** α per comparison against the control (Bonferroni: α / (arms − 1)). */
  comparisonAlpha: number;
  mixtureVariance: number;
  minOutcomes: number;
  guard: boolean;
  createdAt: string;
  createdBy: string | null;
  stoppedAt: string | null;
  stopReason: string | null;
  promotedArmId: number | null;
  promotedVersionId: number | null;
  /** The rule as it is now (null once deleted). */
  rule: {
    id: number;
    pattern: string;
    layer: RoutingLayerValue;
    model: string | null;
    version: number;
    versionId: number | null;
    policyId: number | null;
  } | null;
  arms: ExperimentArmDto[];
  verdict: ExperimentVerdictDto;
}

type ExperimentRow = RoutingExperiment & { arms: RoutingExperimentArm[] };

/** Serializes experiment creations, so two concurrent ones cannot both start on the same rule and task type. */
const EXPERIMENT_CREATION_LOCK = 0x486f6e45; // "HonE"

const notFound = (id: number) =>
  new HoneError('NOT_FOUND', `No experiment with id ${id}`, [{ path: ['id'], message: `no experiment with id ${id}` }]);

/**
 * Starts an experiment on an active rule: decisions of the rule (of the task type, when given) are split between the
 * arms by a stable hash of their request key. Refused with 400 naming the field: the rule missing or not active, a
 * policy that does not exist; with 409 when a running experiment already covers the rule and task type. Nothing is
 * written on a refusal. Gateways reload their snapshot (change feed) and start splitting.
 */
export async function createExperiment(
  prisma: PrismaClient,
  rawInput: CreateExperiment,
  { changedBy }: ExperimentAuthor = {},
): Promise<ExperimentDto> {
  // Parsed here too: callers other than the tool (suggestions) pass the input as the tool takes it.
  const parsed = CreateExperimentInput.safeParse(rawInput);
  if (!parsed.success) throw HoneError.fromZod(parsed.error);
  const input = parsed.data;
  const taskType = input.taskType ?? null;
  const id = await prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(${EXPERIMENT_CREATION_LOCK}::bigint)`;
    const rule = await tx.routingRule.findUnique({ where: { id: input.ruleId }, select: { id: true, state: true } });
    if (!rule) throw HoneError.invalidField('ruleId', `no routing rule with id ${input.ruleId}`);
    if (rule.state !== 'active')
      throw HoneError.invalidField('ruleId', `rule ${input.ruleId} is ${rule.state}: an experiment needs an active rule`);
    const policyIds = input.arms.flatMap((arm) => (arm.variant.kind === 'policy' ? [arm.variant.policyId] : []));
    if (policyIds.length > 0) {
      const found = new Set((await tx.routingPolicy.findMany({ where: { id: { in: policyIds } }, select: { id: true } })).map((p) => p.id));
      const issues: FieldIssue[] = input.arms.flatMap((arm, index) =>
        arm.variant.kind === 'policy' && !found.has(arm.variant.policyId)
          ? [{ path: ['arms', index, 'variant', 'policyId'], message: `no routing policy with id ${arm.variant.policyId}` }]
          : [],
      );
      if (issues.length > 0) throw HoneError.invalidInput(issues);
    }
    const clash = await tx.routingExperiment.findFirst({
      where: { ruleId: input.ruleId, status: 'running', ...(taskType === null ? {} : { OR: [{ taskType: null }, { taskType }] }) },
      select: { id: true, name: true, taskType: true },
    });
    if (clash) {
      const scope = clash.taskType === null ? 'every task type' : `task type "${clash.taskType}"`;
      throw new HoneError(
        'CONFLICT',
        `Experiment #${clash.id} "${clash.name}" is already running on rule ${input.ruleId} for ${scope}; stop it first`,
        [{ path: ['ruleId'], message: `experiment #${clash.id} is already running on this rule for ${scope}` }],
      );
    }
    const created = await tx.routingExperiment.create({
      data: {
        name: input.name,
        ruleId: input.ruleId,
        taskType,
        alpha: input.alpha,
        mixtureVariance: input.mixtureVariance,
        minOutcomes: input.minOutcomes,
        guard: input.guard,
        salt: randomBytes(8).toString('hex'),
        createdBy: changedBy ?? null,
        arms: { create: input.arms.map((arm, position) => ({ position, name: arm.name, weight: arm.weight, variant: arm.variant })) },
      },
      select: { id: true },
    });
    return created.id;
  });
  await announceRoutingChange(prisma, { ruleId: input.ruleId });
  return getExperiment(prisma, { id });
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** The figures and verdict of one experiment from its counters (pure; the guard's stops are not persisted here). */
function evaluate(row: ExperimentRow): ExperimentEvaluation {
  return evaluateExperiment(
    row.arms.map((arm) => ({
      name: arm.name,
      outcomes: arm.outcomes,
      successes: arm.successes,
      latencySum: arm.latencySum,
      latencySumsq: arm.latencySumsq,
      latencyCount: arm.latencyCount,
      costSum: arm.costSum,
      costSumsq: arm.costSumsq,
      costCount: arm.costCount,
      minPValue: arm.minPValue,
      stopped: arm.stoppedAt !== null,
    })),
    {
      alpha: row.alpha,
      mixtureVariance: row.mixtureVariance,
      minOutcomes: row.minOutcomes,
      guard: row.guard,
      status: row.status as ExperimentStatusValue,
    },
  );
}

/**
 * Stores what an evaluation learned, atomically in SQL: the running minimum of each arm's p-value
 * (`least(min_p_value, p)`), and the guard's stops (`coalesce(stopped_at, now())`), only while the experiment runs.
 * Announces a routing change when an arm stopped, so gateways stop sending traffic to it. Answers the arms it stopped.
 */
async function persistEvaluation(prisma: PrismaClient, row: ExperimentRow, evaluation: ExperimentEvaluation): Promise<number[]> {
  if (row.status !== 'running') return [];
  const armIdAt = (index: number) => row.arms[index]?.id ?? 0;
  const changed = evaluation.arms.filter((arm) => arm.guardStop !== undefined || arm.pValue < (row.arms[arm.index]?.minPValue ?? 1));
  if (changed.length === 0) return [];
  const stopped = await prisma.$queryRaw<{ id: number }[]>`
    WITH v AS (
      SELECT * FROM unnest(${changed.map((arm) => armIdAt(arm.index))}::int[], ${changed.map((arm) => arm.pValue)}::float8[],
                           ${changed.map((arm) => arm.guardStop ?? null)}::text[]) AS v(id, p, reason)),
    before AS (SELECT a.id, a.stopped_at FROM routing_experiment_arms a JOIN v ON v.id = a.id),
    upd AS (
      UPDATE routing_experiment_arms a SET
        min_p_value = least(a.min_p_value, v.p),
        stopped_at = CASE WHEN v.reason IS NOT NULL THEN coalesce(a.stopped_at, now()) ELSE a.stopped_at END,
        stop_reason = CASE WHEN v.reason IS NOT NULL AND a.stopped_at IS NULL THEN 'guard: ' || v.reason ELSE a.stop_reason END
      FROM v
      WHERE a.id = v.id AND EXISTS (SELECT 1 FROM routing_experiments e WHERE e.id = a.experiment_id AND e.status = 'running')
      RETURNING a.id, a.stopped_at),
    newly AS (SELECT u.id FROM upd u JOIN before b ON b.id = u.id WHERE b.stopped_at IS NULL AND u.stopped_at IS NOT NULL),
    -- The experiment's updated_at is part of the snapshot's version: gateways see the change (the arm's weight 0).
    bump AS (UPDATE routing_experiments SET updated_at = clock_timestamp() WHERE id = ${row.id} AND EXISTS (SELECT 1 FROM newly) RETURNING id)
    SELECT id FROM newly`;
  if (stopped.length > 0) await announceRoutingChange(prisma, { ruleId: row.ruleId });
  return stopped.map((arm) => arm.id);
}

async function ruleOf(prisma: PrismaClient, ruleIds: number[]) {
  const rules = await prisma.routingRule.findMany({
    where: { id: { in: ruleIds } },
    select: { id: true, pattern: true, preferredLayer: true, preferredModel: true, version: true, versionId: true, policyId: true },
  });
  return new Map(
    rules.map((r) => [
      r.id,
      {
        id: r.id,
        pattern: r.pattern,
        layer: r.preferredLayer,
        model: r.preferredModel,
        version: r.version,
        versionId: r.versionId,
        policyId: r.policyId,
      },
    ]),
  );
}

/** Evaluates, persists the running minimum p-values and guard stops, and answers the experiment as it now stands. */
async function present(prisma: PrismaClient, rows: ExperimentRow[]): Promise<ExperimentDto[]> {
  const rules = await ruleOf(prisma, [...new Set(rows.map((row) => row.ruleId))]);
  const result: ExperimentDto[] = [];
  for (const row of rows) {
    const evaluation = evaluate(row);
    const newlyStopped = new Set(await persistEvaluation(prisma, row, evaluation));
    const arms = row.arms.map((arm, position): ExperimentArmDto => {
      const statistics = evaluation.arms[position];
      if (!statistics) throw new RangeError('one evaluation per arm');
      const { index: _index, guardStop, ...figures } = statistics;
      const stoppedNow = newlyStopped.has(arm.id);
      return {
        ...figures,
        ...(stoppedNow && guardStop !== undefined && { guardStop }),
        id: arm.id,
        position: arm.position,
        name: arm.name,
        weight: arm.weight,
        variant: arm.variant as ExperimentVariantValue,
        decisions: arm.decisions,
        stopped: arm.stoppedAt !== null || stoppedNow,
        stoppedAt: arm.stoppedAt ? arm.stoppedAt.toISOString() : stoppedNow ? new Date().toISOString() : null,
        stopReason: arm.stopReason ?? (stoppedNow && guardStop ? `guard: ${guardStop}` : null),
      };
    });
    const { armIndex, ...verdict } = evaluation.verdict;
    const named = armIndex === undefined ? undefined : row.arms[armIndex];
    result.push({
      id: row.id,
      name: row.name,
      ruleId: row.ruleId,
      taskType: row.taskType,
      status: row.status as ExperimentStatusValue,
      alpha: row.alpha,
      comparisonAlpha: evaluation.comparisonAlpha,
      mixtureVariance: row.mixtureVariance,
      minOutcomes: row.minOutcomes,
      guard: row.guard,
      createdAt: row.createdAt.toISOString(),
      createdBy: row.createdBy,
      stoppedAt: iso(row.stoppedAt),
      stopReason: row.stopReason,
      promotedArmId: row.promotedArmId,
      promotedVersionId: row.promotedVersionId,
      rule: rules.get(row.ruleId) ?? null,
      arms,
      verdict: {
        ...verdict,
        ...(named && { armId: named.id, armName: named.name }),
        text: verdict.text,
      },
    });
  }
  return result;
}

const withArms = { arms: { orderBy: { position: 'asc' } } } as const;

/** One experiment with its figures and verdict; evaluating it applies the guard (persisted). */
export async function getExperiment(prisma: PrismaClient, { id }: z.output<typeof GetExperimentInput>): Promise<ExperimentDto> {
  const row = await prisma.routingExperiment.findUnique({ where: { id }, include: withArms });
  if (!row) throw notFound(id);
  const [dto] = await present(prisma, [row]);
  if (!dto) throw notFound(id);
  return dto;
}

/** Experiments, the running ones first, newest first; evaluating them applies the guard (persisted). */
export async function listExperiments(prisma: PrismaClient, input: z.output<typeof ListExperimentsInput>): Promise<ExperimentDto[]> {
  const rows = await prisma.routingExperiment.findMany({
    where: { ...(input.status && { status: input.status }), ...(input.ruleId !== undefined && { ruleId: input.ruleId }) },
    include: withArms,
    orderBy: [{ id: 'desc' }],
    take: 200,
  });
  rows.sort((a, b) => Number(b.status === 'running') - Number(a.status === 'running'));
  return present(prisma, rows);
}

/** Applies the guard to every running experiment (the background job): answers how many arms it stopped. */
export async function guardRunningExperiments(prisma: PrismaClient): Promise<number> {
  const rows = await prisma.routingExperiment.findMany({ where: { status: 'running', guard: true }, include: withArms });
  let stopped = 0;
  for (const row of rows) stopped += (await persistEvaluation(prisma, row, evaluate(row))).length;
  return stopped;
}

/** The rule columns an arm's variant sets when promoted (undefined: unchanged). */
function ruleChange(variant: ExperimentVariantValue): {
  layer?: RoutingLayerValue;
  model?: string | null;
  policyId?: number | null;
  pattern?: string;
  priority?: number;
} {
  switch (variant.kind) {
    case 'control':
      return {};
    case 'model':
      return { model: variant.model, policyId: null };
    case 'layer':
      return { layer: variant.layer, ...(variant.model !== undefined && { model: variant.model }), policyId: null };
    case 'policy':
      return { policyId: variant.policyId };
    case 'rule':
      return {
        ...(variant.pattern !== undefined && { pattern: variant.pattern }),
        ...(variant.priority !== undefined && { priority: variant.priority }),
        ...(variant.layer !== undefined && { layer: variant.layer }),
        ...(variant.model !== undefined && { model: variant.model, policyId: null }),
      };
  }
}

/**
 * Stops a running experiment. With `promoteArmId`, the arm's variant is applied to the rule in the same transaction
 * (the rule's versioning trigger makes a new version, authored by the caller), and the experiment records the arm
 * and that version. Gateways reload (change feed) after the commit.
 */
export async function stopExperiment(
  prisma: PrismaClient,
  { id, promoteArmId, reason }: z.output<typeof StopExperimentInput>,
  { changedBy }: ExperimentAuthor = {},
): Promise<ExperimentDto> {
  const row = await prisma.routingExperiment.findUnique({ where: { id }, include: withArms });
  if (!row) throw notFound(id);
  if (row.status !== 'running') {
    throw new HoneError('CONFLICT', `Experiment ${id} is already ${row.status}`, [
      { path: ['id'], message: `experiment ${id} is already ${row.status}` },
    ]);
  }
  const arm = promoteArmId === undefined ? undefined : row.arms.find((candidate) => candidate.id === promoteArmId);
  if (promoteArmId !== undefined && !arm)
    throw HoneError.invalidField('promoteArmId', `experiment ${id} has no arm with id ${promoteArmId}`);
  const change = arm ? ruleChange(arm.variant as ExperimentVariantValue) : {};
  const stopReason = reason ?? (arm ? `promoted arm "${arm.name}"` : 'stopped by hand');
  const updated = await prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT set_config('hone.changed_by', ${changedBy ?? ''}, true) AS author`;
    const [stopped] = await tx.$queryRaw<{ id: number }[]>`
      UPDATE routing_experiments SET status = ${arm ? 'promoted' : 'stopped'}, stopped_at = now(), stop_reason = ${stopReason},
             promoted_arm_id = ${arm?.id ?? null}, updated_at = clock_timestamp()
      WHERE id = ${id} AND status = 'running' RETURNING id`;
    if (!stopped)
      throw new HoneError('CONFLICT', `Experiment ${id} was stopped meanwhile`, [
        { path: ['id'], message: `experiment ${id} is no longer running` },
      ]);
    if (!arm) return true;
    const [rule] = await tx.$queryRaw<{ version_id: number | null }[]>`
      UPDATE routing_rules AS r SET
        preferred_layer = COALESCE(${change.layer ?? null}::routing_layer, r.preferred_layer),
        preferred_model = CASE WHEN ${change.model !== undefined} THEN ${change.model ?? null} ELSE r.preferred_model END,
        policy_id = CASE WHEN ${change.policyId !== undefined} THEN ${change.policyId ?? null}::int ELSE r.policy_id END,
        pattern = COALESCE(${change.pattern ?? null}, r.pattern),
        priority = COALESCE(${change.priority ?? null}::int, r.priority),
        updated_at = CASE WHEN ${Object.keys(change).length > 0} THEN clock_timestamp() ELSE r.updated_at END
      WHERE r.id = ${row.ruleId}
        AND NOT EXISTS (SELECT 1 FROM routing_rules o WHERE o.pattern = ${change.pattern ?? null} AND o.id <> r.id)
      RETURNING r.version_id`;
    if (!rule) {
      const taken =
        change.pattern !== undefined &&
        (await tx.routingRule.findFirst({ where: { pattern: change.pattern, id: { not: row.ruleId } }, select: { id: true } }));
      if (taken)
        throw new HoneError('CONFLICT', `Rule ${taken.id} already has the pattern ${change.pattern}: the arm cannot be promoted`, [
          { path: ['promoteArmId'], message: `rule ${taken.id} already has the arm's pattern` },
        ]);
      throw new HoneError('CONFLICT', `Rule ${row.ruleId} no longer exists: nothing to promote to`, [
        { path: ['promoteArmId'], message: `rule ${row.ruleId} was deleted` },
      ]);
    }
    await tx.$executeRaw`UPDATE routing_experiments SET promoted_version_id = ${rule.version_id} WHERE id = ${id}`;
    return true;
  });
  if (updated) await announceRoutingChange(prisma, { ruleId: row.ruleId, ...(arm && { change: 'updated' as const }) });
  return getExperiment(prisma, { id });
}

/** How often the guard looks at running experiments in the background (besides every get and list). */
export const EXPERIMENT_GUARD_INTERVAL_MS = 60_000;

/** Runs the guard every `intervalMs` (timers unref'd: it never keeps the process alive); answers a stop function. */
export function scheduleExperimentGuard(prisma: PrismaClient, intervalMs: number = EXPERIMENT_GUARD_INTERVAL_MS): () => void {
  return scheduleRepeating(
    async () => {
      const count = await guardRunningExperiments(prisma);
      if (count > 0)
        console.log(`Hone: the experiment guard stopped ${count} arm${count === 1 ? '' : 's'} significantly worse than their control`);
    },
    { intervalMs, failure: 'the experiment guard failed' },
  );
}
