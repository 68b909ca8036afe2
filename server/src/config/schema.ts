import { z } from 'zod';

/**
 * The single source of truth for configuration: the `[tool.mlhygiene]` table and the editor's
 * `mlhygiene.*` settings are both described here, and package.json's settings are generated from
 * `editorSettingsContribution()` (a test keeps them equal).
 */

export const SEVERITY_VALUES = ['off', 'hint', 'information', 'warning', 'error'] as const;
const severity = z.enum(SEVERITY_VALUES);
const stringList = z.array(z.string());

/** Each key is validated on its own, so one bad value does not discard the rest. */
export const projectKeys = {
  select: stringList,
  'extend-select': stringList,
  ignore: stringList,
  'per-file-ignores': z.record(z.string(), stringList),
  exclude: stringList,
  'extend-exclude': stringList,
  severity: z.record(z.string(), severity),
  profile: z.enum(['production', 'exploration']),
  'allowed-path-prefixes': stringList,
  'logger-names': stringList,
  'tracking-calls': stringList,
  'print-allowed-in-main': z.boolean(),
  'seed-value': z.number().int(),
  'max-file-size': z.number().int().min(0),
  'rule-timeout': z.number().int().min(0),
} as const;

export type ProjectKey = keyof typeof projectKeys;
export type ProjectConfig = { [K in ProjectKey]?: z.infer<(typeof projectKeys)[K]> };

/** Options handed to rules; defaults apply where the project says nothing. */
export interface RuleOptions {
  allowedPathPrefixes: string[];
  loggerNames: string[];
  trackingCalls: string[];
  printAllowedInMain: boolean;
  seedValue: number;
}

export const DEFAULT_RULE_OPTIONS: RuleOptions = {
  allowedPathPrefixes: [],
  loggerNames: ['logger', 'log', 'logging', '_logger', '_log', 'LOGGER', 'LOG'],
  trackingCalls: [],
  printAllowedInMain: true,
  seedValue: 42,
};

/**
 * Bounds that keep one pathological file from holding up the editor or CI. A file larger than
 * `maxFileSize` bytes of Python is skipped with a notice: 1 MiB, Biome's default, is above every
 * hand-written module of the Python standard library and its common site-packages (the largest,
 * `pydoc_data/topics.py`, is 740 KB) and below generated data modules that take seconds and
 * hundreds of megabytes to lint. A rule that runs longer than `ruleTimeoutMs` on one file is
 * stopped there and the user told; 2 s is far beyond what any rule takes on a real file.
 */
export interface Limits {
  /** Bytes of Python (a script, or a notebook's code cells); 0 means no limit. */
  maxFileSize: number;
  /** Milliseconds one rule may spend on one file; 0 means no limit. */
  ruleTimeoutMs: number;
  /**
   * Brackets nested in one expression. Not a configuration key: CPython refuses more than 200
   * ("too many nested parentheses"), and deeper ones make a single node visit of some rules take
   * seconds, which the time budget (checked between nodes) cannot cut short.
   */
  maxBracketDepth: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxFileSize: 1024 * 1024,
  ruleTimeoutMs: 2000,
  maxBracketDepth: 256,
};

interface EditorSetting {
  schema: z.ZodType;
  default: unknown;
  description: string;
  enumDescriptions?: string[];
  scope?: 'resource' | 'window';
}

