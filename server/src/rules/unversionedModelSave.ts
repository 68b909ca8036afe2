import type { Node } from 'web-tree-sitter';
import {
  addSetupLines,
  importLines,
  indentationAt,
  insertAt,
  lineBreak,
  replaceNode,
} from '../fixes/edits';
import { renderValue, type SemanticModel } from '../semantic/model';
import { callArguments, enclosingStatement, field, unparenthesize } from '../semantic/nodes';
import { defineRule, py, type Fix, type RuleContext, type Visitors } from './types';

interface SaveApi {
  /** Position and keyword of the destination argument. */
  position: number;
  keyword: string;
  /** Generic serializers save anything; they count only when the object or file looks like a model. */
  generic?: boolean;
}

const FUNCTION_SAVES: Record<string, SaveApi> = {
  // torch.save writes datasets, tensors and embeddings as readily as models.
  'torch.save': { position: 1, keyword: 'f', generic: true },
  'joblib.dump': { position: 1, keyword: 'filename', generic: true },
  'pickle.dump': { position: 1, keyword: 'file', generic: true },
  'cloudpickle.dump': { position: 1, keyword: 'file', generic: true },
  'dill.dump': { position: 1, keyword: 'file', generic: true },
  'keras.models.save_model': { position: 1, keyword: 'filepath' },
  'keras.saving.save_model': { position: 1, keyword: 'filepath' },
  'tensorflow.saved_model.save': { position: 1, keyword: 'export_dir' },
  'torch.onnx.export': { position: 2, keyword: 'f' },
  'safetensors.torch.save_file': { position: 1, keyword: 'filename' },
  'safetensors.numpy.save_file': { position: 1, keyword: 'filename' },
  'skops.io.dump': { position: 1, keyword: 'file' },
};

const MLFLOW_SAVE = /^mlflow\.\w+\.save_model$/;

const METHOD_SAVES: Record<string, SaveApi> = {
  save_pretrained: { position: 0, keyword: 'save_directory' },
  save_weights: { position: 0, keyword: 'filepath' },
  save_model: { position: 0, keyword: 'fname' },
  save: { position: 0, keyword: 'filepath', generic: true },
};

/** Name tokens that say a value is a model, a part of one, or a checkpoint of one. */
const MODEL_TOKENS = new Set([
  'model',
  'models',
  'net',
  'network',
  'clf',
  'classifier',
  'regressor',
  'estimator',
  'pipeline',
  'pipe',
  'learner',
  'learn',
  'booster',
  'checkpoint',
  'ckpt',
  'weights',
  'encoder',
  'decoder',
  'tokenizer',
  'vectorizer',
  'keras',
  'xgb',
  'lgbm',
  'svm',
  'forest',
  'backbone',
  'transformer',
  'bert',
]);
/** Words before `weights` that make it data rather than parameters: `class_weights`. */
const DATA_WEIGHTS = new Set(['class', 'sample', 'loss', 'feature', 'attention', 'attn', 'label']);
/** Last tokens that make a model-named value something about a model: `model_card`, `pipeline_report`. */
const NOT_A_MODEL = new Set([
  'card',
  'config',
  'cfg',
  'report',
  'summary',
  'metrics',
  'scores',
  'results',
  'history',
  'names',
  'features',
  'params',
  'args',
  'dataset',
  'data',
  'info',
  'metadata',
  'path',
  'dir',
  'file',
  'name',
]);
/** Files a model is saved as; `.json` only counts for booster `save_model`, not a generic save. */
const MODEL_EXTENSION =
  /\.(pt|pth|ckpt|h5|hdf5|keras|tf|pkl|pickle|joblib|onnx|safetensors|bin|model|tflite|pb|skops|cbm|ubj)(\.(gz|bz2|xz|lzma|z))?$/i;

/** The words of an identifier or dotted name: `self.bestModel_v2` → self, best, model, v, 2. */
function nameTokens(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z])(\d)/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Whether a name says model: a model word in it (`resnet` ends in `net`), not ending in `card` and the like. */
function isModelName(text: string): boolean {
  const tokens = nameTokens(text);
  if (tokens.length === 0 || NOT_A_MODEL.has(tokens[tokens.length - 1])) return false;
  return tokens.some(
    (token, i) =>
      (MODEL_TOKENS.has(token) && !(token === 'weights' && DATA_WEIGHTS.has(tokens[i - 1]))) ||
      (token.length >= 4 && token.endsWith('net')),
  );
}

/** Functions that return what their name says: `build_model()`, `make_pipeline()`. */
const BUILDER = /^(get|build|create|make|load|init|train|fit)_/;

/** The stem of the file a path names: `out/churn_model.joblib` → `churn_model`. */
function fileStem(path: string): string {
  return (path.split(/[\\/]/).pop() ?? '').replace(/\.[^.]*$/, '');
}

