using 'main.bicep'

param environmentName = 'prod'
param postgresTier = 'GeneralPurpose'
param postgresSku = 'Standard_D2ds_v5'
param postgresAdminGroupObjectId = '00000000-0000-0000-0000-000000000000'
param postgresAdminGroupName = 'tessera-prod-db-admins'
