import type { Node } from 'web-tree-sitter';
import {
  addSetupLines,
  importLines,
  indentationAt,
  insertAt,
  lineBreak,
  replaceNode,
} from '../fixes/edits';
import {
  argument,
  callArguments,
  field,
  unparenthesize,
  type CallArguments,
} from '../semantic/nodes';
import type { SemanticModel } from '../semantic/model';
import { guaranteedAtLeast, manifestLabel, type Requirement } from './shared/dependencies';
import { provenanceOf, type Provenance } from './shared/provenance';
import { defineRule, py, type Fix, type RuleContext, type Severity } from './types';

/** Loaders that run arbitrary code from the bytes they read, whatever the arguments. */
const ALWAYS_UNSAFE: Record<string, string> = {
  'pickle.load': 'pickle',
  'pickle.loads': 'pickle',
  'pickle.Unpickler': 'pickle',
  'dill.load': 'dill',
  'dill.loads': 'dill',
  'cloudpickle.load': 'cloudpickle',
  'cloudpickle.loads': 'cloudpickle',
  'dill.Unpickler': 'dill',
  'dill.load_session': 'dill',
  'dill.load_module': 'dill',
  'jsonpickle.decode': 'jsonpickle',
  'jsonpickle.loads': 'jsonpickle',
  'marshal.load': 'marshal',
  'marshal.loads': 'marshal',
  'shelve.open': 'shelve (pickle)',
  'shelve.DbfilenameShelf': 'shelve (pickle)',
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
/** Loaders whose input is bytes or text rather than a path or a file. */
const DATA_LOADERS = /\.(loads|decode)$|^yaml\./;
/** Keywords that carry the loaded file, path or bytes, when not passed by position. */
const INPUT_KEYWORDS = [
  'f',
  'file',
  'filename',
  'filepath',
  'filepath_or_buffer',
  'fp',
  'path',
  'stream',
  'data',
  'string',
  'pretrained_model_name_or_path',
];
/** torch 2.6 made `weights_only=True` the default of `torch.load`. */
const TORCH_PACKAGES = ['torch', 'pytorch'];
const WEIGHTS_ONLY_DEFAULT_SINCE = [2, 6];
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
      'all open the same door.\n\n' +
      'The finding is a warning. It is an error when what is loaded comes from outside the ' +
      'program: an HTTP request (Flask/Django `request`, FastAPI `UploadFile` or route parameters), ' +
      'a download (`requests`, `urllib`, `hf_hub_download`, a `http(s)://` path) or a command-line ' +
      'argument or environment variable (`sys.argv`, argparse `args.x`, click/typer parameters, ' +
      '`os.environ`), followed through names bound once; the message says which. A `torch.load` ' +
      'without `weights_only` is only information when every torch requirement of the project ' +
      '(`requirements*.txt`, `pyproject.toml` PEP 621 or Poetry, `setup.cfg`, `environment.yml`) ' +
      'admits nothing older than 2.6, whose default is `weights_only=True`; the message names the ' +
      'file of the pin.',
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
        py`
          import pickle

          from flask import Flask, request

          app = Flask(__name__)

          @app.post("/predict")
          def predict():
              model = pickle.loads(request.files["model"].read())
              return {"prediction": model.predict([[1.0, 2.0]]).tolist()}
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
    // The torch pin is read at most once per lint, and only when a torch.load needs it.
    let torchPin: Requirement | null | undefined;
    const pinnedTorch = (): Requirement | undefined => {
      if (torchPin === undefined)
        torchPin =
          guaranteedAtLeast(context.project, TORCH_PACKAGES, WEIGHTS_ONLY_DEFAULT_SINCE) ?? null;
      return torchPin ?? undefined;
    };

    return {
      call(call) {
        const finding = classify(context, call, pinnedTorch);
        // Only calls that deserialize in a way that can run code are reported.
        if (!finding) return;
        const { input, noun, ...report } = finding;
        // A load that is safe by the pinned default is not made louder by where its path comes from.
        const origin = input && !report.severity ? provenanceOf(semantic, input) : undefined;
        if (!origin) {
          context.report(report);
          return;
        }
        context.report({
          ...report,
          message: `${report.message}; the ${inputNoun(noun, origin)} comes from ${origin.source}`,
          severity: 'error',
        });
      },
    };
  },
});

interface Finding {
  node: Node;
  message: string;
  fixes?: Fix[];
  /** A severity of its own: milder when the pinned torch version makes the load safe by default. */
  severity?: Severity;
  /** The path, file, bytes or model name that is loaded, whose provenance raises the severity. */
  input?: Node;
  /** What the input is called in the message when it comes from outside. */
  noun: 'path' | 'data' | 'model name';
}

/** What the message calls the input that comes from outside. */
function inputNoun(noun: Finding['noun'], origin: Provenance): string {
  if (noun === 'model name') return noun;
  if (origin.kind === 'upload' || origin.kind === 'download') return 'data';
  if (origin.kind === 'request') return noun;
  // A path that was opened on the way is the path; a value handed over as it is, the data.
  return noun === 'data' && !origin.read ? 'data' : 'path';
}

/** The argument that holds what a loader reads. */
function loadedInput(args: CallArguments): Node | undefined {
  return args.positional[0] ?? INPUT_KEYWORDS.map((k) => args.keywords.get(k)).find((v) => v);
}

/** Whether bytes are this program's own: pickled a moment ago, or a bytes literal in the code. */
function isOwnBytes(semantic: SemanticModel, expression: Node, depth = 0): boolean {
  const node = unparenthesize(expression);
  if (depth > 4) return false;
  if (node.type === 'call')
    return (
      PICKLE_DUMPS.test(semantic.calleeName(node) ?? '') || semantic.methodName(node) === 'dumps'
    );
  if (node.type === 'string') return /^[a-z]*b/i.test(node.firstChild?.text ?? '');
  if (node.type === 'concatenated_string')
    return node.namedChildren.every((c) => !!c && isOwnBytes(semantic, c, depth + 1));
  if (node.type !== 'identifier') return false;
  // A name every binding of which assigns such bytes (`d = pickle.dumps(x, proto)` in a loop), or
  // a loop over a literal list of them (`for t in testcases:`).
  const bindings = semantic.bindingsOf(node.text, node);
  return (
    bindings.length > 0 &&
    bindings.every((b) => {
      if (b.kind === 'assign') return !!b.value && isOwnBytes(semantic, b.value, depth + 1);
      const loop = b.target.parent;
      if (b.kind !== 'other' || loop?.type !== 'for_statement') return false;
      if (field(loop, 'left')?.id !== b.target.id) return false;
      const items = semantic.followName(field(loop, 'right')!);
      return (
        (items.type === 'list' || items.type === 'tuple') &&
        items.namedChildCount > 0 &&
        items.namedChildren.every(
          (c) => !!c && (c.type === 'comment' || isOwnBytes(semantic, c, depth + 1)),
        )
      );
    })
  );
}

/** The finding for a call, or undefined when it does not deserialize unsafely. */
function classify(
  context: RuleContext,
  call: Node,
  pinnedTorch: () => Requirement | undefined,
): Finding | undefined {
  const { semantic } = context;
  const callee = semantic.calleeName(call);
  const args = callArguments(call);
  const fnNode = field(call, 'function')!;

  // `from_pretrained(..., trust_remote_code=True)` on any receiver, and hub helpers.
  if (keywordTruth(semantic, args, 'trust_remote_code') === 'true') {
    return {
      node: args.keywords.get('trust_remote_code')?.parent ?? fnNode,
      message: '`trust_remote_code=True` runs Python code downloaded from the model repository',
      fixes: [
        {
          title: 'Set trust_remote_code=False',
          safety: 'unsafe',
          edits: setKeyword(context, args, 'trust_remote_code', 'False'),
        },
      ],
      input: loadedInput(args),
      noun: 'model name',
    };
  }
  // Everything below needs a resolved callee.
  if (!callee) return undefined;

  if (ALWAYS_UNSAFE[callee]) {
    const input = loadedInput(args);
    // Bytes this process pickled a moment ago (`pickle.loads(pickle.dumps(x))`) are its own.
    if (input && isOwnBytes(semantic, input)) return undefined;
    const isYaml = callee.startsWith('yaml.');
    return {
      node: fnNode,
      message: isYaml
        ? `\`${callee}\` constructs arbitrary Python objects from YAML: use yaml.safe_load`
        : `${ALWAYS_UNSAFE[callee]} deserialization can execute code embedded in the data: load only trusted, integrity-checked data (prefer safetensors/skops/ONNX)`,
      fixes: isYaml && callee.includes('load') ? [yamlFix(context, call, callee)] : [],
      input,
      noun: DATA_LOADERS.test(callee) ? 'data' : 'path',
    };
  }

  if (callee === 'torch.load') {
    const weightsOnly = keywordTruth(semantic, args, 'weights_only');
    // An explicit True, or a value we cannot resolve, is not reported.
    if (weightsOnly === 'true' || weightsOnly === 'unknown') return undefined;
    const fixes: Fix[] = args.node
      ? [
          {
            title: 'Load weights only (weights_only=True)',
            safety: 'unsafe',
            edits: setKeyword(context, args, 'weights_only', 'True'),
          },
        ]
      : [];
    const input = loadedInput(args);
    if (weightsOnly === 'false')
      return {
        node: fnNode,
        message: '`torch.load(weights_only=False)` unpickles arbitrary objects: load weights only',
        fixes,
        input,
        noun: 'path',
      };
    // A project that pins torch >= 2.6 gets weights_only=True by default.
    const pin = pinnedTorch();
    if (pin)
      return {
        node: fnNode,
        message: `\`torch.load\` without \`weights_only\` is safe by default only while torch >= 2.6 is installed, as pinned in ${manifestLabel(pin.file, context.file.path)} (\`${pin.text}\`): torch >= 2.6 defaults to weights_only=True; pass it explicitly so an older torch cannot unpickle arbitrary objects`,
        fixes,
        severity: 'information',
        input,
        noun: 'path',
      };
    return {
      node: fnNode,
      message:
        '`torch.load` without `weights_only=True` can unpickle arbitrary objects (the default before torch 2.6)',
      fixes,
      input,
      noun: 'path',
    };
  }

  if (callee === 'numpy.load') {
    // np.load refuses pickles unless allow_pickle=True is passed.
    if (keywordTruth(semantic, args, 'allow_pickle') !== 'true') return undefined;
    return {
      node: args.keywords.get('allow_pickle')?.parent ?? fnNode,
      message: '`np.load(allow_pickle=True)` unpickles object arrays, which can execute code',
      fixes: [
        {
          title: 'Set allow_pickle=False',
          safety: 'unsafe',
          edits: setKeyword(context, args, 'allow_pickle', 'False'),
        },
      ],
      input: loadedInput(args),
      noun: 'path',
    };
  }

  if (callee === 'yaml.load' || callee === 'yaml.load_all') {
    // A safe loader makes yaml.load safe; one we cannot resolve is not reported.
    if (yamlLoaderSafety(semantic, argument(args, 1, 'Loader')) !== 'unsafe') return undefined;
    return {
      node: fnNode,
      message: `\`${callee}\` without a safe Loader constructs arbitrary Python objects: use yaml.safe_load`,
      fixes: [yamlFix(context, call, callee)],
      input: loadedInput(args),
      noun: 'data',
    };
  }

  if (KERAS_LOADERS.has(callee)) {
    // Keras loads safely unless safe_mode=False lets lambda layers run.
    if (keywordTruth(semantic, args, 'safe_mode') !== 'false') return undefined;
    return {
      node: args.keywords.get('safe_mode')?.parent ?? fnNode,
      message: '`load_model(safe_mode=False)` deserializes Lambda layers, which can execute code',
      fixes: [
        {
          title: 'Set safe_mode=True',
          safety: 'unsafe',
          edits: setKeyword(context, args, 'safe_mode', 'True'),
        },
      ],
      input: argument(args, 0, 'filepath'),
      noun: 'path',
    };
  }

  // Collectives that pickle objects between ranks; what other ranks send has no path to trace.
  if (!TORCH_DISTRIBUTED_OBJECTS.has(callee)) return undefined;
  return {
    node: fnNode,
    message: `\`${callee}\` unpickles objects received from other ranks: exchange tensors instead`,
    noun: 'data',
  };
}

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
