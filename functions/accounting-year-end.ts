import { z } from 'zod';
import {
  fiscalYearListQuerySchema,
  fiscalYearSchema,
  idParamsSchema,
  listFiscalYears,
  requestYearEndClose,
  tenantBooks,
} from '../shared/modules/accounting/index.js';
import { todayIn } from '../shared/platform/clock.js';
import { requestFlow } from '../shared/platform/flows.js';
import { defineRoute } from '../shared/platform/http/route.js';
import { YEAR_END_CLOSE } from '../orchestrations/year-end-close/names.js';

const READERS = ['Admin', 'Finance.Clerk', 'Finance.Approver', 'Auditor'] as const;
const CLOSERS = ['Admin', 'Finance.Approver'] as const;

defineRoute({
  name: 'accounting-fiscal-years-list',
  method: 'GET',
  route: 'v1/accounting/fiscal-years',
  summary: 'Fiscal years, oldest first, with their status (open, closing, closed)',
  tags: ['accounting'],
  roles: READERS,
  query: fiscalYearListQuerySchema,
  response: z.object({ items: z.array(fiscalYearSchema), nextCursor: z.string().nullable() }),
  handler: async ({ trx, query }) => {
    const books = await tenantBooks(trx);
    return { body: await listFiscalYears(trx, { ...query, today: todayIn(books.timeZone) }) };
  },
});

defineRoute({
  name: 'accounting-fiscal-years-close',
  method: 'POST',
  route: 'v1/accounting/fiscal-years/{id:guid}/close',
  summary:
    'Close a fiscal year: its periods must be closed; revenue and expenses go to retained earnings. Answers 202 with the flow to follow',
  tags: ['accounting'],
  roles: CLOSERS,
  params: idParamsSchema,
  status: 202,
  response: z.object({ instanceId: z.string(), statusUrl: z.string(), fiscalYear: fiscalYearSchema }),
  handler: async ({ trx, actor, params }) => {
    // Refused at once when the year cannot close; the flow checks again before it posts.
    const fiscalYear = await requestYearEndClose(trx, actor, params.id);
    const { instanceId, location } = await requestFlow(trx, actor, YEAR_END_CLOSE, {
      fiscalYearId: params.id,
    });
    return { body: { instanceId, statusUrl: location, fiscalYear }, location };
  },
});
