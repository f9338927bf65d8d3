// The routing engine lives in the client package (packages/client/src/routing/), so that gateways deciding locally
// (`hone.router()`) and the server run one copy of it. Server code imports it through here; only the match worker,
// plain JavaScript run by Node as is, imports the package's files directly.
export * from '../../../packages/client/src/routing/adaptive.js';
export * from '../../../packages/client/src/routing/decide.js';
export * from '../../../packages/client/src/routing/experiments.js';
export * from '../../../packages/client/src/routing/pattern-compiler.js';
export * from '../../../packages/client/src/routing/pattern-set.js';
export type * from '../../../packages/client/src/routing/types.js';
