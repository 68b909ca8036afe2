import type { Finding, LintResult } from '../engine/lint';
import { locate } from '../engine/source';
import { fileLineOfCellLine, type IpynbNotebook } from '../parsing/ipynb';
import { VERSION } from '../protocol';
import { findRule, RULES } from '../rules';
import { renderRuleMarkdown, ruleDocUrl } from '../rules/render';
import type { Severity } from '../rules/types';

/** A finding ready to print: located once, so the file's text need not be kept. */
export interface ReportedFinding {
  finding: Finding;
  /** In the file, or for notebooks in the cell. */
  at: Location;
  /** In the file on disk: for notebooks the `.ipynb` line, with "cell N, line M: " for people. */
  inFile: Location & { prefix: string };
  /** Stable identity (see baseline.ts), for SARIF fingerprints. */
  fingerprint: string;
}

export interface FileReport {
  /** The path as shown to the user (relative to the working folder when inside it). */
  path: string;
  /** The findings to report: hints and baselined findings are already left out. */
  entries: ReportedFinding[];
}

/** Locates a file's findings and drops what printing does not need (texts, fix edits). */
export function fileReport(
  path: string,
  result: LintResult,
  findings: readonly Finding[],
  prints: readonly string[],
  notebook?: IpynbNotebook,
): FileReport {
  const entries = findings.map((finding, i) => {
    const at = locateFinding(result, finding);
    const light = { ...finding, fixes: finding.fixes.map((f) => ({ ...f, edits: [] })) };
    return { finding: light, at, inFile: fileLocation(at, notebook), fingerprint: prints[i] };
  });
  return { path, entries };
}

