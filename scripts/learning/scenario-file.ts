// Scenarios from a JSON file (`--scenario-file=`), so the simulator can be rerun on model sets, task types, rewards and
// events that the built-in scenarios do not have, without editing code. A file either describes a whole scenario or
// `extends` a built-in one and overrides parts of it (a model's figures on one task type, the degraded model, the
// reward weights...). Task types bring their prompts as strings (each request picks one and appends a number tag); one
// that keeps the name of a task type of the scenario it extends may leave them out and keeps that task type's prompts.
// The result is checked as the built-in scenarios are by their tests (shares, figures for every model on every task
// type, the models the static rules and layers send each task type to), and every problem names its field.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { mixSeed, mulberry32, pick } from './random';
import { SPEC_RULES, type ModelTruth, type Scenario, type TaskTypeSpec } from './scenario';
import { patternProblem } from '../../server/services/routing/matcher';
import { staticRouter } from './static-route';

const name = z.string().trim().min(1);
const figures = z.strictObject({
  success: z.number().min(0).max(1),
  latencyMs: z.number().positive(),
  cost: z.number().min(0),
});

/** What a scenario file may hold: with `extends`, every field is optional and figures may be partial. */
export const scenarioFileSchema = z.strictObject({
  extends: z.string().optional(),
  name: name.optional(),
  description: z.string().optional(),
  taskTypes: z
    .array(z.strictObject({ name, share: z.number().positive().max(1), prompts: z.array(name).min(1).optional() }))
    .min(1)
    .optional(),
  models: z.array(name).min(2).optional(),
  newModel: name.optional(),
  /** truth[model][taskType]: merged field by field into the extended scenario's. */
  truth: z.record(name, z.record(name, figures.partial())).optional(),
  degrade: z.strictObject({ model: name, taskType: name, drop: z.number().gt(0).max(1) }).optional(),
  layerModels: z.strictObject({ fast: name, balanced: name, deep: name }).optional(),
  reward: z.strictObject({ costWeight: z.number().min(0), latencyWeight: z.number().min(0) }).optional(),
  policy: z
    .strictObject({
      explorationCap: z.number().min(0).max(1),
      minSamples: z.int().min(1),
      halfLife: z.int().min(1),
    })
    .optional(),
  experiment: z.strictObject({ rulePattern: z.string(), candidates: z.array(name).min(1) }).optional(),
  /** The static rules strategy's rules, instead of the spec's (or the extended scenario's). */
  staticRules: z
    .array(
      z.strictObject({
        pattern: z
          .string()
          .min(1)
          .refine(compiles, 'must be a valid regular expression')
          .superRefine((pattern, ctx) => {
            const problem = patternProblem(pattern);
            if (problem) ctx.addIssue({ code: 'custom', message: `Hone's rules cannot use it: ${problem}` });
          }),
        layer: z.enum(['fast', 'balanced', 'deep']),
        model: name.nullable(),
        priority: z.int().min(0).max(1000),
        reasoning: z.string().default('a static rule of the scenario file'),
      }),
    )
    .min(1)
    .optional(),
});
export type ScenarioFile = z.infer<typeof scenarioFileSchema>;

/**
 * Whether the replay's static router (a RegExp, case-insensitive) can run the pattern. The bench saves the rules in
 * Hone, whose engine (re2js) refuses some patterns a RegExp takes (backreferences, lookarounds): patternProblem, the
 * check update_routing_heuristic runs, is applied as well, so such a file is refused when it is read, not mid-run.
 */
function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'i');
    return true;
  } catch {
    return false;
  }
}

/** A problem with a scenario file, naming the field. */
export class ScenarioFileError extends Error {}

/** The prompt generator of a task type given as strings: one of them, tagged so that no two requests are identical. */
function promptsFrom(prompts: readonly string[]): TaskTypeSpec['prompt'] {
  return (random) => `${pick(prompts, random)} (#${Math.floor(random() * 100_000)})`;
}

/**
 * The scenario a parsed file describes, on top of `base` when it extends one. Throws ScenarioFileError naming the
 * field of the first problems found.
 */
export function scenarioFromFile(file: ScenarioFile, base: Scenario | undefined): Scenario {
  const problems: string[] = [];
  const required = <T>(value: T | undefined, field: string): T => {
    if (value === undefined) problems.push(`${field}: required (or extend a built-in scenario)`);
    return value as T;
  };
  const taskTypes: TaskTypeSpec[] = file.taskTypes
    ? file.taskTypes.map((spec, i) => {
        const inherited = base?.taskTypes.find((taskType) => taskType.name === spec.name);
        if (!spec.prompts && !inherited)
          problems.push(`taskTypes[${i}].prompts: required for a task type that the extended scenario does not have (${spec.name})`);
        return {
          name: spec.name,
          share: spec.share,
          prompt: spec.prompts ? promptsFrom(spec.prompts) : (random: () => number) => inherited?.prompt(random) ?? '',
        };
      })
    : required(base?.taskTypes, 'taskTypes');
  const truth: Record<string, Record<string, ModelTruth>> = structuredClone(base?.truth ?? {});
  for (const [model, byTaskType] of Object.entries(file.truth ?? {}))
    for (const [taskType, given] of Object.entries(byTaskType))
      truth[model] = { ...truth[model], [taskType]: { ...truth[model]?.[taskType], ...given } as ModelTruth };
  const scenario: Scenario = {
    name: file.name ?? (base ? `${base.name}+file` : required<string>(file.name, 'name')),
    description: file.description ?? base?.description ?? 'a scenario from a file',
    taskTypes,
    models: file.models ?? required(base?.models, 'models'),
    newModel: file.newModel ?? required(base?.newModel, 'newModel'),
    truth,
    degrade: file.degrade ?? required(base?.degrade, 'degrade'),
    layerModels: file.layerModels ?? required(base?.layerModels, 'layerModels'),
    reward: file.reward ?? required(base?.reward, 'reward'),
    policy: file.policy ?? required(base?.policy, 'policy'),
    experiment: file.experiment ?? required(base?.experiment, 'experiment'),
    staticRules: file.staticRules ?? base?.staticRules ?? SPEC_RULES,
  };
  if (problems.length === 0) problems.push(...scenarioProblems(scenario));
  if (problems.length > 0) throw new ScenarioFileError(problems.slice(0, 10).join('; '));
  return scenario;
}

