// Links the Function App to the Static Web App as its backend: /api/* on the web app's host goes
// to the Function App, so the SPA calls its API on the same origin.
@description('Required. Name of the Static Web App.')
param staticWebAppName string

@description('Required. Resource id of the Function App.')
param functionAppId string

@description('Required. Region of the Function App.')
param functionAppLocation string

resource site 'Microsoft.Web/staticSites@2024-04-01' existing = {
  name: staticWebAppName
}

resource backend 'Microsoft.Web/staticSites/linkedBackends@2024-04-01' = {
  parent: site
  name: 'api'
  properties: {
    backendResourceId: functionAppId
    region: functionAppLocation
  }
}