export interface Report {
  files: FileReport[];
  errors: { path: string; message: string }[];
  configMessages: string[];
  fixed: number;
  /** Findings hidden because the baseline holds them. */
  baselined: number;
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

/**
 * Where a finding is in the file on disk: for notebooks, the line of the `.ipynb` that holds the
 * source line (cell-relative columns mean nothing in JSON, so the region is the whole line), with
 * "cell N, line M" for people.
 */
function fileLocation(at: Location, notebook?: IpynbNotebook): Location & { prefix: string } {
  if (at.cell === undefined || !notebook) return { ...at, prefix: '' };
  const line = fileLineOfCellLine(notebook, at.cell - 1, at.line - 1) + 1;
  return {
    line,
    column: 1,
    endLine: line,
    endColumn: 1,
    prefix: `cell ${at.cell}, line ${at.line}: `,
  };
}

export function formatText(report: Report, options: { fixMode: boolean }): string {
  const lines: string[] = [];
  let total = 0;
  let fixable = 0;
  let files = 0;
  for (const { path, entries } of report.files) {
    if (entries.length > 0) files++;
    for (const { finding, at } of entries) {
      const where = at.cell
        ? `${path}:cell ${at.cell}:${at.line}:${at.column}`
        : `${path}:${at.line}:${at.column}`;
      const safe = finding.fixes.some((f) => f.safety === 'safe');
      if (safe) fixable++;
      lines.push(`${where}: ${finding.code} ${finding.message}${safe ? ' [*]' : ''}`);
      total++;
    }
  }
  if (total === 0 && report.errors.length > 0) {
    // Files that could not be read were not checked: that is not a pass.
    const noun = report.errors.length === 1 ? 'error' : 'errors';
    lines.push(`No problems found in the files checked; ${report.errors.length} ${noun} (below).`);
  } else if (total === 0) {
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
  if (report.baselined > 0)
    lines.push(`${report.baselined} known problems hidden by the baseline.`);
  return lines.join('\n') + '\n';
}

export function formatJson(report: Report): string {
  const findings = report.files.flatMap(({ path, entries }) =>
    entries.map(({ finding, at }) => {
      const rule = findRule(finding.code)!;
      return {
        path,
        ...at,
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
  const summary = {
    tool: 'mlhygiene',
    files: report.files.length,
    findings,
    errors: report.errors,
    configMessages: report.configMessages,
    fixed: report.fixed,
    baselined: report.baselined,
  };
  return JSON.stringify(summary, null, 2) + '\n';
}

/** `--statistics`: one line per rule with its count, most frequent first. */
export function formatStatistics(report: Report): string {
  const counts = new Map<string, { count: number; fixable: boolean }>();
  for (const file of report.files) {
    for (const { finding } of file.entries) {
      const entry = counts.get(finding.code) ?? { count: 0, fixable: false };
      entry.count++;
      entry.fixable ||= finding.fixes.some((f) => f.safety === 'safe');
      counts.set(finding.code, entry);
    }
  }
  const rows = [...counts].sort((a, b) => b[1].count - a[1].count || a[0].localeCompare(b[0]));
  const width = Math.max(1, ...rows.map(([, e]) => String(e.count).length));
  return rows
    .map(
      ([code, e]) =>
        `${String(e.count).padStart(width)}\t${code}\t${findRule(code)!.name}${e.fixable ? '\t[*]' : ''}`,
    )
    .join('\n')
    .concat(rows.length ? '\n' : '');
}

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note' | 'none'> = {
  error: 'error',
  warning: 'warning',
  information: 'note',
  hint: 'note',
  off: 'none',
};

/** SARIF 2.1.0 as GitHub code scanning reads it: repo-relative URIs, 1-based regions, fingerprints. */
export function formatSarif(report: Report): string {
  const ruleIndex = new Map(RULES.map((rule, index) => [rule.code, index]));
  const results = report.files.flatMap((file) =>
    file.entries.map(({ finding, inFile: at, fingerprint }) => {
      return {
        ruleId: finding.code,
        ruleIndex: ruleIndex.get(finding.code),
        level: SARIF_LEVEL[finding.severity],
        message: { text: `${at.prefix}${finding.message}` },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: encodeURI(file.path), uriBaseId: '%SRCROOT%' },
              region: {
                startLine: at.line,
                startColumn: at.column,
                endLine: at.endLine,
                endColumn: Math.max(at.endColumn, at.column),
              },
            },
          },
        ],
        partialFingerprints: { 'mlhygiene/v1': fingerprint },
      };
    }),
  );
  const rules = RULES.map((rule) => ({
    id: rule.code,
    name: rule.name,
    shortDescription: { text: rule.docs.summary },
    fullDescription: { text: rule.docs.why },
    help: {
      text: `${rule.docs.summary} ${rule.docs.howToFix}`,
      markdown: renderRuleMarkdown(rule),
    },
    defaultConfiguration: {
      level: SARIF_LEVEL[rule.severity.script === 'off' ? 'warning' : rule.severity.script],
    },
    properties: { tags: [rule.family, 'ml-hygiene'] },
  }));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'mlhygiene', semanticVersion: VERSION, version: VERSION, rules } },
        columnKind: 'utf16CodeUnits',
        originalUriBaseIds: {
          '%SRCROOT%': { description: { text: 'The folder mlhygiene ran in.' } },
        },
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

/** Escapes for GitHub workflow commands: data and property values differ. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const GITHUB_COMMAND: Record<Severity, string> = {
  error: 'error',
  warning: 'warning',
  information: 'notice',
  hint: 'notice',
  off: 'notice',
};

/** GitHub Actions workflow annotations, one per finding. */
export function formatGithub(report: Report): string {
  const lines: string[] = [];
  for (const file of report.files) {
    for (const { finding, inFile: at } of file.entries) {
      const properties = [
        `file=${escapeProperty(file.path)}`,
        `line=${at.line}`,
        `col=${at.column}`,
        `endLine=${at.endLine}`,
        `endColumn=${at.endColumn}`,
        `title=${escapeProperty(`${finding.code} ${finding.name}`)}`,
      ].join(',');
      lines.push(
        `::${GITHUB_COMMAND[finding.severity]} ${properties}::${escapeData(`${at.prefix}${finding.message}`)}`,
      );
    }
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}
