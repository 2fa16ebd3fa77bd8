import { z } from 'zod';

/**
 * Every setting the app reads, in one place. `local.settings.example.json` and the README list the
 * same names; a test keeps the three in step.
 */
const settingsSchema = z.object({
  DATABASE_URL: z.string().optional(),
  DATABASE_READ_URL: z.string().optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  DATABASE_APP_ROLE: z.string().default('tessera_app'),
  DATABASE_SYSTEM_ROLE: z.string().default('tessera_system'),
  /** Named prepared statements for repeated statements; `false` behind a pooler that drops them between transactions. */
  DATABASE_PREPARED_STATEMENTS: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  AUTH_AUDIENCE: z.string().default('api://tessera-erp'),
  AUTH_ISSUER_TEMPLATE: z.string().default('https://login.microsoftonline.com/{tid}/v2.0'),
  AUTH_JWKS_URI: z.string().default('https://login.microsoftonline.com/common/discovery/v2.0/keys'),
  AUTH_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(900).default(300),
  AUTH_JWKS_COOLDOWN_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  /** The Entra tenant whose users may hold Platform.Operator; the role is ignored from any other tenant. */
  PLATFORM_ENTRA_TENANT_ID: z.string().optional(),
  /** The Entra app registration the web app signs users in with; unset: the devhost's local sign-in. */
  WEB_AUTH_CLIENT_ID: z.string().trim().optional(),
  WEB_AUTH_AUTHORITY: z.string().trim().default('https://login.microsoftonline.com/organizations'),
  /** The scope the web app asks for; unset: `{first AUTH_AUDIENCE}/access_as_user`. */
  WEB_AUTH_SCOPE: z.string().trim().optional(),
  HTTP_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(50 * 1024 * 1024)
    .default(1024 * 1024),
  IDEMPOTENCY_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(72),
  /** The largest document (attachment) accepted, in bytes. */
  DOCUMENTS_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024 * 1024)
    .default(25 * 1024 * 1024),
  AZURE_STORAGE_CONNECTION_STRING: z.string().optional(),
  STORAGE_BLOB_URL: z.string().optional(),
  SERVICEBUS_FQDN: z.string().optional(),
  SERVICEBUS_TOPIC: z.string().default('erp-events'),
  /** Cosmos DB (NoSQL) account endpoint for the archive of events and audit records; unset: the database keeps them. */
  COSMOS_ENDPOINT: z.string().trim().optional(),
  /** The Cosmos DB database holding the `events` and `audit` containers. */
  COSMOS_DATABASE: z.string().trim().min(1).default('tessera'),
  APPLICATIONINSIGHTS_CONNECTION_STRING: z.string().optional(),
  /** The bot's Microsoft app id (the Azure Bot resource's); unset, the Teams endpoint refuses every request and no card is sent. */
  TEAMS_BOT_APP_ID: z.string().trim().optional(),
  /** The Entra tenant the bot's app registration lives in (single-tenant bots; token authority). */
  TEAMS_BOT_TENANT_ID: z.string().trim().optional(),
  /** The bot's client secret; unset, the app's managed identity (or federated credential) gets the Bot Connector token. */
  TEAMS_BOT_CLIENT_SECRET: z.string().optional(),
  /** The issuer of the tokens Teams sends to the bot. */
  TEAMS_BOT_ISSUER: z.string().trim().default('https://api.botframework.com'),
  /** Where the Bot Framework publishes its OpenID metadata (and through it the signing keys). */
  TEAMS_OPENID_METADATA_URL: z
    .string()
    .trim()
    .default('https://login.botframework.com/v1/.well-known/openidconfiguration'),
  /** The scope of the token the app calls the Bot Connector with. */
  TEAMS_CONNECTOR_SCOPE: z.string().trim().default('https://api.botframework.com/.default'),
  /** Attempts per Bot Connector call on 429 and 5xx, the first included. */
  TEAMS_CONNECTOR_ATTEMPTS_MAX: z.coerce.number().int().min(1).max(10).default(5),
  /** Azure Communication Services, for email (with EMAIL_SENDER_ADDRESS), by the app's managed identity. */
  ACS_EMAIL_ENDPOINT: z.string().trim().optional(),
  /** The From address of every email: an address of a domain verified in ACS (`DoNotReply@…`). */
  EMAIL_SENDER_ADDRESS: z.string().trim().optional(),
  /** A mail catcher to send email to instead of ACS (the devhost sets its own). */
  MAIL_CATCHER_URL: z.string().trim().optional(),
  /** The web app's address, to turn a notification's link into one an email can carry. */
  WEB_APP_URL: z.string().trim().optional(),
  /** Attempts per email before it is marked failed, the first included. */
  NOTIFICATIONS_EMAIL_ATTEMPTS_MAX: z.coerce.number().int().min(1).max(20).default(8),
  /** The first retry's delay; each further one doubles (with jitter), up to an hour. */
  NOTIFICATIONS_EMAIL_BACKOFF_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export type Settings = z.infer<typeof settingsSchema>;

/** The names of every setting, for documentation checks. */
export const settingNames = Object.keys(settingsSchema.shape) as (keyof Settings)[];

let cached: Settings | undefined;

/** Reads the settings once from the environment (App Settings in Azure, the devhost's env locally). */
export function settings(): Settings {
  cached ??= settingsSchema.parse(process.env);
  return cached;
}

/** Forgets the cached settings, so that a changed environment is read again (tests, the devhost). */
export function resetSettings(): void {
  cached = undefined;
}
