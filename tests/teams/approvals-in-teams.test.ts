/**
 * Finance approvals in Teams, end to end against the devhost and its Teams emulator: installation
 * records where cards go, a quote over the threshold puts a card in each approver's chat and the
 * finance channel, a button press decides through the same approval service as the web inbox (the
 * flow goes on to an order, or releases the stock), and everyone who may not decide gets a card
 * saying why while nothing changes. Requests Teams did not sign are refused before anything is read.
 */
import { generateKeyPair, SignJWT } from 'jose';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devObjectId } from '../../devhost/auth/dev-issuer.js';
import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
import { eventPayloads } from '../accounting/trade-helpers.js';
import { startTestDevhost, type Api } from '../support/devhost.js';
import {
  accept,
  createCustomer,
  createItem,
  createQuote,
  createWarehouse,
  flowOf,
  receive,
  stockOf,
} from '../sales/sales-helpers.js';

const devhost = await startTestDevhost();
afterAll(() => devhost.close());
const teams = devhost.teams;
const [demo, acme] = DEMO_TENANTS as [(typeof DEMO_TENANTS)[number], (typeof DEMO_TENANTS)[number]];
const HOUR = 3_600_000;

let rep: Api;
let clerk: Api;
let fionaWeb: Api;
let warehouse: { id: string; code: string };
let bricks: { id: string; sku: string };
let customer: { id: string };
let fionaChat: string;
let financeChannel: string;

/** Adds a user to a tenant in Tessera with roles granted there (what Teams can see of them). */
async function addUser(admin: Api, tenant: { entraTenantId: string }, user: string, roles: string[]) {
  const response = await admin.post('/api/v1/admin/users', {
    objectId: devObjectId(tenant.entraTenantId, user),
    displayName: user.charAt(0).toUpperCase() + user.slice(1),
    roles,
  });
  expect(response.status, response.text).toBe(201);
}

beforeAll(async () => {
  const demoAdmin = await devhost.as('demo', 'ada', ['Admin']);
  await addUser(demoAdmin, demo, 'fiona', ['Finance.Approver']);
  await addUser(demoAdmin, demo, 'frank', ['Finance.Clerk']);
  // The rep who accepts the quotes is an approver too: she still may not decide her own request.
  await addUser(demoAdmin, demo, 'rita', ['Sales.Rep', 'Finance.Approver']);
  await addUser(await devhost.as('acme', 'ada', ['Admin']), acme, 'olga', ['Finance.Approver']);

  rep = await devhost.as('demo', 'rita', ['Sales.Rep']);
  clerk = await devhost.as('demo', 'ivan', ['Inventory.Clerk', 'Finance.Clerk']);
  fionaWeb = await devhost.as('demo', 'fiona', ['Finance.Approver']);
  warehouse = await createWarehouse(clerk);
  bricks = await createItem(clerk, { price: '2.40', uom: 'brick' });
  await receive(clerk, warehouse.code, bricks.sku, '1000000', '1.20');
  customer = await createCustomer(clerk, { creditLimit: { amount: '5000000.00', currency: 'ZAR' } });

  fionaChat = (await teams.install({ tenant: 'demo', user: 'fiona' })).conversationId;
  for (const user of ['rita', 'frank']) await teams.install({ tenant: 'demo', user });
  await teams.install({ tenant: 'acme', user: 'olga' });
  financeChannel = (await teams.install({ tenant: 'demo', user: 'fiona', scope: 'channel', team: 'finance' }))
    .conversationId;
});

/** A quote over the demo tenant's R 250 000 threshold, accepted; the flow waits for finance. */
async function awaitingApproval(): Promise<{ instanceId: string; approvalId: string; quoteId: string }> {
  const quote = await createQuote(rep, {
    customerId: customer.id,
    lines: [{ itemId: bricks.id, warehouseId: warehouse.id, quantity: '150000' }],
  });
  const instanceId = await accept(rep, quote.id);
  await devhost.settle();
  const flow = await flowOf(rep, instanceId);
  expect(flow.customStatus).toMatchObject({ step: 'awaiting-approval' });
  return { instanceId, approvalId: flow.customStatus.approvalId, quoteId: quote.id };
}

