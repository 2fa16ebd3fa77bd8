// Tessera ERP: the Azure resources of one environment, in one resource group.
//
// Plain resource modules with pinned API versions (tests/infra keeps the versions to a reviewed
// allow-list). Not Azure Verified Modules: an AVM reference (`br/public:avm/...`) hides its resource
// types and API versions behind the registry, where the offline checks cannot see them, and the
// AVM modules' defaults (public network access, local auth) differ from what this app needs, so
// every one would be overridden anyway. Identity everywhere: no storage keys, no Service Bus or Cosmos DB keys, Application
// Insights without instrumentation-key ingestion; the one secret the app needs (the Teams bot's
// client secret, when the bot uses one) and the database connection strings live in Key Vault.
targetScope = 'subscription'

@description('Required. Short environment name, such as dev or prod.')
@maxLength(8)
param environmentName string

@description('Optional. Azure region of the primary resources.')
param location string = 'southafricanorth'

@description('Optional. Region of the PostgreSQL read replica; must differ from location (the second region for failover).')
param replicaLocation string = 'westeurope'

@description('Optional. Region of the Static Web App (a region where Static Web Apps is offered).')
param staticWebAppLocation string = 'westeurope'

@description('Required. Entra ID group (object id) that administers PostgreSQL; the pipeline identity must be a member.')
param postgresAdminGroupObjectId string

@description('Required. Display name of that Entra ID group (the PostgreSQL role name its members sign in as).')
param postgresAdminGroupName string

@description('Optional. PostgreSQL compute tier. Read replicas need General Purpose or Memory Optimized.')
@allowed(['GeneralPurpose', 'MemoryOptimized'])
param postgresTier string = 'GeneralPurpose'

@description('Optional. PostgreSQL compute size.')
param postgresSku string = 'Standard_D2ds_v5'

@description('Optional. PostgreSQL storage in GiB.')
@minValue(32)
param postgresStorageSizeGB int = 64

@description('Optional. Days of point-in-time restore.')
@minValue(7)
@maxValue(35)
param postgresBackupRetentionDays int = 14

@description('Optional. Geo-redundant backups (only in regions with a paired region that supports them).')
param postgresGeoRedundantBackup bool = false

@description('Optional. Zone-redundant high availability for the primary server.')
param postgresHighAvailability bool = false

@description('Optional. Password of the break-glass PostgreSQL administrator. Nobody uses it: people and the pipeline sign in with Entra ID. The default is a new random value on every deployment.')
@secure()
param postgresBreakGlassPassword string = newGuid()

@description('Optional. Audience of the API in Entra ID access tokens (the API app registration\'s Application ID URI).')
param apiAudience string = 'api://tessera-erp'

@description('Optional. Client id of the API\'s Entra app registration; accepted as a token audience beside apiAudience (v2 access tokens carry the client id).')
param apiClientId string = ''

@description('Optional. Entra tenant whose users may act as platform operators.')
param platformEntraTenantId string = tenant().tenantId

@description('Required. Client id of the web app\'s (SPA) Entra app registration.')
param webAuthClientId string

@description('Optional. Authority the web app signs in with.')
param webAuthAuthority string = 'https://login.microsoftonline.com/organizations'

@description('Optional. Custom address of the web app (https://…); empty: the Static Web App\'s own host name.')
param webAppUrl string = ''

@description('Optional. Microsoft app id of the Teams bot\'s app registration; empty: no Azure Bot is created and Teams is off.')
param teamsBotAppId string = ''

@description('Optional. Entra tenant of the bot\'s (single-tenant) app registration.')
param teamsBotTenantId string = tenant().tenantId

@description('Optional. Whether the bot authenticates with a client secret (kept in Key Vault as teams-bot-client-secret); false: the app\'s managed identity or federated credential.')
param teamsBotUsesClientSecret bool = true

@description('Optional. Where Azure Communication Services keeps email data.')
param emailDataLocation string = 'Africa'

@description('Required. Address that receives the alerts.')
param alertEmailAddress string

@description('Optional. Object id of the pipeline\'s service principal, given Key Vault Secrets Officer to write the database connection strings; empty: none.')
param deploymentPrincipalObjectId string = ''

@description('Optional. Whether the pipeline runs the integration tests (the archive and publisher contracts against this environment\'s Cosmos DB and Service Bus) with its service principal; for test environments only.')
param integrationTests bool = false

@description('Optional. Largest number of Function App instances (Flex Consumption).')
@minValue(1)
@maxValue(1000)
param functionMaximumInstanceCount int = 40

@description('Optional. Memory per Function App instance in MB (Flex Consumption: 512, 2048 or 4096).')
@allowed([512, 2048, 4096])
param functionInstanceMemoryMB int = 2048

@description('Optional. Durable Functions task hub name.')
param durableTaskHubName string = 'TesseraErp'

@description('Optional. Outbox lag in seconds that raises an alert.')
param outboxLagAlertSeconds int = 300

@description('Optional. Replica lag in seconds that raises an alert.')
param replicaLagAlertSeconds int = 300