/**
 * Whether the saved object is a model: a model-like name, a `.state_dict()`, an estimator built or
 * fitted in place (`rf = RandomForestClassifier()`), a copy or an item of one, or a checkpoint dict
 * with model or optimizer keys.
 */
function isModelObject(
  semantic: SemanticModel,
  expression: Node | null | undefined,
  depth = 0,
): boolean {
  if (!expression || depth > 4) return false;
  const node = unparenthesize(expression);
  if (node.type === 'identifier' || node.type === 'attribute') {
    if (isModelName(node.text)) return true;
    const value = node.type === 'identifier' ? semantic.valueOf(node) : undefined;
    return !!value && isModelObject(semantic, value, depth + 1);
  }
  if (node.type === 'call') {
    const fn = field(node, 'function');
    const name = fn?.type === 'attribute' ? field(fn, 'attribute')?.text : fn?.text;
    if (name === 'state_dict') return true;
    // `copy.deepcopy(model.state_dict())` is a copy of what it is given.
    if (name === 'deepcopy')
      return isModelObject(semantic, callArguments(node).positional[0], depth + 1);
    // `LogisticRegression().fit(X, y)` returns the estimator it was called on.
    if (name === 'fit' && fn?.type === 'attribute')
      return isModelObject(semantic, field(fn, 'object'), depth + 1);
    // A class built in place (`RandomForestClassifier()`) or a builder (`make_pipeline(...)`).
    return !!name && (/^[A-Z]/.test(name) || BUILDER.test(name)) && isModelName(name);
  }
  // `models[best]` is one of the models.
  if (node.type === 'subscript') return isModelObject(semantic, field(node, 'value'), depth + 1);
  if (node.type === 'dictionary') {
    return node.namedChildren.some((pair) => {
      if (pair?.type !== 'pair') return false;
      const key = semantic.stringLiteral(field(pair, 'key')) ?? '';
      return /optim|state_dict/i.test(key) || isModelName(key);
    });
  }
  return false;
}

/** A version already written into the literal: `v2`, a date, `1.4.0`, a TF-Serving `/<n>` dir. */
const LITERAL_VERSION = /(^|[^a-z])v\d+|\d{8}|\d+\.\d+\.\d+|[\\/]\d+[\\/]?$/i;
/** Names whose value is a version even when it is a plain constant: `MODEL_VERSION`, `git_sha`. */
const VERSION_NAME = /version|(^|_)(ver|rev|revision|release|sha|commit)(_|$)/i;
/** Calls that build a path from their arguments, the last one being the file name. */
const PATH_BUILDERS = new Set([
  'os.path.join',
  'posixpath.join',
  'pathlib.Path',
  'pathlib.PurePath',
  'builtins.str',
  'os.fspath',
]);

const REGISTRATION_FUNCTIONS =
  /^(mlflow(\.\w+)?\.(log_model|log_artifacts?|register_model)|wandb\.(log_artifact|Artifact|save|log_model)|neptune\..*upload.*|clearml\..*upload.*|comet_ml\..*log_model)$/;
const REGISTRATION_METHODS = new Set([
  'log_artifact',
  'log_artifacts',
  'log_model',
  'push_to_hub',
  'upload_artifact',
  'register_model',
  'add_file',
  'add_dir',
  'upload',
]);

/** The path a file object was opened with: `open(p, "wb")`, directly or through `with ... as f`. */
function openedPath(semantic: SemanticModel, expression: Node): Node | undefined {
  let node = unparenthesize(expression);
  if (node.type === 'identifier') {
    const binding = semantic.singleBinding(node);
    const target = binding?.target.parent;
    if (binding?.kind === 'assign' && binding.value) node = unparenthesize(binding.value);
    else if (target?.type === 'as_pattern_target' && target.parent?.type === 'as_pattern')
      node = target.parent.namedChild(0)!;
  }
  if (node.type === 'call' && semantic.calleeName(node) === 'builtins.open')
    return callArguments(node).positional[0];
  return undefined;
}

function isRegistration(
  semantic: SemanticModel,
  call: Node,
  trackingCalls: readonly string[],
): boolean {
  const callee = semantic.calleeName(call);
  if (callee && REGISTRATION_FUNCTIONS.test(callee)) return true;
  const method = semantic.methodName(call);
  if (method && REGISTRATION_METHODS.has(method)) return true;
  // Configured names match the qualified callee, its last segment, a plain function or a method.
  const fn = field(call, 'function');
  const names = [callee, callee?.split('.').pop(), fn?.type === 'identifier' ? fn.text : method];
  return names.some((name) => !!name && trackingCalls.includes(name));
}

