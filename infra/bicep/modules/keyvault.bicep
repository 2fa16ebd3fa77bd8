// Key Vault in RBAC mode for what cannot use an identity: the Teams bot's client secret and the
// database connection strings (which carry the app login's password). The Function App reads them
// through Key Vault references with its identity (Key Vault Secrets User, roles.bicep).
@description('Required. Base name of the resources.')
param name string

@description('Required. Region of the resources.')
param location string

@description('Required. Tags for every resource.')
param tags object

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: take('kv-${replace(name, '-', '')}-${uniqueString(resourceGroup().id)}', 24)
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

output name string = vault.name
output uri string = vault.properties.vaultUri
