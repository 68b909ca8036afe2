import { parseTree, type Node as JsonNode } from 'jsonc-parser';
import { lint, type Finding, type LintResult } from '../../server/src/engine/lint';
import { resolveSettings, type LintSettings } from '../../server/src/engine/selection';
import { locate, type SourceFile } from '../../server/src/engine/source';
import { dedupeEdits, overlaps } from '../../server/src/fixes/apply';
import { applyToSource, fixAll, syntaxErrorsByUnit } from '../../server/src/fixes/fixAll';
import {
  NotebookFormatError,
  replaceCellSources,
  type IpynbNotebook,
} from '../../server/src/parsing/ipynb';
import { RULES } from '../../server/src/rules';
import type { Fix, TextEdit } from '../../server/src/rules/types';
import { loadText, type LoadedFile } from '../../server/src/workspace/files';

/**
 * The invariants every file must keep under lint and fix, shared by the fuzzer and the corpus-wide
 * fix-safety run. Each broken invariant is a `Problem` naming the rule and what went wrong.
 */
export interface Problem {
  /** The rule involved, or `engine` when no single rule is to blame. */
  code: string;
  /** A short, stable kind (used to group and minimise failures). */
  kind: string;
  detail: string;
}

export interface FileCheck {
  problems: Problem[];
  /** Fixes applied one at a time. */
  fixesApplied: number;
  /** fixAll runs (first pass plus the idempotence pass). */
  fixAllRuns: number;
  /** Fixes applied by the first fixAll pass. */
  fixAllApplied: number;
  /** Results that re-parsed with syntax errors where the input had none. */
  syntaxRegressions: number;
  /** Results with more errors in a unit (script or cell) that was broken already. */
  syntaxNoise: number;
  /** Why the file was not checked (an unreadable notebook), when it was not. */
  skipped?: string;
}

/**
 * Every rule, selected by its exact code so that it runs in every scope (tests included), and the
 * production profile so that notebook findings are not hints that fix-all leaves alone.
 */
export function allRulesSettings(): LintSettings {
  return resolveSettings({
    config: { select: RULES.map((r) => r.code), profile: 'production' },
    messages: [],
  });
}

const singleRule = new WeakMap<LintSettings, Map<string, LintSettings>>();

/** The settings narrowed to one rule: re-linting after a fix only needs that rule's findings. */
function onlyRule(settings: LintSettings, code: string): LintSettings {
  let byCode = singleRule.get(settings);
  if (!byCode) singleRule.set(settings, (byCode = new Map()));
  let narrowed = byCode.get(code);
  if (!narrowed) byCode.set(code, (narrowed = { ...settings, selected: new Set([code]) }));
  return narrowed;
}

/**
 * Compares syntax errors per unit. A unit that parsed cleanly must still parse cleanly: that is a
 * regression. In a unit that was already broken, tree-sitter's error recovery makes the count move
 * with any edit nearby, so a higher count there is only noise (fix-all's own guard drops such
 * rounds); it is counted, not failed.
 */
function compareSyntax(before: number[], after: number[]): { broken?: string; noise: boolean } {
  const grown = after
    .map((count, unit) => ({ unit, count, was: before[unit] ?? 0 }))
    .filter((u) => u.count > u.was);
  const broken = grown.filter((u) => u.was === 0);
  if (broken.length === 0) return { noise: grown.length > 0 };
  const where = (u: { unit: number }) => (after.length > 1 ? `cell ${u.unit + 1}: ` : '');
  return {
    broken: broken.map((u) => `${where(u)}${u.was} → ${u.count} errors`).join('; '),
    noise: false,
  };
}

/** Where an offset of the old text lands after the edits; `end` puts insertions before it. */
function mapOffset(offset: number, edits: readonly TextEdit[], side: 'start' | 'end'): number {
  let shift = 0;
  for (const edit of edits) {
    const before = side === 'start' ? edit.end < offset : edit.end <= offset;
    const inside = edit.start < offset && offset < edit.end;
    if (before && !(edit.start === edit.end && edit.start === offset && side === 'start'))
      shift += edit.newText.length - (edit.end - edit.start);
    else if (inside)
      return side === 'start' ? edit.start + shift : edit.start + shift + edit.newText.length;
  }
  return offset + shift;
}

function touches(finding: Finding, start: number, end: number): boolean {
  if (finding.start === finding.end || start === end)
    return finding.start <= end && start <= finding.end;
  return finding.start < end && start < finding.end;
}

