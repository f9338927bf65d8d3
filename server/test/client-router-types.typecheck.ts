// Checked by `tsc -p .` (part of `npm test`), not run: the client package's generated router types must be
// exactly the server's. When a tool's input or result changes, this fails until `npm run client:types` is run.
import type { inferRouterError, inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { HoneRouter } from '../../packages/client/src/router';
import type { API_VERSION } from '../../packages/client/src/version';
import type { HONE_API_VERSION } from '../api-version';
import type { AppRouter } from '../trpc/routers/_app';

type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
// Results are compared flattened (`A & B` and the one object it amounts to are the same result); inputs are
// not, as flattening zod's recursive JSON type never ends.
type Flat<T> = T extends object ? { [K in keyof T]: Flat<T[K]> } : T;
type SameFlattened<A, B> = Same<Flat<A>, Flat<B>>;
type Expect<T extends true> = T;

/** `true` per procedure whose types match; a `false` names the procedure that differs. */
type Check<Client, Server, Flatten extends boolean> = {
  [Group in keyof Server]: {
    [Name in keyof Server[Group]]: Group extends keyof Client
      ? Name extends keyof Client[Group]
        ? Flatten extends true
          ? SameFlattened<Client[Group][Name], Server[Group][Name]>
          : Same<Client[Group][Name], Server[Group][Name]>
        : false
      : false;
  };
};
type AllMatch<Server> = { [Group in keyof Server]: { [Name in keyof Server[Group]]: true } };
type ProceduresOf<Router> = { [Group in keyof Router]: keyof Router[Group] };
type MutuallyAssignable<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

type ClientInputs = inferRouterInputs<HoneRouter>;
type ServerInputs = inferRouterInputs<AppRouter>;
type ClientOutputs = inferRouterOutputs<HoneRouter>;
type ServerOutputs = inferRouterOutputs<AppRouter>;

export type ClientTypesMatchTheServer = [
  Expect<Same<ProceduresOf<ClientInputs>, ProceduresOf<ServerInputs>>>,
  Expect<Same<Check<ClientInputs, ServerInputs, false>, AllMatch<ServerInputs>>>,
  Expect<Same<Check<ClientOutputs, ServerOutputs, true>, AllMatch<ServerOutputs>>>,
  Expect<MutuallyAssignable<inferRouterError<HoneRouter>, inferRouterError<AppRouter>>>,
  Expect<Same<typeof API_VERSION, typeof HONE_API_VERSION>>,
];
