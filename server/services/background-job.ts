import { countDatabaseError } from '../monitoring/metrics';

/**
 * Runs `work` after `firstDelayMs`, then `intervalMs` after each run ended, until the returned function is called.
 * Timers are unref'd (a job never keeps the process alive). A failed run is counted (database errors), logged with
 * `failure`, and tried again at the next interval: a background job never stops on an error, nor hides it.
 */
export function scheduleRepeating(
  work: () => Promise<void>,
  { firstDelayMs, intervalMs, failure }: { firstDelayMs?: number; intervalMs: number; failure: string },
): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const next = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => void run(), delayMs);
    timer.unref();
  };
  const run = async () => {
    try {
      await work();
    } catch (error) {
      countDatabaseError(error);
      console.error(`Hone: ${failure}; it runs again later:`, error);
    }
    next(intervalMs);
  };
  next(firstDelayMs ?? intervalMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
