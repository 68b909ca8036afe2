import type { Node } from 'web-tree-sitter';
import {
  addSetupLines,
  importLines,
  indentationAt,
  insertAt,
  lineBreak,
  replaceNode,
} from '../fixes/edits';
import { argument, callArguments, field, type CallArguments } from '../semantic/nodes';
import type { SemanticModel } from '../semantic/model';
import { defineRule, py, type Fix, type RuleContext } from './types';

/** Loaders that run arbitrary code from the bytes they read, whatever the arguments. */
const ALWAYS_UNSAFE: Record<string, string> = {
  'pickle.load': 'pickle',
  'pickle.loads': 'pickle',
  'pickle.Unpickler': 'pickle',
  'dill.load': 'dill',
  'dill.loads': 'dill',
  'cloudpickle.load': 'cloudpickle',
  'cloudpickle.loads': 'cloudpickle',
  'jsonpickle.decode': 'jsonpickle',
  'marshal.load': 'marshal',
  'marshal.loads': 'marshal',
  'shelve.open': 'shelve (pickle)',
  'pandas.read_pickle': 'pandas.read_pickle (pickle)',
  'joblib.load': 'joblib (pickle)',
  'yaml.unsafe_load': 'yaml.unsafe_load',
  'yaml.unsafe_load_all': 'yaml.unsafe_load_all',
  'yaml.full_load': 'yaml.full_load',
  'yaml.full_load_all': 'yaml.full_load_all',
};

const TORCH_DISTRIBUTED_OBJECTS = new Set([
  'torch.distributed.broadcast_object_list',
  'torch.distributed.all_gather_object',
  'torch.distributed.gather_object',
  'torch.distributed.scatter_object_list',
  'torch.distributed.recv_object_list',
  'torch.distributed.send_object_list',
]);

const SAFE_YAML_LOADERS = /^yaml\.(\w+\.)?C?(Safe|Base)Loader$/;
const UNSAFE_YAML_LOADERS = /^yaml\.(\w+\.)?C?(Unsafe|Full)?Loader$/;
/** `pickle.loads(pickle.dumps(x))` is a deep copy of this process's own objects. */
const PICKLE_DUMPS = /^(pickle|dill|cloudpickle|marshal)\.dumps$/;
const KERAS_LOADERS = new Set(['keras.models.load_model', 'keras.saving.load_model']);

type Truth = 'true' | 'false' | 'unknown' | 'absent';

interface KeywordValue {
  truth: Truth;
  /** The expression that holds the value: the keyword argument's, or the entry of a `**kwargs` dict. */
  node?: Node;
}

/** The truth value of a keyword argument, following simple local values and `**kwargs` dicts. */
function keywordValue(semantic: SemanticModel, args: CallArguments, name: string): KeywordValue {
  let value = args.keywords.get(name);
  if (!value) {
    for (const splat of args.doubleStar) {
      const dict = semantic.followName(splat);
      if (dict.type !== 'dictionary') return { truth: 'unknown' };
      for (const pair of dict.namedChildren) {
        if (pair?.type === 'pair' && semantic.stringLiteral(field(pair, 'key')) === name)
          value = field(pair, 'value')!;
      }
    }
    if (!value) return { truth: 'absent' };
  }
  const resolved = semantic.followName(value);
  if (resolved.type === 'true') return { truth: 'true', node: value };
  if (resolved.type === 'false' || resolved.type === 'none') return { truth: 'false', node: value };
  return { truth: 'unknown', node: value };
}

function keywordTruth(semantic: SemanticModel, args: CallArguments, name: string): Truth {
  return keywordValue(semantic, args, name).truth;
}

/** Sets a keyword where its value lives, or adds it after the last argument keeping the layout. */
function setKeyword(
  context: RuleContext,
  args: CallArguments,
  name: string,
  literal: 'True' | 'False',
): Fix['edits'] {
  // A value from a `**kwargs` dict is changed in the dict: a second keyword would be a TypeError.
  const existing = keywordValue(context.semantic, args, name).node;
  if (existing) return [replaceNode(existing, literal)];
  const list = args.node!;
  const items = list.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const last = items[items.length - 1];
  if (!last) return [insertAt(list.lastChild!.startIndex, `${name}=${literal}`)];
  const comma = last.nextSibling?.type === ',' ? last.nextSibling : undefined;
  // One argument per line with a trailing comma: the keyword gets a line of its own.
  if (comma && list.lastChild!.startPosition.row > comma.endPosition.row) {
    const indent = indentationAt(context.file.text, last.startIndex);
    return [
      insertAt(comma.endIndex, `${lineBreak(context, comma.endIndex)}${indent}${name}=${literal},`),
    ];
  }
  return [insertAt((comma ?? last).endIndex, `${comma ? ' ' : ', '}${name}=${literal}`)];
}

