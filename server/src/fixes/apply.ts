import type { TextEdit } from '../rules/types';

/** Identical edits (the same import added by two fixes) are applied once. */
export function dedupeEdits(edits: readonly TextEdit[]): TextEdit[] {
  const seen = new Set<string>();
  return edits.filter((e) => {
    const key = `${e.start}:${e.end}:${e.newText}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function overlaps(a: TextEdit, b: TextEdit): boolean {
  if (a.start === a.end && b.start === b.end) return false;
  return a.start < b.end && b.start < a.end;
}

/** Applies non-overlapping edits; insertions at one offset keep their given order. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const unique = dedupeEdits(edits)
    .map((edit, order) => ({ edit, order }))
    .sort((a, b) => a.edit.start - b.edit.start || a.edit.end - b.edit.end || a.order - b.order);
  let out = '';
  let cursor = 0;
  for (const { edit } of unique) {
    if (edit.start < cursor) throw new Error(`overlapping edits at offset ${edit.start}`);
    out += text.slice(cursor, edit.start) + edit.newText;
    cursor = edit.end;
  }
  return out + text.slice(cursor);
}
