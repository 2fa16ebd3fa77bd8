import { describe, expect, it } from 'vitest';
import { objectAfter, scanBicep, scanBicepParam, stripComments, topLevelKeys } from './bicep-scanner.js';

/** The scanner the infra tests rely on reads what it claims to read, and refuses what it cannot. */
describe('the Bicep scanner', () => {
  const source = `// a comment with 'quotes' and { brackets
targetScope = 'subscription'

@description('Required. The name; it\\'s used // everywhere.')
@maxLength(8)
param name string

/* a block
   comment */
@description('Optional. Where.')
@allowed([
  'a'
  'b'
])
param where string = 'a'

@secure()
param password string

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: 'https://example.test/x' // not a comment inside the string above
  properties: {
    settings: { A: 'x', 'B-c': { nested: 1 } }
  }
}

resource old 'Microsoft.Web/sites@2024-04-01' existing = {
  name: 'old'
}

module app './modules/app.bicep' = {
  name: 'app'
  params: { name: name }
}
`;
  const scanned = scanBicep(source);

  it('removes comments but not // inside strings', () => {
    const code = stripComments(source);
    expect(code).not.toContain('a comment');
    expect(code).not.toContain('a block');
    expect(code).toContain("'https://example.test/x'");
    expect(code).toContain("it\\'s used // everywhere.");
  });

  it('reads params with their decorators, defaults and descriptions', () => {
    expect(scanned.params.map((p) => p.name)).toEqual(['name', 'where', 'password']);
    const [name, where, password] = scanned.params;
    expect(name!.description).toBe("Required. The name; it's used // everywhere.");
    expect(name!.defaultValue).toBeUndefined();
    expect(where!.defaultValue).toBe("'a'");
    expect(where!.decorators).toHaveLength(2);
    expect(password!.secure).toBe(true);
    expect(password!.description).toBeUndefined();
  });

  it('reads resources, existing references and modules', () => {
    expect(scanned.resources.map((r) => [r.symbol, r.type, r.apiVersion, r.existing])).toEqual([
      ['site', 'Microsoft.Web/sites', '2024-04-01', false],
      ['old', 'Microsoft.Web/sites', '2024-04-01', true],
    ]);
    expect(scanned.modules).toMatchObject([{ symbol: 'app', path: './modules/app.bicep' }]);
  });

  it('reads the first-level keys of an object', () => {
    const settings = objectAfter(scanned.resources[0]!.text, /\bsettings:/);
    expect(settings).toBe("{ A: 'x', 'B-c': { nested: 1 } }");
    expect(topLevelKeys(settings!)).toEqual(['A', 'B-c']);
  });

  it('refuses what it cannot read instead of skipping it', () => {
    expect(() => scanBicep("param 'odd' string")).toThrow(/Cannot read the param/);
    expect(() => scanBicep('resource x = {')).toThrow(/Unbalanced|Cannot read/);
  });

  it('reads a parameter file', () => {
    const { using, assigned } = scanBicepParam(
      "using 'main.bicep'\n\n// note\nparam name = 'dev'\nparam list = [\n  1\n]\n",
    );
    expect(using).toBe('main.bicep');
    expect([...assigned]).toEqual([
      ['name', "'dev'"],
      ['list', '[\n  1\n]'],
    ]);
  });
});
