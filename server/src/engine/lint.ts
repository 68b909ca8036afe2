import type { Tree } from 'web-tree-sitter';
import { loadPython, parsePython } from '../parsing/runtime';
import { skipReason } from '../parsing/guard';
import { LineIndex } from '../parsing/positions';
import { SemanticModel } from '../semantic/model';
import {
  SEVERITY_ORDER,
  type Family,
  type Fix,
  type ReportInput,
  type Rule,
  type RuleContext,
  type Severity,
} from '../rules/types';
import { activeRules, type ActiveRule, type LintSettings } from './selection';
import { notebookSource, scopeOf, triggerText, type SourceFile } from './source';
import { withFault } from './faults';
import { collectSuppressions, isSuppressed } from './suppressions';
import { projectFiles, type ProjectFiles } from '../workspace/project';
import { brokenStatements, fixesOutside } from '../fixes/broken';

export interface Finding {
  code: string;
  name: string;
  family: Family;
  message: string;
  severity: Severity;
  /** Offsets in the linted text (a notebook's virtual module). */
  start: number;
  end: number;
  fixes: Fix[];
}

/** Something the user must know about a lint besides its findings. */
export interface LintNotice {
  /** `skipped`: the file was not linted (too large, nested too deep); `cut-short`: a rule stopped. */
  kind: 'skipped' | 'cut-short';
  /** The rule that was cut short. */
  code?: string;
  message: string;
}

export interface LintResult {
  file: SourceFile;
  findings: Finding[];
  /** Rules that threw, with the error; the other rules' findings are still reported. */
  internalErrors: { code: string; error: string }[];
  notices: LintNotice[];
  lines: LineIndex;
}

export interface LintOptions {
  /** Project file access for rules; tests pass one with their own environment. */
  project?: ProjectFiles;
  /** A tree for `file.text` (already parsed, e.g. incrementally); the caller keeps ownership. */
  tree?: Tree;
}

export async function ensureEngine(): Promise<void> {
  await loadPython();
}

function cellHasSyntaxError(text: string): boolean {
  const tree = parsePython(text);
  try {
    return tree.rootNode.hasError;
  } finally {
    tree.delete();
  }
}

/**
 * A notebook whose module has syntax errors is rebuilt with each broken cell left out, so that an
 * unclosed bracket in one cell cannot swallow the cells after it.
 */
function prepare(file: SourceFile, given?: Tree): { file: SourceFile; tree: Tree; owned: boolean } {
  const tree = given ?? parsePython(file.text);
  if (!file.notebook || !tree.rootNode.hasError) return { file, tree, owned: !given };
  if (!given) tree.delete();
  const { cells, ignore } = file.notebook;
  const rebuilt = notebookSource(file.path, cells, ignore, cellHasSyntaxError);
  return { file: rebuilt, tree: parsePython(rebuilt.text), owned: true };
}

/**
 * Each rule's triggers as one pattern: a single scan of the text instead of one per trigger, and
 * no lower-cased copy of the text for rules that match whatever the case.
 */
const triggerPatterns = new WeakMap<readonly string[], RegExp>();

function triggerPattern(triggers: readonly string[], ignoreCase: boolean): RegExp {
  let pattern = triggerPatterns.get(triggers);
  if (!pattern) {
    const literals = triggers.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    pattern = new RegExp(literals.join('|'), ignoreCase ? 'iu' : 'u');
    triggerPatterns.set(triggers, pattern);
  }
  return pattern;
}

/** The active rules at least one of whose triggers occurs in what the user wrote. */
function runnableRules(rules: ActiveRule[], file: SourceFile): ActiveRule[] {
  const written = triggerText(file);
  return rules.filter(
    ({ rule }) =>
      !rule.triggers || triggerPattern(rule.triggers, !!rule.triggersIgnoreCase).test(written),
  );
}

/**
 * The severity of one finding when the rule asks for its own: a milder case (a hint) is always
 * honoured; a louder one (an unsafe load whose path comes from a request) only while the rule runs
 * at its default level, so a level the user configured stays the ceiling.
 */
