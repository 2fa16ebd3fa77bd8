/**
 * A small Bicep text scanner for offline checks: not a parser. It removes comments (leaving
 * strings alone), splits a file into top-level statements by bracket depth, and reads params,
 * decorators, resources, modules and the body of a declaration. Enough to check what the tests in
 * this folder check; anything it cannot read it reports instead of guessing.
 */

export interface BicepParam {
  name: string;
  type: string;
  /** The default value's text, when the param has one. */
  defaultValue?: string;
  decorators: string[];
  /** The text of `@description('…')`, unescaped. */
  description?: string;
  secure: boolean;
}

export interface BicepResource {
  symbol: string;
  type: string;
  apiVersion: string;
  existing: boolean;
  /** The declaration's text from `resource` to its closing bracket. */
  text: string;
}

export interface BicepModule {
  symbol: string;
  path: string;
  text: string;
}

export interface BicepFile {
  params: BicepParam[];
  resources: BicepResource[];
  modules: BicepModule[];
  /** Top-level statements (decorators are statements of their own). */
  statements: string[];
  /** The file without comments. */
  code: string;
}

/** Replaces comments with spaces (keeping line breaks), leaving strings untouched. */
export function stripComments(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (source.startsWith("'''", i)) {
      const end = source.indexOf("'''", i + 3);
      const stop = end < 0 ? source.length : end + 3;
      out += source.slice(i, stop);
      i = stop;
    } else if (c === "'") {
      let j = i + 1;
      while (j < source.length && source[j] !== "'") j += source[j] === '\\' ? 2 : 1;
      out += source.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') {
        out += ' ';
        i++;
      }
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Splits comment-free code into top-level statements: newlines at bracket depth 0 end one. */
export function topLevelStatements(code: string): string[] {
  const statements: string[] = [];
  let depth = 0;
  let current = '';
  let i = 0;
  while (i < code.length) {
    const c = code[i];
    if (code.startsWith("'''", i)) {
      const end = code.indexOf("'''", i + 3);
      const stop = end < 0 ? code.length : end + 3;
      current += code.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      while (j < code.length && code[j] !== "'") j += code[j] === '\\' ? 2 : 1;
      current += code.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === '{' || c === '[' || c === '(') depth++;
    if (c === '}' || c === ']' || c === ')') depth--;
    if (depth < 0) throw new Error(`Unbalanced brackets near: ${current.slice(-80)}`);
    if (c === '\n' && depth === 0) {
      if (current.trim()) statements.push(current.trim());
      current = '';
    } else {
      current += c;
    }
    i++;
  }
  if (depth !== 0) throw new Error(`Unbalanced brackets at the end (depth ${depth}).`);
  if (current.trim()) statements.push(current.trim());
  return statements;
}

/** The value of a single-quoted Bicep string literal at the start of `text`. */
export function stringLiteral(text: string): string | undefined {
  const match = /^'((?:[^'\\]|\\.)*)'/.exec(text);
  return match ? match[1]!.replace(/\\(.)/g, '$1') : undefined;
}

export function scanBicep(source: string): BicepFile {
  const code = stripComments(source);
  const statements = topLevelStatements(code);
  const params: BicepParam[] = [];
  const resources: BicepResource[] = [];
  const modules: BicepModule[] = [];
  let decorators: string[] = [];
  for (const statement of statements) {
    if (statement.startsWith('@')) {
      decorators.push(statement);
      continue;
    }
    const param = /^param\s+(\w+)\s+([\w.]+(?:\[\])?)(?:\s*=\s*([\s\S]+))?$/.exec(statement);
    if (param) {
      const description = decorators
        .map((d) => /^@(?:sys\.)?description\(\s*([\s\S]*)\)$/.exec(d)?.[1])
        .find((d) => d !== undefined);
      params.push({
        name: param[1]!,
        type: param[2]!,
        ...(param[3] !== undefined ? { defaultValue: param[3].trim() } : {}),
        decorators,
        ...(description !== undefined ? { description: stringLiteral(description.trim()) } : {}),
        secure: decorators.some((d) => /^@(?:sys\.)?secure\(\)$/.test(d)),
      });
    } else if (statement.startsWith('param ')) {
      throw new Error(`Cannot read the param declaration: ${statement.slice(0, 120)}`);
    }
    const resource = /^resource\s+(\w+)\s+'([^'@]+)@([^']+)'\s*(existing)?\s*=/.exec(statement);
    if (resource) {
      resources.push({
        symbol: resource[1]!,
        type: resource[2]!,
        apiVersion: resource[3]!,
        existing: resource[4] === 'existing',
        text: statement,
      });
    } else if (statement.startsWith('resource ')) {
      throw new Error(`Cannot read the resource declaration: ${statement.slice(0, 120)}`);
    }
    const module = /^module\s+(\w+)\s+'([^']+)'\s*=/.exec(statement);
    if (module) modules.push({ symbol: module[1]!, path: module[2]!, text: statement });
    else if (statement.startsWith('module ')) {
      throw new Error(`Cannot read the module declaration: ${statement.slice(0, 120)}`);
    }
    decorators = [];
  }
  return { params, resources, modules, statements, code };
}

/**
 * The text of the object literal that follows `key:` (or `key =`) in `text`, brackets included;
 * undefined when the key is absent.
 */
export function objectAfter(text: string, key: RegExp): string | undefined {
  const match = key.exec(text);
  if (!match) return undefined;
  const start = text.indexOf('{', match.index + match[0].length - 1);
  if (start < 0) return undefined;
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== "'") j += text[j] === '\\' ? 2 : 1;
      i = j;
      continue;
    }
    if (c === '{') depth++;
    if (c === '}' && --depth === 0) return text.slice(start, i + 1);
  }
  return undefined;
}

/** The keys of an object literal's first level (`{ a: 1, b: { c: 2 } }` → a, b). */
export function topLevelKeys(objectText: string): string[] {
  const inner = objectText.trim().replace(/^\{/, '').replace(/\}$/, '');
  const keys: string[] = [];
  for (const statement of topLevelStatements(inner.replace(/,/g, '\n'))) {
    const key = /^('(?:[^'\\]|\\.)*'|[A-Za-z_][\w]*)\s*:/.exec(statement);
    const raw = key?.[1];
    if (raw) keys.push(raw.startsWith("'") ? (stringLiteral(raw) ?? raw) : raw);
  }
  return keys;
}

/** The `param x = …` assignments of a .bicepparam file, and the file its `using` names. */
export function scanBicepParam(source: string): { using?: string; assigned: Map<string, string> } {
  const statements = topLevelStatements(stripComments(source));
  const assigned = new Map<string, string>();
  let using: string | undefined;
  for (const statement of statements) {
    const use = /^using\s+'([^']+)'$/.exec(statement);
    if (use) using = use[1];
    const param = /^param\s+(\w+)\s*=\s*([\s\S]+)$/.exec(statement);
    if (param) assigned.set(param[1]!, param[2]!.trim());
  }
  return { ...(using !== undefined ? { using } : {}), assigned };
}
