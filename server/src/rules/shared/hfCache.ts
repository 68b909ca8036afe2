import { readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { ProjectFiles } from '../../workspace/project';

/**
 * Read-only look-ups in the local Hugging Face Hub cache, so that a fix can pin a repository to the
 * exact commit the user already has. The layout is huggingface_hub's: `<cache>/models--org--name/`
 * holds `refs/<ref>` (a file with the 40-hex commit sha a branch or tag pointed to when it was last
 * downloaded) and `snapshots/<sha>/`. Nothing here touches the network or writes anything.
 */

export type RepoType = 'model' | 'dataset' | 'space';

/** A full commit sha, the only revision that cannot move. */
export const FULL_SHA = /^[0-9a-f]{40}$/i;

type Env = Readonly<Record<string, string | undefined>>;

/** An environment value, with unset and empty treated alike. */
function envValue(env: Env, name: string): string | undefined {
  const value = env[name];
  return value && value.trim() ? value : undefined;
}

/** The user's home folder, from the environment the linter was given (never the process's own). */
function homeOf(env: Env): string | undefined {
  return envValue(env, 'HOME') ?? envValue(env, 'USERPROFILE');
}

/** `~` and `~/x` expanded with the given environment's home, as `os.path.expanduser` would. */
export function expandHome(path: string, env: Env): string | undefined {
  if (path !== '~' && !path.startsWith('~/') && !path.startsWith('~\\')) return path;
  const home = homeOf(env);
  return home ? join(home, path.slice(1)) : undefined;
}

/**
 * The hub cache folder huggingface_hub uses in this environment: `$HF_HUB_CACHE`, else the legacy
 * `$HUGGINGFACE_HUB_CACHE`, else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`, else
 * `~/.cache/huggingface/hub`.
 */
export function hubCacheDir(env: Env): string | undefined {
  const explicit = envValue(env, 'HF_HUB_CACHE') ?? envValue(env, 'HUGGINGFACE_HUB_CACHE');
  if (explicit) return expandHome(explicit, env);
  const hfHome = envValue(env, 'HF_HOME');
  if (hfHome) {
    const expanded = expandHome(hfHome, env);
    return expanded && join(expanded, 'hub');
  }
  const xdg = envValue(env, 'XDG_CACHE_HOME');
  if (xdg) {
    const expanded = expandHome(xdg, env);
    return expanded && join(expanded, 'huggingface', 'hub');
  }
  const home = homeOf(env);
  return home && join(home, '.cache', 'huggingface', 'hub');
}

/** The cache folder of one repository: `models--org--name`, `datasets--org--name`, `models--gpt2`. */
export function repoFolder(cacheDir: string, type: RepoType, repoId: string): string {
  return join(cacheDir, `${type}s--${repoId.split('/').join('--')}`);
}

/** Branch and tag names as the cache stores them (`main`, `v1.0`, `refs/pr/1`); no path tricks. */
function isSafeRef(ref: string): boolean {
  return /^[\w.\-/]+$/.test(ref) && !ref.split('/').some((part) => part === '..' || part === '');
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Whether the cache holds anything of the repository, which proves it is a Hub repository. */
export function isCachedRepo(cacheDir: string, type: RepoType, repoId: string): boolean {
  return isDirectory(repoFolder(cacheDir, type, repoId));
}

/** The commit sha a branch or tag pointed to when the repository was last downloaded. */
export function cachedCommit(
  project: ProjectFiles,
  cacheDir: string,
  type: RepoType,
  repoId: string,
  ref: string,
): string | undefined {
  if (!isSafeRef(ref)) return undefined;
  const sha = project.read(join(repoFolder(cacheDir, type, repoId), 'refs', ref))?.trim();
  return sha && FULL_SHA.test(sha) ? sha.toLowerCase() : undefined;
}

/** The one cached snapshot whose full sha starts with a short sha, if exactly one does. */
export function cachedCommitWithPrefix(
  cacheDir: string,
  type: RepoType,
  repoId: string,
  prefix: string,
): string | undefined {
  let names: string[];
  try {
    names = readdirSync(join(repoFolder(cacheDir, type, repoId), 'snapshots'));
  } catch {
    return undefined;
  }
  const lower = prefix.toLowerCase();
  const matches = names.filter((n) => FULL_SHA.test(n) && n.toLowerCase().startsWith(lower));
  return matches.length === 1 ? matches[0].toLowerCase() : undefined;
}

/**
 * Whether a relative location names an existing folder of the project: next to the linted file or
 * under the project root (the two places a script is usually run from).
 */
export function isProjectDirectory(
  project: ProjectFiles,
  filePath: string,
  relative: string,
): boolean {
  const bases = [project.root, isAbsolute(filePath) ? dirname(filePath) : undefined];
  return bases.some((base) => base !== undefined && isDirectory(join(base, relative)));
}
