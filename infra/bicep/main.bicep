// Tessera ERP: the Azure resources of one environment.
targetScope = 'subscription'

@description('Required. Short environment name, such as dev or prod.')
@maxLength(8)
param environmentName string

@description('Optional. Azure region of the primary resources.')
param location string = 'southafricanorth'

@description('Optional. Region of the PostgreSQL read replica.')
param replicaLocation string = 'westeurope'

@description('Required. Entra ID group (object id) that administers PostgreSQL.')
param postgresAdminGroupObjectId string

@description('Required. Display name of that Entra ID group.')
param postgresAdminGroupName string

@description('Optional. PostgreSQL compute tier.')
@allowed(['Burstable', 'GeneralPurpose', 'MemoryOptimized'])
param postgresTier string = 'Burstable'

@description('Optional. PostgreSQL compute size.')
param postgresSku string = 'Standard_B2s'

@description('Optional. Audience of the API in Entra ID access tokens.')
param apiAudience string = 'api://tessera-erp'

@description('Optional. Entra tenant whose users may act as platform operators.')
param platformEntraTenantId string = tenant().tenantId

var name = 'tessera-${environmentName}'
var tags = { application: 'tessera-erp', environment: environmentName }

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${name}'
  location: location
  tags: tags
}

module app 'modules/app.bicep' = {
  name: 'app'
  scope: rg
  params: {
    name: name
    location: location
    replicaLocation: replicaLocation
    tags: tags
    postgresAdminGroupObjectId: postgresAdminGroupObjectId
    postgresAdminGroupName: postgresAdminGroupName
    postgresTier: postgresTier
    postgresSku: postgresSku
    apiAudience: apiAudience
    platformEntraTenantId: platformEntraTenantId
  }
}

output functionAppName string = app.outputs.functionAppName
output staticWebAppName string = app.outputs.staticWebAppName
