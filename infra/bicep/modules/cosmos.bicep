// Cosmos DB (serverless, NoSQL) for the audit and event archive: containers `audit` and `events`,
// partitioned by tenant. Keys are disabled; the app signs in with its identity and the built-in
// Data Contributor role (roles.bicep).
@description('Required. Base name of the resources.')
param name string

@description('Required. Region of the resources.')
param location string

@description('Required. Tags for every resource.')
param tags object

@description('Optional. Name of the database.')
param databaseName string = 'tessera'

@description('Optional. Partition key path of every container (the tenant).')
param partitionKeyPath string = '/tenantId'

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: 'cosmos-${name}-${uniqueString(resourceGroup().id)}'
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [{ locationName: location, failoverPriority: 0, isZoneRedundant: false }]
    capabilities: [{ name: 'EnableServerless' }]
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: { resource: { id: databaseName } }
}

resource containers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [
  for container in ['audit', 'events']: {
    parent: database
    name: container
    properties: {
      resource: {
        id: container
        partitionKey: { paths: [partitionKeyPath], kind: 'Hash', version: 2 }
        indexingPolicy: { indexingMode: 'consistent', automatic: true }
      }
    }
  }
]

output accountName string = account.name
output endpoint string = account.properties.documentEndpoint
output databaseName string = database.name
