import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingNames } from '../../shared/platform/config.js';
import { messagingTopology } from '../../shared/platform/events/topology.js';
import {
  objectAfter,
  scanBicep,
  scanBicepParam,
  topLevelKeys,
  type BicepFile,
  type BicepResource,
} from './bicep-scanner.js';
import { topologyAsBicepJson } from './topology-json.js';

/**
 * Offline checks of infra/: no Bicep compiler can run here, so these read the templates as text
 * (tests/infra/bicep-scanner.ts) and hold them to what the code and the Azure APIs expect. The
 * pipeline's `az bicep lint` / `az bicep build` / what-if do the compiler's part.
 */

const root = resolve(import.meta.dirname, '../..');
const bicepDir = join(root, 'infra/bicep');
const read = (path: string) => readFileSync(path, 'utf8');

function bicepFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? bicepFiles(join(dir, entry.name))
      : entry.name.endsWith('.bicep')
        ? [join(dir, entry.name)]
        : [],
  );
}

const files = new Map<string, BicepFile>(
  bicepFiles(bicepDir).map((path) => [relative(bicepDir, path), scanBicep(read(path))]),
);
const main = files.get('main.bicep')!;
const file = (name: string): BicepFile => {
  const scanned = files.get(name);
  if (!scanned) throw new Error(`infra/bicep/${name} does not exist.`);
  return scanned;
};
const allResources = [...files.entries()].flatMap(([name, f]) =>
  f.resources.map((r) => ({ file: name, ...r })),
);
const resourcesOfType = (type: string): (BicepResource & { file: string })[] =>
  allResources.filter((r) => r.type === type && !r.existing);

/**
 * Resource types and API versions the templates may use: GA versions, checked against the Azure
 * resource reference (learn.microsoft.com/azure/templates/<provider>/<version>/<type>). A new type
 * or version is added here only after looking it up.
 */
const API_VERSIONS: Record<string, readonly string[]> = {
  'Microsoft.Resources/resourceGroups': ['2024-03-01'],
  'Microsoft.OperationalInsights/workspaces': ['2023-09-01'],
  'Microsoft.Insights/components': ['2020-02-02'],
  'Microsoft.Insights/actionGroups': ['2023-01-01'],
  'Microsoft.Insights/metricAlerts': ['2018-03-01'],
  'Microsoft.Insights/scheduledQueryRules': ['2023-12-01'],
  'Microsoft.Insights/workbooks': ['2023-06-01'],
  'Microsoft.Storage/storageAccounts': ['2023-05-01'],
  'Microsoft.Storage/storageAccounts/blobServices': ['2023-05-01'],
  'Microsoft.Storage/storageAccounts/blobServices/containers': ['2023-05-01'],
  'Microsoft.ServiceBus/namespaces': ['2024-01-01'],
  'Microsoft.ServiceBus/namespaces/topics': ['2024-01-01'],
  'Microsoft.ServiceBus/namespaces/topics/subscriptions': ['2024-01-01'],
  'Microsoft.ServiceBus/namespaces/topics/subscriptions/rules': ['2024-01-01'],
  'Microsoft.ServiceBus/namespaces/queues': ['2024-01-01'],
  'Microsoft.DBforPostgreSQL/flexibleServers': ['2024-08-01'],
  'Microsoft.DBforPostgreSQL/flexibleServers/administrators': ['2024-08-01'],
  'Microsoft.DBforPostgreSQL/flexibleServers/configurations': ['2024-08-01'],
  'Microsoft.DBforPostgreSQL/flexibleServers/databases': ['2024-08-01'],
  'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules': ['2024-08-01'],
  'Microsoft.DocumentDB/databaseAccounts': ['2024-11-15'],
  'Microsoft.DocumentDB/databaseAccounts/sqlDatabases': ['2024-11-15'],
  'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers': ['2024-11-15'],
  'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments': ['2024-11-15'],
  'Microsoft.KeyVault/vaults': ['2023-07-01'],
  'Microsoft.Communication/emailServices': ['2023-04-01'],
  'Microsoft.Communication/emailServices/domains': ['2023-04-01'],
  'Microsoft.Communication/communicationServices': ['2023-04-01'],
  'Microsoft.Web/serverfarms': ['2024-04-01'],
  'Microsoft.Web/sites': ['2024-04-01'],
  'Microsoft.Web/staticSites': ['2024-04-01'],
  'Microsoft.Web/staticSites/linkedBackends': ['2024-04-01'],
  'Microsoft.BotService/botServices': ['2022-09-15'],
  'Microsoft.BotService/botServices/channels': ['2022-09-15'],
  'Microsoft.Authorization/roleAssignments': ['2022-04-01'],
};

