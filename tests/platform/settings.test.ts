import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { settingNames } from '../../shared/platform/config.js';

it('documents every setting the app reads in local.settings.example.json and the README', async () => {
  const example = JSON.parse(await readFile('local.settings.example.json', 'utf8')) as {
    Values: Record<string, string>;
  };
  const readme = await readFile('README.md', 'utf8');
  const missing = settingNames.filter((name) => !(name in example.Values) || !readme.includes(`\`${name}\``));
  expect(missing).toEqual([]);
});