function settle(requested: Severity, configured: Severity, byDefault: Severity): Severity {
  if (SEVERITY_ORDER.indexOf(requested) <= SEVERITY_ORDER.indexOf(configured)) return requested;
  return configured === byDefault ? requested : configured;
}

/** Lints one file. Requires `ensureEngine()` to have completed. */
export function lint(
  input: SourceFile,
  settings: LintSettings,
  options: LintOptions = {},
): LintResult {
  // Too large or nested too deep: not parsed at all, and the user is told why.
  const skipped = skipReason(input.text, settings.limits);
  if (skipped) {
    const lines = new LineIndex(input.text);
    const notices: LintNotice[] = [{ kind: 'skipped', message: skipped }];
    return { file: input, findings: [], internalErrors: [], notices, lines };
  }
  // Rules whose trigger texts are all absent cannot report: when that is every enabled rule, the
  // file is never parsed. Scope and rules depend on the path only, which preparing keeps.
  const scope = scopeOf(input.path, settings.root);
  const runnable = runnableRules(
    activeRules(settings, input.path, scope, input.notebook?.ignore),
    input,
  );
  if (runnable.length === 0) {
    const file: SourceFile = { ...input, scope };
    return { file, findings: [], internalErrors: [], notices: [], lines: new LineIndex(file.text) };
  }
  const prepared = prepare(input, options.tree);
  const { tree, owned } = prepared;
  // Test folders are judged relative to the project root, which only the settings know.
  const file: SourceFile = { ...prepared.file, scope };
  const lines = new LineIndex(file.text);
  const result: LintResult = { file, findings: [], internalErrors: [], notices: [], lines };
  try {
    const semantic = new SemanticModel(tree);
    const project =
      options.project ??
      projectFiles(file.path, settings.root, process.env, settings.confined ?? false);
    const suppressions = collectSuppressions(semantic, lines);
    const broken = brokenStatements(tree);
    const ignoredCells = new Set(
      file.notebook?.module.cells
        .filter((c) => c.tags.includes('mlhygiene-ignore'))
        .map((c) => c.cellIndex),
    );
    const defaultFor = (rule: Rule) => {
      const scoped = rule.severity[file.scope];
      return scoped === 'off' ? rule.severity.script : scoped;
    };
    for (const { rule, severity } of runnable) {
      const report = (input: ReportInput) => {
        const start = input.node?.startIndex ?? input.start ?? 0;
        const end = input.node?.endIndex ?? input.end ?? start;
        if (isSuppressed(suppressions, rule.code, lines.lineOf(start))) return;
        const cell = file.notebook?.module.cellAt(start);
        if (cell && ignoredCells.has(cell.cellIndex)) return;
        result.findings.push({
          code: rule.code,
          name: rule.name,
          family: rule.family,
          message: input.message,
          severity: input.severity ? settle(input.severity, severity, defaultFor(rule)) : severity,
          start,
          end,
          fixes: fixesOutside(broken, input.fixes ?? []),
        });
      };
      const context: RuleContext = { file, semantic, options: settings.options, project, report };
      // The time budget is checked between nodes: a rule past it stops, keeping what it found.
      const budget = settings.limits.ruleTimeoutMs;
      const deadline = budget > 0 ? performance.now() + budget : Infinity;
      try {
        const visitors = rule.create(context);
        visiting: for (const [type, own] of Object.entries(visitors)) {
          const visit = withFault(rule.code, own);
          for (const node of semantic.nodes(type)) {
            visit(node);
            if (performance.now() > deadline) {
              result.notices.push({
                kind: 'cut-short',
                code: rule.code,
                message: `${rule.code} (${rule.name}) was stopped after ${budget} ms on this file (rule-timeout); its findings here may be incomplete`,
              });
              break visiting;
            }
          }
        }
      } catch (error) {
        result.internalErrors.push({
          code: rule.code,
          error: (error as Error).stack ?? String(error),
        });
      }
    }
    result.findings.sort((a, b) => a.start - b.start || a.code.localeCompare(b.code));
    return result;
  } finally {
    if (owned) tree.delete();
  }
}
