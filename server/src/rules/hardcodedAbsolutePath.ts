import type { Node } from 'web-tree-sitter';
import { addSetupLines, importLines, replaceNode } from '../fixes/edits';
import { literalPrefix, type ResolvedValue } from '../semantic/model';
import { field } from '../semantic/nodes';
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

function toEnvName(base: string, sinkName: string | undefined): string {
  let name = base
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
  if (!name || /^\d/.test(name)) name = `DATA_${name}`;
  if (!/_(PATH|DIR|FILE|ROOT|FOLDER)$/.test(name) && !/^(PATH|ROOT)$/.test(name))
    name += sinkName ? '_PATH' : '';
  return name;
}

function envVarName(literal: Node, sinkName: string | undefined, text: string): string {
  const parent = literal.parent;
  let base: string | undefined;
  if (parent?.type === 'assignment' && field(parent, 'left')?.type === 'identifier')
    base = field(parent, 'left')!.text;
  else if (parent?.type === 'keyword_argument') base = field(parent, 'name')?.text;
  const named = base ? toEnvName(base, sinkName) : undefined;
  // `path = "/data/x.csv"` or `to_parquet(path=...)` must not read the shell's PATH.
  if (named && !SYSTEM_ENV_VARS.has(named)) return named;
  const last = text.split(/[\\/]/).filter(Boolean).pop() ?? 'data';
  const stem = last.replace(/\.[^.]*$/, '');
  return toEnvName(`${stem}_${/\.\w+$/.test(last) ? 'path' : 'dir'}`, sinkName);
}

function envFix(
  context: RuleContext,
  literal: Node,
  sinkName: string | undefined,
  text: string,
): Fix[] {
  // Only a plain literal can be wrapped; an f-string keeps its interpolations.
  if (literal.namedChildren.some((c) => c?.type === 'interpolation')) return [];
  const name = envVarName(literal, sinkName, text);
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
      const literal = first.node;
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
        fixes: envFix(context, literal, sinkName, semantic.stringLiteral(literal) ?? first.text),
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
        check(semantic.resolveValue(right), assignment, undefined, left.text);
      },
    };
  },
});
