// The web app: a Static Web App (Standard, which linked backends need).
@description('Required. Base name of the resources.')
param name string

@description('Required. Region of the Static Web App.')
param location string

@description('Required. Tags for every resource.')
param tags object

resource site 'Microsoft.Web/staticSites@2024-04-01' = {
  name: 'swa-${name}'
  location: location
  tags: tags
  sku: { name: 'Standard', tier: 'Standard' }
  properties: {
    // The pipeline deploys the built web/dist with the deployment token; no repository link.
    allowConfigFileUpdates: true
    stagingEnvironmentPolicy: 'Enabled'
  }
}

output name string = site.name
output url string = 'https://${site.properties.defaultHostname}'