/** Checks the edits of a fix against the text: inside it, well-formed and non-overlapping. */
function editProblems(fix: Fix, length: number): string | undefined {
  for (const edit of fix.edits) {
    if (!(edit.start >= 0 && edit.start <= edit.end && edit.end <= length))
      return `edit [${edit.start}, ${edit.end}) outside the text (length ${length})`;
    if (typeof edit.newText !== 'string') return 'edit without text';
  }
  const unique = dedupeEdits(fix.edits);
  for (let i = 0; i < unique.length; i++) {
    for (let j = i + 1; j < unique.length; j++) {
      if (overlaps(unique[i], unique[j]))
        return `edits [${unique[i].start}, ${unique[i].end}) and [${unique[j].start}, ${unique[j].end}) overlap`;
    }
  }
  return undefined;
}

/** Checks findings' ranges: inside the text and, in a notebook, inside one linted cell. */
function rangeProblems(result: LintResult): Problem[] {
  const problems: Problem[] = [];
  const { file } = result;
  for (const finding of result.findings) {
    const inside = finding.start >= 0 && finding.start <= finding.end;
    if (!inside || finding.end > file.text.length) {
      problems.push({
        code: finding.code,
        kind: 'range-outside-text',
        detail: `[${finding.start}, ${finding.end}) in a text of length ${file.text.length}`,
      });
      continue;
    }
    const module = file.notebook?.module;
    if (module) {
      const cell = module.cellAt(finding.start);
      if (!cell || finding.end > cell.start + cell.source.length)
        problems.push({
          code: finding.code,
          kind: 'range-outside-cell',
          detail: `[${finding.start}, ${finding.end}) is not inside one linted cell`,
        });
    }
    locate(file, result.lines, finding.start);
    locate(file, result.lines, finding.end);
  }
  return problems;
}

/**
 * Writes a fixed notebook back the way the CLI does and checks that the JSON still parses, that
 * every untouched cell is byte-identical and that the changed cells hold the fixed sources.
 */
export function notebookWriteProblem(
  notebook: IpynbNotebook,
  fixed: SourceFile,
): string | undefined {
  const changes = new Map<number, string>();
  fixed.notebook!.cells.forEach((cell, index) => {
    if (cell.source !== notebook.cells[index].source) changes.set(index, cell.source);
  });
  if (changes.size === 0) return undefined;
  const written = replaceCellSources(notebook, changes);
  const root = parseTree(written, [], { allowTrailingComma: false, disallowComments: true });
  const value = root ? (JSON.parse(written) as { cells?: { source?: unknown }[] }) : undefined;
  const newCells = cellNodes(root);
  const oldCells = cellNodes(notebook.root);
  if (!value || newCells.length !== oldCells.length) return 'the written notebook lost its cells';
  for (let i = 0; i < oldCells.length; i++) {
    const source = value.cells?.[i]?.source;
    const text = Array.isArray(source) ? source.join('') : source;
    if (changes.has(i)) {
      if (text !== changes.get(i)) return `cell ${i + 1} was written with the wrong source`;
      continue;
    }
    const before = notebook.raw.slice(oldCells[i].offset, oldCells[i].offset + oldCells[i].length);
    const after = written.slice(newCells[i].offset, newCells[i].offset + newCells[i].length);
    if (before !== after) return `untouched cell ${i + 1} changed in the written .ipynb`;
  }
  return undefined;
}

function cellNodes(root: JsonNode | undefined): JsonNode[] {
  const cells = root?.children?.find((p) => p.children?.[0]?.value === 'cells')?.children?.[1];
  return cells?.children ?? [];
}

/**
 * Lints a file, applies every fix alone and then all fixes together (unsafe included), and
 * reports each broken invariant. Exceptions are not caught here: to the caller they are crashes.
 */