/** Whether the destination, or a value it is built from, is named as a version (`f"m-{VERSION}.pt"`). */
function mentionsVersion(semantic: SemanticModel, expression: Node, depth = 0): boolean {
  if (depth > 4) return false;
  for (const name of [expression, ...expression.descendantsOfType('identifier')]) {
    if (name?.type !== 'identifier') continue;
    // Attribute and keyword names (`os.path`, `f(version=...)`) are not values of the path.
    if (name.parent?.type === 'attribute' && field(name.parent, 'attribute')?.id === name.id)
      continue;
    if (name.parent?.type === 'keyword_argument' && field(name.parent, 'name')?.id === name.id)
      continue;
    if (VERSION_NAME.test(name.text)) return true;
    const value = semantic.valueOf(name);
    if (value && mentionsVersion(semantic, value, depth + 1)) return true;
  }
  return false;
}

/**
 * The plain string literal that holds the file name: the last part of `os.path.join(DIR, "m.pt")`,
 * `OUT / "m.pt"`, `DIR + "/m.pt"` or of the constant a name is bound to.
 */
function fileNameLiteral(semantic: SemanticModel, expression: Node, depth = 0): Node | undefined {
  if (depth > 8) return undefined;
  const node = semantic.followName(expression);
  if (node.type === 'string')
    return node.namedChildren.some((c) => c?.type === 'interpolation') ? undefined : node;
  if (node.type === 'binary_operator')
    return fileNameLiteral(semantic, field(node, 'right')!, depth + 1);
  if (node.type !== 'call' || !PATH_BUILDERS.has(semantic.calleeName(node) ?? '')) return undefined;
  const args = callArguments(node);
  const last = args.positional[args.positional.length - 1];
  return last && args.star.length === 0 ? fileNameLiteral(semantic, last, depth + 1) : undefined;
}

function versionFilenameFix(context: RuleContext, literal: Node): Fix | undefined {
  const open = literal.firstChild!.text;
  const quote = open.replace(/^[A-Za-z]*/, '');
  // Triple-quoted and byte strings are left alone.
  if (quote.length !== 1 || /b/i.test(open)) return undefined;
  // `import time` would shadow another `time` (`from datetime import time`) the code still uses.
  const timeBindings = context.semantic.bindingsOf('time', literal);
  if (timeBindings.some((b) => b.qualifiedName !== 'time')) return undefined;
  const prefix = open.slice(0, -1).replace(/[uU]/g, '');
  const content = literal.text.slice(open.length, literal.text.length - 1);
  const escaped = content.replace(/\{/g, '{{').replace(/\}/g, '}}');
  const slash = Math.max(escaped.lastIndexOf('/'), escaped.lastIndexOf('\\'));
  const dot = escaped.lastIndexOf('.');
  const split = dot > slash + 1 ? dot : escaped.length;
  const inner = quote === '"' ? "'" : '"';
  const stamp = `-{time.strftime(${inner}%Y%m%d-%H%M%S${inner})}`;
  const text = `${prefix}f${quote}${escaped.slice(0, split)}${stamp}${escaped.slice(split)}${quote}`;
  return {
    title: 'Add a timestamp to the file name',
    safety: 'unsafe',
    edits: [replaceNode(literal, text), ...addSetupLines(context, importLines(context, ['time']))],
  };
}

function logArtifactFix(
  context: RuleContext,
  call: Node,
  destination: Node,
  isDirectory: boolean,
): Fix | undefined {
  const { semantic } = context;
  const tracker = semantic.imports.find(
    (b) => b.qualifiedName === 'mlflow' || b.qualifiedName === 'wandb',
  );
  if (!tracker) return undefined;
  const statement = enclosingStatement(call);
  // A statement sharing its line with a compound header cannot take a line after it.
  if (
    statement.parent &&
    statement.parent.type === 'block' &&
    statement.parent.startPosition.row === statement.parent.parent?.startPosition.row
  ) {
    return undefined;
  }
  const indent = indentationAt(context.file.text, statement.startIndex);
  const name = tracker.target.text;
  const line =
    tracker.qualifiedName === 'mlflow'
      ? `${name}.${isDirectory ? 'log_artifacts' : 'log_artifact'}(${destination.text})`
      : `${name}.log_artifact(${destination.text}, type="model")`;
  return {
    title: `Log the saved model with ${line.split('(')[0]}`,
    safety: 'unsafe',
    edits: [
      insertAt(statement.endIndex, `${lineBreak(context, statement.startIndex)}${indent}${line}`),
    ],
  };
}

