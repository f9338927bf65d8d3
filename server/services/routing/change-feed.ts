// STAND-IN, TO BE REPLACED BY THE `changefeed` BRANCH: same exports and signatures as the contract's change feed
// (announceRoutingChange, subscribeRoutingChanges), delivering in this process only. The real one also NOTIFYs other
// server processes on the same PostgreSQL (LISTEN/NOTIFY) and tells listeners to `resync` after a lost connection.
// When merging, take the changefeed branch's file whole; the SSE endpoint (server/http/routing-sync.ts) already
// handles both kinds of change.
import type { PrismaClient } from '../../db/client';

export interface RoutingChangeDetail {
  ruleId?: number;
  versionId?: number;
  change?: 'created' | 'updated' | 'deleted';
}

/**
 * `change`: a rule change was committed, by this process or another one. `resync`: changes may have been missed:
 * reload everything.
 */
export type RoutingChange =
  { kind: 'change'; detail: RoutingChangeDetail; from: 'this-process' | 'another-process' } | { kind: 'resync'; reason: string };

export type RoutingChangeListener = (change: RoutingChange) => void;

const listenersByDatabase = new WeakMap<PrismaClient, Set<RoutingChangeListener>>();

function listenersOf(prisma: PrismaClient): Set<RoutingChangeListener> {
  let listeners = listenersByDatabase.get(prisma);
  if (!listeners) listenersByDatabase.set(prisma, (listeners = new Set()));
  return listeners;
}

/** Tells this process's listeners that a rule change was committed. Call it after the commit. */
export async function announceRoutingChange(prisma: PrismaClient, detail: RoutingChangeDetail = {}): Promise<void> {
  for (const listener of [...listenersOf(prisma)]) {
    try {
      listener({ kind: 'change', detail, from: 'this-process' });
    } catch (error) {
      // One listener's failure must not keep the change from the others, nor fail the save that announced it.
      console.warn(`Hone: a routing change listener failed: ${(error as Error).message}`);
    }
  }
}

/** Calls `listener` on every committed rule change on this database; returns the unsubscribe function. */
export function subscribeRoutingChanges(prisma: PrismaClient, listener: RoutingChangeListener): () => void {
  const listeners = listenersOf(prisma);
  // A distinct wrapper per subscription, so the same function subscribed twice is unsubscribed once per call.
  const subscription: RoutingChangeListener = (change) => listener(change);
  listeners.add(subscription);
  return () => void listeners.delete(subscription);
}
