// The typed client lives in the installable package packages/client (`@hone/client`); code inside this
// repository (tests, benchmarks) imports it through here.
export * from '../packages/client/src/index';