export function checkFile(path: string, raw: string, settings: LintSettings): FileCheck {
  const check: FileCheck = {
    problems: [],
    fixesApplied: 0,
    fixAllRuns: 0,
    fixAllApplied: 0,
    syntaxRegressions: 0,
    syntaxNoise: 0,
  };
  let loaded: LoadedFile;
  try {
    loaded = loadText(path, raw);
  } catch (error) {
    if (error instanceof NotebookFormatError) return { ...check, skipped: error.message };
    throw error;
  }
  const problem = (code: string, kind: string, detail: string) =>
    check.problems.push({ code, kind, detail });

  const result = lint(loaded.source, settings);
  for (const { code, error } of result.internalErrors)
    problem(code, 'internal-error', error.split('\n').slice(0, 4).join(' | '));
  check.problems.push(...rangeProblems(result));
  const baseErrors = syntaxErrorsByUnit(loaded.source);
  // Whether a fix removes its diagnostic, and whether fix-all reaches a fixpoint, are only
  // meaningful where the code parses: in broken code a rule may not see what a fix inserted.
  const parses = baseErrors.every((count) => count === 0);

  for (const finding of result.findings) {
    for (const fix of finding.fixes) {
      const label = `${fix.safety} fix "${fix.title}"`;
      const bad = editProblems(fix, result.file.text.length);
      if (bad) {
        problem(finding.code, 'bad-edits', `${label}: ${bad}`);
        continue;
      }
      const fixed = applyToSource(result.file, fix.edits);
      if (!fixed) {
        problem(finding.code, 'edits-cross-cells', `${label}: edits leave their notebook cell`);
        continue;
      }
      check.fixesApplied++;
      const syntax = compareSyntax(baseErrors, syntaxErrorsByUnit(fixed));
      if (syntax.noise) check.syntaxNoise++;
      if (syntax.broken) {
        check.syntaxRegressions++;
        problem(finding.code, 'syntax-regression', `${label}: ${syntax.broken}`);
        continue;
      }
      const after = lint(fixed, onlyRule(settings, finding.code));
      for (const { code, error } of after.internalErrors)
        problem(code, 'internal-error-after-fix', `${label}: ${error.split('\n')[0]}`);
      if (loaded.notebook) {
        const write = notebookWriteProblem(loaded.notebook, fixed);
        if (write) problem(finding.code, 'notebook-write', `${label}: ${write}`);
      }
      if (!parses) continue;
      const edits = dedupeEdits(fix.edits).sort((a, b) => a.start - b.start || a.end - b.end);
      // The spot is the finding's range grown by the edits that rewrite it (a removed `with`
      // block re-indents its whole body), compared before and after through the edits.
      let from = finding.start;
      let to = finding.end;
      for (const e of edits) {
        if (e.start === e.end || e.end < from || e.start > to) continue;
        from = Math.min(from, e.start);
        to = Math.max(to, e.end);
      }
      const start = mapOffset(from, edits, 'start');
      const end = Math.max(start, mapOffset(to, edits, 'end'));
      const sameCode = (f: Finding) => f.code === finding.code;
      const was = result.findings.filter((f) => sameCode(f) && touches(f, from, to));
      // A finding that changed its message (a placeholder the user must still fill in) is the
      // rule's documented follow-up, not the fixed diagnostic.
      const now = after.findings.filter(
        (f) => sameCode(f) && touches(f, start, end) && f.message === finding.message,
      );
      if (now.length >= was.filter((f) => f.message === finding.message).length)
        problem(finding.code, 'diagnostic-not-gone', `${label}: still reported at ${start}`);
    }
  }

  const first = fixAll(loaded.source, settings, { unsafe: true });
  check.fixAllRuns++;
  check.fixAllApplied = first.applied;
  for (const { code, error } of first.result.internalErrors)
    problem(code, 'internal-error-after-fix-all', error.split('\n')[0]);
  const syntax = compareSyntax(baseErrors, syntaxErrorsByUnit(first.file));
  if (syntax.noise) check.syntaxNoise++;
  if (syntax.broken) {
    check.syntaxRegressions++;
    problem('engine', 'fix-all-syntax-regression', syntax.broken);
  }
  // At the fixpoint no finding fix-all would act on is left.
  const left = first.result.findings.filter(
    (f) => parses && f.severity !== 'hint' && f.fixes.length > 0,
  );
  for (const code of new Set(left.map((f) => f.code)))
    problem(code, 'fix-all-no-fixpoint', 'fixAll stopped with fixable findings left');
  const second = fixAll(first.file, settings, { unsafe: true });
  check.fixAllRuns++;
  if (second.applied > 0 || second.file.text !== first.file.text) {
    problem('engine', 'fix-all-not-idempotent', `a second pass applied ${second.applied} fixes`);
  }
  if (loaded.notebook) {
    const write = notebookWriteProblem(loaded.notebook, first.file);
    if (write) problem('engine', 'notebook-write', `fixAll: ${write}`);
  }
  return check;
}
