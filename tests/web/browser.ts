import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Debian's Chromium (`apt-get install chromium`), or the one `CHROMIUM_PATH` names. */
export const chromiumPath: string | undefined = [
  process.env.CHROMIUM_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
].find((candidate): candidate is string => !!candidate && existsSync(candidate));

/** Where the browser tests leave their screenshots. */
export const artefactDir = path.join(root, 'test-results', 'web');

function newestChange(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestChange(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds web/dist unless it is newer than every source file of the web app. */
export function ensureWebBuilt(): void {
  const index = path.join(root, 'web', 'dist', 'index.html');
  const sources = Math.max(
    newestChange(path.join(root, 'web', 'src')),
    statSync(path.join(root, 'web', 'index.html')).mtimeMs,
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  // The bundle only: type checking is `npm run check`'s work.
  execFileSync('npx', ['vite', 'build'], { cwd: path.join(root, 'web'), stdio: 'inherit' });
}

export async function launch(): Promise<Browser> {
  mkdirSync(artefactDir, { recursive: true });
  return chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** Errors the page wrote to its console or threw, collected for the test to assert on. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${new URL(page.url()).pathname}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`${new URL(page.url()).pathname}: ${error.message}`));
  return errors;
}

/** Signs in on the devhost's local sign-in page as a user of the demo tenant with these roles. */
export async function signIn(page: Page, baseUrl: string, user: string, roles: string[]): Promise<void> {
  await page.goto(`${baseUrl}/`);
  // Whoever was signed in signs out first, through the app (clearing its storage under a running
  // app would leave it polling without a token until reloaded).
  const account = page.getByRole('button', { name: /Account and settings|Rekening en instellings/ });
  await page
    .getByLabel(/User name|Gebruikersnaam/)
    .or(account)
    .first()
    .waitFor();
  if (await account.isVisible()) await signOut(page);
  await page.getByLabel(/User name|Gebruikersnaam/).fill(user);
  for (const checkbox of await page.getByRole('checkbox').all()) await checkbox.uncheck();
  for (const role of roles) await page.getByRole('checkbox', { name: role, exact: true }).check();
  await page.getByRole('button', { name: /^(Sign in|Meld aan)$/ }).click();
  await page.getByRole('button', { name: /Account and settings|Rekening en instellings/ }).waitFor();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: /Account and settings|Rekening en instellings/ }).click();
  await page.getByRole('menuitem', { name: /Sign out|Meld af/ }).click();
  await page.getByLabel(/User name|Gebruikersnaam/).waitFor();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(artefactDir, `${name}.png`), fullPage: true });
}

const require = createRequire(import.meta.url);

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core in the page; returns the serious and critical violations. */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run: (context: object, options: object) => Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    // Fluent UI's focus manager (Tabster) keeps hidden, focusable sentinel elements at the edges of
    // focus groups to move focus in and out; they are never read and are not part of the content.
    const result = await axe.run({ exclude: [['[data-tabster-dummy]']] }, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Whether the page is wider than the window (a horizontal scrollbar on the whole page). */
export async function overflowsHorizontally(page: Page): Promise<boolean> {
  return page.evaluate(
    'document.documentElement.scrollWidth > document.documentElement.clientWidth + 1',
  ) as Promise<boolean>;
}
