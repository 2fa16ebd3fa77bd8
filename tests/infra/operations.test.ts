import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBicep } from './bicep-scanner.js';

/**
 * Operations as code: the workbook and the alerts watch what the issue names, by the custom
 * metric names the app emits, and the workbook's resource placeholders are all filled in.
 */

const root = resolve(import.meta.dirname, '../..');
const operations = scanBicep(readFileSync(join(root, 'infra/bicep/modules/operations.bicep'), 'utf8'));
const workbookText = readFileSync(join(root, 'infra/workbooks/operations.workbook.json'), 'utf8');

interface WorkbookItem {
  type: number;
  name: string;
  content: { query?: string; title?: string; metrics?: { metric: string }[]; resourceIds?: string[] };
}
const workbook = JSON.parse(workbookText) as { version: string; items: WorkbookItem[] };
const item = (name: string): WorkbookItem => {
  const found = workbook.items.find((i) => i.name === name);
  if (!found) throw new Error(`The workbook has no item ${name}.`);
  return found;
};

const CUSTOM_METRICS = [
  'tessera.outbox.lag_seconds',
  'tessera.approval.latency_seconds',
  'tessera.orchestrations',
];

describe('the operations workbook', () => {
  it('is a workbook document deployed by operations.bicep', () => {
    expect(workbook.version).toBe('Notebook/1.0');
    expect(operations.code).toContain("loadTextContent('../../workbooks/operations.workbook.json')");
    const resource = operations.resources.find((r) => r.type === 'Microsoft.Insights/workbooks')!;
    expect(resource.text).toMatch(/serializedData:\s*workbookContent/);
    expect(resource.text).toMatch(/sourceId:\s*applicationInsightsId/);
  });

  it('shows requests, failures and dependency latency', () => {
    expect(item('requests').content.query).toMatch(/^requests\b/);
    expect(item('failures').content.query).toMatch(/success == false/);
    expect(item('dependency-latency').content.query).toMatch(
      /^dependencies[\s\S]*percentile\(duration, 95\)/,
    );
  });

  it("shows orchestrations by status, approval latency and outbox lag from the app's metrics", () => {
    expect(item('orchestrations').content.query).toMatch(
      /name == 'tessera\.orchestrations'[\s\S]*customDimensions\.status[\s\S]*by bin\(timestamp, 1h\), status/,
    );
    expect(item('approval-latency').content.query).toContain("name == 'tessera.approval.latency_seconds'");
    expect(item('outbox-lag').content.query).toContain("name == 'tessera.outbox.lag_seconds'");
    for (const metric of CUSTOM_METRICS) expect(workbookText).toContain(metric);
  });

  it('shows dead letters and replica lag from platform metrics, with every placeholder filled in', () => {
    expect(item('dead-letters').content.metrics![0]!.metric).toBe(
      'microsoft.servicebus/namespaces--DeadletteredMessages',
    );
    expect(item('replica-lag').content.metrics![0]!.metric).toMatch(
      /--physical_replication_delay_in_seconds$/,
    );
    const placeholders = new Set(workbookText.match(/__[A-Z_]+__/g));
    expect(placeholders.size).toBe(2);
    for (const placeholder of placeholders) expect(operations.code).toContain(`'${placeholder}'`);
  });
});

describe('the alerts', () => {
  const metricAlertsText = operations.code.slice(operations.code.indexOf('var metricAlerts = ['));

  it('mail the action group at the alert address', () => {
    const group = operations.resources.find((r) => r.type === 'Microsoft.Insights/actionGroups')!;
    expect(group.text).toMatch(/emailAddress:\s*alertEmailAddress/);
    for (const r of operations.resources.filter((r) => /metricAlerts|scheduledQueryRules/.test(r.type)))
      expect(r.text).toContain('actionGroup.id');
  });

  it('fire on the 5xx rate, failed orchestrations and outbox lag (log alerts)', () => {
    expect(operations.code).toContain('var logAlerts = [');
    expect(operations.code).toMatch(/key: 'server-errors'[\s\S]*?countif\(toint\(resultCode\) >= 500\)/);
    expect(operations.code).toMatch(
      /key: 'failed-orchestrations'[\s\S]*?name == "tessera\.orchestrations" and tostring\(customDimensions\.status\) == "Failed"/,
    );
    expect(operations.code).toMatch(/key: 'outbox-lag'[\s\S]*?name == "tessera\.outbox\.lag_seconds"/);
    const rules = operations.resources.find((r) => r.type === 'Microsoft.Insights/scheduledQueryRules')!;
    expect(rules.text).toMatch(/for alert in logAlerts/);
    expect(rules.text).toMatch(/scopes:\s*\[applicationInsightsId\]/);
  });

  it.each([
    ['dead-letters', 'serviceBusNamespaceId', 'DeadletteredMessages', 'threshold: 0'],
    ['database-cpu', 'postgresServerId', 'cpu_percent', 'threshold: databaseCpuPercent'],
    ['database-storage', 'postgresServerId', 'storage_percent', 'threshold: databaseStoragePercent'],
    [
      'replica-lag',
      'postgresReplicaId',
      'physical_replication_delay_in_seconds',
      'threshold: replicaLagAlertSeconds',
    ],
  ])('fire on %s (metric alert on %s)', (key, scope, metric, threshold) => {
    const start = metricAlertsText.indexOf(`key: '${key}'`);
    expect(start).toBeGreaterThan(0);
    const entry = metricAlertsText.slice(
      start,
      metricAlertsText.indexOf('}', metricAlertsText.indexOf('dimensions:', start)),
    );
    expect(entry).toContain(`scope: ${scope}`);
    expect(entry).toContain(`metric: '${metric}'`);
    expect(entry).toContain(threshold);
  });
});
