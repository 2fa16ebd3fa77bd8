#!/usr/bin/env bash
# Creates (or keeps) the app's PostgreSQL login and writes its connection strings to Key Vault.
#
# The app connects with a connection string (shared/platform/db/database.ts), so it cannot use an
# Entra ID token per connection: it signs in as `tessera_login`, a password login that is a member
# of tessera_app and tessera_system (the roles the migrations create; the app switches to one of
# them with SET LOCAL ROLE in each transaction). This script runs as a member of the server's Entra
# ID administrator group, after the migrations, and is safe to run on every deployment:
#
# - the password is generated once and kept in Key Vault (database-login-password);
# - the login is created when missing and its password and memberships are set every time;
# - database-url (primary) and database-read-url (replica) are written only when they change, so
#   the Function App's Key Vault references do not get a new version on every run.
#
# Needs: az (signed in), psql, openssl. Environment: KEY_VAULT_NAME, POSTGRES_HOST,
# POSTGRES_REPLICA_HOST, POSTGRES_DATABASE, POSTGRES_ADMIN_GROUP.
set -euo pipefail

: "${KEY_VAULT_NAME:?}" "${POSTGRES_HOST:?}" "${POSTGRES_REPLICA_HOST:?}" "${POSTGRES_DATABASE:?}" "${POSTGRES_ADMIN_GROUP:?}"
LOGIN=tessera_login

secret() { az keyvault secret show --vault-name "$KEY_VAULT_NAME" --name "$1" --query value -o tsv 2>/dev/null || true; }
set_secret() {
  if [ "$(secret "$1")" != "$2" ]; then
    az keyvault secret set --vault-name "$KEY_VAULT_NAME" --name "$1" --value "$2" --output none
    echo "Key Vault secret $1 updated."
  fi
}

password="$(secret database-login-password)"
if [ -z "$password" ]; then
  # Hex only: safe in a URL without escaping.
  password="$(openssl rand -hex 32)"
  set_secret database-login-password "$password"
fi
echo "##vso[task.setvariable variable=databaseLoginPassword;issecret=true]$password"

# Sign in as the Entra ID administrator group with an access token as the password.
export PGHOST="$POSTGRES_HOST" PGPORT=5432 PGDATABASE="$POSTGRES_DATABASE" PGUSER="$POSTGRES_ADMIN_GROUP" PGSSLMODE=require
PGPASSWORD="$(az account get-access-token --resource-type oss-rdbms --query accessToken -o tsv)"
export PGPASSWORD

psql -v ON_ERROR_STOP=1 -v login="$LOGIN" -v password="$password" <<'SQL'
select format('create role %I login', :'login')
  where not exists (select 1 from pg_roles where rolname = :'login') \gexec
alter role :"login" with login nosuperuser nocreatedb nocreaterole nobypassrls password :'password';
grant tessera_app, tessera_system to :"login";
grant connect on database :"DBNAME" to :"login";
SQL

# PgBouncer (6432) on both servers; the replica has the same logins (physical replication).
set_secret database-url "postgres://$LOGIN:$password@$POSTGRES_HOST:6432/$POSTGRES_DATABASE?sslmode=require"
set_secret database-read-url "postgres://$LOGIN:$password@$POSTGRES_REPLICA_HOST:6432/$POSTGRES_DATABASE?sslmode=require"
