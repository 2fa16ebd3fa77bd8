/** What the app reads from an access token: who the user is and which roles they have. */
export interface User {
  name: string;
  username: string;
  tenantId: string;
  roles: string[];
  /** Seconds since the epoch. */
  expiresAt: number;
}

export function userFromToken(accessToken: string): User {
  const payload = accessToken.split('.')[1];
  if (!payload) throw new Error('The access token is not a JWT.');
  const json = atob(
    payload
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(payload.length / 4) * 4, '='),
  );
  const claims = JSON.parse(
    new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))),
  ) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return {
    name: text(claims.name) || text(claims.preferred_username),
    username: text(claims.preferred_username),
    tenantId: text(claims.tid),
    roles: Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [],
    expiresAt: typeof claims.exp === 'number' ? claims.exp : 0,
  };
}
