import { basename, dirname, join, relative } from 'node:path';
import type * as SmolToml from 'smol-toml' with { 'resolution-mode': 'import' };
import { parse as parseYaml } from 'yaml';
import type { ProjectFiles } from '../../workspace/project';

// smol-toml ships CommonJS next to its ES module build, but its typings are ESM-only.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse: parseToml } = require('smol-toml') as typeof SmolToml;

/**
 * What a project's dependency manifests say about one package: every place that names it, with the
 * lowest version each place admits. Manifests are read through `context.project` (read-only, cached)
 * and parsed once per file text.
 */

/** One mention of a package in a manifest. */
export interface Requirement {
  /** The normalized package name (`torch`, `pytorch`). */
  name: string;
  /** The requirement as written, trimmed: `torch>=2.6`, `torch = "^2.6"`. */
  text: string;
  /** The manifest that holds it (for an included requirements file: that file). */
  file: string;
  /** The lowest version the requirement admits, as release numbers; undefined when unbounded. */
  minimum?: number[];
}

/** Manifests looked for, nearest folder first; requirements files under their usual names. */
export const MANIFEST_NAMES: readonly string[] = [
  'requirements.txt',
  'requirements-prod.txt',
  'requirements_prod.txt',
  'requirements-train.txt',
  'requirements-training.txt',
  'requirements-gpu.txt',
  'requirements-cuda.txt',
  'requirements-cpu.txt',
  'requirements-base.txt',
  'requirements-lock.txt',
  'requirements-dev.txt',
  'requirements_dev.txt',
  'requirements-test.txt',
  'requirements/base.txt',
  'requirements/prod.txt',
  'requirements/production.txt',
  'pyproject.toml',
  'setup.cfg',
  'environment.yml',
  'environment.yaml',
];

/** Parsed manifests by path, valid while the file's text is unchanged. */
const parsed = new Map<string, { text: string; requirements: Requirement[] }>();

/** PEP 503 normalization: case and runs of `-`, `_`, `.` do not distinguish packages. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/**
 * A version as comparable numbers: the release segment, then -1 for a pre-release or dev release,
 * which comes before the release it precedes (`2.6.0rc1` < `2.6`). Epochs and local labels are
 * dropped.
 */
export function parseVersion(text: string): number[] | undefined {
  const match = /^\s*v?(?:\d+!)?(\d+(?:\.\d+)*)(?:\.\*)?(.*)$/i.exec(text);
  if (!match) return undefined;
  const release = match[1].split('.').map(Number);
  const rest = match[2].replace(/\+.*$/, '').trim();
  if (/^[-_.]?(a|alpha|b|beta|c|rc|pre|preview|dev)\d*/i.test(rest)) release.push(-1);
  return release;
}

export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

function maxVersion(a: number[] | undefined, b: number[] | undefined): number[] | undefined {
  if (!a) return b;
  if (!b) return a;
  return compareVersions(a, b) >= 0 ? a : b;
}

/**
 * The lowest version a PEP 440 specifier set admits (`>=2.6,<3`, `==2.6.*`, `~=2.7`), also
 * accepting Poetry (`^2.6`, `~2.6`, bare `2.6.0`, `||`) and conda (`=2.6`, `2.6.0`) forms.
 * Exclusive bounds (`>2.5`) count as their version, which never overstates a guarantee that the
 * caller compares with `>=`.
 */
export function minimumOf(specifier: string): number[] | undefined {
  const alternatives = specifier.split('||');
  if (alternatives.length > 1) {
    // Any alternative may be installed, so the guarantee is the weakest of them.
    const minimums = alternatives.map(minimumOf);
    if (minimums.some((m) => !m)) return undefined;
    return minimums.reduce((a, b) => (compareVersions(a!, b!) <= 0 ? a : b));
  }
  let minimum: number[] | undefined;
  const clauses = specifier.replace(/([<>=!~^]+)\s+/g, '$1').split(/[,\s]+/);
  for (const clause of clauses) {
    const match = /^(===|==|~=|>=|<=|!=|>|<|=|\^|~)?(.+)$/.exec(clause);
    if (!match || match[2] === '*') continue;
    const [, operator, version] = match;
    // Upper bounds and exclusions say nothing about the lowest version.
    if (operator === '<' || operator === '<=' || operator === '!=') continue;
    minimum = maxVersion(minimum, parseVersion(version));
  }
  return minimum;
}

