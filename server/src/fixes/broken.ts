import type { Tree } from 'web-tree-sitter';
import type { Fix } from '../rules/types';

/**
 * The top-level statements of a module that do not parse. In them tree-sitter's recovery decides
 * what is a string, a call or a block, so an edit computed there can land anywhere: a prefix on a
 * "string" that is really the middle of an error, a line after a block whose end is a guess. Fixes
 * that edit inside such a statement are not offered; the finding itself is still reported.
 */
export function brokenStatements(tree: Tree): [start: number, end: number][] {
  const root = tree.rootNode;
  if (!root.hasError) return [];
  const ranges: [number, number][] = [];
  for (const child of root.children) {
    if (child && (child.hasError || child.isMissing))
      ranges.push([child.startIndex, child.endIndex]);
  }
  return ranges;
}

/** The fixes none of whose edits start or end inside a broken statement. */
export function fixesOutside(broken: readonly [number, number][], fixes: readonly Fix[]): Fix[] {
  if (broken.length === 0) return [...fixes];
  const inside = (offset: number) => broken.some(([start, end]) => offset > start && offset < end);
  return fixes.filter((fix) => !fix.edits.some((e) => inside(e.start) || inside(e.end)));
}