export const unversionedModelSave = defineRule({
  code: 'MLH401',
  name: 'unversioned-model-save',
  family: 'artifacts',
  severity: { script: 'warning', notebook: 'warning', test: 'off' },
  fix: 'sometimes',
  triggers: ['save', 'dump', 'export'],
  docs: {
    summary: 'A model is saved to a fixed path with no version and is not logged to a registry.',
    why:
      'Every run overwrites `model.pkl`. When the new model misbehaves in production there is no ' +
      'previous artifact to roll back to, and no way to tell which code, data and parameters produced ' +
      'the file that is serving. Auditors and on-call engineers need every deployed model to be traceable.',
    howToFix:
      'Put a version in the destination (run id, timestamp, epoch/step, git sha), or log the artifact ' +
      'to a tracker or registry (`mlflow.log_artifact`, `mlflow.<flavor>.log_model`, ' +
      '`wandb.log_artifact`, `push_to_hub`), or declare the path as a DVC output.',
    fixSafety:
      'Both fixes are unsafe: a timestamped file name changes where downstream code finds the model, ' +
      'and logging an artifact uploads it to the tracking server.',
    options: '`tracking-calls` (list): extra function or method names that register an artifact.',
    examples: {
      invalid: [
        py`
          import torch

          torch.save(model.state_dict(), "checkpoints/model.pt")
        `,
        py`
          import joblib

          MODEL_PATH = "models/churn_model.joblib"
          joblib.dump(clf, MODEL_PATH)
        `,
        py`
          import pickle

          with open("model.pkl", "wb") as f:
              pickle.dump(model, f)
        `,
        py`
          model.save_pretrained("outputs/bert-finetuned")
        `,
      ],
      valid: [
        py`
          import torch

          torch.save(model.state_dict(), f"checkpoints/model-epoch{epoch}.pt")
        `,
        py`
          import mlflow
          import joblib

          joblib.dump(clf, "model.joblib")
          mlflow.log_artifact("model.joblib")
        `,
        py`
          import joblib

          joblib.dump(clf, args.output_path)
        `,
        py`
          import pickle

          with open("results.pkl", "wb") as f:
              pickle.dump(scores, f)
        `,
      ],
    },
  },
  create(context): Visitors {
    const { semantic, options } = context;
    const registered = semantic
      .nodes('call')
      .some((call) => isRegistration(semantic, call, options.trackingCalls));
    // A program that logs or registers its artifacts anywhere is versioned by its tracker.
    if (registered) return {} satisfies Visitors;

    return {
      call(call) {
        const callee = semantic.calleeName(call);
        const method = semantic.methodName(call);
        const api = callee
          ? (FUNCTION_SAVES[callee] ??
            (MLFLOW_SAVE.test(callee) ? { position: 1, keyword: 'path' } : undefined))
          : method
            ? METHOD_SAVES[method]
            : undefined;
        // Only calls that save a model artifact.
        if (!api) return;
        const args = callArguments(call);
        const destination = args.keywords.get(api.keyword) ?? args.positional[api.position];
        if (!destination) return;
        const pathNode = openedPath(semantic, destination) ?? destination;
        const value = semantic.resolveValue(pathNode);
        // A destination with any part we cannot resolve (CLI argument, config, run id) is not fixed.
        if (!value || value.parts.some((p) => p.kind === 'hole')) return;
        const path = renderValue(value);
        // A version already written into the path counts.
        if (LITERAL_VERSION.test(path) || /:\/\//.test(path)) return;
        // A constant named as a version (`MODEL_VERSION = "2"`) is bumped by hand on purpose.
        if (mentionsVersion(semantic, pathNode)) return;
        if (api.generic) {
          const fileName = path.split(/[\\/]/).pop() ?? '';
          if (callee) {
            const saved =
              args.positional[0] ?? args.keywords.get('obj') ?? args.keywords.get('value');
            const modelFile = isModelName(fileStem(fileName)) && MODEL_EXTENSION.test(fileName);
            // Serializers of anything count for a model-like object, or a model-named model file.
            if (!isModelObject(semantic, saved) && !modelFile) return;
          } else {
            const receiver = field(field(call, 'function'), 'object');
            // Images, figures and reports have `.save()` too: only a model-like receiver writing a
            // model file or a directory counts.
            if (!isModelObject(semantic, receiver)) return;
            if (fileName.includes('.') && !MODEL_EXTENSION.test(fileName)) return;
          }
        }
        const isDirectory = !/\.\w+$/.test(path);
        const literal = fileNameLiteral(semantic, pathNode);
        const fixes = [
          literal ? versionFilenameFix(context, literal) : undefined,
          logArtifactFix(context, call, pathNode, isDirectory),
        ].filter((f): f is Fix => !!f);
        context.report({
          node: destination,
          message: `Model saved to the fixed path "${path}": the next run overwrites it; add a version (run id, timestamp, epoch) or log it to a model registry`,
          fixes,
        });
      },
    };
  },
});