describe('infra/bicep: structure', () => {
  it('scans every template into params, resources and modules', () => {
    expect(files.size).toBeGreaterThan(5);
    expect(main.params.length).toBeGreaterThan(5);
    expect(allResources.length).toBeGreaterThan(30);
  });

  it('references only modules and loaded files that exist', () => {
    for (const [name, f] of files) {
      for (const module of f.modules) {
        expect(module.path, `${name}: module ${module.symbol}`).not.toMatch(/^br[:/]|^ts[:/]/);
        expect(existsSync(join(bicepDir, dirname(name), module.path)), `${name}: ${module.path}`).toBe(true);
      }
      for (const load of f.code.matchAll(/load(?:Json|Text)Content\('([^']+)'/g)) {
        expect(existsSync(join(bicepDir, dirname(name), load[1]!)), `${name}: ${load[1]}`).toBe(true);
      }
    }
  });

  it('gives every module every required param it declares, and no param it does not declare', () => {
    for (const [name, f] of files) {
      for (const module of f.modules) {
        const target = file(join(dirname(name), module.path).replace(/^\.\//, ''));
        const passed = topLevelKeys(objectAfter(module.text, /\bparams\s*:/) ?? '{}');
        const declared = target.params.map((p) => p.name);
        for (const key of passed) expect(declared, `${name} → ${module.path}: ${key}`).toContain(key);
        for (const p of target.params.filter((p) => p.defaultValue === undefined))
          expect(passed, `${name} → ${module.path} needs ${p.name}`).toContain(p.name);
      }
    }
  });

  it('describes every param as Required (no default) or Optional (with a default)', () => {
    for (const [name, f] of files) {
      for (const p of f.params) {
        expect(p.description, `${name}: param ${p.name} has no @description`).toMatch(
          /^(Required|Optional)\. \S/,
        );
        if (p.description!.startsWith('Required.'))
          expect(p.defaultValue, `${name}: ${p.name} is Required but has a default`).toBeUndefined();
        else expect(p.defaultValue, `${name}: ${p.name} is Optional but has no default`).toBeDefined();
      }
    }
  });

  it('uses only allowed resource types and GA API versions', () => {
    for (const r of allResources) {
      expect(Object.keys(API_VERSIONS), `${r.file}: ${r.type}`).toContain(r.type);
      expect(API_VERSIONS[r.type], `${r.file}: ${r.type}@${r.apiVersion}`).toContain(r.apiVersion);
      expect(r.apiVersion).not.toMatch(/preview/);
    }
  });
});

describe('infra/bicep: parameter files', () => {
  const paramFiles = readdirSync(bicepDir).filter((f) => f.endsWith('.bicepparam'));

  it('has dev and prod', () => {
    expect(paramFiles.sort()).toEqual(['dev.bicepparam', 'prod.bicepparam']);
  });

  it.each(paramFiles)('%s uses main.bicep, sets every required param and no unknown one', (name) => {
    const { using, assigned } = scanBicepParam(read(join(bicepDir, name)));
    expect(using).toBe('main.bicep');
    const declared = new Map(main.params.map((p) => [p.name, p]));
    for (const key of assigned.keys()) expect([...declared.keys()], `${name}: ${key}`).toContain(key);
    for (const p of main.params.filter((p) => p.defaultValue === undefined))
      expect([...assigned.keys()], `${name} must set ${p.name}`).toContain(p.name);
    // Secure params never get a value in a parameter file.
    for (const p of main.params.filter((p) => p.secure))
      expect(assigned.has(p.name), `${name} sets the secure param ${p.name}`).toBe(false);
  });
});

describe('infra: no secrets inline', () => {
  const infraFiles = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? infraFiles(join(dir, e.name)) : [join(dir, e.name)],
    );
  const scanned = [...infraFiles(join(root, 'infra')), join(root, 'azure-pipelines.yml')];
  const patterns: [string, RegExp][] = [
    ['storage account key', /AccountKey=/i],
    ['SAS key', /SharedAccessKey=|SharedAccessSignature=|[?&]sig=[A-Za-z0-9%]/i],
    ['password in a connection string', /(?:password|pwd)=(?!\$)[^;&\s'"]+/i],
    ['password in a URL', /:\/\/[^/\s:@'"]+:(?!\$)[^@\s'"/]+@/],
    ['literal administrator password', /administratorLoginPassword:\s*'/],
    ['instrumentation key', /InstrumentationKey=[0-9a-f-]{36}/i],
    ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ];

  it.each(scanned.map((p) => [relative(root, p), p]))('%s has no secret', (_name, path) => {
    const text = read(path);
    for (const [what, pattern] of patterns) expect(pattern.test(text), `${what} in ${path}`).toBe(false);
  });

  it('marks every string param named like a secret @secure()', () => {
    for (const [name, f] of files) {
      for (const p of f.params.filter((p) => p.type === 'string')) {
        if (/(password|secret|connectionString|token|key)$/i.test(p.name))
          expect(p.secure, `${name}: ${p.name} must be @secure()`).toBe(true);
      }
    }
  });

  it('keeps the secrets the app reads in Key Vault references', () => {
    const settings = appSettings();
    for (const key of ['DATABASE_URL', 'DATABASE_READ_URL'])
      expect(settings.get(key), key).toMatch(
        /^'@Microsoft\.KeyVault\(SecretUri=\$\{secretUri\}\/[a-z-]+\/\)'$/,
      );
    expect(settings.get('TEAMS_BOT_CLIENT_SECRET')).toBe('teamsBotClientSecretSetting');
    expect(file('modules/functionapp.bicep').code).toContain(
      "var teamsBotClientSecretSetting = !empty(teamsBotAppId) && teamsBotUsesClientSecret ? '@Microsoft.KeyVault(SecretUri=${secretUri}/teams-bot-client-secret/)' : ''",
    );
  });
});

describe('infra/bicep: PostgreSQL', () => {
  const postgres = file('modules/postgres.bicep');
  const servers = postgres.resources.filter((r) => r.type === 'Microsoft.DBforPostgreSQL/flexibleServers');

  it('has a primary with Entra ID administrators, PgBouncer, backups and HA by parameter', () => {
    const primary = servers.find((s) => !/createMode:\s*'Replica'/.test(s.text))!;
    expect(primary.text).toMatch(/activeDirectoryAuth:\s*'Enabled'/);
    expect(primary.text).toMatch(/backupRetentionDays:\s*backupRetentionDays/);
    expect(primary.text).toMatch(/geoRedundantBackup:\s*geoRedundantBackup \? 'Enabled' : 'Disabled'/);
    expect(primary.text).toMatch(/mode:\s*highAvailability \? 'ZoneRedundant' : 'Disabled'/);
    expect(postgres.code).toMatch(/name:\s*'pgbouncer\.enabled'[\s\S]*?value:\s*'true'/);
    // The app's named prepared statements survive PgBouncer's transaction pooling only with this.
    expect(postgres.code).toMatch(/name:\s*'pgbouncer\.max_prepared_statements'[\s\S]*?value:\s*'200'/);
    const admin = postgres.resources.find((r) => r.type.endsWith('/administrators'))!;
    expect(admin.text).toMatch(/principalType:\s*'Group'/);
  });

  it('has a read replica of the primary in a second region given by a parameter', () => {
    expect(servers).toHaveLength(2);
    const replica = servers.find((s) => /createMode:\s*'Replica'/.test(s.text))!;
    const primary = servers.find((s) => s !== replica)!;
    expect(replica.text).toMatch(new RegExp(`sourceServerResourceId:\\s*${primary.symbol}\\.id\\b`));
    const replicaLocation = /\blocation:\s*(\w+)\s*$/m.exec(replica.text)?.[1];
    const primaryLocation = /\blocation:\s*(\w+)\s*$/m.exec(primary.text)?.[1];
    expect(replicaLocation).toBeDefined();
    expect(postgres.params.map((p) => p.name)).toContain(replicaLocation);
    expect(replicaLocation).not.toBe(primaryLocation);
    // main.bicep passes its own replicaLocation parameter, whose default differs from location's.
    const module = main.modules.find((m) => m.path === 'modules/postgres.bicep')!;
    const passed = /\breplicaLocation:\s*(\w+)/.exec(module.text)?.[1];
    const mainParam = main.params.find((p) => p.name === passed)!;
    expect(mainParam).toBeDefined();
    expect(mainParam.defaultValue).not.toBe(main.params.find((p) => p.name === 'location')!.defaultValue);
    for (const name of ['dev.bicepparam', 'prod.bicepparam']) {
      const { assigned } = scanBicepParam(read(join(bicepDir, name)));
      if (assigned.has('replicaLocation') && assigned.has('location'))
        expect(assigned.get('replicaLocation'), name).not.toBe(assigned.get('location'));
    }
  });
});

describe('infra/bicep: Service Bus equals shared/platform/events/topology.ts', () => {
  const messaging = file('modules/messaging.bicep');

  it('messaging-topology.json is messagingTopology() as Service Bus properties', () => {
    const json: unknown = JSON.parse(read(join(bicepDir, 'messaging-topology.json')));
    expect(
      json,
      'infra/bicep/messaging-topology.json is out of date: write topologyAsBicepJson(messagingTopology()) there',
    ).toEqual(topologyAsBicepJson(messagingTopology()));
  });

  it('declares every topic, subscription and queue from that file with its settings', () => {
    expect(messaging.code).toMatch(/var topology = loadJsonContent\('\.\.\/messaging-topology\.json'\)/);
    const topic = messaging.resources.find((r) => r.type === 'Microsoft.ServiceBus/namespaces/topics')!;
    expect(topic.text).toMatch(/for topic in topology\.topics/);
    expect(topic.text).toMatch(/requiresDuplicateDetection:\s*true/);
    expect(topic.text).toMatch(
      /duplicateDetectionHistoryTimeWindow:\s*topic\.duplicateDetectionHistoryTimeWindow/,
    );
    const subscription = messaging.resources.find(
      (r) => r.type === 'Microsoft.ServiceBus/namespaces/topics/subscriptions',
    )!;
    expect(subscription.text).toMatch(/for sub in subscriptions:/);
    expect(subscription.text).toMatch(/parent:\s*topics\[sub\.topicIndex\]/);
    for (const setting of [
      'maxDeliveryCount',
      'lockDuration',
      'defaultMessageTimeToLive',
      'deadLetteringOnMessageExpiration',
    ])
      expect(subscription.text).toMatch(new RegExp(`\\b${setting}:\\s*sub\\.${setting}\\b`));
    const queue = messaging.resources.find((r) => r.type === 'Microsoft.ServiceBus/namespaces/queues')!;
    expect(queue.text).toMatch(/for queue in topology\.queues/);
  });

  it('replaces $Default with one correlation filter on the subject per listed subject', () => {
    const rules = messaging.resources.filter(
      (r) => r.type === 'Microsoft.ServiceBus/namespaces/topics/subscriptions/rules',
    );
    const falseDefault = rules.find((r) => r.text.includes("name: '$Default'"))!;
    expect(falseDefault.text).toMatch(/for sub in filteredSubscriptions/);
    expect(falseDefault.text).toMatch(/sqlExpression:\s*'1=0'/);
    const subjectRule = rules.find((r) => r !== falseDefault)!;
    expect(subjectRule.text).toMatch(/for rule in subjectRules/);
    expect(subjectRule.text).toMatch(/filterType:\s*'CorrelationFilter'/);
    expect(subjectRule.text).toMatch(/correlationFilter:\s*\{\s*label:\s*rule\.subject\s*\}/);
    expect(messaging.code).toMatch(/sub => !empty\(sub\.subjects\)\)/);
    expect(falseDefault.text).toMatch(/parent:\s*topicSubscriptions\[sub\.subscriptionIndex\]/);
    expect(subjectRule.text).toMatch(/parent:\s*topicSubscriptions\[rule\.subscriptionIndex\]/);
  });

  it('declares the subscription of every Service Bus consumer the Function App registers', () => {
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
      );
    const declared = messagingTopology().topics.flatMap((t) => t.subscriptions.map((s) => s.name));
    const consumed = sources(join(root, 'functions'))
      .map((path) => read(path))
      .filter((text) => text.includes('defineConsumer('))
      .flatMap((text) => [...text.matchAll(/\bsubscription:\s*'([^']+)'/g)].map((m) => m[1]!));
    expect(consumed.length).toBeGreaterThan(3);
    for (const name of consumed) expect(declared, `functions/ consumes subscription ${name}`).toContain(name);
  });

  it('disables SAS keys on the namespace', () => {
    const ns = messaging.resources.find((r) => r.type === 'Microsoft.ServiceBus/namespaces')!;
    expect(ns.text).toMatch(/disableLocalAuth:\s*true/);
  });
});

/** The app settings the Function App gets: the keys of `var appSettings` in functionapp.bicep. */
function appSettings(): Map<string, string> {
  const code = file('modules/functionapp.bicep').code;
  const block = objectAfter(code, /\bvar appSettings\s*=/);
  if (!block) throw new Error('functionapp.bicep has no `var appSettings = { … }`.');
  const inner = block.slice(1, -1);
  const settings = new Map<string, string>();
  const keys = topLevelKeys(block);
  keys.forEach((key, index) => {
    const start = inner.search(new RegExp(`^\\s*${key}:`, 'm'));
    const next =
      index + 1 < keys.length ? inner.search(new RegExp(`^\\s*${keys[index + 1]}:`, 'm')) : inner.length;
    settings.set(
      key,
      inner
        .slice(start, next)
        .replace(new RegExp(`^\\s*${key}:`), '')
        .trim(),
    );
  });
  return settings;
}

/**
 * Settings in local.settings.example.json that the template deliberately does not set, and why.
 * Anything else the example lists (and everything shared/platform/config.ts reads) must be set.
 */
const LOCAL_ONLY: Record<string, string> = {
  FUNCTIONS_WORKER_RUNTIME:
    'Flex Consumption refuses it as an app setting; functionAppConfig.runtime (node 22) sets the worker.',
  AzureWebJobsStorage:
    'the Azurite connection string of local runs; Azure uses identity-based AzureWebJobsStorage__accountName/__credential.',
  AZURE_STORAGE_CONNECTION_STRING:
    "the devhost's Azurite connection string; in Azure blobs are reached by identity at STORAGE_BLOB_URL.",
  MAIL_CATCHER_URL: "the devhost's mail catcher; in Azure email goes through ACS_EMAIL_ENDPOINT.",
};

describe('infra/bicep: the Function App sets every setting the code reads', () => {
  const example = JSON.parse(read(join(root, 'local.settings.example.json'))) as {
    Values: Record<string, string>;
  };
  const settings = appSettings();

  it('reads the app settings block', () => {
    expect(settings.size).toBeGreaterThan(30);
  });

  it('lists only real, present keys as local-only, each with a reason', () => {
    for (const [key, reason] of Object.entries(LOCAL_ONLY)) {
      expect(Object.keys(example.Values), `${key} is no longer in local.settings.example.json`).toContain(
        key,
      );
      expect(settings.has(key), `${key} is local-only but the template sets it`).toBe(false);
      expect(reason.length).toBeGreaterThan(20);
    }
  });

  it('sets every key of local.settings.example.json and every setting in config.ts', () => {
    const wanted = new Set([...Object.keys(example.Values), ...settingNames]);
    const missing = [...wanted].filter((key) => !(key in LOCAL_ONLY) && !settings.has(key));
    expect(
      missing,
      'settings the template does not set (set them in functionapp.bicep or explain them in LOCAL_ONLY)',
    ).toEqual([]);
  });

  it('connects the host, Durable Functions and Service Bus triggers by identity', () => {
    expect(settings.get('AzureWebJobsStorage__accountName')).toBeDefined();
    expect(settings.get('AzureWebJobsStorage__credential')).toBe("'managedidentity'");
    expect(settings.get('ServiceBusConnection__fullyQualifiedNamespace')).toBeDefined();
    expect(settings.get('ServiceBusConnection__credential')).toBe("'managedidentity'");
    expect(settings.get('AzureFunctionsJobHost__extensions__durableTask__hubName')).toBe(
      'durableTaskHubName',
    );
    expect(settings.get('APPLICATIONINSIGHTS_AUTHENTICATION_STRING')).toBe("'Authorization=AAD'");
    const hostJson = JSON.parse(read(join(root, 'host.json'))) as { extensions: { serviceBus?: unknown } };
    expect(hostJson.extensions.serviceBus).toBeDefined();
  });

  it('sets the Cosmos DB settings the archive will read', () => {
    expect(settings.get('COSMOS_ENDPOINT')).toBe('cosmosEndpoint');
    expect(settings.get('COSMOS_DATABASE')).toBe('cosmosDatabaseName');
  });

  it('runs Node 22 on Flex Consumption with a system-assigned identity', () => {
    const fn = file('modules/functionapp.bicep');
    const plan = fn.resources.find((r) => r.type === 'Microsoft.Web/serverfarms')!;
    expect(plan.text).toMatch(/sku:\s*\{\s*name:\s*'FC1',\s*tier:\s*'FlexConsumption'\s*\}/);
    const site = fn.resources.find((r) => r.type === 'Microsoft.Web/sites')!;
    expect(site.text).toMatch(/runtime:\s*\{\s*name:\s*'node',\s*version:\s*'22'\s*\}/);
    expect(site.text).toMatch(/identity:\s*\{\s*type:\s*'SystemAssigned'\s*\}/);
    expect(site.text).toMatch(/authentication:\s*\{\s*type:\s*'SystemAssignedIdentity'\s*\}/);
  });

  it('declares Azure Communication Services email when the app reads email settings', () => {
    const emailSettings = Object.keys(example.Values).filter((k) => /^(ACS_|EMAIL_)/.test(k));
    if (emailSettings.length > 0) {
      expect(resourcesOfType('Microsoft.Communication/emailServices')).toHaveLength(1);
      expect(resourcesOfType('Microsoft.Communication/emailServices/domains')).toHaveLength(1);
      expect(resourcesOfType('Microsoft.Communication/communicationServices')[0]!.text).toMatch(
        /linkedDomains:/,
      );
    }
  });
});

describe('infra/bicep: identity and access', () => {
  const roles = file('modules/roles.bicep');

  it.each([
    ['storageBlobDataOwner', 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b', 'hostStorage'],
    ['storageQueueDataContributor', '974c5e8b-45b9-4653-ba55-5f855dd0fb88', 'hostStorage'],
    ['storageTableDataContributor', '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3', 'hostStorage'],
    ['storageBlobDataContributor', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe', 'dataStorage'],
    ['storageBlobDelegator', 'db58b8e5-c6ad-4a2a-8342-4190687cbf4a', 'dataStorage'],
    ['serviceBusDataSender', '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39', 'bus'],
    ['serviceBusDataReceiver', '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0', 'bus'],
    ['keyVaultSecretsUser', '4633458b-17de-408a-b874-0445c86b69e6', 'vault'],
    ['monitoringMetricsPublisher', '3913510d-42f4-4e42-8a64-420c390055eb', 'insights'],
  ])('grants %s on %s', (role, id, scope) => {
    expect(roles.code).toContain(`${role}: '${id}'`);
    const assignment = roles.resources.find(
      (r) => r.type === 'Microsoft.Authorization/roleAssignments' && r.text.includes(`roles.${role}`),
    );
    expect(assignment, role).toBeDefined();
    expect(assignment!.text).toMatch(new RegExp(`scope:\\s*${scope}\\b`));
  });

  it('grants the Cosmos DB built-in data contributor through a SQL role assignment', () => {
    const assignment = roles.resources.find(
      (r) => r.type === 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments',
    )!;
    expect(roles.code).toContain("var cosmosDataContributor = '00000000-0000-0000-0000-000000000002'");
    expect(assignment.text).toMatch(/sqlRoleDefinitions\/\$\{cosmosDataContributor\}/);
  });

  it('turns off keys: storage, Service Bus, Cosmos DB, Application Insights; Key Vault in RBAC mode', () => {
    for (const r of resourcesOfType('Microsoft.Storage/storageAccounts'))
      expect(r.text).toMatch(/properties:\s*accountProperties/);
    expect(file('modules/storage.bicep').code).toMatch(/allowSharedKeyAccess:\s*false/);
    expect(resourcesOfType('Microsoft.DocumentDB/databaseAccounts')[0]!.text).toMatch(
      /disableLocalAuth:\s*true/,
    );
    expect(resourcesOfType('Microsoft.Insights/components')[0]!.text).toMatch(/DisableLocalAuth:\s*true/);
    expect(resourcesOfType('Microsoft.KeyVault/vaults')[0]!.text).toMatch(/enableRbacAuthorization:\s*true/);
  });

  it('partitions the Cosmos DB containers audit and events by tenant', () => {
    const containers = resourcesOfType('Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers')[0]!;
    expect(containers.text).toMatch(/for container in \['audit', 'events'\]/);
    expect(file('modules/cosmos.bicep').params.find((p) => p.name === 'partitionKeyPath')!.defaultValue).toBe(
      "'/tenantId'",
    );
  });

  it("points the bot at the Function App's Teams endpoint with the Teams channel", () => {
    const mod = main.modules.find((m) => m.path === 'modules/bot.bicep')!;
    expect(mod.text).toContain(
      "messagingEndpoint: 'https://${functions.outputs.defaultHostName}/api/teams/messages'",
    );
    expect(resourcesOfType('Microsoft.BotService/botServices/channels')[0]!.text).toMatch(
      /channelName:\s*'MsTeamsChannel'/,
    );
  });

  it("links the Function App as the Static Web App's backend on the Standard plan", () => {
    expect(resourcesOfType('Microsoft.Web/staticSites')[0]!.text).toMatch(/sku:\s*\{\s*name:\s*'Standard'/);
    expect(resourcesOfType('Microsoft.Web/staticSites/linkedBackends')[0]!.text).toMatch(
      /backendResourceId:\s*functionAppId/,
    );
  });
});
