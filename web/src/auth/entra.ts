/**
 * Sign-in with Entra ID (redirect flow). Loaded only when the API says an Entra app is configured,
 * so the local sign-in never downloads MSAL.
 */
import {
  InteractionRequiredAuthError,
  createStandardPublicClientApplication,
  type AccountInfo,
} from '@azure/msal-browser';

export interface EntraConfig {
  clientId: string;
  authority: string;
  scopes: string[];
}

export interface EntraSession {
  /** The access token for the API, or undefined when the user must sign in. */
  token(): Promise<string | undefined>;
  signIn(): Promise<void>;
  signOut(): Promise<void>;
}

export async function startEntra(config: EntraConfig): Promise<EntraSession> {
  const msal = await createStandardPublicClientApplication({
    auth: {
      clientId: config.clientId,
      authority: config.authority,
      redirectUri: `${window.location.origin}/`,
      postLogoutRedirectUri: `${window.location.origin}/`,
    },
    cache: { cacheLocation: 'sessionStorage' },
  });
  const redirect = await msal.handleRedirectPromise();
  if (redirect?.account) msal.setActiveAccount(redirect.account);
  const account = (): AccountInfo | null => msal.getActiveAccount() ?? msal.getAllAccounts()[0] ?? null;

  return {
    async token() {
      const current = account();
      if (!current) return undefined;
      try {
        const result = await msal.acquireTokenSilent({ scopes: config.scopes, account: current });
        return result.accessToken;
      } catch (error) {
        if (error instanceof InteractionRequiredAuthError) return undefined;
        throw error;
      }
    },
    async signIn() {
      await msal.loginRedirect({ scopes: config.scopes, redirectStartPage: window.location.href });
    },
    async signOut() {
      await msal.logoutRedirect({ account: account() });
    },
  };
}
