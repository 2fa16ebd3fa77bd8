// @vitest-environment jsdom
/**
 * The approval cards: the templates expand for orders in different currencies and locales, and what
 * comes out is a valid Adaptive Card 1.5 as the Adaptive Cards library itself parses it.
 */
import * as AC from 'adaptivecards';
import { describe, expect, it } from 'vitest';
import type { Approval } from '../../shared/modules/approvals/index.js';
import {
  outcomeCard,
  refusedCard,
  requestCard,
  type AdaptiveCardJson,
  type CardContext,
} from '../../shared/modules/teams/index.js';

function approval(overrides: Partial<Approval> = {}): Approval {
  return {
    id: '6f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b',
    number: 'APR-2026-000042',
    status: 'pending',
    subject: { type: 'sales.quote', id: '1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d', number: 'QT-2026-000123' },
    title: 'Sales order for Karoo Civils (QT-2026-000123)',
    amount: { amount: '1234567.50', currency: 'ZAR' },
    baseAmount: { amount: '1234567.50', currency: 'ZAR' },
    reasons: ['over_threshold', 'over_credit_limit'],
    details: {
      customer: { id: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e', name: 'Karoo Civils (Pty) Ltd' },
      threshold: { amount: '250000.00', currency: 'ZAR' },
      credit: {
        withinLimit: false,
        limit: '1000000.00',
        receivables: '10000.00',
        openOrders: '0.00',
        thisOrder: '1234567.50',
        currency: 'ZAR',
      },
    },
    requiredRole: 'Finance.Approver',
    requestedBy: { objectId: '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f', name: 'Rita Rep' },
    flowInstanceId: 'flow-1',
    deadline: '2026-11-25T10:00:00.000Z',
    escalatedAt: null,
    decision: null,
    closedAt: null,
    canDecide: false,
    version: 1,
    createdAt: '2026-11-22T10:00:00.000Z',
    ...overrides,
  };
}

const zar: CardContext = {
  tenantName: 'Demo Construction (Pty) Ltd',
  locale: 'en-ZA',
  timeZone: 'Africa/Johannesburg',
};
const eur: CardContext = { tenantName: 'Acme Bau GmbH', locale: 'de-DE', timeZone: 'Europe/Berlin' };

/** Parses with the Adaptive Cards library as version 1.5 and returns every complaint it has. */
function parse(json: AdaptiveCardJson): { card: AC.AdaptiveCard; problems: string[] } {
  const card = new AC.AdaptiveCard();
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  card.parse(json, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) problems.push(context.getEventAt(i).message);
  for (const event of card.validateProperties().validationEvents) problems.push(event.message);
  return { card, problems };
}

const texts = (json: unknown) => JSON.stringify(json);

describe('the approval request card', () => {
  it('expands for a ZAR order: amount in rand for en-ZA, both reasons, requester, deadline in the tenant time zone', () => {
    const json = requestCard(approval(), zar, { canAct: true, refreshUserIds: ['29:a', '29:b'] });
    const { card, problems } = parse(json);
    expect(problems).toEqual([]);
    expect(json.version).toBe('1.5');
    expect(texts(json)).not.toContain('${');
    const amount = new Intl.NumberFormat('en-ZA', { style: 'currency', currency: 'ZAR' }).format(1234567.5);
    expect(texts(json)).toContain(amount);
    expect(amount).toMatch(/^R\s?1\s?234\s?567,50$/u);
    expect(texts(json)).toContain('Over the approval threshold of R');
    expect(texts(json)).toContain("Over the customer's credit limit of R");
    expect(texts(json)).toContain('Karoo Civils (Pty) Ltd');
    expect(texts(json)).toContain('Rita Rep');
    // 10:00 UTC is 12:00 in Johannesburg.
    expect(texts(json)).toMatch(/25 Nov 2026,? 12:00/);
    // Approve and Reject as Universal Actions with an Action.Submit fallback, and a comment box.
    expect(card.getActionCount()).toBe(2);
    const actions = json.actions as {
      type: string;
      verb: string;
      data: unknown;
      fallback: { type: string; data: unknown };
    }[];
    expect(actions.map((a) => [a.type, a.verb, a.fallback.type])).toEqual([
      ['Action.Execute', 'approve', 'Action.Submit'],
      ['Action.Execute', 'reject', 'Action.Submit'],
    ]);
    expect(actions[0]?.data).toEqual({ approvalId: approval().id });
    expect(actions[1]?.fallback.data).toEqual({ verb: 'reject', approvalId: approval().id });
    expect(card.getElementById('comment')?.getJsonTypeName()).toBe('Input.Text');
    expect(json.refresh).toEqual({
      action: {
        type: 'Action.Execute',
        title: 'Refresh',
        verb: 'refresh',
        data: { approvalId: approval().id },
      },
      userIds: ['29:a', '29:b'],
    });
  });

  it('expands for a EUR order in de-DE with the exact decimal amount, no float rounding', () => {
    const eurApproval = approval({
      amount: { amount: '9007199254740993.25', currency: 'EUR' },
      reasons: ['over_threshold'],
      details: { customer: { name: 'Bau Müller AG' }, threshold: { amount: '50000.00', currency: 'EUR' } },
    });
    const json = requestCard(eurApproval, eur, { canAct: true, refreshUserIds: [] });
    expect(parse(json).problems).toEqual([]);
    // Beyond 2^53: a float would print …992 or …994.
    expect(texts(json)).toContain('9.007.199.254.740.993,25');
    expect(texts(json)).toContain('€');
    expect(texts(json)).toContain('Over the approval threshold of 50.000,00');
    expect(texts(json)).not.toContain('credit limit');
    expect(texts(json)).toContain('Bau Müller AG');
  });

  it('shows no buttons to a viewer who cannot act, and a reminder once escalated', () => {
    const json = requestCard(approval({ escalatedAt: '2026-11-23T10:00:00.000Z' }), zar, {
      canAct: false,
      refreshUserIds: [],
    });
    const { card, problems } = parse(json);
    expect(problems).toEqual([]);
    expect(card.getActionCount()).toBe(0);
    expect(card.getElementById('comment')).toBeUndefined();
    expect(texts(json)).toContain('Reminder');
  });
});

describe('the outcome and refusal cards', () => {
  it('shows who decided and when, read-only', () => {
    const decided = approval({
      status: 'approved',
      decision: {
        decision: 'approve',
        by: { objectId: '4d5e6f7a-8b9c-4d0e-8f1a-2b3c4d5e6f7a', name: 'Fiona Finance' },
        at: '2026-11-22T12:30:00.000Z',
        comment: 'Paid on time for years',
      },
      closedAt: '2026-11-22T12:30:00.000Z',
    });
    const json = outcomeCard(decided, zar);
    const { card, problems } = parse(json);
    expect(problems).toEqual([]);
    expect(card.getActionCount()).toBe(0);
    expect(json.refresh).toBeUndefined();
    expect(texts(json)).toContain('Approved');
    expect(texts(json)).toContain('Fiona Finance');
    expect(texts(json)).toMatch(/22 Nov 2026,? 14:30/);
    expect(texts(json)).toContain('Paid on time for years');
  });

  it('says when a request expired without a decision', () => {
    const json = outcomeCard(approval({ status: 'expired', closedAt: '2026-11-25T10:00:00.000Z' }), eur);
    expect(parse(json).problems).toEqual([]);
    expect(texts(json)).toContain('Expired without a decision');
    expect(texts(json)).not.toContain('Decided by');
  });

  it('explains a refusal and refreshes to the current state for that user only', () => {
    const json = refusedCard({
      approvalId: approval().id,
      title: 'You could not approve this request',
      message: 'Only a user with the role Finance.Approver may decide this.',
      approval: approval(),
      refreshUserIds: ['29:frank'],
    });
    expect(parse(json).problems).toEqual([]);
    expect(texts(json)).toContain('Finance.Approver');
    expect((json.refresh as { userIds: string[] }).userIds).toEqual(['29:frank']);
  });
});
