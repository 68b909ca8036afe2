import type { Node } from 'web-tree-sitter';
import { addSetupLines, importLines, replaceNode } from '../fixes/edits';
import { literalPrefix, type ResolvedValue, type SemanticModel } from '../semantic/model';
import { callArguments, field } from '../semantic/nodes';
import { describeLocation } from '../engine/source';
import { PATH_NAME, pathSinkArguments } from './shared/pathSinks';
import { defineRule, py, type Fix, type RuleContext } from './types';

/** Locations that are the same on every machine and belong to the system, not to a user. */
const SYSTEM_PREFIXES = [
  '/dev/',
  '/proc/',
  '/sys/',
  '/etc/',
  '/usr/',
  '/bin/',
  '/sbin/',
  '/lib/',
  '/lib64/',
  '/opt/conda',
  '/tmp',
  '/var/tmp',
  '/var/run/',
  '/var/log/',
  '/run/',
  '/System/',
  '/Library/',
  '/private/',
];

/** Names that carry URL routes or API paths, never file system locations. */
const URL_NAME = /(url|uri|route|endpoint|api|prefix|href|link)/i;

type PathKind = 'POSIX' | 'home' | 'Windows' | 'UNC' | 'Colab' | 'Kaggle';

export function classifyAbsolutePath(
  text: string,
  allowed: readonly string[],
): PathKind | undefined {
  if (text.length < 2 || text.length > 400 || /[\n\r\t]/.test(text) || text.includes('://'))
    return undefined;
  if (allowed.some((prefix) => text.startsWith(prefix))) return undefined;
  if (/^[A-Za-z]:[\\/]/.test(text)) return 'Windows';
  if (/^\\\\[^\\\s]+\\/.test(text)) return 'UNC';
  // The home folder itself and its dotfiles (`~/.netrc`, `~/.cache/...`) are standard per-user places.
  if (/^~[\\/]?$/.test(text) || /^~[\\/]\./.test(text)) return undefined;
  if (/^~[\w.-]*([\\/]|$)/.test(text)) return 'home';
  if (!text.startsWith('/') || text.startsWith('//')) return undefined;
  if (
    SYSTEM_PREFIXES.some((prefix) => text === prefix.replace(/\/$/, '') || text.startsWith(prefix))
  )
    return undefined;
  if (text.startsWith('/content/') || text === '/content') return 'Colab';
  if (text.startsWith('/kaggle/')) return 'Kaggle';
  return 'POSIX';
}

/** Assigned names that look like locations: `DATA_DIR`, `model_path`, `root`. */
function isPathName(name: string): boolean {
  return PATH_NAME.test(name) && !URL_NAME.test(name);
}

/** A path-named assignment without a sink must look like a file system path, not a route. */
function looksLikeFilesystemPath(text: string, kind: PathKind): boolean {
  if (kind !== 'POSIX') return true;
  // `/pydoc.css`, `/predict`: one segment under the root is a URL path far more often than a file.
  return text.split('/').filter(Boolean).length >= 2;
}

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

/** Upper snake case of an identifier, a file stem or a folder: `dataDir` → `DATA_DIR`. */
function envWord(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
}

function toEnvName(base: string, sinkName: string | undefined): string {
  let name = envWord(base);
  if (!name || /^\d/.test(name)) name = `DATA_${name}`;
  if (!/_(PATH|DIR|FILE|ROOT|FOLDER)$/.test(name) && !/^(PATH|ROOT)$/.test(name))
    name += sinkName ? '_PATH' : '';
  return name;
}

/**
 * Names for the literal's variable, best first: one derived from the assigned name or keyword (else
 * from the file or folder name), then the same prefixed with ever more of the folders above it
 * (`/data/processed/data.csv` → `DATA_PATH`, `PROCESSED_DATA_PATH`, `DATA_PROCESSED_DATA_PATH`).
 */
