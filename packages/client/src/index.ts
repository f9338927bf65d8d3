// @hone/client: the gateway's client for Hone. One module per job: client.ts (the typed tRPC client),
// errors.ts (HoneClientError), version.ts (the API version), router.ts (the procedures' types), tracker.ts
// (`hone.track`: batched fire-and-forget recording), local-router.ts (`hone.router()`: routing decided in the gateway
// by routing/, the engine Hone itself runs).
export { createHoneClient, DEFAULT_TIMEOUT_MS, type HoneClient, type HoneClientOptions } from './client.js';
export {
  HoneClientError,
  isHoneClientError,
  type HoneClientErrorCode,
  type HoneClientErrorDetails,
  type HoneServerErrorCode,
  type HoneTransportErrorCode,
} from './errors.js';
export {
  createTracker,
  TRACKER_DEFAULTS,
  type HoneTracker,
  type HoneTrackerOptions,
  type HoneTrackerProblem,
  type HoneTrackerStats,
  type RouteDecisionItem,
  type RouteOutcomeItem,
  type TrackedBugReport,
  type TrackedItemKind,
  type TrackedMetric,
  type TrackedModelCall,
  type TrackedRouteDecision,
  type TrackedRouteOutcome,
  type TrackerRejection,
} from './tracker.js';
export {
  createLocalRouter,
  ROUTER_DEFAULTS,
  type HoneLocalRouter,
  type HoneRouterOptions,
  type HoneRouterStatus,
  type LocalDecision,
  type RouteOutcome,
  type RouterState,
} from './local-router.js';
export { compileSnapshot, decide, decisionFrom } from './routing/decide.js';
export type { CompiledSnapshot, Decision, RoutingLayer, RoutingSnapshot, ShadowMatch, SnapshotRule } from './routing/types.js';
export type { FieldIssue, HoneErrorShape, HoneInputs, HoneOutputs, HoneRouter } from './router.js';
export { API_VERSION, API_VERSION_HEADER, isCompatibleApiVersion } from './version.js';
