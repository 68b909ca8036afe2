import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Finding, LintResult } from '../engine/lint';
import { locate } from '../engine/source';
import { VERSION } from '../protocol';

/**
 * Adopting mlhygiene on an existing repository: `--write-baseline` records today's findings,
 * `--baseline` reports only findings that are not in it. A finding is identified by its rule, its
 * file and the text of its line (whitespace-normalised) plus an occurrence count, so unrelated
 * edits that move lines do not resurrect old findings.
 */
export interface BaselineFile {
  tool: 'mlhygiene';
  version: string;
  fingerprints: { path: string; code: string; fingerprint: string }[];
}

export class BaselineError extends Error {}

/** Stable identities for a file's findings, in order. */
export function fingerprints(
  path: string,
  result: LintResult,
  findings: readonly Finding[],
): string[] {
  const seen = new Map<string, number>();
  return findings.map((finding) => {
    const at = locate(result.file, result.lines, finding.start);
    const cell =
      at.cellIndex === undefined
        ? undefined
        : result.file.notebook!.module.cellByIndex(at.cellIndex);
    const lines = cell ? cell.lines : result.lines;
    const text = lines.lineText(at.position.line).trim().replace(/\s+/g, ' ');
    const base = `${finding.code}\0${path}\0${text}`;
    const occurrence = seen.get(base) ?? 0;
    seen.set(base, occurrence + 1);
    return createHash('sha256').update(`${base}\0${occurrence}`).digest('hex').slice(0, 32);
  });
}

export function readBaseline(path: string): Set<string> {
  let data: BaselineFile;
  try {
    data = JSON.parse(readFileSync(path, 'utf8')) as BaselineFile;
  } catch (error) {
    throw new BaselineError(`cannot read baseline ${path}: ${(error as Error).message}`);
  }
  if (data?.tool !== 'mlhygiene' || !Array.isArray(data.fingerprints)) {
    throw new BaselineError(`${path} is not an mlhygiene baseline`);
  }
  return new Set(data.fingerprints.map((f) => f.fingerprint));
}

export function writeBaseline(path: string, entries: BaselineFile['fingerprints']): void {
  const data: BaselineFile = { tool: 'mlhygiene', version: VERSION, fingerprints: entries };
  writeFileSync(path, JSON.stringify(data, null, 2) + '\n');
}