function envVarCandidates(literal: Node, sinkName: string | undefined, text: string): string[] {
  const parent = literal.parent;
  let base: string | undefined;
  if (parent?.type === 'assignment' && field(parent, 'left')?.type === 'identifier')
    base = field(parent, 'left')!.text;
  else if (parent?.type === 'keyword_argument') base = field(parent, 'name')?.text;
  // Home (`~alice`) and drive (`C:`) segments say whose machine it is, not what the path holds.
  const segments = text.split(/[\\/]/).filter((s) => s && !/^~|^[A-Za-z]:$/.test(s));
  const last = segments.pop() ?? 'data';
  const stem = last.replace(/\.[^.]*$/, '');
  let first = base ? toEnvName(base, sinkName) : undefined;
  // `path = "/data/x.csv"` or `to_parquet(path=...)` must not read the shell's PATH.
  if (first && !SYSTEM_ENV_VARS.has(first)) {
    segments.push(stem);
  } else {
    first = toEnvName(`${stem}_${/\.\w+$/.test(last) ? 'path' : 'dir'}`, sinkName);
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
 * The environment variable names the fix proposes in one file: distinct literals get distinct names,
 * the same literal the same name, and no name the file already reads for another value.
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

function envFix(
  context: RuleContext,
  names: EnvVarNames,
  literal: Node,
  sinkName: string | undefined,
  text: string,
): Fix[] {
  // Only a plain literal can be wrapped; an f-string keeps its interpolations.
  if (literal.descendantsOfType('interpolation').length > 0) return [];
  const name = names.nameFor(text, envVarCandidates(literal, sinkName, text));
  return [
    {
      title: `Read the path from the environment variable ${name}`,
      safety: 'safe',
      edits: [
        replaceNode(literal, `os.environ.get("${name}", ${literal.text})`),
        ...addSetupLines(context, importLines(context, ['os'])),
      ],
    },
  ];
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

/** The class whose body holds a statement directly, if any. */
function enclosingClassBody(assignment: Node): Node | null {
  const statement = assignment.parent;
  const owner = statement?.type === 'expression_statement' ? statement.parent?.parent : null;
  return owner?.type === 'class_definition' ? owner : null;
}

/** Line magics whose arguments are locations; every argument of a shell escape (`!cp a b`) is one. */
const PATH_MAGIC = /^%(cd|pushd|run|load|save|writefile)\b/;

/** The arguments of a magic or shell escape, unquoted, with their offsets in the magic's text. */
function magicArguments(text: string): { offset: number; token: string }[] {
  const found: { offset: number; token: string }[] = [];
  for (const match of text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
    const quoted = match[1] ?? match[2];
    let token = quoted ?? match[3];
    let offset = match.index! + (quoted === undefined ? 0 : 1);
    // `--output=/abs` carries its location after the option name.
    const equals = quoted === undefined ? token.lastIndexOf('=') : -1;
    if (equals >= 0) {
      offset += equals + 1;
      token = token.slice(equals + 1);
    }
    found.push({ offset, token });
  }
  return found.slice(1);
}

function describe(kind: PathKind): string {
  switch (kind) {
    case 'Colab':
      return 'Colab-only path';
    case 'Kaggle':
      return 'Kaggle-only path';
    case 'home':
      return 'home-directory path';
    case 'Windows':
      return 'Windows drive path';
    case 'UNC':
      return 'UNC network path';
    default:
      return 'absolute path';
  }
}

export const hardcodedAbsolutePath = defineRule({
  code: 'MLH201',
  name: 'hardcoded-absolute-path',
  family: 'paths',
  severity: { script: 'warning', notebook: 'warning', test: 'off' },
  fix: 'sometimes',
  triggers: ['/', '\\', '~'],
  docs: {
    summary: 'An absolute, machine-specific path reaches file or data I/O.',
    why:
      '`/home/alice/data/train.csv` exists on one laptop. The same script in a container, on a ' +
      "scheduler node or on a colleague's machine fails at the first read, or worse, silently writes " +
      'model artifacts where nobody looks for them. Colab (`/content/...`) and Kaggle (`/kaggle/...`) ' +
      'roots only exist inside those services.',
    howToFix:
      'Take the location from configuration: an environment variable, a CLI argument or a config ' +
      'file, and keep the literal only as a documented default. Paths inside the project should be ' +
      'built from `Path(__file__).resolve().parent`.',
    fixSafety:
      'The fix wraps the literal in `os.environ.get("NAME", "<literal>")` and adds `import os` once; ' +
      'behaviour is unchanged while the variable is unset, so the fix is safe.',
    options:
      '`allowed-path-prefixes` (list of strings): prefixes that are never reported, such as a shared ' +
      'mount every machine has (`["/mnt/shared/"]`). System locations (`/dev/`, `/proc/`, `/etc/`, ' +
      '`/usr/`, `/tmp`, …) and URLs are never reported.',
    examples: {
      invalid: [
        py`
          import pandas as pd

          df = pd.read_csv("/home/alice/projects/churn/train.csv")
        `,
        py`
          import pandas as pd

          DATA_DIR = "/data/churn"
          train = pd.read_csv(f"{DATA_DIR}/train.csv")
        `,
        py`
          import torch

          torch.save(model.state_dict(), r"C:\\Users\\bob\\models\\net.pt")
        `,
        py`
          MODEL_DIR = "/content/drive/MyDrive/models"
        `,
      ],
      valid: [
        py`
          import os
          import pandas as pd

          df = pd.read_csv(os.environ["TRAIN_CSV"])
        `,
        py`
          from flask import Flask

          app = Flask(__name__)

          @app.route("/predict/batch")
          def predict():
              return "ok"
        `,
        py`
          with open("/dev/null", "w") as sink:
              sink.write("x")
        `,
        py`
          API_PATH = "/v1/models/churn:predict"
          HELP = "see /home/alice for details"
        `,
      ],
    },
  },
  create(context) {
    const { semantic, options } = context;
    const reported = new Set<number>();
    let names: EnvVarNames | undefined;

    const check = (
      value: ResolvedValue | undefined,
      where: Node,
      sinkName: string | undefined,
      assignedName?: string,
    ) => {
      // Only values whose text starts with a literal can be a hardcoded location.
      const first = value?.parts[0];
      if (!value || first?.kind !== 'literal') return;
      const prefix = literalPrefix(value);
      const kind = classifyAbsolutePath(prefix, options.allowedPathPrefixes);
      if (!kind) return;
      // A path-named assignment alone must look like a file system path, not an API route.
      if (!sinkName && !looksLikeFilesystemPath(prefix, kind)) return;
      // `"/data/team/" "train.csv"` is one value: the whole concatenation is reported and wrapped.
      const literal =
        first.node.parent?.type === 'concatenated_string' ? first.node.parent : first.node;
      // Each literal is reported once, at the first sink that reaches it.
      if (reported.has(literal.id)) return;
      reported.add(literal.id);
      const shown = prefix.length > 80 ? `${prefix.slice(0, 77)}…` : prefix;
      const sameLine = literal.startPosition.row === where.startPosition.row;
      const target = sinkName
        ? `reaches ${sinkName}${sameLine ? '' : ` (${describeLocation(context.file, where.startIndex)})`}`
        : `is assigned to ${assignedName}`;
      context.report({
        node: literal,
        message: `Hardcoded ${describe(kind)} "${shown}" ${target}; read it from configuration or the environment`,
        fixes: envFix(
          context,
          (names ??= new EnvVarNames(semantic)),
          literal,
          sinkName,
          semantic.stringLiteral(literal) ?? first.text,
        ),
      });
    };

    return {
      call(call) {
        for (const { value, sinkName } of pathSinkArguments(semantic, call)) {
          check(semantic.resolveValue(value), value, sinkName);
        }
      },
      module() {
        for (const magic of context.file.notebook?.module.magics ?? []) {
          // Only shell escapes and the line magics that take a location (`%cd /abs`).
          if (
            magic.kind !== 'shell' &&
            !(magic.kind === 'line-magic' && PATH_MAGIC.test(magic.text))
          )
            continue;
          const command = magic.text.split(/\s/)[0];
          for (const { offset, token } of magicArguments(magic.text)) {
            // `{var}` and `$var` are expanded by IPython from Python values, judged elsewhere.
            if (/[{$]/.test(token)) continue;
            const kind = classifyAbsolutePath(token, options.allowedPathPrefixes);
            if (!kind) continue;
            context.report({
              start: magic.start + offset,
              end: magic.start + offset + token.length,
              message: `Hardcoded ${describe(kind)} "${token}" in \`${command}\`; read it from configuration or the environment`,
            });
          }
        }
      },
      assignment(assignment) {
        const left = field(assignment, 'left');
        const right = field(assignment, 'right');
        // Only `NAME = value` where the name says it is a location.
        if (left?.type !== 'identifier' || !right || !isPathName(left.text)) return;
        // Fields of a pydantic `BaseSettings` class are read from the environment already.
        const owner = enclosingClassBody(assignment);
        if (owner && isSettingsClass(semantic, owner)) return;
        check(semantic.resolveValue(right), assignment, undefined, left.text);
      },
    };
  },
});
