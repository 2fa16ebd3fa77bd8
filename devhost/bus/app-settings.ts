/** How long a binding expression may be, so that a runaway value fails instead of being scanned. */
const EXPRESSION_LENGTH_MAX = 1024;

/**
 * Resolves `%NAME%` app-setting references in a binding property, as the Functions host does for
 * a schedule, a topic, a subscription or a queue name: each reference is replaced by the setting's
 * value, and a reference to a setting that does not exist is an error (the host refuses to index
 * the function), not an empty string.
 */
export function resolveAppSettings(
  value: string,
  what: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (value.length > EXPRESSION_LENGTH_MAX)
    throw new Error(`${what} is longer than ${EXPRESSION_LENGTH_MAX} characters.`);
  return value.replace(/%([^%\s]+)%/g, (_match, name: string) => {
    const setting = env[name];
    if (setting === undefined || setting === '')
      throw new Error(`${what} refers to the app setting %${name}%, which is not set.`);
    return setting;
  });
}
