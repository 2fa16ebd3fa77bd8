import { expect, it } from 'vitest';
import { setFunctionsCoreSink } from '../../devhost/functions-core.js';
import { FunctionHost } from '../../devhost/host.js';
import { definedConsumers } from '../../shared/platform/events/consumer.js';
import { messagingTopology } from '../../shared/platform/events/topology.js';

// The whole app's registrations, as Azure and the devhost load them.
setFunctionsCoreSink(new FunctionHost(() => {}));
await import('../../functions/index.js');

const topic = messagingTopology().topics[0];

it('filters each subscription to exactly the event types its consumers handle', () => {
  const consumers = definedConsumers();
  expect(consumers.length).toBeGreaterThan(0);
  const handled = new Map<string, Set<string>>();
  for (const consumer of consumers) {
    const types = handled.get(consumer.subscription) ?? new Set<string>();
    for (const type of consumer.eventTypes) types.add(type);
    handled.set(consumer.subscription, types);
  }
  const declared = Object.fromEntries(
    (topic?.subscriptions ?? []).map((s) => [s.name, s.subjects ? [...s.subjects].sort() : 'every subject']),
  );
  const wanted = Object.fromEntries([...handled].map(([name, types]) => [name, [...types].sort()]));
  // A subscription nobody reads, or one that copies in events its consumers ignore, costs a
  // message (receive and complete) per event for nothing; a missing subject loses events.
  expect(declared).toEqual(wanted);
});
