import type { Role } from './roles.js';

/** Who made a request, as the validated access token says. */
export interface Principal {
  /** Our tenant's id (uuid), looked up from the token's `tid`. */
  tenantId: string;
  tenantSlug: string;
  /** The Entra ID directory the user signed in with (the token's `tid`). */
  entraTenantId: string;
  /** The user's Entra object id (`oid`): stable for the user across apps and sign-ins. */
  userId: string;
  name: string;
  email?: string;
  /** The token's app roles that Tessera knows; roles granted inside Tessera are added later. */
  roles: Role[];
  /** The token's own id (`uti` or `jti`), for correlating audit records with sign-in logs. */
  tokenId?: string;
}

/** Whether the principal holds at least one of the roles. */
export function hasAnyRole(principal: Pick<Principal, 'roles'>, roles: readonly Role[]): boolean {
  return roles.some((role) => principal.roles.includes(role));
}
