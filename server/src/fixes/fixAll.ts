import { lint, type Finding, type LintResult } from '../engine/lint';
import type { LintSettings } from '../engine/selection';
import { notebookSource, pythonSource, type SourceFile } from '../engine/source';
import type { Fix, TextEdit } from '../rules/types';
import { applyEdits, dedupeEdits, overlaps } from './apply';
import { maskCell } from '../parsing/notebook';
import { countSyntaxErrors } from '../parsing/runtime';

export const MAX_FIX_ROUNDS = 10;

export interface CellEdit {
  cellIndex: number;
  /** Cell-relative offsets. */
  edit: TextEdit;
}

/** Splits virtual-module edits into per-cell edits; undefined when an edit crosses cells. */
export function editsByCell(file: SourceFile, edits: readonly TextEdit[]): CellEdit[] | undefined {
  const module = file.notebook!.module;
  const out: CellEdit[] = [];
  for (const edit of edits) {
    const cell = module.cellAt(edit.start);
    if (!cell || cell.skipped || edit.end > cell.start + cell.source.length) return undefined;
    out.push({
      cellIndex: cell.cellIndex,
      edit: { ...edit, start: edit.start - cell.start, end: edit.end - cell.start },
    });
  }
  return out;
}

/** Applies edits to a file and rebuilds it; notebooks change cell by cell. */
export function applyToSource(
  file: SourceFile,
  edits: readonly TextEdit[],
): SourceFile | undefined {
  if (!file.notebook) return pythonSource(file.path, applyEdits(file.text, edits));
  const perCell = editsByCell(file, edits);
  if (!perCell) return undefined;
  const cells = file.notebook.cells.map((cell, index) => {
    const mine = perCell.filter((e) => e.cellIndex === index).map((e) => e.edit);
    return mine.length ? { ...cell, source: applyEdits(cell.source, mine) } : cell;
  });
  return notebookSource(file.path, cells, file.notebook.ignore);
}

export interface FixAllResult {
  file: SourceFile;
  /** Number of fixes applied over all rounds. */
  applied: number;
  /** The lint result of the final text. */
  result: LintResult;
}

/** The fix fix-all uses for a finding (the first safe one, or any with `unsafe`), if any. */
function chosenFix(finding: Finding, allowUnsafe: boolean): TextEdit[] | undefined {
  // Hints are nudges the CLI does not even print, so fix-all leaves them alone.
  if (finding.severity === 'hint') return undefined;
  const fix: Fix | undefined = finding.fixes.find((f) => f.safety === 'safe' || allowUnsafe);
  return fix ? dedupeEdits(fix.edits) : undefined;
}

/** Picks one fix per finding, skipping fixes whose edits overlap ones already picked. */
function pickFixes(findings: readonly Finding[], allowUnsafe: boolean): TextEdit[] {
  const picked: TextEdit[] = [];
  for (const finding of findings) {
    const edits = chosenFix(finding, allowUnsafe);
    if (!edits) continue;
    const fresh = edits.filter(
      (e) => !picked.some((p) => p.start === e.start && p.end === e.end && p.newText === e.newText),
    );
    if (fresh.some((e) => picked.some((p) => overlaps(p, e)))) continue;
    picked.push(...fresh);
  }
  return picked;
}

/**
 * Syntax errors per unit a fix is judged by: the whole script, or each Python cell of a notebook
 * on its own. A broken cell makes the error count of the joined module depend on its neighbours
 * (tree-sitter's recovery), so only a per-cell count says whether a fix broke anything.
 */
export function syntaxErrorsByUnit(file: SourceFile): number[] {
  if (!file.notebook) return [countSyntaxErrors(file.text)];
  return file.notebook.cells.map((cell) => {
    if (cell.kind !== 'code') return 0;
    const masked = maskCell(cell.source);
    return masked.skipped ? 0 : countSyntaxErrors(masked.text);
  });
}

function addsSyntaxErrors(before: readonly number[], after: SourceFile): boolean {
  return syntaxErrorsByUnit(after).some((count, unit) => count > (before[unit] ?? 0));
}

/**
 * The first fix that is safe on its own. Fixes that are each fine can still collide when applied
 * together (two inserting an `except` at one offset), so a combined round that would break the
 * code falls back to this, one fix per round.
 */
function firstFixAlone(
  file: SourceFile,
  findings: readonly Finding[],
  errors: readonly number[],
  allowUnsafe: boolean,
): { edits: TextEdit[]; next: SourceFile } | undefined {
  for (const finding of findings) {
    const edits = chosenFix(finding, allowUnsafe);
    if (!edits) continue;
    const next = applyToSource(file, edits);
    if (next && !addsSyntaxErrors(errors, next)) return { edits, next };
  }
  return undefined;
}

/**
 * Applies fixes until none is left: all compatible fixes per round, up to `MAX_FIX_ROUNDS` rounds,
 * plus one round per remaining fix when fixes have to go one at a time.
 */
export function fixAll(
  input: SourceFile,
  settings: LintSettings,
  options: { unsafe?: boolean } = {},
): FixAllResult {
  const allowUnsafe = !!options.unsafe;
  let file = input;
  let applied = 0;
  let result = lint(file, settings);
  let errors = syntaxErrorsByUnit(file);
  const rounds = MAX_FIX_ROUNDS + result.findings.filter((f) => f.fixes.length > 0).length;
  for (let round = 0; round < rounds; round++) {
    const withFixes = result.findings.filter((f) => f.fixes.length > 0);
    let edits = pickFixes(withFixes, allowUnsafe);
    if (edits.length === 0) break;
    let next = applyToSource(result.file, edits);
    // A round that would add a syntax error is never applied: a fix must never break the code.
    if (!next || addsSyntaxErrors(errors, next)) {
      const alone = firstFixAlone(result.file, withFixes, errors, allowUnsafe);
      if (!alone) break;
      ({ edits, next } = alone);
    } else if (round >= MAX_FIX_ROUNDS) break;
    applied += withFixes.filter((f) =>
      f.fixes.some((fix) => fix.edits.some((e) => edits.includes(e))),
    ).length;
    file = next;
    errors = syntaxErrorsByUnit(file);
    result = lint(file, settings);
  }
  return { file, applied, result };
}
