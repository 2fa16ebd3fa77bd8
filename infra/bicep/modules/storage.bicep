// Two storage accounts, both without shared keys: one for the Functions host and the Durable
// Functions backend (queues, tables, blobs, the deployment package), one for the business's
// documents and reports, which browsers reach with user-delegation SAS links.
@description('Required. Base name of the resources.')
param name string

@description('Required. Region of the resources.')
param location string

@description('Required. Tags for every resource.')
param tags object

@description('Required. Origins (the web app) allowed to upload to and download from the documents account with SAS links.')
param corsAllowedOrigins array

@description('Optional. Storage redundancy.')
@allowed(['Standard_LRS', 'Standard_ZRS', 'Standard_GZRS'])
param skuName string = 'Standard_ZRS'

var suffix = uniqueString(resourceGroup().id)
var hostAccountName = take(replace('st${name}${suffix}', '-', ''), 24)
var dataAccountName = take(replace('stdoc${name}${suffix}', '-', ''), 24)

var accountProperties = {
  allowSharedKeyAccess: false
  allowBlobPublicAccess: false
  defaultToOAuthAuthentication: true
  minimumTlsVersion: 'TLS1_2'
  supportsHttpsTrafficOnly: true
}

resource hostAccount 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: hostAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: skuName }
  properties: accountProperties
}

resource hostBlobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: hostAccount
  name: 'default'
}

// Flex Consumption deploys the app package from this container.
resource deployments 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: hostBlobs
  name: 'deployments'
}

resource dataAccount 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: dataAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: skuName }
  properties: accountProperties
}

resource dataBlobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: dataAccount
  name: 'default'
  properties: {
    // Soft delete keeps an overwritten or deleted document recoverable for a week.
    deleteRetentionPolicy: { enabled: true, days: 7 }
    containerDeleteRetentionPolicy: { enabled: true, days: 7 }
    cors: {
      corsRules: [
        {
          allowedOrigins: corsAllowedOrigins
          allowedMethods: ['GET', 'HEAD', 'PUT', 'OPTIONS']
          allowedHeaders: ['content-type', 'content-length', 'x-ms-blob-type', 'x-ms-version', 'x-ms-client-request-id']
          exposedHeaders: ['etag', 'x-ms-request-id', 'content-disposition', 'content-length']
          maxAgeInSeconds: 3600
        }
      ]
    }
  }
}

// The app creates its containers when missing; declaring them keeps a fresh environment tidy.
resource dataContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for container in ['documents', 'document-uploads', 'reports']: {
    parent: dataBlobs
    name: container
    properties: { publicAccess: 'None' }
  }
]

output hostAccountName string = hostAccount.name
output dataAccountName string = dataAccount.name
output dataBlobEndpoint string = dataAccount.properties.primaryEndpoints.blob
