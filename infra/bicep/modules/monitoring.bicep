// Log Analytics and Application Insights. Local (instrumentation key) authentication is off: the
// Functions host and the app's OpenTelemetry exporter send telemetry with the app's identity,
// which holds Monitoring Metrics Publisher (roles.bicep).
@description('Required. Base name of the resources.')
param name string

@description('Required. Region of the resources.')
param location string

@description('Required. Tags for every resource.')
param tags object

@description('Optional. Days Log Analytics keeps data.')
@minValue(30)
@maxValue(730)
param retentionInDays int = 30

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${name}'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: retentionInDays
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${name}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    DisableLocalAuth: true
  }
}

output workspaceId string = logs.id
output applicationInsightsId string = insights.id
output applicationInsightsName string = insights.name
output connectionString string = insights.properties.ConnectionString
