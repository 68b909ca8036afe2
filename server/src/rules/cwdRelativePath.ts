import { basename } from 'node:path';
import type { Node } from 'web-tree-sitter';
import { literalPrefix, renderValue, type ResolvedValue } from '../semantic/model';
import { callArguments } from '../semantic/nodes';
import { pathSinkArguments, type SinkArgument } from './shared/pathSinks';
import {
  anchoredFix,
  isAdaptiveProbe,
  isProbeGuarded,
  reachesText,
  reportedLiteral,
  shown,
} from './shared/paths';
import { defineRule, py, type RuleContext } from './types';

/**
 * Extensions of data, model, configuration and media files: a bare file name with one of them that
 * is read (`pd.read_csv("train.csv")`) must sit in the working directory.
 */
const DATA_EXTENSIONS = new Set(
  (
    'csv tsv psv txt json jsonl ndjson parquet pq feather arrow ipc orc avro xlsx xls xlsm ods ' +
    'h5 hdf5 hdf nc zarr npy npz mat pkl pickle joblib dill sav pt pth ckpt safetensors onnx pb ' +
    'tflite keras gguf db sqlite sqlite3 yaml yml toml ini cfg tfrecord tfrecords libsvm svmlight ' +
    'arff dat png jpg jpeg bmp gif tif tiff wav mp3 flac mp4 avi gz zip tar bz2 xz'
  ).split(' '),
);

/** Build and tooling scripts that their tools always start from their own folder. */
const STARTED_IN_OWN_FOLDER = new Set(['setup.py', 'noxfile.py', 'conf.py', 'fabfile.py']);

type RelativeKind = 'parent' | 'folder' | 'file';

/**
 * How a value is relative to the working directory: it climbs out of it (`../models/x.pt`), names
 * a file in a folder below it (`data/train.csv`), or is a bare data file name (`train.csv`).
 * Absolute paths, URLs, `module:attr` strings and anything that does not look like a path are not.
 */
