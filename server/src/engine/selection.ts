import picomatch from 'picomatch';
import { relative } from 'node:path';
import type { LoadedProjectConfig } from '../config/load';
import {
  DEFAULT_LIMITS,
  DEFAULT_RULE_OPTIONS,
  type EditorSettings,
  type Limits,
  type RuleOptions,
} from '../config/schema';
import { RULES } from '../rules';
import type { Rule, Scope, Severity } from '../rules/types';

/** The configuration that applies to one project folder, resolved against the rule index. */
export interface LintSettings {
  selected: ReadonlySet<string>;
  /** Rules selected by exact code or name: they also run where their default is off (tests). */
  explicit: ReadonlySet<string>;
  severity: ReadonlyMap<string, Severity>;
  perFileIgnores: { matches: (relativePath: string) => boolean; codes: Set<string> }[];
  root?: string;
  options: RuleOptions;
  /** The profile notebooks are judged by: exploration unless the project says production. */
  notebookProfile: 'production' | 'exploration';
  /** File size and rule time bounds; the editor's `mlhygiene.maxFileSize` wins over the project. */
  limits: Limits;
  /** An untrusted workspace: rules read nothing outside the project (see `ProjectFiles`). */
  confined?: boolean;
  /** Problems found while resolving: unknown rule selectors and the like. */
  messages: string[];
}

export interface ActiveRule {
  rule: Rule;
  severity: Severity;
}

/** Expands a selector (`ALL`, `MLH`, `MLH2`, `MLH201`, `hardcoded-absolute-path`) to rule codes. */
export function expandSelector(selector: string): string[] {
  const s = selector.trim();
  if (s.toUpperCase() === 'ALL') return RULES.map((r) => r.code);
  const upper = s.toUpperCase();
  if (/^MLH\d*$/.test(upper))
    return RULES.filter((r) => r.code.startsWith(upper)).map((r) => r.code);
  const byName = RULES.find((r) => r.name === s.toLowerCase());
  return byName ? [byName.code] : [];
}

function expandAll(
  selectors: readonly string[] | undefined,
  messages: string[],
  where: string,
): string[] {
  const codes: string[] = [];
  for (const selector of selectors ?? []) {
    const expanded = expandSelector(selector);
    if (expanded.length === 0) messages.push(`${where}: unknown rule "${selector}"`);
    codes.push(...expanded);
  }
  return codes;
}

export function resolveSettings(
  project: LoadedProjectConfig,
  editor?: EditorSettings,
): LintSettings {
  const messages = project.messages.map((m) => `${m.file}: ${m.message}`);
  const config = project.config;
  const where = project.file ?? 'settings';
  // Layers as in ruff: a `select` in the editor or on the command line starts a new selection,
  // so the project's select, extend-select and ignore no longer apply; ignores of that layer do.
  const overrides = !!editor && editor.select.length > 0;
  const selected = new Set(
    overrides
      ? expandAll(editor.select, messages, 'mlhygiene.select')
      : config.select
        ? expandAll(config.select, messages, where)
        : RULES.map((r) => r.code),
  );
  if (!overrides) {
    for (const code of expandAll(config['extend-select'], messages, where)) selected.add(code);
    for (const code of expandAll(config.ignore, messages, where)) selected.delete(code);
  }
  for (const code of expandAll(editor?.ignore, messages, 'mlhygiene.ignore')) selected.delete(code);
  // A rule named exactly (code or name, not a prefix) is wanted even where it is off by default.
  const named = overrides
    ? editor.select
    : [...(config.select ?? []), ...(config['extend-select'] ?? [])];
  const explicit = new Set(
    named.filter((s) => !/^(ALL|MLH\d{0,2})$/i.test(s.trim())).flatMap(expandSelector),
  );

  const severity = new Map<string, Severity>();
  for (const [source, table] of [
    [where, config.severity],
    ['mlhygiene.severity', editor?.severity],
  ] as const) {
    for (const [selector, level] of Object.entries(table ?? {})) {
      for (const code of expandAll([selector], messages, source)) severity.set(code, level);
    }
  }

  const perFileIgnores = Object.entries(config['per-file-ignores'] ?? {}).map(
    ([glob, selectors]) => ({
      matches: picomatch(glob, { dot: true, matchBase: !glob.includes('/') }),
      codes: new Set(expandAll(selectors, messages, where)),
    }),
  );

  const options: RuleOptions = {
    allowedPathPrefixes:
      config['allowed-path-prefixes'] ?? DEFAULT_RULE_OPTIONS.allowedPathPrefixes,
    loggerNames: config['logger-names'] ?? DEFAULT_RULE_OPTIONS.loggerNames,
    trackingCalls: config['tracking-calls'] ?? DEFAULT_RULE_OPTIONS.trackingCalls,
    printAllowedInMain: config['print-allowed-in-main'] ?? DEFAULT_RULE_OPTIONS.printAllowedInMain,
    seedValue: config['seed-value'] ?? DEFAULT_RULE_OPTIONS.seedValue,
  };
  return {
    selected,
    explicit,
    severity,
    perFileIgnores,
    root: project.root,
    options,
    notebookProfile: config.profile ?? 'exploration',
    limits: {
      maxFileSize: editor?.maxFileSize ?? config['max-file-size'] ?? DEFAULT_LIMITS.maxFileSize,
      ruleTimeoutMs: config['rule-timeout'] ?? DEFAULT_LIMITS.ruleTimeoutMs,
      maxBracketDepth: DEFAULT_LIMITS.maxBracketDepth,
    },
    messages,
  };
}

/** The rules that run on a file, with the severity each reports at. */
export function activeRules(
  settings: LintSettings,
  path: string,
  scope: Scope,
  extraIgnores: readonly string[] = [],
): ActiveRule[] {
  const relativePath = settings.root ? relative(settings.root, path).split('\\').join('/') : path;
  const ignored = new Set<string>(extraIgnores.flatMap((s) => expandSelector(s)));
  for (const entry of settings.perFileIgnores) {
    if (entry.matches(relativePath)) for (const code of entry.codes) ignored.add(code);
  }
  const active: ActiveRule[] = [];
  for (const rule of RULES) {
    if (!settings.selected.has(rule.code) || ignored.has(rule.code)) continue;
    // A scope where the rule is off by default (tests, for most rules) stays off unless the rule
    // was selected by name; a severity override changes how loud a rule is, not where it applies.
    const byDefault = rule.severity[scope];
    if (byDefault === 'off' && !settings.explicit.has(rule.code)) continue;
    const fallback = byDefault === 'off' ? rule.severity.script : byDefault;
    const relaxed =
      scope === 'notebook' &&
      settings.notebookProfile === 'exploration' &&
      rule.relaxedInExploration;
    const severity = settings.severity.get(rule.code) ?? (relaxed ? 'hint' : fallback);
    if (severity !== 'off') active.push({ rule, severity });
  }
  return active;
}
