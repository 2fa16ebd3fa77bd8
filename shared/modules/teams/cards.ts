/**
 * The approval cards: Adaptive Card 1.5 templates kept as JSON beside this file (a designer opens
 * them in the Adaptive Cards Designer), expanded with `adaptivecards-templating` from a view model
 * built here. Every text is formatted for the tenant's locale and time zone; amounts are formatted
 * from their exact decimal strings in their own currency, never through a float.
 */
import { createRequire } from 'node:module';
import type { Approval } from '../approvals/index.js';
import outcomeTemplate from './cards/approval-outcome.json' with { type: 'json' };
import refusedTemplate from './cards/approval-refused.json' with { type: 'json' };
import requestTemplate from './cards/approval-request.json' with { type: 'json' };

/**
 * `adaptivecards-templating` is loaded through `require` with its one used type written here: its
 * declaration files import the TypeScript sources of `adaptivecards`, which this project's
 * compiler settings (verbatimModuleSyntax) reject.
 */
const { Template } = createRequire(import.meta.url)('adaptivecards-templating') as {
  Template: new (payload: unknown) => { expand(context: { $root: unknown }): unknown };
};

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/** Teams refreshes a card automatically for at most this many users. */
export const REFRESH_USERS_MAX = 60;

export interface CardContext {
  tenantName: string;
  locale: string;
  timeZone: string;
}

export type AdaptiveCardJson = Record<string, unknown> & { type: 'AdaptiveCard'; version: string };

/** Formats a decimal string in its currency, e.g. `R 1 234 567,50` (en-ZA) or `€1,234.50` (en-IE). */
export function formatMoney(amount: string, currency: string, locale: string): string {
  // Intl formats a numeric string exactly (ECMA-402 "Intl.NumberFormat v3"): no float in between.
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency }).format as (
    value: string,
  ) => string;
  return format(amount);
}

export function formatDateTime(iso: string, context: CardContext): string {
  return new Intl.DateTimeFormat(context.locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: context.timeZone,
  }).format(new Date(iso));
}

interface MoneyDetail {
  amount?: unknown;
  currency?: unknown;
}

/** Why the request needs a decision, in words, with the figures from the flow's details. */
export function reasonTexts(approval: Approval, locale: string): string[] {
  const details = approval.details as {
    threshold?: MoneyDetail;
    credit?: {
      limit?: unknown;
      thisOrder?: unknown;
      receivables?: unknown;
      openOrders?: unknown;
      currency?: unknown;
    };
  };
  return approval.reasons.map((reason) => {
    if (reason === 'over_threshold') {
      const threshold = details.threshold;
      return typeof threshold?.amount === 'string' && typeof threshold.currency === 'string'
        ? `Over the approval threshold of ${formatMoney(threshold.amount, threshold.currency, locale)}`
        : 'Over the approval threshold';
    }
    if (reason === 'over_credit_limit') {
      const credit = details.credit;
      const currency = typeof credit?.currency === 'string' ? credit.currency : approval.baseAmount.currency;
      if (typeof credit?.limit === 'string' && typeof credit.thisOrder === 'string') {
        const owed = [credit.receivables, credit.openOrders]
          .filter((value): value is string => typeof value === 'string')
          .map((value) => formatMoney(value, currency, locale));
        return (
          `Over the customer's credit limit of ${formatMoney(credit.limit, currency, locale)}` +
          ` (this order ${formatMoney(credit.thisOrder, currency, locale)}` +
          (owed.length === 2 ? `, open invoices ${owed[0]}, open orders ${owed[1]})` : ')')
        );
      }
      return "Over the customer's credit limit";
    }
    return reason.replaceAll('_', ' ');
  });
}

function customerOf(approval: Approval): string {
  const customer = (approval.details as { customer?: { name?: unknown } }).customer;
  return typeof customer?.name === 'string' ? customer.name : approval.title;
}

function summary(approval: Approval, context: CardContext) {
  return {
    approvalId: approval.id,
    number: approval.number,
    tenantName: context.tenantName,
    heading: approval.title,
    subjectNumber: approval.subject.number ?? approval.subject.id,
    customer: customerOf(approval),
    amount: formatMoney(approval.amount.amount, approval.amount.currency, context.locale),
    requestedBy: approval.requestedBy.name,
  };
}

function expand(template: unknown, data: Record<string, unknown>): AdaptiveCardJson {
  return new Template(template).expand({ $root: data }) as AdaptiveCardJson;
}

/**
 * The card of a pending request. With `canAct` it carries Approve / Reject (Universal Actions,
 * with an Action.Submit fallback) and a comment box; `refreshUserIds` are the people Teams fetches
 * their own current view for when they open it (the approvers).
 */
export function requestCard(
  approval: Approval,
  context: CardContext,
  options: { canAct: boolean; refreshUserIds: readonly string[] },
): AdaptiveCardJson {
  return expand(requestTemplate, {
    ...summary(approval, context),
    escalated: approval.escalatedAt !== null,
    reasons: reasonTexts(approval, context.locale),
    deadline: formatDateTime(approval.deadline, context),
    canAct: options.canAct,
    refreshUserIds: options.refreshUserIds.slice(0, REFRESH_USERS_MAX),
  });
}

const OUTCOMES: Record<Approval['status'], { text: string; style: string }> = {
  pending: { text: 'Waiting for a decision', style: 'emphasis' },
  approved: { text: 'Approved', style: 'good' },
  rejected: { text: 'Rejected', style: 'attention' },
  expired: { text: 'Expired without a decision', style: 'warning' },
  cancelled: { text: 'Withdrawn', style: 'warning' },
};

/** The read-only card of a closed request: who decided and when, or when it expired. */
export function outcomeCard(approval: Approval, context: CardContext): AdaptiveCardJson {
  const outcome = OUTCOMES[approval.status];
  return expand(outcomeTemplate, {
    ...summary(approval, context),
    outcome: outcome.text,
    outcomeStyle: outcome.style,
    decidedBy: approval.decision?.by.name ?? '',
    decidedAt: approval.closedAt ? formatDateTime(approval.closedAt, context) : '',
    comment: approval.decision?.comment ?? '',
  });
}

/** The card shown to one person who could not act, saying why; it refreshes to the current state. */
export function refusedCard(input: {
  approvalId: string;
  title: string;
  message: string;
  approval?: Approval;
  refreshUserIds: readonly string[];
}): AdaptiveCardJson {
  return expand(refusedTemplate, {
    approvalId: input.approvalId,
    title: input.title,
    message: input.message,
    number: input.approval?.number ?? '',
    status: input.approval ? OUTCOMES[input.approval.status].text : '',
    refreshUserIds: input.refreshUserIds.slice(0, REFRESH_USERS_MAX),
  });
}