const text = (value: unknown) => JSON.stringify(value);
const shownIn = (conversationId: string, approvalId: string) =>
  text(teams.currentCard(conversationId, approvalId)?.activity.attachments?.[0]?.content);

async function approvalState(approvalId: string) {
  const response = await fionaWeb.get(`/api/v1/approvals/${approvalId}`);
  expect(response.status, response.text).toBe(200);
  return response.body;
}

async function decisions(approvalId: string) {
  return (await eventPayloads(devhost, demo.id, 'approvals.ApprovalDecided')).filter(
    (e) => e.approvalId === approvalId,
  );
}

describe('installation', () => {
  it('records one personal conversation per user and the channel, per tenant', async () => {
    const rows = await sql<{ tenant_id: string; kind: string; user_object_id: string | null }>`
      select tenant_id, kind, user_object_id from teams_conversations where active order by kind`.execute(
      devhost.db,
    );
    expect(rows.rows.filter((r) => r.tenant_id === demo.id && r.kind === 'personal')).toHaveLength(3);
    expect(rows.rows.filter((r) => r.kind === 'channel')).toEqual([
      { tenant_id: demo.id, kind: 'channel', user_object_id: null },
    ]);
    expect(rows.rows.filter((r) => r.tenant_id === acme.id)).toEqual([
      { tenant_id: acme.id, kind: 'personal', user_object_id: devObjectId(acme.entraTenantId, 'olga') },
    ]);
    // The same over the devhost's dev endpoints, as a developer would use them.
    const viaHttp = await fetch(`${devhost.url}/api/dev/teams/install`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'demo', user: 'fiona' }),
    });
    expect(await viaHttp.json()).toEqual({ conversationId: fionaChat, statuses: [200, 200] });
    const badPress = await fetch(`${devhost.url}/api/dev/teams/press`, {
      method: 'POST',
      body: '{"tenant":"demo"}',
    });
    expect(badPress.status).toBe(400);
    expect((await fetch(`${devhost.url}/dev/teams`)).headers.get('content-type')).toContain('text/html');
    // Installing again changes nothing.
    await teams.install({ tenant: 'demo', user: 'fiona' });
    const again = await sql<{ n: string }>`select count(*)::text as n from teams_conversations`.execute(
      devhost.db,
    );
    expect(again.rows[0]?.n).toBe(String(rows.rows.length));
  });
});

describe('approving in Teams', () => {
  it('puts the card in the approvers’ chats and the channel, not the requester’s or another tenant’s', async () => {
    const { approvalId } = await awaitingApproval();
    expect(shownIn(fionaChat, approvalId)).toContain('"verb":"approve"');
    expect(shownIn(financeChannel, approvalId)).toContain('"verb":"approve"');
    // 150 000 bricks at R 2.40 is R 360 000.00, and 15 % VAT makes R 414 000.00.
    expect(shownIn(fionaChat, approvalId)).toMatch(/R\s?414\s?000,00/u);
    const personal = (user: string, tenant = demo) =>
      teams.personalConversationId(devObjectId(tenant.entraTenantId, user));
    expect(teams.currentCard(personal('rita'), approvalId)).toBeUndefined();
    expect(teams.currentCard(personal('frank'), approvalId)).toBeUndefined();
    expect(teams.currentCard(personal('olga', acme), approvalId)).toBeUndefined();
    // The web inbox shows the same request.
    const inbox = await fionaWeb.get('/api/v1/approvals?status=pending&limit=200');
    expect(inbox.body.items.map((a: { id: string }) => a.id)).toContain(approvalId);
  });
});

