import type { Node } from 'web-tree-sitter';
import { literalPrefix, type ResolvedValue } from '../semantic/model';
import { field } from '../semantic/nodes';
import { PATH_NAME, pathSinkArguments, type SinkArgument } from './shared/pathSinks';
import {
  anchoredFix,
  envFix,
  isAdaptiveProbe,
  isPathName,
  isProbeGuarded,
  isSettingsField,
  magicArguments,
  reachesText,
  reportedLiteral,
  shown,
  workspaceRelative,
} from './shared/paths';
import { defineRule, py, type Fix } from './types';

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
  '/var/lib/',
  '/var/cache/',
  '/var/spool/',
  '/run/',
  '/System/',
  '/Library/',
  '/Applications/',
  '/private/',
  '/storage/emulated/',
  '/sdcard/',
];

/** Windows locations that every Windows machine has: the system, installed programs, devices. */
const WINDOWS_SYSTEM =
  /^[A-Za-z]:[\\/]+((windows|program files|program files \(x86\)|programdata)([\\/]|$)|(pagefile\.sys|hiberfil\.sys|swapfile\.sys|con|nul|prn|aux|com\d|lpt\d|conin\$|conout\$)$|$)/i;

type PathKind = 'POSIX' | 'home' | 'Windows' | 'UNC' | 'Colab' | 'Kaggle' | 'Databricks';

