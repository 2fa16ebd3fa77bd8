/**
 * The operations workbook counts orchestrations by how they ended and watches approval latency.
 * A durable orchestrator is replayed from its history at every step: the count must still be one
 * per instance.
 */
import { metrics, type Attributes, type Meter } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestDevhost } from '../support/devhost.js';

const recorded: { instrument: string; value: number; attributes: Attributes | undefined }[] = [];
const meter = {
  createCounter: (instrument: string) => ({
    add: (value: number, attributes?: Attributes) => recorded.push({ instrument, value, attributes }),
  }),
  createHistogram: (instrument: string) => ({
    record: (value: number, attributes?: Attributes) => recorded.push({ instrument, value, attributes }),
  }),
} as unknown as Meter;
metrics.setGlobalMeterProvider({ getMeter: () => meter });

const devhost = await startTestDevhost();
afterAll(async () => {
  await devhost.close();
  metrics.disable();
});

describe('flow metrics', () => {
  it('counts a finished orchestration once, however often it was replayed', async () => {
    const clerk = await devhost.as('demo', 'fiona', ['Finance.Clerk']);
    const runs = [];
    for (const format of ['csv', 'xlsx'] as const) {
      const response = await clerk.post('/api/v1/reports/runs', {
        reportType: 'trialBalance',
        from: '2026-10-01',
        to: '2026-10-31',
        formats: [format, 'pdf'],
      });
      expect(response.status, response.text).toBe(202);
      runs.push(response.body.id);
    }
    await devhost.settle();
    for (const id of runs)
      expect((await clerk.get(`/api/v1/reports/runs/${id}`)).body.status).toBe('succeeded');
    const counted = recorded.filter(
      (r) => r.instrument === 'tessera.orchestrations' && r.attributes?.orchestration === 'report-run',
    );
    // Each run's orchestrator ran at least four times (start, two files, the end); counted once each.
    expect(counted).toEqual([
      {
        instrument: 'tessera.orchestrations',
        value: 1,
        attributes: { orchestration: 'report-run', status: 'completed' },
      },
      {
        instrument: 'tessera.orchestrations',
        value: 1,
        attributes: { orchestration: 'report-run', status: 'completed' },
      },
    ]);
  });
});