/** `name[extras] specifier ; markers` (PEP 508), or undefined for URLs, options and garbage. */
function parsePep508(line: string, file: string): Requirement | undefined {
  const text = line.trim();
  const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$/.exec(text);
  if (!match) return undefined;
  const spec = match[3].split(';')[0].trim();
  // A direct URL (`torch @ https://...`) pins a file whose version is not read here.
  if (spec.startsWith('@')) return { name: normalizeName(match[1]), text, file };
  const bare = spec.replace(/^\((.*)\)$/, '$1');
  return { name: normalizeName(match[1]), text, file, minimum: minimumOf(bare) };
}

/** A conda match spec: `pytorch>=2.6`, `pytorch=2.6`, `pytorch 2.6.0 py3.11_cuda`, `ch::pytorch`. */
function parseCondaSpec(spec: string, file: string): Requirement | undefined {
  const text = spec.trim();
  const match = /^(?:[\w.-]+::)?([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)$/.exec(text);
  if (!match) return undefined;
  // `=2.6.0=build` and `2.6.0 build`: only the version part matters.
  const version = match[2].replace(/^=?([^=\s]+)[=\s].*$/, '$1');
  return { name: normalizeName(match[1]), text, file, minimum: minimumOf(version) };
}

function parseRequirementsText(
  project: ProjectFiles,
  file: string,
  text: string,
  depth: number,
): Requirement[] {
  const found: Requirement[] = [];
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    const include = /^(?:-r|--requirement|-c|--constraint)(?:\s+|=)(\S+)/.exec(line);
    if (include) {
      // Includes are followed one level, relative to the including file.
      if (depth > 0) continue;
      const path = join(dirname(file), include[1]);
      const included = project.read(path);
      if (included !== undefined)
        found.push(...parseRequirementsText(project, path, included, depth + 1));
      continue;
    }
    if (line.startsWith('-')) continue;
    // Per-requirement options (`--hash=...`) follow the requirement.
    const requirement = parsePep508(line.replace(/\s--.*$/, ''), file);
    if (requirement) found.push(requirement);
  }
  return found;
}

function tableOf(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** A Poetry dependency: `"^2.6"`, `{ version = "^2.6", source = "pytorch" }`, or a list of those. */
function parsePoetryDependency(name: string, value: unknown, file: string): Requirement[] {
  const entries = Array.isArray(value) ? value : [value];
  return entries.map((entry) => {
    const version = typeof entry === 'string' ? entry : tableOf(entry)?.version;
    const text = `${name} = ${JSON.stringify(entry)}`;
    return {
      name: normalizeName(name),
      text,
      file,
      minimum: typeof version === 'string' ? minimumOf(version) : undefined,
    };
  });
}

function parsePyproject(file: string, text: string): Requirement[] {
  let document: Record<string, unknown>;
  try {
    document = parseToml(text) as Record<string, unknown>;
  } catch {
    return [];
  }
  const found: Requirement[] = [];
  const pep508 = (lines: string[]) =>
    lines.map((l) => parsePep508(l, file)).filter((r): r is Requirement => !!r);
  const project = tableOf(document.project);
  found.push(...pep508(stringsOf(project?.dependencies)));
  for (const extra of Object.values(tableOf(project?.['optional-dependencies']) ?? {}))
    found.push(...pep508(stringsOf(extra)));
  for (const group of Object.values(tableOf(document['dependency-groups']) ?? {}))
    found.push(...pep508(stringsOf(group)));
  const poetry = tableOf(tableOf(document.tool)?.poetry);
  const poetryTables = [poetry?.dependencies, poetry?.['dev-dependencies']];
  for (const group of Object.values(tableOf(poetry?.group) ?? {}))
    poetryTables.push(tableOf(group)?.dependencies);
  for (const table of poetryTables) {
    for (const [name, value] of Object.entries(tableOf(table) ?? {}))
      found.push(...parsePoetryDependency(name, value, file));
  }
  return found;
}

/** `install_requires` and `extras_require` of a setup.cfg, read with a small INI scan. */
function parseSetupCfg(file: string, text: string): Requirement[] {
  const found: Requirement[] = [];
  let section = '';
  let inList = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)[#;].*$/, '');
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      section = header[1].trim();
      inList = false;
      continue;
    }
    const entry = /^(\S[^=:]*?)\s*[=:]\s*(.*)$/.exec(line);
    if (entry) {
      const key = entry[1].trim();
      inList =
        (section === 'options' && key === 'install_requires') ||
        section === 'options.extras_require';
      if (inList && entry[2].trim()) {
        const requirement = parsePep508(entry[2], file);
        if (requirement) found.push(requirement);
      }
      continue;
    }
    // Continuation lines of a multi-line value are indented.
    if (inList && /^\s+\S/.test(line)) {
      const requirement = parsePep508(line, file);
      if (requirement) found.push(requirement);
    }
  }
  return found;
}

