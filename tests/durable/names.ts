/**
 * Names and shared state of the test orchestrations (tests/durable/fixtures.ts registers them).
 * Importing this module registers nothing, so a test can use the names before it has a host.
 */

export const HELLO = 'test-hello';
export const DOUBLE = 'test-double';
export const FLAKY = 'test-flaky';
export const FAIL = 'test-fail';
export const SLEEP = 'test-sleep';

export const CHAIN = 'test-chain';
export const FAN_OUT = 'test-fan-out';
export const APPROVAL = 'test-approval';
export const RETRY = 'test-retry';
export const RETRY_FAN_OUT = 'test-retry-fan-out';
export const PARENT = 'test-parent';
export const CHILD = 'test-child';
export const FLAKY_CHILD = 'test-flaky-child';
export const LOOP = 'test-loop';
export const FAILING = 'test-failing';
export const WAITER = 'test-waiter';
export const CATCHER = 'test-catcher';
export const CLIENT = 'test-client';
export const NONDETERMINISTIC = 'test-nondeterministic';
export const MISSING_CALLER = 'test-missing-caller';

/** What the deliberately non-deterministic orchestrator calls first (a test flips it mid-flight). */
export const nondeterminism = { activity: 'test-hello' };

/** Calls per key of the flaky activity in this process: tests read it to count executions. */
export const flakyCalls = new Map<string, number>();
/** Executions of each activity name in this process. */
export const activityRuns = new Map<string, number>();

export interface FlakyInput {
  key: string;
  failures: number;
}

export interface ApprovalInput {
  timeoutMs: number;
  /** How long the step after an approval takes (lets the cancelled deadline pass). */
  afterMs: number;
}

export interface RetryInput {
  key: string;
  failures: number;
  firstRetryIntervalMs: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalMs?: number;
  retryTimeoutMs?: number;
}

export interface ParentInput {
  childId: string;
  value: number;
  flakyKey: string;
}

export interface LoopInput {
  n: number;
  max: number;
}

export type ClientOperation =
  | { op: 'start'; name: string; instanceId?: string; input?: unknown }
  | { op: 'status'; instanceId: string }
  | { op: 'raise'; instanceId: string; event: string; data: unknown }
  | { op: 'terminate'; instanceId: string; reason: string }
  | { op: 'list' }
  | { op: 'purge'; instanceId: string };
