import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { FluentProvider, webDarkTheme, webLightTheme } from '@fluentui/react-components';

const STORAGE_KEY = 'tessera.theme';

interface ThemeChoice {
  dark: boolean;
  setDark(dark: boolean): void;
}

const ThemeContext = createContext<ThemeChoice | undefined>(undefined);

function initialDark(): boolean {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored) return stored === 'dark';
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
}

export function ThemeProvider({ children }: { children: ReactNode }) {
  const [dark, setDarkState] = useState(initialDark);
  const setDark = useCallback((next: boolean) => {
    localStorage.setItem(STORAGE_KEY, next ? 'dark' : 'light');
    setDarkState(next);
  }, []);
  const choice = useMemo(() => ({ dark, setDark }), [dark, setDark]);
  return (
    <ThemeContext.Provider value={choice}>
      <FluentProvider theme={dark ? webDarkTheme : webLightTheme} style={{ minHeight: '100vh' }}>
        {children}
      </FluentProvider>
    </ThemeContext.Provider>
  );
}

export function useThemeChoice(): ThemeChoice {
  const choice = useContext(ThemeContext);
  if (!choice) throw new Error('useThemeChoice needs a ThemeProvider.');
  return choice;
}