/** Conda dependencies and the `pip:` list of an environment.yml. */
function parseEnvironment(file: string, text: string): Requirement[] {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch {
    return [];
  }
  const found: Requirement[] = [];
  const dependencies = tableOf(document)?.dependencies;
  for (const entry of Array.isArray(dependencies) ? dependencies : []) {
    if (typeof entry === 'string') {
      const requirement = parseCondaSpec(entry, file);
      if (requirement) found.push(requirement);
    } else {
      for (const line of stringsOf(tableOf(entry)?.pip)) {
        const requirement = parsePep508(line, file);
        if (requirement) found.push(requirement);
      }
    }
  }
  return found;
}

function parseManifest(project: ProjectFiles, file: string, text: string): Requirement[] {
  const name = basename(file);
  if (name === 'pyproject.toml') return parsePyproject(file, text);
  if (name === 'setup.cfg') return parseSetupCfg(file, text);
  if (/^environment\.ya?ml$/.test(name)) return parseEnvironment(file, text);
  return parseRequirementsText(project, file, text, 0);
}

/** The requirements of one manifest, parsed once per text of the file. */
function requirementsOf(project: ProjectFiles, file: string): Requirement[] {
  const text = project.read(file);
  if (text === undefined) return [];
  const hit = parsed.get(file);
  if (hit && hit.text === text) return hit.requirements;
  const requirements = parseManifest(project, file, text);
  parsed.set(file, { text, requirements });
  return requirements;
}

/** Every mention of the given packages in the manifests of the nearest folder that has any. */
export function requirementsFor(project: ProjectFiles, names: readonly string[]): Requirement[] {
  const wanted = new Set(names.map(normalizeName));
  return project
    .findUp(MANIFEST_NAMES)
    .flatMap((file) => requirementsOf(project, file))
    .filter((r) => wanted.has(r.name));
}

/**
 * The requirement that guarantees at least `version` of a package: returned only when the project
 * names the package and every mention admits nothing older, so that a dev file pinning an old
 * release, or an unversioned mention, keeps the guarantee from holding.
 */
export function guaranteedAtLeast(
  project: ProjectFiles,
  names: readonly string[],
  version: readonly number[],
): Requirement | undefined {
  const mentions = requirementsFor(project, names);
  if (mentions.length === 0) return undefined;
  const holds = (r: Requirement) => !!r.minimum && compareVersions(r.minimum, version) >= 0;
  return mentions.every(holds) ? mentions[0] : undefined;
}

/** Where a manifest is, as the user would name it from the linted file's folder. */
export function manifestLabel(manifest: string, linted: string): string {
  return relative(dirname(linted), manifest) || basename(manifest);
}
