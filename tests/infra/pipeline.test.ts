import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * azure-pipelines.yml and its deployment template, read as text: the stages and tasks the
 * deployment depends on are present, in order, and name files that exist.
 */

const root = resolve(import.meta.dirname, '../..');
const pipeline = readFileSync(join(root, 'azure-pipelines.yml'), 'utf8');
const deploy = readFileSync(join(root, 'infra/pipelines/deploy.yml'), 'utf8');

function inOrder(text: string, needles: string[]): void {
  let from = 0;
  for (const needle of needles) {
    const at = text.indexOf(needle, from);
    expect(at, `"${needle}" after position ${from}`).toBeGreaterThanOrEqual(0);
    from = at + needle.length;
  }
}

describe('azure-pipelines.yml', () => {
  it('builds and tests on Node 22 against a PostgreSQL service container and publishes the results', () => {
    inOrder(pipeline, [
      "nodeVersion: '22.x'",
      'task: NodeTool@0',
      'npm ci',
      'npm run check',
      'env -u DATABASE_URL npx vitest run',
      'npx vitest run --reporter=default --reporter=junit',
      'task: PublishTestResults@2',
      'artifact: functions',
      'artifact: web',
    ]);
    expect(pipeline).toMatch(/services:\s*\n\s*postgres: postgres/);
    expect(pipeline).toMatch(/DATABASE_URL: postgres:\/\/postgres@localhost:5432\/postgres/);
    expect(pipeline).toMatch(/image: postgres:16/);
  });

  it('lints, builds and what-ifs the Bicep', () => {
    inOrder(pipeline, [
      'task: AzureCLI@2',
      'az bicep lint --file infra/bicep/main.bicep',
      'az bicep build --file infra/bicep/main.bicep',
      'az bicep build-params',
      'az deployment sub what-if',
    ]);
  });

  it('deploys dev, runs the contract tests against it, then prod, each through its Azure DevOps environment', () => {
    inOrder(pipeline, [
      'stage: deploy_dev',
      'template: infra/pipelines/deploy.yml',
      'environment: tessera-dev',
      'parameterFile: infra/bicep/dev.bicepparam',
      'stage: integration_dev',
      'dependsOn: deploy_dev',
      'COSMOS_ENDPOINT=',
      'SERVICEBUS_FQDN=',
      'npx vitest run tests/archive tests/bus/publisher-contract.test.ts',
      'stage: deploy_prod',
      'dependsOn: integration_dev',
      'environment: tessera-prod',
      'parameterFile: infra/bicep/prod.bicepparam',
    ]);
    expect(pipeline).toMatch(/approvals/i);
  });

  it('packages the Static Web Apps configuration with the web app', () => {
    expect(pipeline).toContain('cp web/staticwebapp.config.json web/dist/');
    expect(existsSync(join(root, 'web/staticwebapp.config.json'))).toBe(true);
  });
});

describe('infra/pipelines/deploy.yml', () => {
  it('deploys infrastructure, migrates, creates the login, deploys both apps and smoke-tests', () => {
    inOrder(deploy, [
      '- deployment: deploy',
      'environment: ${{ parameters.environment }}',
      'az deployment sub create',
      'npm run migrate -- up',
      'scriptPath: infra/scripts/database-login.sh',
      'task: AzureFunctionApp@2',
      'isFlexConsumption: true',
      'task: AzureStaticWebApp@0',
      '/api/health',
    ]);
    expect(existsSync(join(root, 'infra/scripts/database-login.sh'))).toBe(true);
  });

  it('reads every deployment output it uses from main.bicep', () => {
    const main = readFileSync(join(root, 'infra/bicep/main.bicep'), 'utf8');
    const outputs = [...main.matchAll(/^output (\w+) /gm)].map((m) => m[1]);
    const list = /for key in ([\s\S]*?); do/.exec(deploy)?.[1] ?? '';
    const used = list.split(/[\s\\]+/).filter(Boolean);
    expect(used.length).toBeGreaterThan(5);
    for (const key of used) expect(outputs, key).toContain(key);
  });

  it('runs the migrations as the owner with an Entra token, never a stored password', () => {
    expect(deploy).toContain('az account get-access-token --resource-type oss-rdbms');
    expect(deploy).toMatch(/DATABASE_URL="postgres:\/\/\$user@\$\(postgresHostName\):5432\//);
  });
});
