// The routing decision engine lives in the client package (packages/client/src/routing/), so that gateways deciding
// locally (`hone.router()`) and the server run one copy of it; server code imports it through here.
export { compileSnapshot, decide, decisionFrom } from '../../../packages/client/src/routing/decide.js';
export type {
  CompiledSnapshot,
  Decision,
  RoutingLayer,
  RoutingSnapshot,
  ShadowMatch,
  SnapshotMatch,
  SnapshotRule,
} from '../../../packages/client/src/routing/types.js';
