// Types of decide.mjs (plain JavaScript so the match worker and the client package run it without a build step).

export type RoutingLayer = 'fast' | 'balanced' | 'deep';

/** A rule as the snapshot carries it: one immutable version of an active or shadow rule. */
export interface SnapshotRule {
  ruleId: number;
  versionId: number;
  version: number;
  pattern: string;
  layer: RoutingLayer;
  model: string | null;
  priority: number;
  state: 'active' | 'shadow';
  reasoning: string | null;
}

/** What a decision needs to know, served to gateways (with `version` as its ETag) and used by the server itself. */
export interface RoutingSnapshot {
  /** Opaque; changes whenever any rule's version changes. */
  version: string;
  defaultLayer: RoutingLayer;
  /** Active and shadow rules in evaluation order (priority descending, most recently updated, id). */
  rules: SnapshotRule[];
  /** Whether decisions' inputs are sampled for replay, and at most how many per hour. */
  sampling: { storeInputs: boolean; samplesPerHour: number };
}

export interface ShadowMatch {
  ruleId: number;
  versionId: number;
  /** Whether it ranks ahead of the deciding rule (or no active rule matched): had it been active, it would have decided. */
  wouldDecide: boolean;
  /** The version it would have displaced; null when it would have displaced the default layer, or displaces nothing. */
  displacedVersionId: number | null;
}

export interface Decision {
  decisionId: string;
  layer: RoutingLayer;
  model: string | null;
  ruleId: number | null;
  versionId: number | null;
  pattern: string | null;
  reasoning: string;
  shadow: ShadowMatch[];
  /** Set when matching was cut off (the server's worker ran out of time): the default layer answered. */
  cutOff?: string;
}

/** Indices into `snapshot.rules`: the first active rule that matched (-1: none) and every shadow rule that matched. */
export interface SnapshotMatch {
  ruleIndex: number;
  shadowIndices: number[];
}

export interface CompiledSnapshot {
  readonly snapshot: RoutingSnapshot;
  /** Rules left out because their pattern does not compile: index into snapshot.rules, and why. */
  readonly unusable: readonly { index: number; reason: string }[];
  match(input: string): SnapshotMatch;
}

export declare function compileSnapshot(snapshot: RoutingSnapshot): CompiledSnapshot;
export declare function decisionFrom(snapshot: RoutingSnapshot, match: SnapshotMatch | { cutOff: string }): Decision;
export declare function decide(compiled: CompiledSnapshot, input: string): Decision;
