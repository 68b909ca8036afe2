import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { VERSION } from '../protocol';

/**
 * The content-hash cache: a file's results are stored under a key made of the tool build, the
 * configuration that applies to it, its path and its exact content, so any change to one of them
 * is a miss. The CLI keeps it in `.mlhygiene_cache/` (which ignores itself for git, like ruff's),
 * the editor's scan in VS Code's workspace storage.
 */
let fingerprint: string | undefined;

/** The running build itself is part of every key, so a rebuilt tool never reads old entries. */
export function toolFingerprint(): string {
  if (fingerprint === undefined) {
    try {
      fingerprint = createHash('sha256').update(readFileSync(__filename)).digest('hex');
    } catch {
      fingerprint = VERSION;
    }
  }
  return fingerprint;
}

/**
 * Worker threads run from their own bundle, whose hash differs from the CLI's: they take the CLI's
 * fingerprint so that a file gets the same key whichever thread lints it.
 */
export function useToolFingerprint(value: string): void {
  fingerprint = value;
}

export class LintCache {
  private readonly dir: string;

  constructor(root: string) {
    this.dir = join(root, '.mlhygiene_cache', VERSION);
    mkdirSync(this.dir, { recursive: true });
    const top = join(root, '.mlhygiene_cache');
    writeFileSync(join(top, '.gitignore'), '# Automatically created by mlhygiene.\n*\n');
    writeFileSync(join(top, 'CACHEDIR.TAG'), 'Signature: 8a477f597d28d172789f06886806bc55\n');
  }

  static key(parts: readonly string[]): string {
    const hash = createHash('sha256').update(toolFingerprint());
    for (const part of parts) hash.update(part).update('\0');
    return hash.digest('hex');
  }

  /** The JSON value stored under a key: the CLI's file reports, the scan's diagnostics. */
  getValue<T>(key: string): T | undefined {
    try {
      return JSON.parse(readFileSync(join(this.dir, key.slice(0, 2), `${key}.json`), 'utf8')) as T;
    } catch {
      return undefined;
    }
  }

  /**
   * Written to a temporary name first (one per process and thread), so a killed run never leaves a
   * half-written entry.
   */
  setValue(key: string, value: unknown): void {
    const folder = join(this.dir, key.slice(0, 2));
    mkdirSync(folder, { recursive: true });
    const target = join(folder, `${key}.json`);
    const temporary = `${target}.${process.pid}.${threadId}.tmp`;
    writeFileSync(temporary, JSON.stringify(value));
    renameSync(temporary, target);
  }
}