var name = 'tessera-${environmentName}'
var tags = { application: 'tessera-erp', environment: environmentName }

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${name}'
  location: location
  tags: tags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    name: name
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: name
    location: location
    tags: tags
    corsAllowedOrigins: empty(webAppUrl) ? [web.outputs.url] : [web.outputs.url, webAppUrl]
  }
}

module messaging 'modules/messaging.bicep' = {
  name: 'messaging'
  scope: rg
  params: {
    name: name
    location: location
    tags: tags
  }
}

module database 'modules/postgres.bicep' = {
  name: 'postgres'
  scope: rg
  params: {
    name: name
    location: location
    replicaLocation: replicaLocation
    tags: tags
    adminGroupObjectId: postgresAdminGroupObjectId
    adminGroupName: postgresAdminGroupName
    tier: postgresTier
    sku: postgresSku
    storageSizeGB: postgresStorageSizeGB
    backupRetentionDays: postgresBackupRetentionDays
    geoRedundantBackup: postgresGeoRedundantBackup
    highAvailability: postgresHighAvailability
    breakGlassPassword: postgresBreakGlassPassword
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  scope: rg
  params: {
    name: name
    location: location
    tags: tags
  }
}

module vault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: name
    location: location
    tags: tags
  }
}

module email 'modules/email.bicep' = {
  name: 'email'
  scope: rg
  params: {
    name: name
    tags: tags
    dataLocation: emailDataLocation
  }
}

module web 'modules/staticwebapp.bicep' = {
  name: 'staticwebapp'
  scope: rg
  params: {
    name: name
    location: staticWebAppLocation
    tags: tags
  }
}

module functions 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  params: {
    name: name
    location: location
    tags: tags
    hostStorageAccountName: storage.outputs.hostAccountName
    dataBlobEndpoint: storage.outputs.dataBlobEndpoint
    serviceBusNamespaceName: messaging.outputs.namespaceName
    eventsTopicName: messaging.outputs.topicName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    keyVaultUri: vault.outputs.uri
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabaseName: cosmos.outputs.databaseName
    acsEmailEndpoint: email.outputs.endpoint
    emailSenderAddress: email.outputs.senderAddress
    apiAudience: apiAudience
    apiClientId: apiClientId
    platformEntraTenantId: platformEntraTenantId
    webAuthClientId: webAuthClientId
    webAuthAuthority: webAuthAuthority
    webAppUrl: empty(webAppUrl) ? web.outputs.url : webAppUrl
    teamsBotAppId: teamsBotAppId
    teamsBotTenantId: teamsBotTenantId
    teamsBotUsesClientSecret: teamsBotUsesClientSecret
    maximumInstanceCount: functionMaximumInstanceCount
    instanceMemoryMB: functionInstanceMemoryMB
    durableTaskHubName: durableTaskHubName
  }
}

module access 'modules/roles.bicep' = {
  name: 'roles'
  scope: rg
  params: {
    principalId: functions.outputs.principalId
    hostStorageAccountName: storage.outputs.hostAccountName
    dataStorageAccountName: storage.outputs.dataAccountName
    serviceBusNamespaceName: messaging.outputs.namespaceName
    cosmosAccountName: cosmos.outputs.accountName
    keyVaultName: vault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    communicationServiceName: email.outputs.communicationServiceName
    deploymentPrincipalObjectId: deploymentPrincipalObjectId
    integrationTests: integrationTests
  }
}

module backend 'modules/staticwebapp-backend.bicep' = {
  name: 'staticwebapp-backend'
  scope: rg
  params: {
    staticWebAppName: web.outputs.name
    functionAppId: functions.outputs.id
    functionAppLocation: location
  }
}

module bot 'modules/bot.bicep' = if (!empty(teamsBotAppId)) {
  name: 'bot'
  scope: rg
  params: {
    name: name
    tags: tags
    appId: teamsBotAppId
    appTenantId: teamsBotTenantId
    messagingEndpoint: 'https://${functions.outputs.defaultHostName}/api/teams/messages'
  }
}

module operations 'modules/operations.bicep' = {
  name: 'operations'
  scope: rg
  params: {
    name: name
    location: location
    tags: tags
    alertEmailAddress: alertEmailAddress
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    serviceBusNamespaceId: messaging.outputs.namespaceId
    postgresServerId: database.outputs.primaryId
    postgresReplicaId: database.outputs.replicaId
    outboxLagAlertSeconds: outboxLagAlertSeconds
    replicaLagAlertSeconds: replicaLagAlertSeconds
  }
}

output resourceGroupName string = rg.name
output functionAppName string = functions.outputs.name
output functionAppHostName string = functions.outputs.defaultHostName
output staticWebAppName string = web.outputs.name
output webAppUrl string = empty(webAppUrl) ? web.outputs.url : webAppUrl
output keyVaultName string = vault.outputs.name
output postgresServerName string = database.outputs.primaryName
output postgresHostName string = database.outputs.primaryHostName
output postgresReplicaHostName string = database.outputs.replicaHostName
output postgresDatabaseName string = database.outputs.databaseName
output cosmosEndpoint string = cosmos.outputs.endpoint
output cosmosDatabaseName string = cosmos.outputs.databaseName
output serviceBusFqdn string = messaging.outputs.fullyQualifiedNamespace
output serviceBusTopic string = messaging.outputs.topicName
