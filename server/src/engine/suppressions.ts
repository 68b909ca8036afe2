import type { SemanticModel } from '../semantic/model';
import type { LineIndex } from '../parsing/positions';
import { expandSelector } from './selection';

/**
 * `# noqa`, `# noqa: MLH201,MLH301`, `# mlhygiene: ignore[name-or-code, ...]` on a line, and
 * `# mlhygiene: ignore-file[...]` (or bare `# mlhygiene: ignore-file`) for the whole file. Only real
 * comment nodes count, so the same text inside a string suppresses nothing.
 */
export interface Suppressions {
  /** Line → codes suppressed on it; `'*'` for all. */
  lines: Map<number, Set<string>>;
  file: Set<string>;
}

const NOQA = /#\s*noqa(?::\s*([A-Za-z0-9_,\s-]+))?/i;
const IGNORE = /#\s*mlhygiene:\s*ignore(-file)?(?:\[([^\]]*)\])?/i;

function codesOf(list: string | undefined): Set<string> {
  if (!list || !list.trim()) return new Set(['*']);
  return new Set(
    list
      .split(/[,\s]+/)
      .filter(Boolean)
      .flatMap((s) => expandSelector(s)),
  );
}

export function collectSuppressions(semantic: SemanticModel, lines: LineIndex): Suppressions {
  const result: Suppressions = { lines: new Map(), file: new Set() };
  for (const comment of semantic.nodes('comment')) {
    const text = comment.text;
    const line = lines.lineOf(comment.startIndex);
    const add = (codes: Set<string>) => {
      const existing = result.lines.get(line);
      if (existing) for (const c of codes) existing.add(c);
      else result.lines.set(line, codes);
    };
    const noqa = NOQA.exec(text);
    if (noqa) add(codesOf(noqa[1]));
    const ignore = IGNORE.exec(text);
    if (ignore) {
      const codes = codesOf(ignore[2]);
      if (ignore[1]) for (const c of codes) result.file.add(c);
      else add(codes);
    }
  }
  return result;
}

export function isSuppressed(s: Suppressions, code: string, line: number): boolean {
  if (s.file.has('*') || s.file.has(code)) return true;
  const codes = s.lines.get(line);
  return !!codes && (codes.has('*') || codes.has(code));
}
