import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { IntlProvider, type ResolvedIntlConfig } from 'react-intl';

export const LOCALES = ['en-ZA', 'af-ZA', 'en-US'] as const;
export type AppLocale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: AppLocale = 'en-ZA';

type Messages = Record<string, string>;

/** Each locale's messages are their own chunk; only the one in use is downloaded. */
const loaders: Record<AppLocale, () => Promise<{ default: Messages }>> = {
  'en-ZA': () => import('./en-ZA.json'),
  'af-ZA': () => import('./af-ZA.json'),
  'en-US': () => import('./en-US.json'),
};

const STORAGE_KEY = 'tessera.locale';

export function isAppLocale(value: unknown): value is AppLocale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

function initialLocale(): AppLocale {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (isAppLocale(stored)) return stored;
  for (const language of navigator.languages ?? []) {
    if (isAppLocale(language)) return language;
    if (language.toLowerCase().startsWith('af')) return 'af-ZA';
  }
  return DEFAULT_LOCALE;
}

interface LocaleChoice {
  locale: AppLocale;
  setLocale(locale: AppLocale): void;
}

const LocaleContext = createContext<LocaleChoice | undefined>(undefined);

const ignoreMissingDefault: ResolvedIntlConfig['onError'] = (error) => {
  // The default locale's messages are the source texts; a missing one falls back to them quietly.
  if (error.code === 'MISSING_TRANSLATION') return;
  console.error(error);
};

export function LocaleProvider({ children, locale: fixed }: { children: ReactNode; locale?: AppLocale }) {
  const [locale, setLocaleState] = useState<AppLocale>(() => fixed ?? initialLocale());
  const [loaded, setLoaded] = useState<{ locale: AppLocale; messages: Messages }>();

  useEffect(() => {
    let cancelled = false;
    void loaders[locale]().then((module) => {
      if (!cancelled) setLoaded({ locale, messages: module.default });
    });
    document.documentElement.lang = locale;
    return () => {
      cancelled = true;
    };
  }, [locale]);

  const setLocale = useCallback((next: AppLocale) => {
    localStorage.setItem(STORAGE_KEY, next);
    setLocaleState(next);
  }, []);

  const choice = useMemo(() => ({ locale, setLocale }), [locale, setLocale]);
  // Until the first messages arrive, nothing is shown: text in the wrong language would flash.
  if (!loaded) return null;
  return (
    <LocaleContext.Provider value={choice}>
      <IntlProvider
        locale={loaded.locale}
        defaultLocale={DEFAULT_LOCALE}
        messages={loaded.messages}
        onError={ignoreMissingDefault}
      >
        {children}
      </IntlProvider>
    </LocaleContext.Provider>
  );
}

export function useLocaleChoice(): LocaleChoice {
  const choice = useContext(LocaleContext);
  if (!choice) throw new Error('useLocaleChoice needs a LocaleProvider.');
  return choice;
}
