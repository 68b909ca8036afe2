import type { Finding, LintResult } from '../engine/lint';
import { locate } from '../engine/source';
import { findRule } from '../rules';
import { ruleDocUrl } from '../rules/render';

export interface FileReport {
  /** The path as shown to the user (relative to the working folder when inside it). */
  path: string;
  result: LintResult;
}

export interface Report {
  files: FileReport[];
  errors: { path: string; message: string }[];
  configMessages: string[];
  fixed: number;
}

export interface Location {
  /** 1-based cell number as VS Code shows it (markdown cells counted); notebooks only. */
  cell?: number;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** 1-based line and column of a finding, in the file or (for notebooks) in its cell. */
export function locateFinding(result: LintResult, finding: Finding): Location {
  const start = locate(result.file, result.lines, finding.start);
  const end = locate(result.file, result.lines, finding.end);
  // A range never leaves its cell; an end in another cell collapses onto the start.
  const to = end.cellIndex === start.cellIndex ? end.position : start.position;
  return {
    ...(start.cellIndex === undefined ? {} : { cell: start.cellIndex + 1 }),
    line: start.position.line + 1,
    column: start.position.character + 1,
    endLine: to.line + 1,
    endColumn: to.character + 1,
  };
}

/** Hints are editor nudges; the CLI reports information and above. */
function reported(result: LintResult): Finding[] {
  return result.findings.filter((f) => f.severity !== 'hint');
}

export function formatText(report: Report, options: { fixMode: boolean }): string {
  const lines: string[] = [];
  let total = 0;
  let fixable = 0;
  let files = 0;
  for (const { path, result } of report.files) {
    const findings = reported(result);
    if (findings.length > 0) files++;
    for (const finding of findings) {
      const at = locateFinding(result, finding);
      const where = at.cell
        ? `${path}:cell ${at.cell}:${at.line}:${at.column}`
        : `${path}:${at.line}:${at.column}`;
      const safe = finding.fixes.some((f) => f.safety === 'safe');
      if (safe) fixable++;
      lines.push(`${where}: ${finding.code} ${finding.message}${safe ? ' [*]' : ''}`);
      total++;
    }
  }
  if (total === 0) {
    lines.push(
      report.fixed > 0
        ? `Fixed ${report.fixed} problem${report.fixed === 1 ? '' : 's'}; no problems left.`
        : 'All checks passed!',
    );
  } else {
    const noun = total === 1 ? 'problem' : 'problems';
    const fixedNote = options.fixMode && report.fixed > 0 ? ` after fixing ${report.fixed}` : '';
    lines.push(`Found ${total} ${noun} in ${files} file${files === 1 ? '' : 's'}${fixedNote}.`);
    if (fixable > 0 && !options.fixMode) lines.push(`[*] ${fixable} fixable with --fix.`);
  }
  return lines.join('\n') + '\n';
}

export function formatJson(report: Report): string {
  const findings = report.files.flatMap(({ path, result }) =>
    reported(result).map((finding) => {
      const rule = findRule(finding.code)!;
      return {
        path,
        ...locateFinding(result, finding),
        code: finding.code,
        name: finding.name,
        family: finding.family,
        severity: finding.severity,
        message: finding.message,
        url: ruleDocUrl(rule),
        fixes: finding.fixes.map((f) => ({ title: f.title, safety: f.safety })),
      };
    }),
  );
  return (
    JSON.stringify(
      {
        tool: 'mlhygiene',
        files: report.files.length,
        findings,
        errors: report.errors,
        configMessages: report.configMessages,
        fixed: report.fixed,
      },
      null,
      2,
    ) + '\n'
  );
}
