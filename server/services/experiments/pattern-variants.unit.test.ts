import { describe, expect, it } from 'vitest';
import { assignArm, compileSnapshot, decide, type RoutingSnapshot, type SnapshotExperiment, type SnapshotRule } from '../routing/engine';

// Experiments whose arm changes the rule's pattern or priority: the engine decides per arm which rule decides.

const rule = (ruleId: number, pattern: string, priority: number, model: string): SnapshotRule => ({
  ruleId,
  versionId: 100 + ruleId,
  version: 1,
  pattern,
  layer: 'deep',
  model,
  priority,
  state: 'active',
  reasoning: null,
});

// In evaluation order (priority descending).
const high = rule(1, 'urgent', 50, 'model-high');
const target = rule(2, 'refactor', 10, 'model-target');
const low = rule(3, 'code|refactor|rewrite', 0, 'model-low');

const experiment = (variant: SnapshotExperiment['arms'][number]['variant'], weights: [number, number] = [1, 1]): SnapshotExperiment => ({
  experimentId: 9,
  name: 'wider pattern',
  ruleId: 2,
  taskType: null,
  salt: 'salt',
  arms: [
    { armId: 90, name: 'control', weight: weights[0], variant: { kind: 'control' } },
    { armId: 91, name: 'variant', weight: weights[1], variant },
  ],
});

const snapshotWith = (experiments: SnapshotExperiment[]): RoutingSnapshot => ({
  version: 'v',
  defaultLayer: 'balanced',
  rules: [high, target, low],
  sampling: { storeInputs: false, samplesPerHour: 0 },
  experiments,
});

/** Request keys that land in each arm. */
function keysFor(exp: SnapshotExperiment): { control: string; variant: string } {
  let control: string | undefined;
  let variant: string | undefined;
  for (let i = 0; (!control || !variant) && i < 1000; i++) {
    const armId = assignArm(exp, `k${i}`).armId;
    if (armId === 90) control ??= `k${i}`;
    else variant ??= `k${i}`;
  }
  return { control: control!, variant: variant! };
}

describe('pattern and priority variants', () => {
  const wider = experiment({ kind: 'rule', pattern: 'refactor|rewrite', model: 'model-variant' });
  const compiled = compileSnapshot(snapshotWith([wider]));
  const keys = keysFor(wider);

  it('an input only the variant pattern matches: the variant decides in its arm, the next rule in the control arm; both are in the experiment', () => {
    const inVariant = decide(compiled, 'rewrite this', { requestKey: keys.variant });
    expect(inVariant).toMatchObject({ ruleId: 2, model: 'model-variant', pattern: 'refactor|rewrite', experimentId: 9, armId: 91 });
    const inControl = decide(compiled, 'rewrite this', { requestKey: keys.control });
    expect(inControl).toMatchObject({ ruleId: 3, model: 'model-low', experimentId: 9, armId: 90 });
    expect(inControl.reasoning).toContain('in this arm rule #3 decides');
  });

  it('an input both match: the rule decides in both arms, as each arm has it', () => {
    expect(decide(compiled, 'refactor this', { requestKey: keys.variant })).toMatchObject({ ruleId: 2, model: 'model-variant', armId: 91 });
    expect(decide(compiled, 'refactor this', { requestKey: keys.control })).toMatchObject({ ruleId: 2, model: 'model-target', armId: 90 });
  });

  it('a higher rule that matches decides in every arm: not in the experiment', () => {
    const decision = decide(compiled, 'urgent: rewrite this', { requestKey: keys.variant });
    expect(decision).toMatchObject({ ruleId: 1, experimentId: null, armId: null });
  });

  it('an input neither matches is not in the experiment', () => {
    expect(decide(compiled, 'write some code', { requestKey: keys.variant })).toMatchObject({ ruleId: 3, experimentId: null });
    expect(compiled.match('nothing at all').experiments).toBeUndefined();
  });

  it('a narrower variant that does not match: the next match decides in its arm', () => {
    const narrower = experiment({ kind: 'rule', pattern: '^refactor$' });
    const narrow = compileSnapshot(snapshotWith([narrower]));
    const k = keysFor(narrower);
    expect(decide(narrow, 'please refactor', { requestKey: k.variant })).toMatchObject({ ruleId: 3, model: 'model-low', armId: 91 });
    expect(decide(narrow, 'please refactor', { requestKey: k.control })).toMatchObject({ ruleId: 2, model: 'model-target', armId: 90 });
    expect(decide(narrow, 'hello', { requestKey: k.variant })).toMatchObject({ ruleId: null, experimentId: null });
  });

  it('a priority variant above a higher rule decides there; with its own pattern only when it matches', () => {
    const raised = experiment({ kind: 'rule', priority: 60 });
    const compiledRaised = compileSnapshot(snapshotWith([raised]));
    const k = keysFor(raised);
    expect(decide(compiledRaised, 'urgent refactor', { requestKey: k.variant })).toMatchObject({ ruleId: 2, armId: 91 });
    expect(decide(compiledRaised, 'urgent refactor', { requestKey: k.control })).toMatchObject({ ruleId: 1, armId: 90 });
    expect(decide(compiledRaised, 'urgent matter', { requestKey: k.variant })).toMatchObject({ ruleId: 1, experimentId: null });
  });

  it('a lowered priority below the next rule: the next rule decides in that arm', () => {
    const lowered = experiment({ kind: 'rule', priority: -5 });
    const compiledLowered = compileSnapshot(snapshotWith([lowered]));
    const k = keysFor(lowered);
    expect(decide(compiledLowered, 'refactor', { requestKey: k.variant })).toMatchObject({ ruleId: 3, armId: 91 });
    expect(decide(compiledLowered, 'refactor', { requestKey: k.control })).toMatchObject({ ruleId: 2, armId: 90 });
  });

  it('a stopped variant arm (weight 0) sends its traffic to the control, and an input only it matched is no longer in the experiment', () => {
    const stopped = experiment({ kind: 'rule', pattern: 'refactor|rewrite' }, [1, 0]);
    const compiledStopped = compileSnapshot(snapshotWith([stopped]));
    expect(decide(compiledStopped, 'rewrite this', { requestKey: 'any' })).toMatchObject({ ruleId: 3, experimentId: null });
    expect(decide(compiledStopped, 'refactor this', { requestKey: 'any' })).toMatchObject({ ruleId: 2, armId: 90 });
  });

  it('the task type filter applies', () => {
    const scoped = { ...wider, taskType: 'coding' };
    const compiledScoped = compileSnapshot(snapshotWith([scoped]));
    expect(decide(compiledScoped, 'rewrite this', { requestKey: keys.variant, taskType: 'docs' })).toMatchObject({
      ruleId: 3,
      experimentId: null,
    });
    expect(decide(compiledScoped, 'rewrite this', { requestKey: keys.variant, taskType: 'coding' })).toMatchObject({
      ruleId: 2,
      armId: 91,
    });
  });
});
