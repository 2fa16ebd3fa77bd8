// Service Bus: the topics, subscriptions and queues of shared/platform/events/topology.ts, read
// from messaging-topology.json (tests/infra checks that file against messagingTopology(), so the
// two cannot drift). Identity only: local (SAS key) authentication is disabled.
@description('Required. Base name of the resources.')
param name string

@description('Required. Region of the resources.')
param location string

@description('Required. Tags for every resource.')
param tags object

@description('Optional. Service Bus tier (Standard or higher: topics need it).')
@allowed(['Standard', 'Premium'])
param skuName string = 'Standard'

var topology = loadJsonContent('../messaging-topology.json')

// Bicep has no nested resource loops: flatten topic → subscription → subject, keeping the index of
// each parent so that every child names its parent resource.
var subscriptions = flatten(map(range(0, length(topology.topics)), t => map(topology.topics[t].subscriptions, sub => union(sub, { topicIndex: t }))))
var filteredSubscriptions = filter(map(range(0, length(subscriptions)), i => { subscriptionIndex: i, subjects: subscriptions[i].subjects }), sub => !empty(sub.subjects))
var subjectRules = flatten(map(filteredSubscriptions, sub => map(sub.subjects, subject => { subscriptionIndex: sub.subscriptionIndex, subject: subject })))

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: 'sb-${name}'
  location: location
  tags: tags
  sku: { name: skuName, tier: skuName }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
  }
}

resource topics 'Microsoft.ServiceBus/namespaces/topics@2024-01-01' = [
  for topic in topology.topics: {
    parent: namespace
    name: topic.name
    properties: {
      requiresDuplicateDetection: true
      duplicateDetectionHistoryTimeWindow: topic.duplicateDetectionHistoryTimeWindow
      supportOrdering: false
    }
  }
]

resource topicSubscriptions 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2024-01-01' = [
  for sub in subscriptions: {
    parent: topics[sub.topicIndex]
    name: sub.name
    properties: {
      maxDeliveryCount: sub.maxDeliveryCount
      lockDuration: sub.lockDuration
      defaultMessageTimeToLive: sub.defaultMessageTimeToLive
      deadLetteringOnMessageExpiration: sub.deadLetteringOnMessageExpiration
      deadLetteringOnFilterEvaluationExceptions: true
    }
  }
]

// A subscription that lists subjects receives only those: its `$Default` rule (every message) is
// replaced by a false filter, and each subject gets a correlation-filter rule on the subject
// (label). Rules are OR-ed, so the subscription receives exactly the listed subjects.
resource defaultRules 'Microsoft.ServiceBus/namespaces/topics/subscriptions/rules@2024-01-01' = [
  for sub in filteredSubscriptions: {
    parent: topicSubscriptions[sub.subscriptionIndex]
    name: '$Default'
    properties: {
      filterType: 'SqlFilter'
      sqlFilter: { sqlExpression: '1=0' }
    }
  }
]

resource subjectFilterRules 'Microsoft.ServiceBus/namespaces/topics/subscriptions/rules@2024-01-01' = [
  for rule in subjectRules: {
    parent: topicSubscriptions[rule.subscriptionIndex]
    name: rule.subject
    properties: {
      filterType: 'CorrelationFilter'
      correlationFilter: { label: rule.subject }
    }
  }
]

resource queues 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = [
  for queue in topology.queues: {
    parent: namespace
    name: queue.name
    properties: {
      maxDeliveryCount: queue.maxDeliveryCount
      lockDuration: queue.lockDuration
      defaultMessageTimeToLive: queue.defaultMessageTimeToLive
      deadLetteringOnMessageExpiration: queue.deadLetteringOnMessageExpiration
      requiresDuplicateDetection: true
      duplicateDetectionHistoryTimeWindow: queue.duplicateDetectionHistoryTimeWindow
    }
  }
]

output namespaceId string = namespace.id
output namespaceName string = namespace.name
output fullyQualifiedNamespace string = '${namespace.name}.servicebus.windows.net'
output topicName string = topology.topics[0].name
