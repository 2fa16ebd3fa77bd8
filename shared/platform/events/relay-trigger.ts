import { primaryDb } from '../db/database.js';
import { logger } from '../telemetry/logger.js';
import { eventPublisher } from './publisher.js';
import { relayOutbox } from './relay.js';

let running: Promise<void> | undefined;
let again = false;
let relayed = 0;

/**
 * Asks for the outbox to be relayed soon, after a transaction that may have written events has
 * committed. At most one relay runs per process; a nudge during a run makes it go round once more.
 * The timer-triggered relay catches anything a nudge misses (a process that stops first).
 */
export function nudgeOutboxRelay(): void {
  if (running) {
    again = true;
    return;
  }
  running = (async () => {
    do {
      again = false;
      try {
        relayed += await relayOutbox(primaryDb(), await eventPublisher());
      } catch (error) {
        logger().warn('outbox relay failed; the timer will retry', { error });
        again = false;
      }
    } while (again);
  })().finally(() => {
    running = undefined;
  });
}

/** How many events nudged relay runs have published in this process (hosts settling their work compare it). */
export function outboxRelayedCount(): number {
  return relayed;
}

/** Resolves when the current relay run, if any, has finished (for hosts shutting down and tests). */
export async function outboxRelayIdle(): Promise<void> {
  while (running) await running;
}
