import { dirname, posix } from 'node:path';
import type { Node } from 'web-tree-sitter';
import { addSetupLines, importLines, replaceNode } from '../../fixes/edits';
import { describeLocation } from '../../engine/source';
import { literalPrefix, type SemanticModel } from '../../semantic/model';
import { ancestor, callArguments, field } from '../../semantic/nodes';
import type { Fix, RuleContext } from '../types';
import { pathSinkArguments } from './pathSinks';

/**
 * Helpers shared by the path rules (MLH201 hardcoded-absolute-path, MLH202 hardcoded-cloud-uri,
 * MLH203 cwd-relative-path): where a literal is reported, environment variable names for the
 * env fix, the `Path(__file__)` anchor fix, probes, settings classes and notebook magics.
 */

/** The node a finding highlights and a fix replaces: an implicit concatenation is one value. */
export function reportedLiteral(part: Node): Node {
  return part.parent?.type === 'concatenated_string' ? part.parent : part;
}

/** "reaches pandas.read_csv", with the sink's line when the literal sits elsewhere (a constant). */
export function reachesText(
  context: RuleContext,
  literal: Node,
  where: Node,
  sinkName: string,
): string {
  const sameLine = literal.startPosition.row === where.startPosition.row;
  return `reaches ${sinkName}${sameLine ? '' : ` (${describeLocation(context.file, where.startIndex)})`}`;
}

