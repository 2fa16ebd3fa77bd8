using 'main.bicep'

// Production: zone-redundant high availability, 35 days of point-in-time restore; geo-redundant
// backups stay off in South Africa North unless the region offers them for PostgreSQL (the read
// replica in the second region is the regional copy).
param environmentName = 'prod'
param location = 'southafricanorth'
param replicaLocation = 'westeurope'
param postgresTier = 'GeneralPurpose'
param postgresSku = 'Standard_D4ds_v5'
param postgresStorageSizeGB = 256
param postgresHighAvailability = true
param postgresGeoRedundantBackup = false
param postgresBackupRetentionDays = 35
param postgresAdminGroupObjectId = readEnvironmentVariable('TESSERA_DB_ADMIN_GROUP_ID', '00000000-0000-0000-0000-000000000000')
param postgresAdminGroupName = 'tessera-prod-db-admins'
param apiClientId = readEnvironmentVariable('TESSERA_API_CLIENT_ID', '')
param webAuthClientId = readEnvironmentVariable('TESSERA_WEB_CLIENT_ID', '00000000-0000-0000-0000-000000000000')
param apiAudience = 'api://tessera-erp'
param teamsBotAppId = readEnvironmentVariable('TESSERA_BOT_APP_ID', '')
param alertEmailAddress = readEnvironmentVariable('TESSERA_ALERT_EMAIL', 'ops@tessera-erp.example')
param deploymentPrincipalObjectId = readEnvironmentVariable('TESSERA_PIPELINE_PRINCIPAL_ID', '')
param functionMaximumInstanceCount = 100