export function classifyAbsolutePath(
  text: string,
  allowed: readonly string[],
): PathKind | undefined {
  // `file:///home/alice/mlruns` (an mlflow tracking URI) holds a local absolute path.
  if (/^file:\/\/\//i.test(text)) text = text.slice('file://'.length);
  if (text.length < 2 || text.length > 400 || /[\n\r\t]/.test(text) || text.includes('://'))
    return undefined;
  if (allowed.some((prefix) => text.startsWith(prefix))) return undefined;
  // `\\?\C:\data` is a long Windows path; `\\.\COM1` and `\\.\pipe\x` are devices.
  if (text.startsWith('\\\\?\\')) text = text.slice(4);
  if (/^[A-Za-z]:[\\/]/.test(text)) return WINDOWS_SYSTEM.test(text) ? undefined : 'Windows';
  if (text.startsWith('\\\\'))
    return /^\\\\[A-Za-z0-9_][\w.-]*\\[^\\\s]/.test(text) ? 'UNC' : undefined;
  // The home folder itself, its dotfiles (`~/.netrc`, `~/.cache/...`) and macOS's `~/Library` are
  // standard per-user places.
  if (/^~[\\/]?$/.test(text) || /^~[\\/](\.|Library([\\/]|$))/.test(text)) return undefined;
  if (/^~[\w.-]*([\\/]|$)/.test(text)) return 'home';
  if (!text.startsWith('/') || text.startsWith('//')) return undefined;
  // `/venv/bin:/usr/bin` is a search path (a PATH-like list), not one location.
  if (text.includes(':/')) return undefined;
  // Markers at the root such as `/.dockerenv` describe the machine, they hold no data.
  if (/^\/\.[^/]+$/.test(text)) return undefined;
  if (
    SYSTEM_PREFIXES.some((prefix) => text === prefix.replace(/\/$/, '') || text.startsWith(prefix))
  )
    return undefined;
  if (text.startsWith('/content/') || text === '/content') return 'Colab';
  if (text.startsWith('/kaggle/')) return 'Kaggle';
  if (text.startsWith('/dbfs/') || text.startsWith('/Workspace/')) return 'Databricks';
  return 'POSIX';
}

/** A location judged only by a name (an assignment, a keyword) must look like a file system path. */
function looksLikeFilesystemPath(text: string, kind: PathKind): boolean {
  if (kind !== 'POSIX') return true;
  // `/pydoc.css`, `/predict`: one segment under the root is a URL path far more often than a file.
  return text.split('/').filter(Boolean).length >= 2;
}

/**
 * Top-level folders where machines keep users, data, mounts and outputs. A path-named constant that
 * reaches no I/O in the file is reported only under one of them: `/libs/hive` or
 * `/bootstrap-actions/setup` next to a `*_PATH` name are object keys or URL paths as often as files.
 */
const LOCATION_ROOTS = new Set(
  (
    'home users root data datasets dataset mnt media srv scratch opt workspace workspaces volumes ' +
    'nfs shared share gpfs lustre projects project work app code net storage export efs fsx disk ' +
    'disks ssd hdd raid local var models output outputs input inputs checkpoints experiments runs ' +
    'logs artifacts results'
  ).split(' '),
);

function isUnderLocationRoot(text: string, kind: PathKind): boolean {
  if (kind !== 'POSIX') return true;
  return LOCATION_ROOTS.has(text.split('/').filter(Boolean)[0]?.toLowerCase() ?? '');
}

function describe(kind: PathKind): string {
  switch (kind) {
    case 'Colab':
      return 'Colab-only path';
    case 'Kaggle':
      return 'Kaggle-only path';
    case 'Databricks':
      return 'Databricks-only path';
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
      'model artifacts where nobody looks for them. Colab (`/content/...`), Kaggle (`/kaggle/...`) ' +
      'and Databricks (`/dbfs/...`) roots only exist inside those services.',
    howToFix:
      'Take the location from configuration: an environment variable, a CLI argument or a config ' +
      'file, and keep the literal only as a documented default. Paths inside the project should be ' +
      'built from `Path(__file__).resolve().parent`. Code that checks for a location first ' +
      '(`if os.path.exists("/kaggle/input"): ...`) adapts to other machines and is not reported.',
    fixSafety:
      'The first fix wraps the literal in `os.environ.get("NAME", "<literal>")` and adds `import os` ' +
      'once; behaviour is unchanged while the variable is unset, so it is safe. When the path lies ' +
      "inside the project (the folder of the configuration, else the script's folder), a second fix " +
      'builds it from the script itself, `Path(__file__).resolve().parent / "<relative path>"`, adding ' +
      '`from pathlib import Path` once (scripts only: notebooks have no `__file__`). It is unsafe: the ' +
      'value becomes a `Path` (wrapped in `str(...)` where the code needs a string), and a script ' +
      'that is copied or installed away from its data no longer finds it.',
    options:
      '`allowed-path-prefixes` (list of strings): prefixes that are never reported, such as a shared ' +
      'mount every machine has (`["/mnt/shared/"]`). System locations (`/dev/`, `/proc/`, `/etc/`, ' +
      '`/usr/`, `/tmp`, `C:\\Windows`, `C:\\Program Files`, …) and URLs are never reported. A ' +
      'path-named constant that reaches no I/O in the file is reported when it lies under a folder ' +
      'where machines keep users, data and outputs (`/home`, `/Users`, `/data`, `/mnt`, `/srv`, ' +
      '`/scratch`, `/opt`, `/workspace`, …), Colab, Kaggle or Databricks roots, a drive, a share or `~`.',
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
        py`
          import os

          import pandas as pd

          if os.path.exists("/kaggle/input"):
              df = pd.read_csv("/kaggle/input/churn/train.csv")
          else:
              df = pd.read_csv(os.environ["TRAIN_CSV"])
        `,
      ],
    },
  },
  create(context) {
    const { semantic, options } = context;
    const reported = new Set<number>();

    const fixesFor = (literal: Node, kind: PathKind, sink: SinkArgument | undefined): Fix[] => {
      const plain = semantic.stringLiteral(literal);
      const fixes = envFix(context, literal, sink?.sinkName, plain ?? literal.text, 'path');
      // A location inside the project can be built from the script's own folder instead.
      const rel =
        plain !== undefined && (kind === 'POSIX' || kind === 'Windows')
          ? workspaceRelative(context, plain)
          : undefined;
      const anchored =
        rel &&
        anchoredFix(context, literal, rel, {
          needsStr: sink?.needsStr,
          title: `Build the path from the script's folder ("${rel}")`,
        });
      return anchored ? [...fixes, anchored] : fixes;
    };

    const check = (
      value: ResolvedValue | undefined,
      where: Node,
      sink: SinkArgument | undefined,
      assignedName?: string,
    ) => {
      // Only values whose text starts with a literal can be a hardcoded location.
      const first = value?.parts[0];
      if (!value || first?.kind !== 'literal') return;
      const prefix = literalPrefix(value);
      const kind = classifyAbsolutePath(prefix, options.allowedPathPrefixes);
      if (!kind) return;
      // A location judged by a name alone must look like a file system path, not an API route.
      if ((!sink || sink.byKeywordName) && !looksLikeFilesystemPath(prefix, kind)) return;
      // A constant that reaches no I/O here must sit under a folder where machines keep data.
      if (!sink && !isUnderLocationRoot(prefix, kind)) return;
      // Code that checks first whether the location exists adapts to machines without it.
      if (isProbeGuarded(semantic, where, prefix)) return;
      // `"/data/team/" "train.csv"` is one value: the whole concatenation is reported and wrapped.
      const literal = reportedLiteral(first.node);
      // Each literal is reported once, at the first sink that reaches it.
      if (reported.has(literal.id)) return;
      reported.add(literal.id);
      const target = sink
        ? reachesText(context, literal, where, sink.sinkName)
        : `is assigned to ${assignedName}`;
      context.report({
        node: literal,
        message: `Hardcoded ${describe(kind)} "${shown(prefix)}" ${target}; read it from configuration or the environment`,
        fixes: fixesFor(literal, kind, sink),
      });
    };

    return {
      call(call) {
        for (const sink of pathSinkArguments(semantic, call)) {
          // `if os.path.exists("/content/drive"):` decides, it does not depend on the location.
          if (sink.probe && isAdaptiveProbe(call)) continue;
          check(semantic.resolveValue(sink.value), sink.site, sink);
        }
      },
      module() {
        for (const { start, end, token, command } of magicArguments(context)) {
          // Only the arguments of shell escapes and `%cd`-like magics that are local locations.
          const kind = classifyAbsolutePath(token, options.allowedPathPrefixes);
          if (!kind) continue;
          context.report({
            start,
            end,
            message: `Hardcoded ${describe(kind)} "${token}" in \`${command}\`; read it from configuration or the environment`,
          });
        }
      },
      assignment(assignment) {
        const left = field(assignment, 'left');
        const right = field(assignment, 'right');
        // Only `NAME = value` where the name says it is a location.
        if (left?.type !== 'identifier' || !right || !isPathName(left.text, PATH_NAME)) return;
        // Fields of a pydantic `BaseSettings` class are read from the environment already.
        if (isSettingsField(semantic, assignment)) return;
        check(semantic.resolveValue(right), assignment, undefined, left.text);
      },
    };
  },
});
