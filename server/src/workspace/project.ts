import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';

/**
 * Read-only access to the files around the linted file that rules may consult: dependency pins
 * (requirements*.txt, pyproject.toml, setup.cfg, environment.yml), `dvc.yaml`, project modules.
 * Reads are cached by path and modification time, so an unchanged file is read once per process.
 * Rules never write and never execute anything.
 */
export interface ProjectFiles {
  /** The folder of the configuration (pyproject.toml / mlhygiene.toml), when there is one. */
  readonly root?: string;
  /** The text of a file (absolute, or relative to `root`), or undefined when it cannot be read. */
  read(path: string): string | undefined;
  /**
   * The nearest folder at or above the linted file's folder holding one of `names`, stopping at the
   * project root (or a `.git` folder); returns the full paths found there.
   */
  findUp(names: readonly string[]): string[];
  /** Environment variables (for cache locations such as `$HF_HOME`); tests pass their own. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * In an untrusted workspace: the environment is empty and nothing outside the project is read;
   * rules must not look anywhere else either (MLH402 leaves the Hugging Face cache alone).
   */
  readonly confined?: boolean;
}

const cache = new Map<string, { mtimeMs: number; size: number; text: string | undefined }>();

function readCached(path: string): string | undefined {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    cache.delete(path);
    return undefined;
  }
  if (!stats.isFile()) return undefined;
  const hit = cache.get(path);
  if (hit && hit.mtimeMs === stats.mtimeMs && hit.size === stats.size) return hit.text;
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = undefined;
  }
  cache.set(path, { mtimeMs: stats.mtimeMs, size: stats.size, text });
  return text;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * `consulted`, when given, records every file a rule looked at (also those that did not exist),
 * so a cached result can be checked against them later: see `dependencies` and `unchanged`.
 */
export function projectFiles(
  filePath: string,
  root: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
  confined = false,
  consulted?: Map<string, string | undefined>,
): ProjectFiles {
  // Confined reads stay under the project root, or the linted file's folder when there is none.
  const base = root ?? (isAbsolute(filePath) ? dirname(filePath) : undefined);
  const allowed = (path: string) => {
    if (!confined) return true;
    const rel = base ? relative(base, path) : '..';
    return !rel.startsWith('..') && !isAbsolute(rel);
  };
  const read = (path: string) => {
    const full = isAbsolute(path) || !root ? path : join(root, path);
    const text = allowed(full) ? readCached(full) : undefined;
    consulted?.set(full, text);
    return text;
  };
  return {
    root,
    env: confined ? {} : env,
    confined,
    read,
    findUp(names) {
      if (!isAbsolute(filePath)) return [];
      for (let dir = dirname(filePath), i = 0; i < 40; i++) {
        const found = names.map((n) => join(dir, n)).filter((p) => read(p) !== undefined);
        if (found.length > 0) return found;
        const parent = dirname(dir);
        if (dir === root || parent === dir || isDirectory(join(dir, '.git'))) return [];
        dir = parent;
      }
      return [];
    },
  };
}

/** A consulted file and a hash of its content (null: it did not exist or could not be read). */
export type Dependency = [path: string, hash: string | null];

function hashOf(text: string | undefined): string | null {
  return text === undefined ? null : createHash('sha256').update(text).digest('hex');
}

/** The files recorded by `projectFiles(…, consulted)`, with hashes, for storing with a result. */
export function dependencies(consulted: ReadonlyMap<string, string | undefined>): Dependency[] {
  return [...consulted].map(([path, text]) => [path, hashOf(text)]);
}

/** Whether every recorded file still has the content (or absence) it had. */
export function unchanged(recorded: readonly Dependency[]): boolean {
  return recorded.every(([path, hash]) => hashOf(readCached(path)) === hash);
}