/** Shortens long values in messages. */
export function shown(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

// ---------------------------------------------------------------------------------------------
// Environment variable names.

/** Variables the OS, the shell or Python set themselves; reading one would return their value. */
const SYSTEM_ENV_VARS = new Set([
  'PATH',
  'PYTHONPATH',
  'LD_LIBRARY_PATH',
  'DYLD_LIBRARY_PATH',
  'MANPATH',
  'CUDA_PATH',
  'HOME',
  'PWD',
  'OLDPWD',
  'TMPDIR',
  'TMP',
  'TEMP',
  'VIRTUAL_ENV',
  'CONDA_PREFIX',
]);

/** Whether the variable holds a local path or a cloud URI; it picks the name's suffix. */
export type EnvStyle = 'path' | 'uri';

const LOCATION_SUFFIX: Record<EnvStyle, RegExp> = {
  path: /(^|_)(PATH|DIR|FILE|ROOT|FOLDER)$/,
  uri: /(^|_)(PATH|DIR|FILE|ROOT|FOLDER|URI|URL|BUCKET|LOCATION|PREFIX)$/,
};

/** Upper snake case of an identifier, a file stem or a folder: `dataDir` → `DATA_DIR`. */
function envWord(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
}

function toEnvName(base: string, sinkName: string | undefined, style: EnvStyle): string {
  let name = envWord(base);
  if (!name || /^\d/.test(name)) name = `DATA_${name}`;
  if (!LOCATION_SUFFIX[style].test(name) && sinkName) name += style === 'uri' ? '_URI' : '_PATH';
  return name;
}

/**
 * Names for the literal's variable, best first: one derived from the assigned name or keyword (else
 * from the file or folder name), then the same prefixed with ever more of the folders above it
 * (`/data/processed/data.csv` → `DATA_PATH`, `PROCESSED_DATA_PATH`, `DATA_PROCESSED_DATA_PATH`).
 */
function envVarCandidates(
  literal: Node,
  sinkName: string | undefined,
  text: string,
  style: EnvStyle,
): string[] {
  const parent = literal.parent;
  let base: string | undefined;
  if (parent?.type === 'assignment' && field(parent, 'left')?.type === 'identifier')
    base = field(parent, 'left')!.text;
  else if (parent?.type === 'keyword_argument') base = field(parent, 'name')?.text;
  // Home (`~alice`) and drive (`C:`) segments say whose machine it is, not what the path holds;
  // a URI's scheme says which cloud.
  const location = style === 'uri' ? text.replace(/^[a-z0-9]+:\/*/i, '') : text;
  const segments = location.split(/[\\/]/).filter((s) => s && !/^~|^[A-Za-z]:$/.test(s));
  // A URI's authority names its bucket by the part before `@`, `.` or `:`
  // (`curated@datalake.blob.core.windows.net`, `namenode:8020`).
  if (style === 'uri' && segments.length > 1) segments[0] = segments[0].split(/[@.:]/)[0];
  const last = segments.pop() ?? 'data';
  const stem = last.replace(/\.[^.]*$/, '');
  let first = base ? toEnvName(base, sinkName, style) : undefined;
  // `path = "/data/x.csv"` or `to_parquet(path=...)` must not read the shell's PATH.
  if (first && !SYSTEM_ENV_VARS.has(first)) {
    segments.push(stem);
  } else {
    const suffix = style === 'uri' ? 'uri' : /\.\w+$/.test(last) ? 'path' : 'dir';
    first = toEnvName(`${stem}_${suffix}`, sinkName, style);
  }
  const candidates = [first];
  let prefix = '';
  for (const folder of segments.reverse()) {
    const word = envWord(folder);
    if (!word) continue;
    prefix = prefix ? `${word}_${prefix}` : word;
    if (!/^\d/.test(prefix)) candidates.push(`${prefix}_${first}`);
  }
  return candidates;
}

/** Calls that read the environment variable named by their first argument. */
const ENV_READS = new Set([
  'os.environ.get',
  'os.getenv',
  'os.environ.setdefault',
  'os.environ.pop',
]);

/**
 * The environment variable names the fixes propose in one file: distinct literals get distinct
 * names, the same literal the same name, and no name the file already reads for another value.
 * One instance per lint is shared by the path rules, so their fixes never pick the same name.
 */
class EnvVarNames {
  private readonly byLiteral = new Map<string, string>();
  /** Each name in use, with the literal it stands for (undefined: read for an unknown value). */
  private readonly owners = new Map<string, string | undefined>();

  constructor(semantic: SemanticModel) {
    for (const call of semantic.nodes('call')) {
      if (!ENV_READS.has(semantic.calleeName(call) ?? '')) continue;
      const args = callArguments(call);
      this.claim(
        semantic.stringLiteral(args.positional[0]),
        semantic.stringLiteral(args.positional[1]),
      );
    }
    for (const subscript of semantic.nodes('subscript')) {
      if (semantic.qualifiedName(field(subscript, 'value')) !== 'os.environ') continue;
      this.claim(semantic.stringLiteral(field(subscript, 'subscript')), undefined);
    }
  }

  private claim(name: string | undefined, literal: string | undefined): void {
    if (!name) return;
    // A read with a literal default says what the variable holds; one without only takes the name.
    if (literal !== undefined) {
      if (this.owners.get(name) === undefined) this.owners.set(name, literal);
      if (!this.byLiteral.has(literal)) this.byLiteral.set(literal, name);
    } else if (!this.owners.has(name)) {
      this.owners.set(name, undefined);
    }
  }

  nameFor(literal: string, candidates: string[]): string {
    const known = this.byLiteral.get(literal);
    if (known) return known;
    const free = (name: string) => !SYSTEM_ENV_VARS.has(name) && !this.owners.has(name);
    let name = candidates.find(free);
    for (let n = 2; !name; n++) if (free(`${candidates[0]}_${n}`)) name = `${candidates[0]}_${n}`;
    this.byLiteral.set(literal, name);
    this.owners.set(name, literal);
    return name;
  }
}

const envNames = new WeakMap<SemanticModel, EnvVarNames>();

/**
 * The safe fix: `os.environ.get("NAME", <literal>)`, adding `import os` once. Behaviour is unchanged
 * while the variable is unset.
 */
export function envFix(
  context: RuleContext,
  literal: Node,
  sinkName: string | undefined,
  text: string,
  style: EnvStyle,
): Fix[] {
  // Only a plain literal can be wrapped; an f-string keeps its interpolations.
  if (literal.descendantsOfType('interpolation').length > 0) return [];
  let names = envNames.get(context.semantic);
  if (!names) envNames.set(context.semantic, (names = new EnvVarNames(context.semantic)));
  const name = names.nameFor(text, envVarCandidates(literal, sinkName, text, style));
  return [
    {
      title: `Read the ${style === 'uri' ? 'URI' : 'path'} from the environment variable ${name}`,
      safety: 'safe',
      edits: [
        replaceNode(literal, `os.environ.get("${name}", ${literal.text})`),
        ...addSetupLines(context, importLines(context, ['os'])),
      ],
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Anchoring on the script's folder.

/** The name `pathlib.Path` goes by in the file, and the import that makes it available. */
function pathClass(context: RuleContext): { name: string; setup: string[] } {
  const { semantic } = context;
  const root = semantic.tree.rootNode;
  const imported = semantic.imports.find(
    (b) => b.qualifiedName === 'pathlib.Path' && semantic.scopeId(b.target) === -1,
  );
  if (imported && semantic.bindingsOf(imported.target.text, root).length === 1)
    return { name: imported.target.text, setup: [] };
  if (semantic.bindingsOf('Path', root).length === 0)
    return { name: 'Path', setup: ['from pathlib import Path'] };
  return { name: 'pathlib.Path', setup: importLines(context, ['pathlib']) };
}

/** Whether a use of a name needs a `str` (`DATA + "/x.csv"`, `path.endswith(...)`). */
function needsStrAt(use: Node): boolean {
  const parent = use.parent;
  if (!parent) return false;
  if (parent.type === 'binary_operator') {
    const operator = parent.childForFieldName('operator')?.text;
    // `Path / "x"` keeps working; `+` and `%` on a Path fail.
    return operator !== '/' || field(parent, 'right')?.id === use.id;
  }
  if (parent.type === 'attribute') return field(parent, 'object')?.id === use.id;
  return parent.type === 'comparison_operator' || parent.type === 'subscript';
}

/** Whether any use of the name an assignment binds needs a `str`. */
function assignedNameNeedsStr(semantic: SemanticModel, assignment: Node): boolean {
  const target = field(assignment, 'left');
  if (target?.type !== 'identifier') return true;
  for (const use of semantic.nodes('identifier')) {
    if (use.id === target.id || use.text !== target.text) continue;
    if (semantic.singleBinding(use)?.target.id !== target.id) continue;
    if (needsStrAt(use)) return true;
  }
  return false;
}

function quoted(text: string, quote: string): string {
  return quote + text.replace(/\\/g, '\\\\').replace(new RegExp(quote, 'g'), `\\${quote}`) + quote;
}

/**
 * `Path(__file__).resolve().parent / "<rel>"` in place of a literal (the unsafe fix of MLH201 and
 * MLH203): `rel` is relative to the script's folder; leading `../` climb with `.parents[n]`. The
 * result is wrapped in `str(...)` where a `Path` would break the code (`sys.path`, `+`).
 * Undefined in notebooks, which have no `__file__`, and where the literal cannot be replaced whole.
 */
export function anchoredFix(
  context: RuleContext,
  literal: Node,
  rel: string,
  options: { needsStr?: boolean; title: string },
): Fix | undefined {
  const { semantic, file } = context;
  if (file.notebook || !file.path.endsWith('.py')) return undefined;
  const interpolated = literal.descendantsOfType('interpolation').length > 0;
  let ups = 0;
  let rest = rel.replace(/\\/g, '/');
  for (;;) {
    if (rest.startsWith('./')) rest = rest.slice(2);
    else if (rest === '..' || rest.startsWith('../')) {
      ups++;
      rest = rest.slice(3);
    } else break;
  }
  // An f-string is kept as written, so it cannot be shortened.
  if (interpolated && rest !== rel) return undefined;
  // `Path("data") / "x.csv"`: the whole `Path(...)` call is replaced.
  const args = literal.parent;
  const call = args?.type === 'argument_list' ? args.parent : null;
  const pathCall =
    call?.type === 'call' &&
    semantic.calleeName(call)?.startsWith('pathlib.') &&
    callArguments(call).positional.length === 1 &&
    args!.namedChildren.length === 1
      ? call
      : undefined;
  const target = pathCall ?? literal;
  const parent = target.parent;
  // A `Path(...)` call stays a `Path`; only a string literal may need to stay a `str`.
  let needsStr = !pathCall && !!options.needsStr;
  if (!pathCall && needsStrAt(target)) {
    // `"data/" + name`: a `str(Path)` would drop the trailing separator.
    if (/[\\/]$/.test(rest)) return undefined;
    needsStr = true;
  }
  if (!pathCall && parent?.type === 'assignment' && field(parent, 'right')?.id === target.id)
    needsStr ||= assignedNameNeedsStr(semantic, parent);
  const { name, setup } = pathClass(context);
  const anchor = `${name}(__file__).resolve().${ups === 0 ? 'parent' : `parents[${ups}]`}`;
  const quote = literal.text.trimEnd().endsWith("'") ? "'" : '"';
  const plain = rest.replace(/\/+$/, '');
  const tail = interpolated ? literal.text : plain ? quoted(plain, quote) : '';
  const expression = tail ? `${anchor} / ${tail}` : anchor;
  // `Path("x").read_text()` becomes `(... / "x").read_text()`: the division needs parentheses.
  const bound =
    tail && (parent?.type === 'attribute' || parent?.type === 'subscript')
      ? `(${expression})`
      : expression;
  return {
    title: options.title,
    safety: 'unsafe',
    edits: [
      replaceNode(target, needsStr ? `str(${expression})` : bound),
      ...addSetupLines(context, setup),
    ],
  };
}

/**
 * The folder an absolute path is anchored to: the project root (the configuration's folder), or
 * without one the script's own folder. The path must lie inside it.
 */
export function workspaceRelative(context: RuleContext, absolute: string): string | undefined {
  const normalize = (p: string) =>
    p.replace(/\\/g, '/').replace(/^([A-Za-z]):/, (_m, d: string) => `${d.toLowerCase()}:`);
  const filePath = normalize(context.file.path);
  if (!filePath.startsWith('/') && !/^[a-z]:\//.test(filePath)) return undefined;
  const root = normalize(context.project.root ?? dirname(context.file.path)).replace(/\/$/, '');
  const target = normalize(absolute).replace(/\/$/, '');
  // A root of `/` or a bare drive would make every path "inside the workspace".
  if (root.split('/').filter(Boolean).length < 1 || /^[a-z]:$/.test(root)) return undefined;
  const inside = (p: string) => p === root || p.startsWith(`${root}/`);
  if (!inside(target) || !inside(filePath)) return undefined;
  return posix.relative(posix.dirname(filePath), target) || '.';
}

// ---------------------------------------------------------------------------------------------
// Probes: code that checks whether a location exists copes with its absence.

/** Whether `text` is `prefix` or lies below it. */
function isUnder(text: string, prefix: string): boolean {
  if (!prefix) return false;
  const base = prefix.replace(/[\\/]+$/, '');
  return text === base || text.startsWith(`${base}/`) || text.startsWith(`${base}\\`);
}

/** Whether a probe call in a condition is negated (`if not os.path.exists(p):`). */
function isNegated(call: Node, condition: Node): boolean {
  for (let node: Node | null = call; node; node = node.parent) {
    if (node.type === 'not_operator') return true;
    if (node.id === condition.id) break;
  }
  return false;
}

/** Whether a condition probes a location that holds `text` (`os.path.exists("/kaggle/input")`). */
function probesLocation(semantic: SemanticModel, condition: Node, text: string): boolean {
  const calls = condition.type === 'call' ? [condition] : condition.descendantsOfType('call');
  return calls.some(
    (call) =>
      !isNegated(call, condition) &&
      pathSinkArguments(semantic, call).some((arg) => {
        if (!arg.probe) return false;
        const value = semantic.resolveValue(arg.value);
        return !!value && isUnder(text, literalPrefix(value));
      }),
  );
}

/**
 * Whether a use of a location only runs after probing it, so the code adapts to machines without
 * it: `if os.path.exists("/kaggle/input"): df = pd.read_csv("/kaggle/input/x/train.csv")`.
 */
export function isProbeGuarded(semantic: SemanticModel, node: Node, text: string): boolean {
  let child = node;
  for (let parent = node.parent; parent; child = parent, parent = parent.parent) {
    if (parent.type === 'if_statement' || parent.type === 'elif_clause') {
      const condition = field(parent, 'condition');
      if (condition && field(parent, 'consequence')?.id === child.id)
        if (probesLocation(semantic, condition, text)) return true;
    } else if (parent.type === 'conditional_expression') {
      const [whenTrue, condition] = parent.namedChildren;
      if (whenTrue?.id === child.id && condition && probesLocation(semantic, condition, text))
        return true;
    }
  }
  return false;
}

/**
 * Whether a probe decides something rather than requires the location: not `assert exists(p)`
 * nor a test's `self.assertTrue(os.path.isfile(p))`.
 */
export function isAdaptiveProbe(call: Node): boolean {
  if (ancestor(call, ['assert_statement'])) return false;
  const outer = call.parent?.type === 'argument_list' ? call.parent.parent : null;
  const callee = outer?.type === 'call' ? field(outer, 'function') : null;
  const name = callee?.type === 'attribute' ? field(callee, 'attribute')?.text : callee?.text;
  return !name || !/^assert/i.test(name);
}

// ---------------------------------------------------------------------------------------------
// Names, settings classes, notebook magics.

/** Names that carry URL routes or API paths, never file system locations. */
const URL_NAME = /(url|uri|route|endpoint|api|prefix|href|link)/i;

/** Assigned names that look like locations: `DATA_DIR`, `model_path`, `root`. */
export function isPathName(name: string, pathName: RegExp): boolean {
  return pathName.test(name) && !URL_NAME.test(name);
}

/** pydantic settings classes, whose field defaults are overridden from the environment. */
const SETTINGS_BASES = new Set([
  'pydantic.BaseSettings',
  'pydantic.v1.BaseSettings',
  'pydantic_settings.BaseSettings',
]);

/** Whether a class derives from `BaseSettings`, directly or through classes of this file. */
function isSettingsClass(semantic: SemanticModel, classNode: Node, depth = 0): boolean {
  if (depth > 8) return false;
  for (const base of field(classNode, 'superclasses')?.namedChildren ?? []) {
    if (!base || base.type === 'keyword_argument') continue;
    if (SETTINGS_BASES.has(semantic.qualifiedName(base) ?? '')) return true;
    const binding = base.type === 'identifier' ? semantic.singleBinding(base) : undefined;
    const definition = binding?.kind === 'definition' ? binding.target.parent : null;
    if (definition?.type === 'class_definition' && isSettingsClass(semantic, definition, depth + 1))
      return true;
  }
  return false;
}

/** Whether an assignment is a field of a pydantic `BaseSettings` class (read from the environment). */
export function isSettingsField(semantic: SemanticModel, assignment: Node): boolean {
  const statement = assignment.parent;
  const owner = statement?.type === 'expression_statement' ? statement.parent?.parent : null;
  return owner?.type === 'class_definition' && isSettingsClass(semantic, owner);
}

/** Line magics whose arguments are locations; every argument of a shell escape (`!cp a b`) is one. */
const PATH_MAGIC = /^%(cd|pushd|run|load|save|writefile)\b/;

export interface MagicArgument {
  /** Offsets in the linted text. */
  start: number;
  end: number;
  token: string;
  /** `%cd` or `!cp`: how the message names the line. */
  command: string;
}

/**
 * The arguments of the notebook's shell escapes and location-taking line magics, unquoted, with
 * `--opt=value` reduced to the value; `{var}` and `$var` (expanded by IPython from Python values,
 * judged elsewhere) are left out.
 */
export function magicArguments(context: RuleContext): MagicArgument[] {
  const found: MagicArgument[] = [];
  for (const magic of context.file.notebook?.module.magics ?? []) {
    if (magic.kind !== 'shell' && !(magic.kind === 'line-magic' && PATH_MAGIC.test(magic.text)))
      continue;
    const command = magic.text.split(/\s/)[0];
    const tokens = [...magic.text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].slice(1);
    for (const match of tokens) {
      const quotedToken = match[1] ?? match[2];
      let token = quotedToken ?? match[3];
      let offset = match.index! + (quotedToken === undefined ? 0 : 1);
      // `--output=/abs` carries its location after the option name.
      const equals = quotedToken === undefined ? token.lastIndexOf('=') : -1;
      if (equals >= 0) {
        offset += equals + 1;
        token = token.slice(equals + 1);
      }
      if (/[{$]/.test(token)) continue;
      const start = magic.start + offset;
      found.push({ start, end: start + token.length, token, command });
    }
  }
  return found;
}