/**
 * What makes a scenario unusable, each naming its field: shares that do not sum to 1, a model without complete figures
 * on a task type, a degradation or experiment naming what the scenario does not have, or a task type whose prompts the
 * static rules (or the default layer) send to a model without figures there.
 */
export function scenarioProblems(scenario: Scenario): string[] {
  const problems: string[] = [];
  const { staticRules } = scenario;
  const taskTypeNames = scenario.taskTypes.map((taskType) => taskType.name);
  const duplicate = taskTypeNames.find((taskType, i) => taskTypeNames.indexOf(taskType) !== i);
  if (duplicate) problems.push(`taskTypes: ${duplicate} appears twice`);
  const shares = scenario.taskTypes.reduce((sum, taskType) => sum + taskType.share, 0);
  if (Math.abs(shares - 1) > 1e-6) problems.push(`taskTypes[].share: the shares sum to ${shares}, not 1`);
  if (new Set(scenario.models).size !== scenario.models.length) problems.push('models: a model appears twice');
  if (scenario.models.includes(scenario.newModel)) problems.push(`newModel: ${scenario.newModel} is already in models`);
  const complete = (model: string, taskType: string) => figures.safeParse(scenario.truth[model]?.[taskType]).success;
  for (const model of [...scenario.models, scenario.newModel])
    for (const taskType of taskTypeNames)
      if (!complete(model, taskType)) problems.push(`truth.${model}.${taskType}: needs success, latencyMs and cost`);
  const { degrade, experiment, layerModels } = scenario;
  if (!scenario.models.includes(degrade.model)) problems.push(`degrade.model: ${degrade.model} is not in models`);
  if (!taskTypeNames.includes(degrade.taskType)) problems.push(`degrade.taskType: ${degrade.taskType} is not a task type`);
  for (const [layer, model] of Object.entries(layerModels))
    if (!scenario.models.includes(model)) problems.push(`layerModels.${layer}: ${model} is not in models`);
  if (!staticRules.some((rule) => rule.pattern === experiment.rulePattern))
    problems.push(`experiment.rulePattern: not one of the static rules (${staticRules.map((rule) => rule.pattern).join(', ')})`);
  experiment.candidates.forEach((model, i) => {
    if (![...scenario.models, scenario.newModel].includes(model)) problems.push(`experiment.candidates[${i}]: ${model} is not a model`);
  });
  if (problems.length > 0) return problems;
  // The static rules' models, as the replay decides.
  const staticRoute = staticRouter(staticRules, layerModels);
  scenario.taskTypes.forEach((taskType, i) => {
    const random = mulberry32(mixSeed(i, 17));
    for (let sample = 0; sample < 50; sample++) {
      const prompt = taskType.prompt(random);
      const { rule, layer, model } = staticRoute(prompt);
      const by = rule ? `the static rule ${rule.pattern}` : `the default layer (${layer})`;
      const field = rule?.model ? `staticRules[${staticRules.indexOf(rule)}].model` : `layerModels.${layer}`;
      if (!scenario.models.includes(model)) {
        problems.push(`${field}: ${by} sends ${taskType.name} requests ("${prompt}") to ${model}, which is not in models`);
        return;
      }
      if (!complete(model, taskType.name)) {
        problems.push(
          `truth.${model}.${taskType.name}: ${by} sends ${taskType.name} requests ("${prompt}") to ${model}, which has no figures there`,
        );
        return;
      }
    }
  });
  return problems;
}

/** Reads and checks a scenario file; `builtIn` resolves its `extends`. */
export function loadScenarioFile(path: string, builtIn: Record<string, Scenario>): Scenario {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ScenarioFileError(`--scenario-file=${path}: ${(error as Error).message}`);
  }
  const parsed = scenarioFileSchema.safeParse(json);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`).join('; ');
    throw new ScenarioFileError(`--scenario-file=${path}: ${detail}`);
  }
  const base = parsed.data.extends === undefined ? undefined : builtIn[parsed.data.extends];
  if (parsed.data.extends !== undefined && !base)
    throw new ScenarioFileError(
      `--scenario-file=${path}: extends: ${parsed.data.extends} is not one of ${Object.keys(builtIn).join(', ')}`,
    );
  try {
    return scenarioFromFile(parsed.data, base);
  } catch (error) {
    if (error instanceof ScenarioFileError) throw new ScenarioFileError(`--scenario-file=${path}: ${error.message}`);
    throw error;
  }
}
