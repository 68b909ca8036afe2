import type { Node } from 'web-tree-sitter';
import type { SemanticModel } from '../semantic/model';
import type { RuleOptions } from '../config/schema';
import type { SourceFile } from '../engine/source';
import type { ProjectFiles } from '../workspace/project';

export type Severity = 'off' | 'hint' | 'information' | 'warning' | 'error';
export type Scope = 'script' | 'notebook' | 'test';
export type Family = 'logging' | 'paths' | 'inputs' | 'artifacts' | 'reproducibility' | 'secrets';
export type FixAvailability = 'none' | 'sometimes' | 'always';

export const SEVERITY_ORDER: readonly Severity[] = [
  'off',
  'hint',
  'information',
  'warning',
  'error',
];

/** A replacement of `[start, end)` in the linted text (for notebooks: the virtual module). */
export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

export interface Fix {
  title: string;
  /** Safe fixes keep behaviour and are applied by `--fix` and fix-all; unsafe ones need review. */
  safety: 'safe' | 'unsafe';
  edits: TextEdit[];
}

export interface RuleDocs {
  /** One line, shown in hovers and `explain`. */
  summary: string;
  /** "Why is this bad?", in production terms. */
  why: string;
  howToFix: string;
  fixSafety?: string;
  options?: string;
  /** Each invalid example yields exactly one diagnostic of the rule; each valid one none. */
  examples: { invalid: string[]; valid: string[] };
}

export interface ReportInput {
  node?: Node;
  start?: number;
  end?: number;
  message: string;
  fixes?: Fix[];
  /** Overrides the rule's default severity for this finding (e.g. a hint for a milder case). */
  severity?: Severity;
}

export interface RuleContext {
  file: SourceFile;
  semantic: SemanticModel;
  options: RuleOptions;
  /** Files around the linted one (dependency pins, dvc.yaml, ...), read-only and cached. */
  project: ProjectFiles;
  report(input: ReportInput): void;
}

export type Visitors = Record<string, (node: Node) => void>;

export interface Rule {
  code: string;
  name: string;
  family: Family;
  severity: Record<Scope, Severity>;
  fix: FixAvailability;
  docs: RuleDocs;
  /**
   * In notebooks under the exploration profile (the default for notebooks), the rule reports as a
   * hint: exploratory code prints, uses relative paths and skips seeds by design.
   */
  relaxedInExploration?: boolean;
  /**
   * Substrings of which at least one must occur in the text for the rule to possibly report;
   * a file with none of them is not handed to the rule.
   */
  triggers?: readonly string[];
  /**
   * Triggers match whatever their case: for rules that judge names and values in any case
   * (`API_KEY`, `apiKey`, `"TRAIN.CSV"`).
   */
  triggersIgnoreCase?: boolean;
  create(context: RuleContext): Visitors;
}

export function defineRule(rule: Rule): Rule {
  return rule;
}

/** Dedents a Python example written at natural indentation inside a template literal. */
export function py(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.reduce(
    (acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''),
    '',
  );
  const lines = raw
    .replace(/^\n/, '')
    .replace(/\n[ \t]*$/, '\n')
    .split('\n');
  const indents = lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut)).join('\n');
}
