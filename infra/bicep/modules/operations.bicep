// Operations as code: the action group, the alerts and the operations workbook. The app's custom
// metrics (customMetrics in Application Insights): tessera.outbox.lag_seconds,
// tessera.approval.latency_seconds and tessera.orchestrations (dimension status).
@description('Required. Base name of the resources.')
param name string

@description('Required. Region of the log alerts and the workbook.')
param location string

@description('Required. Tags for every resource.')
param tags object

@description('Required. Address that receives the alerts.')
param alertEmailAddress string

@description('Required. Application Insights component id.')
param applicationInsightsId string

@description('Required. Service Bus namespace id.')
param serviceBusNamespaceId string

@description('Required. PostgreSQL primary server id.')
param postgresServerId string

@description('Required. PostgreSQL read replica id.')
param postgresReplicaId string

@description('Required. Outbox lag in seconds that raises an alert.')
param outboxLagAlertSeconds int

@description('Required. Replica lag in seconds that raises an alert.')
param replicaLagAlertSeconds int

@description('Optional. Share of requests answered with 5xx, in percent, that raises an alert.')
param serverErrorRatePercent int = 5

@description('Optional. Database CPU percent that raises an alert.')
param databaseCpuPercent int = 80

@description('Optional. Database storage percent that raises an alert.')
param databaseStoragePercent int = 85

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${name}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: take(replace(name, '-', ''), 12)
    enabled: true
    emailReceivers: [
      { name: 'operators', emailAddress: alertEmailAddress, useCommonAlertSchema: true }
    ]
  }
}

// Log alerts on Application Insights: each query yields one number per evaluation.
var logAlerts = [
  {
    key: 'server-errors'
    description: 'More than ${serverErrorRatePercent}% of requests answered 5xx in 15 minutes.'
    severity: 1
    query: 'requests | summarize total = count(), failed = countif(toint(resultCode) >= 500) | extend rate = iff(total == 0, 0.0, 100.0 * failed / total) | project rate'
    column: 'rate'
    threshold: serverErrorRatePercent
  }
  {
    key: 'failed-orchestrations'
    description: 'An orchestration failed (tessera.orchestrations with status Failed).'
    severity: 2
    query: 'customMetrics | where name == "tessera.orchestrations" and tostring(customDimensions.status) == "Failed" | summarize failed = sum(valueSum)'
    column: 'failed'
    threshold: 0
  }
  {
    key: 'outbox-lag'
    description: 'The outbox relay is more than ${outboxLagAlertSeconds} s behind (tessera.outbox.lag_seconds).'
    severity: 2
    query: 'customMetrics | where name == "tessera.outbox.lag_seconds" | summarize lag = max(valueMax)'
    column: 'lag'
    threshold: outboxLagAlertSeconds
  }
]

resource queryAlerts 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for alert in logAlerts: {
    name: 'alert-${name}-${alert.key}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: 'Tessera ${name}: ${alert.key}'
      description: alert.description
      severity: alert.severity
      enabled: true
      scopes: [applicationInsightsId]
      evaluationFrequency: 'PT5M'
      windowSize: 'PT15M'
      autoMitigate: true
      criteria: {
        allOf: [
          {
            query: alert.query
            timeAggregation: 'Maximum'
            metricMeasureColumn: alert.column
            operator: 'GreaterThan'
            threshold: alert.threshold
            failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
          }
        ]
      }
      actions: { actionGroups: [actionGroup.id] }
    }
  }
]

// Platform metric alerts.
var metricAlerts = [
  {
    key: 'dead-letters'
    description: 'A message was dead-lettered on a Service Bus subscription or queue.'
    severity: 2
    scope: serviceBusNamespaceId
    namespace: 'Microsoft.ServiceBus/namespaces'
    metric: 'DeadletteredMessages'
    aggregation: 'Maximum'
    threshold: 0
    dimensions: [{ name: 'EntityName', operator: 'Include', values: ['*'] }]
  }
  {
    key: 'database-cpu'
    description: 'The primary database has used more than ${databaseCpuPercent}% CPU for 15 minutes.'
    severity: 2
    scope: postgresServerId
    namespace: 'Microsoft.DBforPostgreSQL/flexibleServers'
    metric: 'cpu_percent'
    aggregation: 'Average'
    threshold: databaseCpuPercent
    dimensions: []
  }
  {
    key: 'database-storage'
    description: 'The primary database has used more than ${databaseStoragePercent}% of its storage.'
    severity: 1
    scope: postgresServerId
    namespace: 'Microsoft.DBforPostgreSQL/flexibleServers'
    metric: 'storage_percent'
    aggregation: 'Maximum'
    threshold: databaseStoragePercent
    dimensions: []
  }
  {
    key: 'replica-lag'
    description: 'The read replica is more than ${replicaLagAlertSeconds} s behind the primary.'
    severity: 2
    scope: postgresReplicaId
    namespace: 'Microsoft.DBforPostgreSQL/flexibleServers'
    metric: 'physical_replication_delay_in_seconds'
    aggregation: 'Maximum'
    threshold: replicaLagAlertSeconds
    dimensions: []
  }
]

resource platformAlerts 'Microsoft.Insights/metricAlerts@2018-03-01' = [
  for alert in metricAlerts: {
    name: 'alert-${name}-${alert.key}'
    location: 'global'
    tags: tags
    properties: {
      description: alert.description
      severity: alert.severity
      enabled: true
      scopes: [alert.scope]
      evaluationFrequency: 'PT5M'
      windowSize: 'PT15M'
      autoMitigate: true
      criteria: {
        'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
        allOf: [
          {
            criterionType: 'StaticThresholdCriterion'
            name: alert.key
            metricNamespace: alert.namespace
            metricName: alert.metric
            operator: 'GreaterThan'
            threshold: alert.threshold
            timeAggregation: alert.aggregation
            dimensions: alert.dimensions
          }
        ]
      }
      actions: [{ actionGroupId: actionGroup.id }]
    }
  }
]

// The workbook's metric tiles name their resources; the JSON holds placeholders for them.
var workbookTemplate = loadTextContent('../../workbooks/operations.workbook.json')
var workbookContent = replace(replace(workbookTemplate, '__SERVICE_BUS_NAMESPACE_ID__', serviceBusNamespaceId), '__POSTGRES_REPLICA_ID__', postgresReplicaId)

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, 'tessera-operations-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'Tessera ERP operations (${name})'
    category: 'workbook'
    sourceId: applicationInsightsId
    serializedData: workbookContent
    version: 'Notebook/1.0'
  }
}

output actionGroupId string = actionGroup.id
output workbookId string = workbook.id