export const editorSettings = {
  'mlhygiene.enable': {
    schema: z.boolean(),
    default: true,
    description: 'Lint Python files and notebooks with ML Hygiene.',
  },
  'mlhygiene.run': {
    schema: z.enum(['onType', 'onSave']),
    default: 'onType',
    description: 'Lint while typing or only when a file is saved.',
    enumDescriptions: ['Lint as you type (debounced).', 'Lint when the document is saved.'],
  },
  'mlhygiene.select': {
    schema: stringList,
    default: [],
    description:
      'Rules to run, by code, code prefix or name (e.g. "MLH3", "hardcoded-secret"). When not empty it replaces the `select` of pyproject.toml.',
  },
  'mlhygiene.ignore': {
    schema: stringList,
    default: [],
    description: 'Rules to switch off, by code, code prefix or name, on top of pyproject.toml.',
  },
  'mlhygiene.exclude': {
    schema: stringList,
    default: [],
    description:
      'Files and folders to skip, in the editor and in Scan Workspace, on top of the `exclude` of pyproject.toml: a bare name (`data`, `*_generated.py`) matches at any depth, a pattern with a slash (`notebooks/scratch/**`) matches from the workspace folder. Scan Workspace also skips what `files.exclude` hides.',
  },
  'mlhygiene.severity': {
    schema: z.record(z.string(), severity),
    default: {},
    description:
      'Severity per rule code or name, e.g. {"MLH201": "error"}. Overrides pyproject.toml.',
  },
  'mlhygiene.maxFileSize': {
    schema: z.number().int().min(0).nullable(),
    default: null,
    description:
      'Files with more bytes of Python than this (a script, or the code cells of a notebook) are skipped with a notice. `null` uses `max-file-size` of pyproject.toml, else 1048576 (1 MiB); 0 means no limit.',
  },
  'mlhygiene.trace.server': {
    schema: z.enum(['off', 'messages', 'verbose']),
    default: 'off',
    description: 'Traces the communication between VS Code and the ML Hygiene language server.',
    scope: 'window',
  },
} satisfies Record<string, EditorSetting>;

export type EditorSettingKey = keyof typeof editorSettings;

export interface EditorSettings {
  enable: boolean;
  run: 'onType' | 'onSave';
  select: string[];
  ignore: string[];
  exclude: string[];
  severity: Record<string, (typeof SEVERITY_VALUES)[number]>;
  /** Null: the project's `max-file-size`, else the default. */
  maxFileSize: number | null;
}

export const DEFAULT_EDITOR_SETTINGS: EditorSettings = {
  enable: true,
  run: 'onType',
  select: [],
  ignore: [],
  exclude: [],
  severity: {},
  maxFileSize: null,
};

/**
 * Reads the editor's `mlhygiene` section leniently: a bad value is reported and its default used,
 * so a typo in settings.json never stops linting.
 */
export function sanitizeEditorSettings(raw: unknown): {
  settings: EditorSettings;
  problems: string[];
} {
  const problems: string[] = [];
  const section = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const settings: Record<string, unknown> = { ...DEFAULT_EDITOR_SETTINGS };
  for (const key of Object.keys(DEFAULT_EDITOR_SETTINGS)) {
    if (section[key] === undefined) continue;
    const spec = editorSettings[`mlhygiene.${key}` as EditorSettingKey];
    const parsed = spec.schema.safeParse(section[key]);
    if (parsed.success) settings[key] = parsed.data;
    else
      problems.push(
        `mlhygiene.${key}: ${parsed.error.issues[0]?.message ?? 'invalid value'}; using the default`,
      );
  }
  return { settings: settings as unknown as EditorSettings, problems };
}

/**
 * `{ anyOf: [{ type: 'integer' }, { type: 'null' }] }` as `{ type: ['integer', 'null'] }`, the form
 * VS Code's settings editor can show as a field instead of "Edit in settings.json".
 */
function nullableAsTypeList(json: Record<string, unknown>): Record<string, unknown> {
  const options = json.anyOf as Record<string, unknown>[] | undefined;
  if (options?.length !== 2) return json;
  const value = options.find((o) => o.type !== 'null');
  if (!value || !options.some((o) => o.type === 'null') || typeof value.type !== 'string')
    return json;
  const merged: Record<string, unknown> = { ...json, ...value, type: [value.type, 'null'] };
  delete merged.anyOf;
  return merged;
}

/** The `contributes.configuration.properties` object package.json must hold. */
export function editorSettingsContribution(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [key, spec] of Object.entries(editorSettings) as [string, EditorSetting][]) {
    const json = nullableAsTypeList(z.toJSONSchema(spec.schema) as Record<string, unknown>);
    delete json.$schema;
    // The safe-integer bound zod adds to every integer is noise in the settings editor.
    if (json.maximum === Number.MAX_SAFE_INTEGER) delete json.maximum;
    out[key] = {
      ...json,
      default: spec.default,
      ...(spec.enumDescriptions ? { enumDescriptions: spec.enumDescriptions } : {}),
      scope: spec.scope ?? 'resource',
      markdownDescription: spec.description,
    };
  }
  return out;
}