export function relativeKind(value: ResolvedValue): RelativeKind | undefined {
  const prefix = literalPrefix(value);
  if (!prefix || prefix.length > 300) return undefined;
  // Absolute, home, drive, UNC, URLs, environment references and templates are not cwd-relative.
  if (/^[/\\~$%{<-]/.test(prefix) || prefix.includes(':')) return undefined;
  // Messages and formats: control characters, markup, separators, or several words.
  if (/[\n\r\t<>|"=;,%#]/.test(prefix) || /^\s|\s$/.test(prefix) || prefix.split(' ').length > 3)
    return undefined;
  let text = renderValue(value).replace(/\\/g, '/');
  while (text.startsWith('./')) text = text.slice(2);
  const segments = text.split('/').filter(Boolean);
  if (segments.length === 0 || segments.every((s) => s === '..' || s === '.')) return undefined;
  if (text.startsWith('../')) return 'parent';
  if (segments.length >= 2) return 'folder';
  // `glob.glob("*.ini")` works on whatever folder it is run in, like `ls *.ini`.
  if (/[*?[]/.test(segments[0])) return undefined;
  const extension = /\.([A-Za-z0-9]+)$/.exec(segments[0])?.[1]?.toLowerCase();
  return extension && DATA_EXTENSIONS.has(extension) ? 'file' : undefined;
}

/** `org/name` with no extension is a Hugging Face Hub id as often as a local folder. */
function looksLikeHubId(value: ResolvedValue): boolean {
  const text = renderValue(value);
  return /^[\w.-]+\/[\w.-]+$/.test(text) && !/\.[A-Za-z0-9]+$/.test(text);
}

/**
 * Whether the program sets its own working directory (`os.chdir(os.path.dirname(__file__))`,
 * `os.chdir(args.workdir)`): relative paths after it are anchored on purpose.
 */
function setsWorkingDirectory(context: RuleContext): boolean {
  const { semantic } = context;
  return semantic.nodes('call').some((call) => {
    if (semantic.calleeName(call) !== 'os.chdir') return false;
    const target = callArguments(call).positional[0];
    return !!target && semantic.resolveValue(target)?.parts[0]?.kind !== 'literal';
  });
}

export const cwdRelativePath = defineRule({
  code: 'MLH203',
  name: 'cwd-relative-path',
  family: 'paths',
  severity: { script: 'warning', notebook: 'warning', test: 'off' },
  relaxedInExploration: true,
  fix: 'sometimes',
  // A reported path has a separator, is joined (`os.path.join`, `Path(a, b)`) or is a data file
  // name with its extension (matched whatever its case, like the extension check).
  triggers: ['/', '\\', 'join', 'path', ...[...DATA_EXTENSIONS].map((e) => `.${e}`)],
  triggersIgnoreCase: true,
  docs: {
    summary: 'A relative data path is resolved against the working directory, not the script.',
    why:
      '`pd.read_csv("data/train.csv")` reads from wherever the process was started. Run from the ' +
      'project folder it works; started by cron, Airflow, a Docker `WORKDIR`, an IDE run ' +
      'configuration or `python src/train.py` from one folder up, it fails with FileNotFoundError ' +
      'or, for writes, scatters outputs into whatever folder that was.',
    howToFix:
      'Build paths from the script\'s location, `Path(__file__).resolve().parent / "data/train.csv"`, ' +
      'or take them from the CLI or configuration. Not reported: paths built from `__file__`, ' +
      'values from argparse/click/typer options and function parameters, config values, bare file ' +
      'names that are written (a CLI writing its output to the working directory is a convention), ' +
      'bare names without a data extension (`"outputs"`), Hugging Face Hub ids (`org/name`), ' +
      'existence checks and the code they guard (`if os.path.exists("data/cache.parquet"): ...`), ' +
      'scripts that `os.chdir` to a computed folder, and `setup.py`/`noxfile.py`/`conf.py`, which ' +
      'their tools start in their own folder. In notebooks (no `__file__`, and run from their own ' +
      'folder by Jupyter) the rule is a hint under the exploration profile.',
    fixSafety:
      'The fix replaces the literal with `Path(__file__).resolve().parent / "<path>"` (`.parents[n]` ' +
      'for each leading `../`), adding `from pathlib import Path` once, and wraps it in `str(...)` ' +
      'where the code needs a string. It is unsafe: it assumes the path was meant relative to the ' +
      "script's folder, and changes which file is read when the script used to be started elsewhere.",
    examples: {
      invalid: [
        py`
          import pandas as pd

          df = pd.read_csv("data/train.csv")
        `,
        py`
          import torch

          state = torch.load("../models/churn.pt", weights_only=True)
        `,
        py`
          import os

          import pandas as pd

          DATA_DIR = "data/processed"
          features = pd.read_parquet(os.path.join(DATA_DIR, "features.parquet"))
        `,
      ],
      valid: [
        py`
          from pathlib import Path

          import pandas as pd

          HERE = Path(__file__).resolve().parent
          df = pd.read_csv(HERE / "data" / "train.csv")
        `,
        py`
          import argparse

          import pandas as pd

          parser = argparse.ArgumentParser()
          parser.add_argument("--train", default="data/train.csv")
          df = pd.read_csv(parser.parse_args().train)
        `,
        py`
          import pandas as pd

          predictions = pd.DataFrame({"y": [0, 1]})
          predictions.to_csv("predictions.csv", index=False)
        `,
      ],
    },
  },
  create(context) {
    const { semantic, file } = context;
    const reported = new Set<number>();
    // Tools start these scripts in their own folder, and a script that sets its own working
    // directory anchors its relative paths on purpose.
    const skipped = STARTED_IN_OWN_FOLDER.has(basename(file.path)) || setsWorkingDirectory(context);

    const check = (value: ResolvedValue | undefined, sink: SinkArgument, call: Node) => {
      // Only values whose text starts with a literal can be a hardcoded relative path.
      const first = value?.parts[0];
      if (!value || first?.kind !== 'literal') return;
      const kind = relativeKind(value);
      if (!kind) return;
      // Code that checks first whether the file is there adapts to other working directories.
      if (isProbeGuarded(semantic, call, literalPrefix(value))) return;
      // A bare file name that is written lands in the working directory by convention.
      if (kind === 'file' && sink.access !== 'read' && sink.access !== 'both') return;
      // `from_pretrained("org/model")` names a Hub repository as often as a local folder.
      if (sink.hub && kind === 'folder' && looksLikeHubId(value)) return;
      const literal = reportedLiteral(first.node);
      // Each literal is reported once, at the first sink that reaches it.
      if (reported.has(literal.id)) return;
      reported.add(literal.id);
      const text = renderValue(value);
      const own = semantic.stringLiteral(literal);
      const interpolated = literal.descendantsOfType('interpolation').length > 0;
      // An f-string is kept as written behind the anchor; a plain literal is rewritten.
      const rel = interpolated ? literal.text : own;
      const fix =
        rel === undefined
          ? undefined
          : anchoredFix(context, literal, rel, {
              needsStr: sink.needsStr,
              title: "Resolve the path against the script's folder",
            });
      context.report({
        node: literal,
        message: `Relative path "${shown(text)}" ${reachesText(context, literal, sink.site, sink.sinkName)}; it is resolved against the working directory, so the script only works when started from one folder`,
        fixes: fix ? [fix] : [],
      });
    };

    return {
      call(call: Node) {
        if (skipped) return;
        for (const sink of pathSinkArguments(semantic, call)) {
          // `if os.path.isfile("setup.cfg"):` asks about the working directory on purpose.
          if (sink.probe && isAdaptiveProbe(call)) continue;
          // A relative symlink target is resolved against the link's folder, Hydra's
          // `config_path=` against the calling file.
          if (sink.linkTarget || sink.fileRelative) continue;
          // `load_tree(path="resources/x.json")` on a function of the file may anchor it itself;
          // a keyword counts only on an imported API (`TrainingArguments(output_dir=...)`).
          if (sink.byKeywordName && !sink.resolvedCallee) continue;
          check(semantic.resolveValue(sink.value), sink, call);
        }
      },
    };
  },
});
