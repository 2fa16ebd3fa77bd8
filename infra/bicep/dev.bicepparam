using 'main.bicep'

// The development environment: the smallest General Purpose server (read replicas need General
// Purpose or Memory Optimized), no high availability, locally redundant backups.
param environmentName = 'dev'
param postgresSku = 'Standard_D2ds_v5'
param postgresHighAvailability = false
param postgresGeoRedundantBackup = false
param postgresBackupRetentionDays = 7
param postgresAdminGroupObjectId = readEnvironmentVariable('TESSERA_DB_ADMIN_GROUP_ID', '00000000-0000-0000-0000-000000000000')
param postgresAdminGroupName = 'tessera-dev-db-admins'
param apiClientId = readEnvironmentVariable('TESSERA_API_CLIENT_ID', '')
param webAuthClientId = readEnvironmentVariable('TESSERA_WEB_CLIENT_ID', '00000000-0000-0000-0000-000000000000')
param apiAudience = 'api://tessera-erp-dev'
param teamsBotAppId = readEnvironmentVariable('TESSERA_BOT_APP_ID', '')
param alertEmailAddress = readEnvironmentVariable('TESSERA_ALERT_EMAIL', 'ops@tessera-erp.example')
param deploymentPrincipalObjectId = readEnvironmentVariable('TESSERA_PIPELINE_PRINCIPAL_ID', '')
// The pipeline runs the Cosmos DB and Service Bus contract tests against dev.
param integrationTests = true
param functionMaximumInstanceCount = 10
