// Azure Communication Services Email: an email service with an Azure-managed domain, linked to a
// Communication Services resource the app sends through with its identity.
@description('Required. Base name of the resources.')
param name string

@description('Required. Tags for every resource.')
param tags object

@description('Required. Where Communication Services keeps its data (such as Africa, Europe, United States).')
param dataLocation string

@description('Optional. The part of the sender address before the @ (Azure-managed domains provide DoNotReply).')
param senderUsername string = 'DoNotReply'

resource emailService 'Microsoft.Communication/emailServices@2023-04-01' = {
  name: 'ecs-${name}'
  location: 'global'
  tags: tags
  properties: { dataLocation: dataLocation }
}

resource domain 'Microsoft.Communication/emailServices/domains@2023-04-01' = {
  parent: emailService
  name: 'AzureManagedDomain'
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'AzureManaged'
    userEngagementTracking: 'Disabled'
  }
}

resource communication 'Microsoft.Communication/communicationServices@2023-04-01' = {
  name: 'acs-${name}-${uniqueString(resourceGroup().id)}'
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
    linkedDomains: [domain.id]
  }
}

output communicationServiceName string = communication.name
output endpoint string = 'https://${communication.properties.hostName}'
output senderAddress string = '${senderUsername}@${domain.properties.mailFromSenderDomain}'
