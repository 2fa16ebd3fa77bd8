import { describe, expect, it } from 'vitest';
import {
  declareTopology,
  messagingTopology,
  queueSettings,
  subscriptionAccepts,
  subscriptionSettings,
  topicSettings,
} from '../../shared/platform/events/topology.js';

describe('messaging topology', () => {
  it('declares the events topic with duplicate detection and the platform subscription', () => {
    const topology = messagingTopology();
    expect(topicSettings(topology, 'erp-events')).toMatchObject({
      name: 'erp-events',
      duplicateDetectionWindowSeconds: 600,
    });
    expect(subscriptionSettings(topology, 'erp-events', 'platform')).toMatchObject({
      name: 'platform',
      maxDeliveryCount: 10,
      lockDurationSeconds: 60,
      deadLetteringOnMessageExpiration: true,
    });
    expect(messagingTopology('erp-events-test').topics.map((t) => t.name)).toEqual(['erp-events-test']);
  });

  it('gives undeclared topics, subscriptions and queues the defaults, and looks names up case-insensitively', () => {
    const topology = declareTopology({
      topics: [{ name: 'Orders', subscriptions: [{ name: 'Billing', maxDeliveryCount: 3 }] }],
    });
    expect(subscriptionSettings(topology, 'orders', 'billing').maxDeliveryCount).toBe(3);
    expect(subscriptionSettings(topology, 'orders', 'shipping')).toEqual({
      name: 'shipping',
      maxDeliveryCount: 10,
      lockDurationSeconds: 60,
      defaultMessageTimeToLiveSeconds: 14 * 24 * 3600,
      deadLetteringOnMessageExpiration: true,
    });
    expect(topicSettings(topology, 'elsewhere')).toEqual({
      name: 'elsewhere',
      duplicateDetectionWindowSeconds: 600,
      subscriptions: [],
    });
    expect(queueSettings(topology, 'jobs')).toMatchObject({
      name: 'jobs',
      maxDeliveryCount: 10,
      duplicateDetectionWindowSeconds: 600,
    });
  });

  it('filters on subjects only where a subscription lists them', () => {
    const topology = declareTopology({
      topics: [
        { name: 't', subscriptions: [{ name: 'sales', subjects: ['sales.OrderPlaced'] }, { name: 'all' }] },
      ],
    });
    const sales = subscriptionSettings(topology, 't', 'sales');
    const all = subscriptionSettings(topology, 't', 'all');
    expect([
      subscriptionAccepts(sales, 'sales.OrderPlaced'),
      subscriptionAccepts(sales, 'hr.LeaveRequested'),
      subscriptionAccepts(sales, undefined),
    ]).toEqual([true, false, false]);
    expect(subscriptionAccepts(all, undefined)).toBe(true);
  });

  it.each([
    [
      { topics: [{ name: 't', subscriptions: [{ name: 's', lockDurationSeconds: 1 }] }] },
      /lockDurationSeconds must be an integer from 5 to 300/,
    ],
    [
      { topics: [{ name: 't', subscriptions: [{ name: 's', maxDeliveryCount: 0 }] }] },
      /maxDeliveryCount must be an integer from 1 to 2000/,
    ],
    [{ topics: [{ name: 't', duplicateDetectionWindowSeconds: 5 }] }, /duplicateDetectionWindowSeconds/],
    [
      { topics: [{ name: 't', subscriptions: [{ name: 's' }, { name: 'S' }] }] },
      /declares subscription S twice/,
    ],
    [
      { topics: [{ name: 't', subscriptions: [{ name: 's', subjects: [] }] }] },
      /subjects must list 1 to 100/,
    ],
    [{ topics: [{ name: 'x' }], queues: [{ name: 'X' }] }, /declared twice/],
    [{ queues: [{ name: 'bad name' }] }, /not a valid queue name/],
  ])('refuses a declaration Service Bus would refuse (%#)', (declaration, message) => {
    expect(() => declareTopology(declaration)).toThrow(message);
  });
});
