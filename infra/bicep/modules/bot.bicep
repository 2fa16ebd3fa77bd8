// The Azure Bot for Teams approvals: a single-tenant bot whose messaging endpoint is the Function
// App's /api/teams/messages, with the Microsoft Teams channel.
@description('Required. Base name of the resources.')
param name string

@description('Required. Tags for every resource.')
param tags object

@description('Required. Microsoft app id of the bot\'s app registration.')
param appId string

@description('Required. Entra tenant of that app registration.')
param appTenantId string

@description('Required. The bot\'s messaging endpoint (https://<function host>/api/teams/messages).')
param messagingEndpoint string

@description('Optional. Pricing tier of the bot (F0 free, S1 standard).')
@allowed(['F0', 'S1'])
param skuName string = 'S1'

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: 'bot-${name}'
  location: 'global'
  tags: tags
  kind: 'azurebot'
  sku: { name: skuName }
  properties: {
    displayName: 'Tessera ERP'
    endpoint: messagingEndpoint
    msaAppId: appId
    msaAppType: 'SingleTenant'
    msaAppTenantId: appTenantId
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: { isEnabled: true }
  }
}

output name string = bot.name
