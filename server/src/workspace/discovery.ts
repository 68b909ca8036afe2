import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import type { ConfigLocator } from '../config/load';
import type { ProjectConfig } from '../config/schema';

/** Folders never worth linting: VCS data, virtualenvs, installed packages, caches, build output. */
export const DEFAULT_EXCLUDES = [
  '.bzr',
  '.direnv',
  '.eggs',
  '.git',
  '.hg',
  '.svn',
  '.ipynb_checkpoints',
  '.mypy_cache',
  '.nox',
  '.pytest_cache',
  '.ruff_cache',
  '.mlhygiene_cache',
  '.tox',
  '.venv',
  'venv',
  '__pycache__',
  '__pypackages__',
  '_build',
  'build',
  'dist',
  'node_modules',
  'site-packages',
  '*.egg-info',
];

export interface DiscoveryProblem {
  path: string;
  message: string;
}

export interface Discovery {
  files: string[];
  problems: DiscoveryProblem[];
}

interface GitignoreLayer {
  dir: string;
  rules: Ignore;
}

function readGitignore(dir: string): GitignoreLayer | undefined {
  try {
    const text = readFileSync(join(dir, '.gitignore'), 'utf8');
    return { dir, rules: ignore().add(text) };
  } catch {
    return undefined;
  }
}

function ignoredByGit(layers: readonly GitignoreLayer[], path: string, isDir: boolean): boolean {
  for (const layer of layers) {
    const rel = relative(layer.dir, path).split('\\').join('/');
    if (!rel || rel.startsWith('..')) continue;
    if (layer.rules.ignores(isDir ? `${rel}/` : rel)) return true;
  }
  return false;
}

/**
 * The default excludes, or the configuration's `exclude`, plus its `extend-exclude`. A bare name
 * (`build`) matches at any depth; a pattern with a slash matches from the project root.
 */
export class Excludes {
  private readonly matchers = new Map<string, (rel: string) => boolean>();

  constructor(private readonly configs: ConfigLocator) {}

  private matcherFor(
    configFile: string | undefined,
    config: ProjectConfig,
  ): (rel: string) => boolean {
    const key = configFile ?? '';
    let matcher = this.matchers.get(key);
    if (!matcher) {
      const patterns = [
        ...(config.exclude ?? DEFAULT_EXCLUDES),
        ...(config['extend-exclude'] ?? []),
      ];
      const match = picomatch(patterns, { dot: true });
      const matchName = picomatch(
        patterns.filter((p) => !p.includes('/')),
        { dot: true },
      );
      matcher = (rel: string) => match(rel) || matchName(rel.split('/').pop() ?? rel);
      this.matchers.set(key, matcher);
    }
    return matcher;
  }

  /** Whether one file or folder met during a walk is excluded. */
  matchesEntry(path: string): boolean {
    const loaded = this.configs.forFile(path);
    const rel = loaded.root ? relative(loaded.root, path).split('\\').join('/') : basename(path);
    return this.matcherFor(loaded.file, loaded.config)(rel);
  }

  /** Whether a file opened in the editor lies in an excluded folder (or is excluded itself). */
  excludesFile(path: string): boolean {
    const loaded = this.configs.forFile(path);
    const matcher = this.matcherFor(loaded.file, loaded.config);
    const rel = loaded.root ? relative(loaded.root, path) : path;
    const segments = rel.split(/[\\/]/).filter(Boolean);
    if (segments[0] === '..') return false;
    return segments.some((_, i) => matcher(segments.slice(0, i + 1).join('/')));
  }

  clear(): void {
    this.matchers.clear();
  }
}

/**
 * Finds `.py` and `.ipynb` files under the given paths, honouring `.gitignore` files, the default
 * excludes and the `exclude` / `extend-exclude` of the configuration that applies to each folder.
 * Files named explicitly are always included; `options.exclude` adds the caller's own excludes.
 * Symbolic links met in a walk are not followed, so a link loop cannot recurse, and only regular
 * files are listed (never a FIFO or a device).
 */
export function discoverFiles(
  paths: readonly string[],
  configs: ConfigLocator,
  options: { exclude?: (path: string) => boolean } = {},
): Discovery {
  const files = new Set<string>();
  const problems: DiscoveryProblem[] = [];
  const excludes = new Excludes(configs);

  const walk = (dir: string, layers: GitignoreLayer[]) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      problems.push({ path: dir, message: `cannot read folder: ${(error as Error).message}` });
      return;
    }
    const own = readGitignore(dir);
    const active = own ? [...layers, own] : layers;
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isSymbolicLink()) continue;
      const isDir = entry.isDirectory();
      if (excludes.matchesEntry(path) || ignoredByGit(active, path, isDir)) continue;
      // The caller's own excludes (the editor's settings) apply to what the walk meets.
      if (options.exclude?.(path)) continue;
      if (isDir) walk(path, active);
      else if (entry.isFile() && (entry.name.endsWith('.py') || entry.name.endsWith('.ipynb')))
        files.add(path);
    }
  };

  for (const given of paths) {
    const path = resolve(given);
    let stats;
    try {
      stats = statSync(path);
    } catch (error) {
      problems.push({
        path: given,
        message: `no such file or folder (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      });
      continue;
    }
    if (stats.isDirectory()) {
      // A folder named explicitly is linted even when an enclosing .gitignore ignores it.
      const above = gitignoreLayersAbove(path);
      walk(path, ignoredByGit(above, path, true) ? [] : above);
    } else if (stats.isFile()) files.add(path);
    // A FIFO or a device would block the read forever: it is named, never opened.
    else problems.push({ path: given, message: 'not a regular file or folder' });
  }
  return { files: [...files], problems };
}

/** `.gitignore` files of the folders above a starting folder, up to the repository root. */
function gitignoreLayersAbove(start: string): GitignoreLayer[] {
  const layers: GitignoreLayer[] = [];
  let dir = resolve(start, '..');
  for (let i = 0; i < 32; i++) {
    const layer = readGitignore(dir);
    if (layer) layers.unshift(layer);
    let isRepoRoot = false;
    try {
      isRepoRoot = statSync(join(dir, '.git')).isDirectory();
    } catch {
      isRepoRoot = false;
    }
    const parent = resolve(dir, '..');
    if (isRepoRoot || parent === dir) break;
    dir = parent;
  }
  return layers;
}