/** Whether a yaml `Loader` argument is a safe loader, a code-running one, or cannot be told. */
function yamlLoaderSafety(
  semantic: SemanticModel,
  loader: Node | undefined,
): 'safe' | 'unsafe' | 'unknown' {
  // No Loader, or `Loader=None`, falls back to the unsafe default of older PyYAML.
  if (!loader) return 'unsafe';
  const node = semantic.followName(loader);
  if (node.type === 'none') return 'unsafe';
  // A name imported on both branches of a `try` is judged by every import it may stand for.
  const names =
    node.type === 'identifier'
      ? semantic
          .bindingsOf(node.text, node)
          .map((b) => (b.kind === 'import' ? b.qualifiedName : undefined))
      : [semantic.qualifiedName(node)];
  if (names.some((n) => n && UNSAFE_YAML_LOADERS.test(n))) return 'unsafe';
  if (names.length > 0 && names.every((n) => n && SAFE_YAML_LOADERS.test(n))) return 'safe';
  return 'unknown';
}

export const unsafeDeserialization = defineRule({
  code: 'MLH301',
  name: 'unsafe-deserialization',
  family: 'inputs',
  severity: { script: 'warning', notebook: 'warning', test: 'warning' },
  fix: 'sometimes',
  triggers: [
    'pickle',
    'dill',
    'marshal',
    'shelve',
    'joblib',
    'load',
    'yaml',
    'trust_remote_code',
    '_object',
    'decode',
    'Unpickler',
  ],
  docs: {
    summary: 'A deserializer that can execute code reads data that may not be trusted.',
    why:
      'Unpickling runs code chosen by whoever wrote the file. A model checkpoint downloaded from a ' +
      'hub, a file in a shared bucket or an upload to a prediction endpoint becomes remote code ' +
      'execution on the training cluster or the serving host. `torch.load` without `weights_only=True`, ' +
      '`yaml.load` without a safe loader, `np.load(allow_pickle=True)` and `trust_remote_code=True` ' +
      'all open the same door.',
    howToFix:
      'Load tensors with `torch.load(path, weights_only=True)` or safetensors; parse YAML with ' +
      '`yaml.safe_load`; keep `allow_pickle=False`; pin and review remote code instead of ' +
      '`trust_remote_code=True`. For scikit-learn models use skops or ONNX instead of pickle/joblib; ' +
      'only unpickle files you produced and whose integrity you check.',
    fixSafety:
      'The fixes (`weights_only=True`, `yaml.safe_load`, `allow_pickle=False`, ' +
      '`trust_remote_code=False`) are unsafe: files that really contain pickled objects or custom ' +
      'code stop loading, which is the point but needs review. pickle/joblib have no automatic fix.',
    examples: {
      invalid: [
        py`
          import torch as th

          state = th.load("checkpoint.pt")
        `,
        py`
          from sklearn.externals import joblib

          model = joblib.load(model_path)
        `,
        py`
          import yaml

          with open("config.yaml") as f:
              config = yaml.load(f, Loader=yaml.Loader)
        `,
        py`
          import numpy as np

          arr = np.load("features.npy", allow_pickle=True)
        `,
        py`
          from transformers import AutoModel

          model = AutoModel.from_pretrained("org/model", revision="0123456789abcdef0123456789abcdef01234567", trust_remote_code=True)
        `,
      ],
      valid: [
        py`
          import torch

          state = torch.load("checkpoint.pt", weights_only=True)
        `,
        py`
          import torch

          scripted = torch.jit.load("model.ts")
        `,
        py`
          import yaml

          with open("config.yaml") as f:
              config = yaml.load(f, Loader=yaml.SafeLoader)
        `,
        py`
          import numpy as np

          arr = np.load("features.npy")
        `,
        py`
          import torch

          safe = True
          state = torch.load("checkpoint.pt", weights_only=safe)
        `,
      ],
    },
  },
  create(context) {
    const { semantic } = context;

    return {
      call(call) {
        const callee = semantic.calleeName(call);
        const args = callArguments(call);
        const fnNode = field(call, 'function')!;

        // `from_pretrained(..., trust_remote_code=True)` on any receiver, and hub helpers.
        const trustRemoteCode = keywordValue(semantic, args, 'trust_remote_code');
        if (trustRemoteCode.truth === 'true') {
          context.report({
            node: args.keywords.get('trust_remote_code')?.parent ?? fnNode,
            message:
              '`trust_remote_code=True` runs Python code downloaded from the model repository',
            fixes: [
              {
                title: 'Set trust_remote_code=False',
                safety: 'unsafe',
                edits: setKeyword(context, args, 'trust_remote_code', 'False'),
              },
            ],
          });
          return;
        }
        // Everything below needs a resolved callee.
        if (!callee) return;

        if (ALWAYS_UNSAFE[callee]) {
          const data = args.positional[0] && semantic.followName(args.positional[0]);
          // Bytes this process pickled a moment ago (`pickle.loads(pickle.dumps(x))`) are its own.
          if (data?.type === 'call' && PICKLE_DUMPS.test(semantic.calleeName(data) ?? '')) return;
          const isYaml = callee.startsWith('yaml.');
          context.report({
            node: fnNode,
            message: isYaml
              ? `\`${callee}\` constructs arbitrary Python objects from YAML: use yaml.safe_load`
              : `${ALWAYS_UNSAFE[callee]} deserialization can execute code embedded in the data: load only trusted, integrity-checked data (prefer safetensors/skops/ONNX)`,
            fixes: isYaml && callee.includes('load') ? [yamlFix(context, call, callee)] : [],
          });
          return;
        }

        if (callee === 'torch.load') {
          const weightsOnly = keywordTruth(semantic, args, 'weights_only');
          // An explicit True, or a value we cannot resolve, is not reported.
          if (weightsOnly === 'true' || weightsOnly === 'unknown') return;
          context.report({
            node: fnNode,
            message:
              weightsOnly === 'false'
                ? '`torch.load(weights_only=False)` unpickles arbitrary objects: load weights only'
                : '`torch.load` without `weights_only=True` can unpickle arbitrary objects (the default before torch 2.6)',
            fixes: args.node
              ? [
                  {
                    title: 'Load weights only (weights_only=True)',
                    safety: 'unsafe',
                    edits: setKeyword(context, args, 'weights_only', 'True'),
                  },
                ]
              : [],
          });
          return;
        }

        if (callee === 'numpy.load') {
          // np.load refuses pickles unless allow_pickle=True is passed.
          if (keywordTruth(semantic, args, 'allow_pickle') !== 'true') return;
          context.report({
            node: args.keywords.get('allow_pickle')?.parent ?? fnNode,
            message: '`np.load(allow_pickle=True)` unpickles object arrays, which can execute code',
            fixes: [
              {
                title: 'Set allow_pickle=False',
                safety: 'unsafe',
                edits: setKeyword(context, args, 'allow_pickle', 'False'),
              },
            ],
          });
          return;
        }

        if (callee === 'yaml.load' || callee === 'yaml.load_all') {
          // A safe loader makes yaml.load safe; one we cannot resolve is not reported.
          if (yamlLoaderSafety(semantic, argument(args, 1, 'Loader')) !== 'unsafe') return;
          context.report({
            node: fnNode,
            message: `\`${callee}\` without a safe Loader constructs arbitrary Python objects: use yaml.safe_load`,
            fixes: [yamlFix(context, call, callee)],
          });
          return;
        }

        if (KERAS_LOADERS.has(callee)) {
          // Keras loads safely unless safe_mode=False lets lambda layers run.
          if (keywordTruth(semantic, args, 'safe_mode') !== 'false') return;
          context.report({
            node: args.keywords.get('safe_mode')?.parent ?? fnNode,
            message:
              '`load_model(safe_mode=False)` deserializes Lambda layers, which can execute code',
            fixes: [
              {
                title: 'Set safe_mode=True',
                safety: 'unsafe',
                edits: setKeyword(context, args, 'safe_mode', 'True'),
              },
            ],
          });
          return;
        }

        if (TORCH_DISTRIBUTED_OBJECTS.has(callee)) {
          context.report({
            node: fnNode,
            message: `\`${callee}\` unpickles objects received from other ranks: exchange tensors instead`,
          });
        }
      },
    };
  },
});

/** `yaml.load(f, Loader=...)` → `yaml.safe_load(f)`, keeping the receiver the code used. */
function yamlFix(context: RuleContext, call: Node, callee: string): Fix {
  const fn = field(call, 'function')!;
  const args = callArguments(call);
  const stream = args.positional[0] ?? args.keywords.get('stream');
  const safeName = callee.endsWith('_all') ? 'safe_load_all' : 'safe_load';
  // `from yaml import load` has no module name to call through, so `import yaml` is added.
  const receiver = fn.type === 'attribute' ? `${field(fn, 'object')!.text}.` : 'yaml.';
  const setup =
    fn.type === 'attribute' ? [] : addSetupLines(context, importLines(context, ['yaml']));
  return {
    title: `Use yaml.${safeName}`,
    safety: 'unsafe',
    edits: [replaceNode(call, `${receiver}${safeName}(${stream?.text ?? ''})`), ...setup],
  };
}
