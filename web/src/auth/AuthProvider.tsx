import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import type { EntraConfig, EntraSession } from './entra';
import { userFromToken, type User } from './token';

export type SignInMode = 'entra' | 'developer';

export interface DeveloperSignIn {
  tenant: string;
  user: string;
  roles: string[];
}

export interface Auth {
  status: 'starting' | 'signed-out' | 'signed-in' | 'failed';
  mode: SignInMode | undefined;
  user: User | undefined;
  /** Why the user is signed out: they signed out, or the API refused the session. */
  reason: 'signed-out' | 'expired' | undefined;
  failure: string | undefined;
  getToken(): Promise<string | undefined>;
  signInDeveloper(request: DeveloperSignIn): Promise<void>;
  signInEntra(): Promise<void>;
  signOut(): void;
  /** The API answered 401: drop the session and ask for a new sign-in. */
  sessionExpired(): void;
}

export const AuthContext = createContext<Auth | undefined>(undefined);

const DEV_TOKEN_KEY = 'tessera.devToken';
/** A token this close to its expiry is not used any more. */
const EXPIRY_MARGIN_SECONDS = 30;

function storedDeveloperToken(): string | undefined {
  const token = sessionStorage.getItem(DEV_TOKEN_KEY) ?? undefined;
  if (!token) return undefined;
  try {
    if (userFromToken(token).expiresAt - EXPIRY_MARGIN_SECONDS > Date.now() / 1000) return token;
  } catch {
    // A damaged value: drop it below.
  }
  sessionStorage.removeItem(DEV_TOKEN_KEY);
  return undefined;
}

export class DeveloperSignInError extends Error {
  readonly fieldErrors: { path: string; message: string }[];
  constructor(message: string, fieldErrors: { path: string; message: string }[] = []) {
    super(message);
    this.name = 'DeveloperSignInError';
    this.fieldErrors = fieldErrors;
  }
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<Auth['status']>('starting');
  const [mode, setMode] = useState<SignInMode>();
  const [user, setUser] = useState<User>();
  const [reason, setReason] = useState<Auth['reason']>();
  const [failure, setFailure] = useState<string>();
  const entra = useRef<EntraSession | undefined>(undefined);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const response = await fetch('/api/client-config', { headers: { Accept: 'application/json' } });
      if (!response.ok) throw new Error(`The sign-in settings could not be read (${response.status}).`);
      const config = (await response.json()) as { entra: EntraConfig | null };
      if (config.entra) {
        const { startEntra } = await import('./entra');
        const session = await startEntra(config.entra);
        const token = await session.token();
        if (cancelled) return;
        entra.current = session;
        setMode('entra');
        if (token) setUser(userFromToken(token));
        setStatus(token ? 'signed-in' : 'signed-out');
      } else {
        const token = storedDeveloperToken();
        if (cancelled) return;
        setMode('developer');
        if (token) setUser(userFromToken(token));
        setStatus(token ? 'signed-in' : 'signed-out');
      }
    })().catch((error: unknown) => {
      if (cancelled) return;
      setFailure(error instanceof Error ? error.message : String(error));
      setStatus('failed');
    });
    return () => {
      cancelled = true;
    };
  }, []);

  const getToken = useCallback(async () => {
    if (entra.current) return entra.current.token();
    return storedDeveloperToken();
  }, []);

  const signInDeveloper = useCallback(async (request: DeveloperSignIn) => {
    const response = await fetch('/api/dev/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(request),
    });
    const body = (await response.json().catch(() => ({}))) as {
      accessToken?: string;
      detail?: string;
      errors?: { path: string; message: string }[];
    };
    if (!response.ok || !body.accessToken) {
      throw new DeveloperSignInError(
        body.detail ?? `Sign-in failed (${response.status}).`,
        body.errors ?? [],
      );
    }
    sessionStorage.setItem(DEV_TOKEN_KEY, body.accessToken);
    setUser(userFromToken(body.accessToken));
    setReason(undefined);
    setStatus('signed-in');
  }, []);

  const signInEntra = useCallback(async () => {
    await entra.current?.signIn();
  }, []);

  const signOut = useCallback(() => {
    sessionStorage.removeItem(DEV_TOKEN_KEY);
    setUser(undefined);
    setReason('signed-out');
    setStatus('signed-out');
    void entra.current?.signOut();
  }, []);

  const sessionExpired = useCallback(() => {
    sessionStorage.removeItem(DEV_TOKEN_KEY);
    setUser(undefined);
    setReason('expired');
    setStatus('signed-out');
  }, []);

  const value = useMemo<Auth>(
    () => ({
      status,
      mode,
      user,
      reason,
      failure,
      getToken,
      signInDeveloper,
      signInEntra,
      signOut,
      sessionExpired,
    }),
    [status, mode, user, reason, failure, getToken, signInDeveloper, signInEntra, signOut, sessionExpired],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth needs an AuthProvider.');
  return auth;
}

/** Whether the signed-in user has a permission (see roles.ts). */
export function useRoles(): readonly string[] {
  return useAuth().user?.roles ?? [];
}
