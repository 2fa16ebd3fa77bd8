// PostgreSQL Flexible Server: the primary (Entra ID administrators, PgBouncer, backups, optional
// zone-redundant HA) and a read replica in a second region for reports and regional failover.
//
// Password authentication stays on beside Entra ID because the app connects with a connection
// string (shared/platform/db/database.ts hands DATABASE_URL to node-postgres, which cannot fetch
// an Entra token per connection): the pipeline creates the login `tessera_login` (member of
// tessera_app and tessera_system) and keeps its connection strings in Key Vault. People and the
// pipeline sign in with Entra ID; the break-glass administrator's password is never stored.
@description('Required. Base name of the resources.')
param name string

@description('Required. Region of the primary server.')
param location string

@description('Required. Region of the read replica; must differ from location.')
param replicaLocation string

@description('Required. Tags for every resource.')
param tags object

@description('Required. Entra ID group (object id) that administers the server.')
param adminGroupObjectId string

@description('Required. Display name of that group.')
param adminGroupName string

@description('Required. Compute tier (General Purpose or Memory Optimized: read replicas need one of them).')
@allowed(['GeneralPurpose', 'MemoryOptimized'])
param tier string

@description('Required. Compute size.')
param sku string

@description('Required. Storage in GiB.')
param storageSizeGB int

@description('Required. Days of point-in-time restore.')
param backupRetentionDays int

@description('Required. Whether backups are geo-redundant.')
param geoRedundantBackup bool

@description('Required. Whether the primary has zone-redundant high availability.')
param highAvailability bool

@description('Required. Password of the break-glass administrator.')
@secure()
param breakGlassPassword string

@description('Optional. PostgreSQL major version.')
param version string = '16'

@description('Optional. Name of the application database.')
param databaseName string = 'tessera'

resource primary 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: 'psql-${name}'
  location: location
  tags: tags
  sku: { name: sku, tier: tier }
  properties: {
    version: version
    administratorLogin: 'tessera_breakglass'
    administratorLoginPassword: breakGlassPassword
    storage: { storageSizeGB: storageSizeGB, autoGrow: 'Enabled' }
    backup: {
      backupRetentionDays: backupRetentionDays
      geoRedundantBackup: geoRedundantBackup ? 'Enabled' : 'Disabled'
    }
    authConfig: {
      activeDirectoryAuth: 'Enabled'
      passwordAuth: 'Enabled'
      tenantId: tenant().tenantId
    }
    highAvailability: { mode: highAvailability ? 'ZoneRedundant' : 'Disabled' }
    network: { publicNetworkAccess: 'Enabled' }
  }
}

resource admin 'Microsoft.DBforPostgreSQL/flexibleServers/administrators@2024-08-01' = {
  parent: primary
  name: adminGroupObjectId
  properties: {
    principalType: 'Group'
    principalName: adminGroupName
    tenantId: tenant().tenantId
  }
}

// The Function App (Flex Consumption without a virtual network) and Microsoft-hosted pipeline
// agents reach the server from Azure addresses; 0.0.0.0 is Azure's "allow Azure services" rule.
resource allowAzure 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = {
  parent: primary
  name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
  properties: { startIpAddress: '0.0.0.0', endIpAddress: '0.0.0.0' }
  dependsOn: [admin]
}

// The built-in PgBouncer listens on 6432; the app's pools connect there.
resource pgbouncer 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: primary
  name: 'pgbouncer.enabled'
  properties: { value: 'true', source: 'user-override' }
  dependsOn: [allowAzure]
}

// The app sends its repeated statements as named prepared statements (DATABASE_PREPARED_STATEMENTS):
// PgBouncer in transaction mode keeps them per server connection only when this is not 0. At least
// the app's bound per connection (200, shared/platform/db/prepared.ts).
resource pgbouncerPrepared 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: primary
  name: 'pgbouncer.max_prepared_statements'
  properties: { value: '200', source: 'user-override' }
  dependsOn: [pgbouncer]
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: primary
  name: databaseName
  properties: { charset: 'UTF8', collation: 'en_US.utf8' }
  dependsOn: [pgbouncerPrepared]
}

// The replica copies the primary continuously (asynchronous physical replication). It is created
// after every change to the primary above, since the service refuses a replica while the primary
// is being updated.
resource replica 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: 'psql-${name}-replica'
  location: replicaLocation
  tags: tags
  sku: { name: sku, tier: tier }
  properties: {
    createMode: 'Replica'
    sourceServerResourceId: primary.id
    storage: { storageSizeGB: storageSizeGB, autoGrow: 'Enabled' }
  }
  dependsOn: [database]
}

resource replicaAllowAzure 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = {
  parent: replica
  name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
  properties: { startIpAddress: '0.0.0.0', endIpAddress: '0.0.0.0' }
}

resource replicaPgbouncer 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: replica
  name: 'pgbouncer.enabled'
  properties: { value: 'true', source: 'user-override' }
  dependsOn: [replicaAllowAzure]
}

resource replicaPgbouncerPrepared 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: replica
  name: 'pgbouncer.max_prepared_statements'
  properties: { value: '200', source: 'user-override' }
  dependsOn: [replicaPgbouncer]
}

output primaryId string = primary.id
output primaryName string = primary.name
output primaryHostName string = primary.properties.fullyQualifiedDomainName
output replicaId string = replica.id
output replicaName string = replica.name
output replicaHostName string = replica.properties.fullyQualifiedDomainName
output databaseName string = database.name
