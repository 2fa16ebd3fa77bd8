// The Function App on the Flex Consumption plan (Node 22), with a system-assigned identity that
// every connection uses: the host's storage and the Durable Functions backend
// (AzureWebJobsStorage__*), the Service Bus triggers (ServiceBusConnection__*), blobs, Cosmos DB,
// email and Application Insights. Its app settings are every setting the app reads
// (shared/platform/config.ts, local.settings.example.json); tests/infra keeps them in step.
@description('Required. Base name of the resources.')
param name string

@description('Required. Region of the resources.')
param location string

@description('Required. Tags for every resource.')
param tags object

@description('Required. Storage account of the Functions host and the Durable backend.')
param hostStorageAccountName string

@description('Required. Blob endpoint of the documents and reports storage account.')
param dataBlobEndpoint string

@description('Required. Service Bus namespace name.')
param serviceBusNamespaceName string

@description('Required. The events topic.')
param eventsTopicName string

@description('Required. Application Insights connection string (no key-based ingestion: local auth is off).')
@secure()
param applicationInsightsConnectionString string

@description('Required. Key Vault URI (https://….vault.azure.net/).')
param keyVaultUri string

@description('Required. Cosmos DB account endpoint.')
param cosmosEndpoint string

@description('Required. Cosmos DB database name.')
param cosmosDatabaseName string

@description('Required. Azure Communication Services endpoint for email.')
param acsEmailEndpoint string

@description('Required. The From address of emails.')
param emailSenderAddress string

@description('Required. Audience of the API in access tokens.')
param apiAudience string

@description('Required. Client id of the API\'s app registration, also accepted as audience; empty: only apiAudience.')
param apiClientId string

@description('Required. Entra tenant of the platform operators.')
param platformEntraTenantId string

@description('Required. Client id of the web app\'s app registration.')
param webAuthClientId string

@description('Required. Authority the web app signs in with.')
param webAuthAuthority string

@description('Required. Address of the web app, for links in emails.')
param webAppUrl string

@description('Required. The Teams bot\'s app id; empty: Teams is off.')
param teamsBotAppId string

@description('Required. Entra tenant of the bot\'s app registration.')
param teamsBotTenantId string

@description('Required. Whether the bot uses a client secret from Key Vault.')
param teamsBotUsesClientSecret bool

@description('Required. Largest number of instances.')
param maximumInstanceCount int

@description('Required. Memory per instance in MB.')
param instanceMemoryMB int

@description('Required. Durable Functions task hub name.')
param durableTaskHubName string

@description('Optional. App settings that replace the defaults below (tuning per environment).')
param appSettingsOverrides object = {}

resource hostStorage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: hostStorageAccountName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'asp-${name}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true }
}

var secretUri = '${keyVaultUri}secrets'
var serviceBusFqdn = '${serviceBusNamespaceName}.servicebus.windows.net'
var teamsBotClientSecretSetting = !empty(teamsBotAppId) && teamsBotUsesClientSecret ? '@Microsoft.KeyVault(SecretUri=${secretUri}/teams-bot-client-secret/)' : ''

// FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION are not app settings on Flex
// Consumption: functionAppConfig.runtime below takes their place.
var appSettings = {
  AzureWebJobsStorage__accountName: hostStorage.name
  AzureWebJobsStorage__credential: 'managedidentity'
  ServiceBusConnection__fullyQualifiedNamespace: serviceBusFqdn
  ServiceBusConnection__credential: 'managedidentity'
  AzureFunctionsJobHost__extensions__durableTask__hubName: durableTaskHubName
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'
  DATABASE_URL: '@Microsoft.KeyVault(SecretUri=${secretUri}/database-url/)'
  DATABASE_READ_URL: '@Microsoft.KeyVault(SecretUri=${secretUri}/database-read-url/)'
  DATABASE_POOL_MAX: '10'
  DATABASE_PREPARED_STATEMENTS: 'true'
  DATABASE_APP_ROLE: 'tessera_app'
  DATABASE_SYSTEM_ROLE: 'tessera_system'
  AUTH_AUDIENCE: empty(apiClientId) ? apiAudience : '${apiAudience},${apiClientId}'
  AUTH_ISSUER_TEMPLATE: 'https://login.microsoftonline.com/{tid}/v2.0'
  AUTH_JWKS_URI: 'https://login.microsoftonline.com/common/discovery/v2.0/keys'
  AUTH_CLOCK_SKEW_SECONDS: '300'
  AUTH_JWKS_COOLDOWN_MS: '30000'
  PLATFORM_ENTRA_TENANT_ID: platformEntraTenantId
  WEB_AUTH_CLIENT_ID: webAuthClientId
  WEB_AUTH_AUTHORITY: webAuthAuthority
  WEB_AUTH_SCOPE: '${apiAudience}/access_as_user'
  HTTP_BODY_LIMIT_BYTES: '1048576'
  IDEMPOTENCY_TTL_HOURS: '72'
  DOCUMENTS_MAX_BYTES: '26214400'
  STORAGE_BLOB_URL: dataBlobEndpoint
  SERVICEBUS_FQDN: serviceBusFqdn
  SERVICEBUS_TOPIC: eventsTopicName
  TEAMS_BOT_APP_ID: teamsBotAppId
  TEAMS_BOT_TENANT_ID: empty(teamsBotAppId) ? '' : teamsBotTenantId
  TEAMS_BOT_CLIENT_SECRET: teamsBotClientSecretSetting
  TEAMS_BOT_ISSUER: 'https://api.botframework.com'
  TEAMS_OPENID_METADATA_URL: 'https://login.botframework.com/v1/.well-known/openidconfiguration'
  TEAMS_CONNECTOR_SCOPE: 'https://api.botframework.com/.default'
  TEAMS_CONNECTOR_ATTEMPTS_MAX: '5'
  ACS_EMAIL_ENDPOINT: acsEmailEndpoint
  EMAIL_SENDER_ADDRESS: emailSenderAddress
  WEB_APP_URL: webAppUrl
  NOTIFICATIONS_EMAIL_ATTEMPTS_MAX: '8'
  NOTIFICATIONS_EMAIL_BACKOFF_SECONDS: '30'
  COSMOS_ENDPOINT: cosmosEndpoint
  COSMOS_DATABASE: cosmosDatabaseName
  LOG_LEVEL: 'info'
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: 'func-${name}'
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: 'SystemAssigned'
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${hostStorage.properties.primaryEndpoints.blob}deployments'
          authentication: { type: 'SystemAssignedIdentity' }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: { name: 'node', version: '22' }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: [for setting in items(union(appSettings, appSettingsOverrides)): { name: setting.key, value: setting.value }]
    }
  }
}

output id string = site.id
output name string = site.name
output principalId string = site.identity.principalId
output defaultHostName string = site.properties.defaultHostName
