import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as SmolToml from 'smol-toml' with { 'resolution-mode': 'import' };

// smol-toml ships CommonJS next to its ES module build, but its typings are ESM-only.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse: parseToml, TomlError } = require('smol-toml') as typeof SmolToml;
import { projectKeys, type ProjectConfig, type ProjectKey } from './schema';

export interface ConfigMessage {
  file: string;
  message: string;
}

export interface LoadedProjectConfig {
  /** The file the configuration came from, or undefined when none was found. */
  file?: string;
  /** The folder paths in the configuration are relative to. */
  root?: string;
  config: ProjectConfig;
  messages: ConfigMessage[];
}

function tableOf(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Validates `[tool.mlhygiene]` key by key; bad keys are reported and left out. */
export function validateProjectTable(
  table: Record<string, unknown>,
  file: string,
): LoadedProjectConfig {
  const config: Record<string, unknown> = {};
  const messages: ConfigMessage[] = [];
  for (const [key, value] of Object.entries(table)) {
    const schema = projectKeys[key as ProjectKey];
    if (!schema) {
      messages.push({ file, message: `[tool.mlhygiene] unknown key "${key}" is ignored` });
      continue;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) {
      config[key] = parsed.data;
    } else {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${key}.${issue.path.join('.')}` : key;
      messages.push({
        file,
        message: `[tool.mlhygiene] ${where}: ${issue?.message ?? 'invalid value'}; the default is used`,
      });
    }
  }
  return { file, root: dirname(file), config: config as ProjectConfig, messages };
}

/** Reads one candidate file; undefined when it holds no mlhygiene table. */
export function readConfigFile(file: string): LoadedProjectConfig | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return {
      file,
      root: dirname(file),
      config: {},
      messages: [{ file, message: `cannot read: ${(error as Error).message}` }],
    };
  }
  let data: Record<string, unknown>;
  try {
    data = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    const detail =
      error instanceof TomlError
        ? `line ${error.line}, column ${error.column}: ${error.message.split('\n')[0]}`
        : String(error);
    return {
      file,
      root: dirname(file),
      config: {},
      messages: [{ file, message: `invalid TOML (${detail}); mlhygiene uses its defaults` }],
    };
  }
  const isStandalone = file.endsWith('mlhygiene.toml');
  const table = isStandalone
    ? (tableOf(data.tool)?.mlhygiene ?? data)
    : tableOf(data.tool)?.mlhygiene;
  if (table === undefined) return undefined;
  const checked = tableOf(table);
  if (!checked) {
    return {
      file,
      root: dirname(file),
      config: {},
      messages: [{ file, message: '[tool.mlhygiene] must be a table' }],
    };
  }
  return validateProjectTable(checked, file);
}

/**
 * Finds the configuration that applies to a folder: the nearest `mlhygiene.toml`, or
 * `pyproject.toml` with a `[tool.mlhygiene]` table, walking up. Results are cached per folder.
 */
export class ConfigLocator {
  private readonly cache = new Map<string, LoadedProjectConfig>();

  clear(): void {
    this.cache.clear();
  }

  forFile(path: string): LoadedProjectConfig {
    return this.forDirectory(dirname(path));
  }

  forDirectory(dir: string): LoadedProjectConfig {
    const cached = this.cache.get(dir);
    if (cached) return cached;
    let found: LoadedProjectConfig | undefined;
    for (const name of ['mlhygiene.toml', 'pyproject.toml']) {
      const candidate = join(dir, name);
      if (!existsSync(candidate) || !statSync(candidate).isFile()) continue;
      found = readConfigFile(candidate);
      if (found) break;
    }
    const parent = dirname(dir);
    const result =
      found ?? (parent !== dir ? this.forDirectory(parent) : { config: {}, messages: [] });
    this.cache.set(dir, result);
    return result;
  }
}
