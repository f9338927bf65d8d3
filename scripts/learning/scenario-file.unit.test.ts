import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SCENARIOS, SPEC_RULES, simulationOptions, World } from './scenario';
import { loadScenarioFile, scenarioFromFile, scenarioFileSchema, type ScenarioFile } from './scenario-file';
import { staticRouter } from './static-route';

const directory = mkdtempSync(path.join(os.tmpdir(), 'hone-scenario-file-'));
let files = 0;
/** Writes `content` (JSON unless a string) to a new file and returns its path. */
const fileWith = (content: unknown) => {
  const file = path.join(directory, `scenario-${files++}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};

const figures = (success: number, latencyMs = 500, cost = 0.001) => ({ success, latencyMs, cost });

// The spec's rules send greetings to llama-3.1-8b and summaries to gemini-2.5-flash: name them a and b here.
const tinyRules = SPEC_RULES.map((rule) => ({
  ...rule,
  model: rule.model === 'llama-3.1-8b' ? 'a' : rule.model === 'gemini-2.5-flash' ? 'b' : rule.model,
}));

/** A whole scenario of two task types and three models, plus a new one, with the spec's rules on its models. */
const standalone = {
  name: 'tiny',
  description: 'two task types',
  taskTypes: [
    { name: 'greet', share: 0.4, prompts: ['hello there', 'hi again'] },
    { name: 'sum', share: 0.6, prompts: ['please summarize the notes', 'tl;dr of the call'] },
  ],
  models: ['a', 'b', 'c'],
  newModel: 'd',
  truth: {
    a: { greet: figures(0.99), sum: figures(0.8) },
    b: { greet: figures(0.95), sum: figures(0.9) },
    c: { greet: figures(0.9), sum: figures(0.7) },
    d: { greet: figures(0.97, 300), sum: figures(0.95, 300) },
  },
  degrade: { model: 'b', taskType: 'sum', drop: 0.3 },
  layerModels: { fast: 'a', balanced: 'b', deep: 'c' },
  reward: { costWeight: 10, latencyWeight: 0.05 },
  policy: { explorationCap: 0.1, minSamples: 20, halfLife: 200 },
  experiment: { rulePattern: '\\b(summari[sz]e|tl;?dr)\\b', candidates: ['a', 'd'] },
  staticRules: tinyRules,
};
const load = (content: unknown) => loadScenarioFile(fileWith(content), SCENARIOS);

describe('scenario files', () => {
  it('load a whole scenario: its task types take their prompts, shares and figures from the file', () => {
    const scenario = load(standalone);
    expect(scenario.name).toBe('tiny');
    expect(scenario.models).toEqual(['a', 'b', 'c']);
    const world = new World(scenario, { seed: 3, requests: 2000, degradeAt: 500, newModelAt: 1000 });
    const counts = new Map<string, number>();
    for (let index = 0; index < 2000; index++) {
      const request = world.request(index);
      counts.set(request.taskType, (counts.get(request.taskType) ?? 0) + 1);
      const prompts = standalone.taskTypes.find((taskType) => taskType.name === request.taskType)!.prompts;
      expect(prompts.some((prompt) => request.prompt.startsWith(`${prompt} (#`))).toBe(true);
    }
    expect(counts.get('sum')! / 2000).toBeCloseTo(0.6, 1);
    expect(world.truth('b', 'sum', 499).success).toBe(0.9);
    expect(world.truth('b', 'sum', 500).success).toBeCloseTo(0.6, 12);
    expect(world.available(999)).not.toContain('d');
    expect(world.oracle('sum', 1000).model).toBe('d');
  });

  it('extend a built-in scenario field by field, leaving the built-in one as it was', () => {
    const before = structuredClone(SCENARIOS.support!.truth);
    const scenario = load({
      extends: 'support',
      truth: { 'qwen-2.5-72b': { sql: { success: 0.5 } } },
      degrade: { model: 'gpt-4o-mini', taskType: 'translate', drop: 0.2 },
    });
    expect(scenario.name).toBe('support+file');
    expect(scenario.truth['qwen-2.5-72b']!.sql).toEqual({ ...SCENARIOS.support!.truth['qwen-2.5-72b']!.sql, success: 0.5 });
    expect(scenario.truth['qwen-2.5-72b']!.translate).toEqual(SCENARIOS.support!.truth['qwen-2.5-72b']!.translate);
    expect(scenario.degrade).toEqual({ model: 'gpt-4o-mini', taskType: 'translate', drop: 0.2 });
    expect(scenario.models).toEqual(SCENARIOS.support!.models);
    // Inherited task types keep their prompt generators: the same requests as the built-in scenario.
    const options = { seed: 5, requests: 100, degradeAt: 50, newModelAt: 60 };
    expect(new World(scenario, options).request(7)).toEqual(new World(SCENARIOS.support!, options).request(7));
    expect(SCENARIOS.support!.truth).toEqual(before);
  });

  it("bring their own static rules, so a model set need not hold the spec's models", () => {
    const scenario = load({
      ...standalone,
      staticRules: [
        { pattern: '\\bhi|hello\\b', layer: 'fast', model: 'c', priority: 20 },
        { pattern: 'summar|tl;dr', layer: 'deep', model: null, priority: 10 },
      ],
      experiment: { rulePattern: 'summar|tl;dr', candidates: ['a', 'd'] },
    });
    expect(scenario.staticRules.map((rule) => [rule.model, rule.reasoning])).toEqual([
      ['c', 'a static rule of the scenario file'],
      [null, 'a static rule of the scenario file'],
    ]);
    const route = staticRouter(scenario.staticRules, scenario.layerModels);
    expect(route('hello there (#1)').model).toBe('c');
    // A rule naming no model sends to its layer's model.
    expect(route('please summarize the notes (#2)')).toMatchObject({ layer: 'deep', model: 'c' });
    // The built-in scenarios keep the spec's rules.
    expect(SCENARIOS.support!.staticRules).toBe(SPEC_RULES);
  });

  it('ship examples that load: another model set, and a whole scenario with its own rules', () => {
    const example = fileURLToPath(new URL('./scenarios/support-other-models.json', import.meta.url));
    const scenario = loadScenarioFile(example, SCENARIOS);
    expect(scenario.models).toContain('claude-3.5-haiku');
    expect(scenario.models).not.toContain('gemini-2.5-pro');
    const legal = loadScenarioFile(fileURLToPath(new URL('./scenarios/legal-own-rules.json', import.meta.url)), SCENARIOS);
    expect(legal.staticRules).not.toBe(SPEC_RULES);
    expect(legal.models.some((model) => SPEC_RULES.some((rule) => rule.model === model))).toBe(false);
  });

  it('name the field of every problem', () => {
    const cases: [unknown, RegExp][] = [
      ['{ not json', /--scenario-file=.*JSON/],
      [{ ...standalone, colour: 'blue' }, /colour|Unrecognized key/],
      [{ ...standalone, taskTypes: [{ name: 'greet', share: 1.5, prompts: ['hi'] }] }, /taskTypes\.0\.share/],
      [{ ...standalone, truth: { ...standalone.truth, a: { greet: { success: 1.2 } } } }, /truth\.a\.greet\.success/],
      [
        { ...standalone, taskTypes: [{ ...standalone.taskTypes[0], share: 0.5 }, standalone.taskTypes[1]] },
        /taskTypes\[\]\.share: the shares sum to 1\.1/,
      ],
      [{ ...standalone, truth: { ...standalone.truth, d: { greet: figures(0.9) } } }, /truth\.d\.sum: needs success, latencyMs and cost/],
      [{ ...standalone, degrade: { model: 'z', taskType: 'sum', drop: 0.3 } }, /degrade\.model: z is not in models/],
      [{ ...standalone, degrade: { model: 'a', taskType: 'chat', drop: 0.3 } }, /degrade\.taskType: chat/],
      [{ ...standalone, newModel: 'a' }, /newModel: a is already in models/],
      [{ ...standalone, experiment: { rulePattern: 'nope', candidates: ['a'] } }, /experiment\.rulePattern/],
      [{ ...standalone, experiment: { ...standalone.experiment, candidates: ['q'] } }, /experiment\.candidates\[0\]: q/],
      [{ ...standalone, layerModels: { fast: 'a', balanced: 'q', deep: 'c' } }, /layerModels\.balanced: q is not in models/],
      [{ extends: 'nope' }, /extends: nope is not one of coding, support/],
      [{ name: 'half' }, /taskTypes: required/],
      [{ extends: 'support', taskTypes: [{ name: 'new-type', share: 1 }] }, /taskTypes\[0\]\.prompts: required/],
      [
        { ...standalone, staticRules: [{ pattern: '(unclosed', layer: 'fast', model: 'a', priority: 1 }] },
        /staticRules\.0\.pattern: must be a valid/,
      ],
      [
        // A RegExp takes a lookahead; RE2, and so Hone's rules, do not.
        { ...standalone, staticRules: [{ pattern: 'summar(?=ize)', layer: 'fast', model: 'a', priority: 1 }] },
        /staticRules\.0\.pattern: Hone's rules cannot use it/,
      ],
      [{ ...standalone, staticRules: [{ pattern: 'hello', layer: 'quick', model: 'a', priority: 1 }] }, /staticRules\.0\.layer/],
      [
        {
          ...standalone,
          staticRules: [{ pattern: 'summar', layer: 'fast', model: 'q', priority: 1 }],
          experiment: { rulePattern: 'summar', candidates: ['a'] },
        },
        /staticRules\[0\]\.model: .* to q, which is not in models/,
      ],
    ];
    cases.forEach(([content, message], i) => expect(() => load(content), `case ${i}`).toThrow(message));
    // Without its own rules the file gets the spec's, which send greetings to a model it leaves out.
    const { staticRules: _ownRules, ...withSpecRules } = standalone;
    expect(() => load(withSpecRules)).toThrow(
      /staticRules\[3\]\.model: the static rule \^\(hi\|hello\|hey\|thanks\)\\b sends greet requests .* to llama-3\.1-8b/,
    );
  });

  it('are read by the bench options, which refuse a scenario name beside one', () => {
    const file = fileWith({ extends: 'coding', reward: { costWeight: 1, latencyWeight: 0 } });
    const { scenario, simulation } = simulationOptions({ 'scenario-file': file, seed: '4' });
    expect(scenario.reward).toEqual({ costWeight: 1, latencyWeight: 0 });
    expect(scenario.taskTypes.map((taskType) => taskType.name)).toEqual(SCENARIOS.coding!.taskTypes.map((taskType) => taskType.name));
    expect(simulation.seed).toBe(4);
    expect(() => simulationOptions({ 'scenario-file': file, scenario: 'coding' })).toThrow(/exclude each other/);
  });

  it('describe the built-in scenarios too (the schema fits them)', () => {
    for (const scenario of Object.values(SCENARIOS)) {
      const { taskTypes, ...rest } = scenario;
      const file: ScenarioFile = scenarioFileSchema.parse({
        ...rest,
        extends: scenario.name,
        taskTypes: taskTypes.map(({ name, share }) => ({ name, share })),
      });
      expect(scenarioFromFile(file, scenario)).toMatchObject({ ...rest });
    }
  });
});
