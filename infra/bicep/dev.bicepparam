using 'main.bicep'

param environmentName = 'dev'
param postgresAdminGroupObjectId = '00000000-0000-0000-0000-000000000000'
param postgresAdminGroupName = 'tessera-dev-db-admins'
