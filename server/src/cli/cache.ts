import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { Finding } from '../engine/lint';
import { VERSION } from '../protocol';

/**
 * The CLI's content-hash cache: a file's findings are stored under a key made of the tool version,
 * the configuration that applies to it, its path and its exact content, so any change to one of
 * them is a miss. Lives in `.mlhygiene_cache/` (which ignores itself for git, like ruff's).
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

  get(key: string): Finding[] | undefined {
    try {
      return JSON.parse(
        readFileSync(join(this.dir, key.slice(0, 2), `${key}.json`), 'utf8'),
      ) as Finding[];
    } catch {
      return undefined;
    }
  }

  /**
   * Written to a temporary name first (one per process and thread), so a killed run never leaves a
   * half-written entry.
   */
  set(key: string, findings: readonly Finding[]): void {
    const folder = join(this.dir, key.slice(0, 2));
    mkdirSync(folder, { recursive: true });
    const target = join(folder, `${key}.json`);
    const temporary = `${target}.${process.pid}.${threadId}.tmp`;
    // Fix edits are not needed to report; --fix never reads the cache.
    const stored = findings.map((f) => ({
      ...f,
      fixes: f.fixes.map((x) => ({ ...x, edits: [] })),
    }));
    writeFileSync(temporary, JSON.stringify(stored));
    renameSync(temporary, target);
  }
}