describe('deciding in Teams', () => {
  it('approve: the card shows who decided, every copy is updated, and the waiting flow makes the order', async () => {
    const { instanceId, approvalId } = await awaitingApproval();
    const pressed = await teams.press({
      tenant: 'demo',
      user: 'fiona',
      approvalId,
      verb: 'approve',
      comment: 'Good payer',
    });
    expect(pressed.status).toBe(200);
    expect(pressed.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(text(pressed.body.value)).toContain('Approved');
    expect(text(pressed.body.value)).toContain('Fiona');
    expect(text(pressed.body.value)).toContain('Good payer');
    expect(pressed.body.value?.actions).toBeUndefined();

    await devhost.settle();
    const flow = await flowOf(rep, instanceId);
    expect(flow.runtimeStatus).toBe('Completed');
    expect(flow.output).toMatchObject({ outcome: 'ordered', approvalId });
    const order = await rep.get(`/api/v1/sales/orders/${flow.output.orderId}`);
    expect(order.body).toMatchObject({ status: 'confirmed', approvalId });
    // The same decision as in the web inbox: recorded once, by Fiona, with her comment.
    expect(await approvalState(approvalId)).toMatchObject({
      status: 'approved',
      decision: { decision: 'approve', by: { name: 'Fiona' }, comment: 'Good payer' },
    });
    expect(await decisions(approvalId)).toHaveLength(1);
    // The channel's copy now shows the outcome to everyone.
    expect(shownIn(financeChannel, approvalId)).toContain('Approved');
    expect(shownIn(financeChannel, approvalId)).not.toContain('"verb":"approve"');
  });

  it('reject: the flow ends without an order and the reserved stock is released', async () => {
    const before = await stockOf(clerk, bricks.id, warehouse.id);
    const { instanceId, approvalId, quoteId } = await awaitingApproval();
    expect((await stockOf(clerk, bricks.id, warehouse.id)).reserved).not.toBe(before.reserved);
    const pressed = await teams.press({
      tenant: 'demo',
      user: 'fiona',
      approvalId,
      verb: 'reject',
      comment: 'Customer is disputing the last invoice',
    });
    expect(text(pressed.body.value)).toContain('Rejected');
    await devhost.settle();
    const flow = await flowOf(rep, instanceId);
    expect(flow.output).toMatchObject({ outcome: 'rejected', orderId: null });
    expect(flow.output.reason).toContain('Customer is disputing the last invoice');
    expect(await stockOf(clerk, bricks.id, warehouse.id)).toEqual(before);
    expect((await rep.get(`/api/v1/sales/quotes/${quoteId}`)).body.status).toBe('rejected');
  });

  it('refuses, with a card saying why, a user without Finance.Approver, a user of another tenant, the requester and a second click', async () => {
    const { instanceId, approvalId } = await awaitingApproval();
    const refusal = async (request: Parameters<typeof teams.press>[0], why: RegExp) => {
      const response = await teams.press(request);
      expect(response.status).toBe(200);
      const card = text(response.body.value);
      expect(card).toMatch(/You could not (approve|reject) this request/);
      expect(card).toMatch(why);
      expect(response.body.value?.actions).toBeUndefined();
    };
    await refusal(
      { tenant: 'demo', user: 'frank', approvalId, verb: 'approve' },
      /Only a user with the role Finance\.Approver may decide this/,
    );
    await refusal(
      { tenant: 'acme', user: 'olga', approvalId, verb: 'approve' },
      /not one of Acme Europe GmbH/,
    );
    // The same user pressing it in a channel of the demo tenant (a shared channel) is no user of it.
    await refusal(
      { tenant: 'acme', user: 'olga', approvalId, verb: 'approve', conversationTenant: 'demo' },
      /not an active user of Demo Construction/,
    );
    await refusal(
      { tenant: 'demo', user: 'rita', approvalId, verb: 'approve' },
      /The person who asked for an approval may not decide it/,
    );
    // A user Teams knows but Tessera does not.
    await refusal({ tenant: 'demo', user: 'zoe', approvalId, verb: 'reject' }, /not an active user of Demo/);
    await devhost.settle();
    expect(await approvalState(approvalId)).toMatchObject({ status: 'pending', decision: null });
    expect(await decisions(approvalId)).toHaveLength(0);
    expect((await flowOf(rep, instanceId)).customStatus.step).toBe('awaiting-approval');

    const first = await teams.press({ tenant: 'demo', user: 'fiona', approvalId, verb: 'reject' });
    expect(text(first.body.value)).toContain('Rejected');
    // The second click (a client that still shows the buttons) changes nothing and says what happened.
    await refusal(
      { tenant: 'demo', user: 'fiona', approvalId, verb: 'approve' },
      /The request was already rejected by Fiona/,
    );
    await devhost.settle();
    expect(await approvalState(approvalId)).toMatchObject({ status: 'rejected' });
    expect(await decisions(approvalId)).toHaveLength(1);
    expect((await flowOf(rep, instanceId)).output).toMatchObject({ outcome: 'rejected' });
  });

  it('answers Teams’ refresh with each viewer’s own view: buttons for an approver, none for others', async () => {
    const { approvalId } = await awaitingApproval();
    const fiona = await teams.press({ tenant: 'demo', user: 'fiona', approvalId, verb: 'refresh' });
    expect(fiona.body.value?.actions?.map((a) => a.verb)).toEqual(['approve', 'reject']);
    const rita = await teams.press({ tenant: 'demo', user: 'rita', approvalId, verb: 'refresh' });
    expect(rita.body.value?.actions ?? []).toEqual([]);
    expect(text(rita.body.value)).toContain(approvalId);
    const frank = await teams.press({ tenant: 'demo', user: 'frank', approvalId, verb: 'refresh' });
    expect(text(frank.body.value)).toContain('You cannot see this request');
    expect(text(frank.body.value)).toContain(
      'Only a user with the role Finance.Approver may see or decide this request',
    );
    expect(text(frank.body.value)).not.toContain('APR-');
  });
});

describe('clients without Universal Actions', () => {
  it('decide through the Action.Submit fallback, and the card is replaced in place', async () => {
    const { instanceId, approvalId } = await awaitingApproval();
    const posted = teams.sentCard(fionaChat, approvalId)!;
    const press = await teams.pressActivity({ tenant: 'demo', user: 'fiona', approvalId, verb: 'approve' });
    const fallback = posted.activity.attachments?.[0]?.content.actions?.find(
      (a) => a.verb === 'approve',
    ) as unknown as {
      fallback: { data: Record<string, unknown> };
    };
    const submitted = await teams.deliver({
      ...press,
      type: 'message',
      name: undefined,
      replyToId: posted.activityId,
      value: { ...fallback.fallback.data, comment: 'From the mobile client' },
    });
    expect(submitted.status).toBe(200);
    expect(shownIn(fionaChat, approvalId)).toContain('From the mobile client');
    await devhost.settle();
    expect((await flowOf(rep, instanceId)).output).toMatchObject({ outcome: 'ordered', approvalId });
    expect(await approvalState(approvalId)).toMatchObject({
      decision: { comment: 'From the mobile client' },
    });
  });
});

describe('cards follow the request', () => {
  it('a decision in the web inbox updates the Teams cards, through Bot Connector throttling', async () => {
    const { approvalId } = await awaitingApproval();
    teams.failNext({ status: 429, retryAfterSeconds: 0 }, { status: 503 });
    const decided = await fionaWeb.post(`/api/v1/approvals/${approvalId}/decision`, { decision: 'approve' });
    expect(decided.status, decided.text).toBe(200);
    await devhost.settle();
    expect(shownIn(fionaChat, approvalId)).toContain('Approved');
    expect(shownIn(financeChannel, approvalId)).toContain('Approved');
  });

  it('escalation shows a reminder on the cards, and expiry closes them', async () => {
    const { instanceId, approvalId } = await awaitingApproval();
    expect(shownIn(fionaChat, approvalId)).not.toContain('Reminder');
    await devhost.durable.fastForward(25 * HOUR);
    await devhost.settle();
    expect(shownIn(fionaChat, approvalId)).toContain('Reminder');
    expect(shownIn(fionaChat, approvalId)).toContain('"verb":"approve"');
    await devhost.durable.fastForward(48 * HOUR);
    await devhost.settle();
    expect((await flowOf(rep, instanceId)).output).toMatchObject({ outcome: 'expired' });
    expect(shownIn(fionaChat, approvalId)).toContain('Expired without a decision');
    expect(shownIn(financeChannel, approvalId)).toContain('Expired without a decision');
    const late = await teams.press({ tenant: 'demo', user: 'fiona', approvalId, verb: 'approve' });
    expect(text(late.body.value)).toContain('The request is already expired');
  });
});

describe('requests Teams did not sign', () => {
  const now = () => Math.floor(Date.now() / 1000);

  it('are refused with 401 and change nothing: forged, expired, wrong audience, issuer or serviceUrl, unsigned, none', async () => {
    const { approvalId } = await awaitingApproval();
    const press = await teams.pressActivity({ tenant: 'demo', user: 'fiona', approvalId, verb: 'approve' });
    const install = (await teams.installActivities({ tenant: 'demo', user: 'mallory' }))[0]!;
    const claims = teams.inboundClaims();
    const forger = await generateKeyPair('RS256');
    const kid = JSON.parse(
      Buffer.from((await teams.sign(claims)).split('.')[0]!, 'base64url').toString(),
    ).kid;
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid })
      .sign(forger.privateKey);
    const unsignedHeader = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const unsigned = `${unsignedHeader}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    const cases: Record<string, string | null> = {
      forged: `Bearer ${forged}`,
      expired: `Bearer ${await teams.sign({ ...claims, nbf: now() - 3600, iat: now() - 3600, exp: now() - 301 })}`,
      'wrong audience': `Bearer ${await teams.sign({ ...claims, aud: '00000000-0000-4000-8000-0000000000aa' })}`,
      'wrong issuer': `Bearer ${await teams.sign({ ...claims, iss: 'https://sts.windows.net/evil/' })}`,
      'wrong serviceUrl': `Bearer ${await teams.sign({ ...claims, serviceurl: 'https://smba.trafficmanager.net/evil/' })}`,
      'unknown key': `Bearer ${await teams.sign(claims, { kid: 'not-a-published-key' })}`,
      unsigned: `Bearer ${unsigned}`,
      'no token': null,
    };
    const conversationsBefore = await sql<{
      n: string;
    }>`select count(*)::text as n from teams_conversations`.execute(devhost.db);
    for (const [name, authorization] of Object.entries(cases)) {
      const pressed = await teams.deliver(press, authorization);
      expect([401, 403], name).toContain(pressed.status);
      expect(pressed.body.status, name).toBe(pressed.status);
      const installed = await teams.deliver(install, authorization);
      expect([401, 403], name).toContain(installed.status);
    }
    // A token signed for another serviceUrl than the activity names, both from the emulator's key.
    const moved = { ...press, serviceUrl: 'https://smba.trafficmanager.net/emea/' };
    expect((await teams.deliver(moved)).status).toBe(401);

    await devhost.settle();
    expect(await approvalState(approvalId)).toMatchObject({ status: 'pending' });
    expect(await decisions(approvalId)).toHaveLength(0);
    const conversationsAfter = await sql<{
      n: string;
    }>`select count(*)::text as n from teams_conversations`.execute(devhost.db);
    expect(conversationsAfter.rows[0]?.n).toBe(conversationsBefore.rows[0]?.n);
    // The same activity, signed as Teams signs it, is accepted.
    expect((await teams.deliver(press)).status).toBe(200);
    await devhost.settle();
  });
});

describe('removing the app', () => {
  it('stops cards to that conversation', async () => {
    const [installation] = await teams.installActivities({ tenant: 'demo', user: 'frank' });
    expect((await teams.deliver({ ...installation, action: 'remove' })).status).toBe(200);
    const rows = await sql<{ active: boolean }>`
      select active from teams_conversations where user_object_id = ${devObjectId(demo.entraTenantId, 'frank')}`.execute(
      devhost.db,
    );
    expect(rows.rows).toEqual([{ active: false }]);
  });
});
