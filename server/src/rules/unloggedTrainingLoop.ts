import type { Node } from 'web-tree-sitter';
import {
  addSetupLines,
  blockEnd,
  indentationAt,
  insertAt,
  lineBreak,
  loggerSetup,
} from '../fixes/edits';
import {
  ancestor,
  callArguments,
  field,
  parentOf,
  SCOPE_TYPES,
  unparenthesize,
} from '../semantic/nodes';
import {
  backwardSubject,
  constructedBy,
  isKerasModelCall,
  nameWords,
  receiverName,
  trainingStep,
} from './shared/training';
import { loggerKind, type LoggerKind } from './shared/logging';
import { defineRule, py, type Fix } from './types';

const LOOP_TYPES = ['for_statement', 'while_statement'];
const LOG_METHODS = new Set([
  'debug',
  'info',
  'warning',
  'warn',
  'error',
  'exception',
  'critical',
  'fatal',
  'log',
]);
/** Words that make a receiver a logger: `logger`, `LOG`, `self._log`, `run_logger`. */
const LOGGER_WORDS = new Set(['log', 'logger', 'loggers', 'logging']);
/** Words that make a receiver an experiment tracker whose `.log(...)` records a metric. */
const TRACKER_WORDS = new Set([
  'self',
  'run',
  'wandb',
  'accelerator',
  'fabric',
  'experiment',
  'exp',
  'tracker',
  'trainer',
  'neptune',
  'comet',
  'clearml',
  'task',
  'writer',
  'tb',
  'tensorboard',
  'live',
  'aim',
  'mlflow',
  'logger',
  'log',
]);
/** Modules whose objects record what they are given: trackers, loggers, summary writers. */
const TRACKER_MODULES =
  /^(wandb|mlflow|neptune|comet_ml|clearml|aim|dvclive|accelerate|lightning|pytorch_lightning|torch\.utils\.tensorboard|tensorboardX|logging|loguru|structlog)\./;
/** Method names that only recorders and outputs have, whatever the receiver. */
const RECORDING_METHODS = new Set([
  'log_metric',
  'log_metrics',
  'log_scalar',
  'log_scalars',
  'log_dict',
  'log_text',
  'log_image',
  'log_images',
  'log_figure',
  'log_table',
  'log_artifact',
  'log_artifacts',
  'log_param',
  'log_params',
  'log_hyperparams',
  'log_curve',
  'log_confusion_matrix',
  'add_scalar',
  'add_scalars',
  'add_histogram',
  'add_image',
  'add_images',
  'add_figure',
  'add_text',
  'add_hparams',
  'add_pr_curve',
  'report_scalar',
  'report_single_value',
  'report_text',
  'report_histogram',
  // Output: files, streams, progress bars and consoles.
  'write',
  'writelines',
  'writerow',
  'writerows',
  'set_postfix',
  'set_postfix_str',
  'set_description',
  'set_description_str',
  'print',
]);
/** Qualified calls that record or print. */
const RECORDING_CALLS =
  /^(builtins\.print|pprint\.pprint|json\.dump|IPython\.display\.display|logging\.(debug|info|warning|warn|error|exception|critical|fatal|log)|absl\.logging\.\w+|loguru\.logger\.\w+|structlog\.\w+|mlflow\.(\w+\.)*log_\w+|wandb\.(run\.)?log(_\w+)?|tensorflow\.(compat\.v\d\.)?summary\.\w+(\.\w+)*)$/;
/** The names of an epoch or step counter worth putting in a log line as they are. */
const COUNTER_WORDS = new Set(['epoch', 'epochs', 'step', 'steps', 'iteration', 'iter', 'round']);
/** Methods a framework's own loop runs once per batch (Lightning, Keras `Model.train_step`). */
const PER_BATCH_HOOKS = new Set(['training_step', 'train_step']);
/** Names a training function returns its metrics under. */
const METRIC_WORDS = new Set([
  'loss',
  'losses',
  'acc',
  'accuracy',
  'metric',
  'metrics',
  'score',
  'scores',
  'history',
  'hist',
  'stats',
  'logs',
  'results',
  'perplexity',
  'ppl',
  'f1',
  'auc',
]);

interface Loss {
  /** The expression logged: `loss.item()`, `float(loss)`, `loss`. */
  value: string;
  /** Its `%` conversion: `%.4f` for scalar tensors, `%s` when the type is unknown. */
  format: string;
  name: string;
}

/** The `for ... :` / `while ... :` header: from the keyword to the colon. */
function headerEnd(loop: Node): number {
  const body = field(loop, 'body');
  for (const child of loop.children) {
    if (child?.type === ':' && (!body || child.startIndex < body.startIndex)) return child.endIndex;
  }
  return loop.startIndex;
}

/** The outermost `for`/`while` around a node within its function, if any. */
function outermostLoop(node: Node): Node | undefined {
  let found: Node | undefined;
  for (let current = parentOf(node); current; current = parentOf(current)) {
    const type = current.type;
    if ((SCOPE_TYPES as readonly string[]).includes(type)) break;
    if (LOOP_TYPES.includes(type)) found = current;
  }
  return found;
}

function callText(call: Node): string {
  const fn = field(call, 'function');
  const text = fn?.text.replace(/\s+/g, '') ?? 'call';
  return `${text.length > 40 ? `…${text.slice(-39)}` : text}()`;
}

/**
 * The arguments of the log call in the logger's own style: `%` placeholders for the standard library,
 * `{}` for loguru, key-value pairs for structlog.
 */
function logArguments(kind: LoggerKind, label: string, counter: string, losses: Loss[]): string {
  const lossLabel = (loss: Loss) => (losses.length === 1 ? 'loss' : loss.name);
  if (kind === 'structlog')
    return [
      `"${label}_end"`,
      `${label}=${counter}`,
      ...losses.map((l) => `${lossLabel(l)}=${l.value}`),
    ].join(', ');
  const placeholder = (format: string) =>
    kind === 'loguru' ? (format === '%s' ? '{}' : '{:.4f}') : format;
  const text = [
    `${label} ${kind === 'loguru' ? '{}' : '%d'}`,
    ...losses.map((l) => `${lossLabel(l)} ${placeholder(l.format)}`),
  ].join(' ');
  return [`"${text}"`, counter, ...losses.map((l) => l.value)].join(', ');
}

export const unloggedTrainingLoop = defineRule({
  code: 'MLH103',
  name: 'unlogged-training-loop',
  family: 'logging',
  severity: { script: 'warning', notebook: 'information', test: 'off' },
  fix: 'sometimes',
  triggers: [
    'backward',
    '.step(',
    'optimizer_step',
    'apply_gradients',
    'train_on_batch',
    'partial_fit',
    'fit(',
    'Trainer',
  ],
  docs: {
    summary: 'A training loop records no metric: no logger, tracker or print sees its loss.',
    why:
      'A training job that records nothing cannot be watched or compared: a diverging loss, a NaN, ' +
      'a learning rate that is off by ten or a data loader that silently repeats one batch all look ' +
      'the same from outside — a process that runs and then writes a model. When the model ' +
      'misbehaves in production there is no curve to go back to and no run to compare it with. The ' +
      'same holds for `model.fit(...)` whose History is thrown away with no callbacks, and for a ' +
      'Hugging Face `Trainer` told to `report_to="none"`.',
    howToFix:
      'Record the loss (and whatever metric you select models by) once per epoch, in the outer loop: ' +
      '`logger.info(...)`, `mlflow.log_metric(...)`, `wandb.log(...)`, a TensorBoard ' +
      '`SummaryWriter.add_scalar(...)`, Lightning `self.log(...)` or `accelerator.log(...)`. One ' +
      'record per epoch in the outer loop covers the batch loop inside it. Keep Keras History ' +
      '(`history = model.fit(...)`) and log it, or pass `callbacks=` (CSVLogger, TensorBoard, your ' +
      "tracker's callback); give the `Trainer` a `report_to` or a callback. A loop that prints its " +
      'loss is not reported here: print-instead-of-logging (MLH101) asks for a log call instead.',
    fixSafety:
      'The fix appends `logger.info("epoch %d loss %.4f", epoch, loss.item())` to the end of the outer ' +
      'loop, built from its counter and the loss the loop backpropagates (and adds `import logging` ' +
      'and a module logger when the file has none). It is unsafe: the loss it logs is the last ' +
      "batch's, which may not be what you want to watch, and if an inner loop can run zero times the " +
      'name may not be bound yet. It is offered only when the outer loop has an integer counter ' +
      '(`range`, `enumerate`, a `while` counter) and a loss name was found.',
    options:
      '`logger-names`: extra names of logger objects. `tracking-calls`: extra calls (qualified names ' +
      'like `myproject.tracking.record`, or method names like `push_metric`) that count as recording.',
    examples: {
      invalid: [
        py`
          import torch

          optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
          for epoch in range(10):
              for x, y in loader:
                  optimizer.zero_grad()
                  loss = criterion(model(x), y)
                  loss.backward()
                  optimizer.step()
        `,
        py`
          from tensorflow import keras

          model = keras.Sequential([keras.layers.Dense(1)])
          model.compile(optimizer="adam", loss="mse")
          model.fit(x_train, y_train, epochs=20)
        `,
      ],
      valid: [
        py`
          import logging
          import torch

          logger = logging.getLogger(__name__)
          for epoch in range(10):
              for x, y in loader:
                  optimizer.zero_grad()
                  loss = criterion(model(x), y)
                  loss.backward()
                  optimizer.step()
              logger.info("epoch %d loss %.4f", epoch, loss.item())
        `,
        py`
          import mlflow

          for step, (x, y) in enumerate(loader):
              loss = criterion(model(x), y)
              loss.backward()
              optimizer.step()
              mlflow.log_metric("loss", loss.item(), step=step)
        `,
        py`
          def train_epoch(model, loader, optimizer):
              total = 0.0
              for x, y in loader:
                  loss = criterion(model(x), y)
                  loss.backward()
                  optimizer.step()
                  total += loss.item()
              return total / len(loader)
        `,
      ],
    },
  },
  create(context) {
    const { semantic } = context;
    const loggerNames = new Set(context.options.loggerNames);
    const trackingCalls = new Set(context.options.trackingCalls);

    /** Methods defined in the file, by name, for `self.name(...)` calls. */
    const methods = new Map<string, Node[]>();
    for (const definition of semantic.nodes('function_definition')) {
      const name = field(definition, 'name')?.text;
      if (!name || !ancestor(definition, ['class_definition'])) continue;
      methods.set(name, [...(methods.get(name) ?? []), definition]);
    }

    /** The functions of this file a call invokes: `train_epoch(...)`, `self._train_epoch(...)`. */
    const targetsMemo = new Map<number, Node[]>();
    const localTargets = (call: Node): Node[] => {
      let targets = targetsMemo.get(call.id);
      if (!targets) targetsMemo.set(call.id, (targets = findLocalTargets(call)));
      return targets;
    };
    const findLocalTargets = (call: Node): Node[] => {
      const fn = field(call, 'function');
      if (fn?.type === 'identifier')
        return semantic
          .bindingsOf(fn.text, fn)
          .filter((b) => b.kind === 'definition' && b.target.parent?.type === 'function_definition')
          .map((b) => b.target.parent!);
      if (fn?.type !== 'attribute') return [];
      const receiver = field(fn, 'object');
      const self = receiver?.type === 'identifier' && ['self', 'cls'].includes(receiver.text);
      return self ? (methods.get(field(fn, 'attribute')?.text ?? '') ?? []) : [];
    };

    const isLogger = (receiver: Node | null): boolean => {
      if (!receiver) return false;
      const value = unparenthesize(receiver);
      const qualified =
        value.type === 'call' ? semantic.calleeName(value) : semantic.qualifiedName(value);
      if (qualified && TRACKER_MODULES.test(`${qualified}.`)) return true;
      if (TRACKER_MODULES.test(`${constructedBy(semantic, value) ?? ''}.`)) return true;
      const name = receiverName(value) ?? '';
      return loggerNames.has(name) || nameWords(name).some((w) => LOGGER_WORDS.has(w));
    };

    const isTracker = (receiver: Node | null): boolean => {
      if (!receiver) return false;
      const value = unparenthesize(receiver);
      if (TRACKER_MODULES.test(`${semantic.qualifiedName(value) ?? ''}.`)) return true;
      if (TRACKER_MODULES.test(`${constructedBy(semantic, value) ?? ''}.`)) return true;
      return nameWords(receiverName(value) ?? '').some((w) => TRACKER_WORDS.has(w));
    };

    /** Whether a call records or prints something: a logger, a tracker, a writer, print. */
    const isRecordingCall = (call: Node): boolean => {
      const callee = semantic.calleeName(call);
      const fn = field(call, 'function');
      if (callee && RECORDING_CALLS.test(callee)) return true;
      if (trackingCalls.has(callee ?? '') || trackingCalls.has(fn?.text ?? '')) return true;
      // IPython's `display(...)` is available in notebooks without an import.
      if (fn?.type === 'identifier' && fn.text === 'display')
        return !semantic.bindingsOf('display', fn).length;
      if (fn?.type !== 'attribute') return false;
      const method = field(fn, 'attribute')?.text ?? '';
      const receiver = field(fn, 'object');
      if (RECORDING_METHODS.has(method) || trackingCalls.has(method)) return true;
      // Callback dispatch (`callback.on_epoch_end(...)`) hands the metrics to code we cannot see.
      if (/^on_[a-z]\w*$/.test(method)) return true;
      if (LOG_METHODS.has(method) && isLogger(receiver)) return true;
      if (method === 'log' && isTracker(receiver)) return true;
      // Neptune: `run["train/loss"].append(value)`.
      if (['append', 'extend', 'log'].includes(method) && receiver?.type === 'subscript') {
        const key = field(receiver, 'subscript');
        return key?.type === 'string' && isTracker(field(receiver, 'value'));
      }
      return false;
    };

    /**
     * Facts about the functions of this file, following the calls they make to other functions of
     * the file (memoized; a cycle counts as "no" while it is being computed).
     */
    const recordsMemo = new Map<number, boolean>();
    /** Whether a function of this file records anything, itself or through the functions it calls. */
    const functionRecords = (definition: Node): boolean => {
      if (!recordsMemo.has(definition.id)) {
        recordsMemo.set(definition.id, false);
        const calls = definition.descendantsOfType('call').filter((c): c is Node => !!c);
        recordsMemo.set(
          definition.id,
          calls.some(isRecordingCall) || calls.some((c) => localTargets(c).some(functionRecords)),
        );
      }
      return recordsMemo.get(definition.id)!;
    };

    const trainsMemo = new Map<number, boolean>();
    /** Whether a function of this file takes training steps, itself or through functions it calls. */
    const functionTrains = (definition: Node): boolean => {
      if (!trainsMemo.has(definition.id)) {
        trainsMemo.set(definition.id, false);
        const calls = definition.descendantsOfType('call').filter((c): c is Node => !!c);
        trainsMemo.set(
          definition.id,
          calls.some((c) => !!trainingStep(semantic, c)) ||
            calls.some((c) => localTargets(c).some(functionTrains)),
        );
      }
      return trainsMemo.get(definition.id)!;
    };

    /** Whether anything in a loop nest records or prints, itself or through functions of this file. */
    const records = (nest: Node): boolean =>
      nest.descendantsOfType(['call', 'yield']).some((node) => {
        if (!node) return false;
        // A generator that yields from the loop hands each step's results to its caller.
        if (node.type === 'yield') return true;
        return isRecordingCall(node) || localTargets(node).some(functionRecords);
      });

    /** Whether a function returns or yields what the loop computed (`return total / n`, `history`). */
    const handsOutMetrics = (nest: Node): boolean => {
      const fn = ancestor(nest, ['function_definition']);
      if (!fn || semantic.scopeId(nest) !== fn.id) return false;
      const produced = new Set<string>();
      for (const node of nest.descendantsOfType(['assignment', 'augmented_assignment', 'call'])) {
        if (!node) continue;
        const target =
          node.type === 'call'
            ? ['append', 'extend', 'update', 'add', 'insert'].includes(
                semantic.methodName(node) ?? '',
              )
              ? field(field(node, 'function'), 'object')
              : null
            : field(node, 'left');
        const base = target?.type === 'subscript' ? field(target, 'value') : target;
        if (base?.type === 'identifier') produced.add(base.text);
      }
      return fn.descendantsOfType(['return_statement', 'yield']).some((exit) => {
        if (!exit || semantic.scopeId(exit) !== fn.id || !exit.namedChild(0)) return false;
        const value = exit.namedChild(0)!;
        const names = [value, ...value.descendantsOfType('identifier')].filter(
          (n): n is Node => n?.type === 'identifier',
        );
        return names.some(
          (n) => produced.has(n.text) || nameWords(n.text).some((w) => METRIC_WORDS.has(w)),
        );
      });
    };

    /**
     * The functions of this file called from inside a loop elsewhere (that loop is the nest),
     * computed once per file: asking per function would walk every call again each time.
     */
    let calledFromLoops: Set<number> | undefined;
    const calledFromLoop = (definition: Node): boolean => {
      if (!calledFromLoops) {
        calledFromLoops = new Set();
        for (const call of semantic.nodes('call')) {
          const targets = localTargets(call);
          if (targets.length === 0 || !outermostLoop(call)) continue;
          const caller = ancestor(call, ['function_definition'])?.id;
          for (const target of targets) if (target.id !== caller) calledFromLoops.add(target.id);
        }
      }
      return calledFromLoops.has(definition.id);
    };

    /** The loop's integer counter: `epoch` in `range`, `i` in `enumerate`, a `while` counter. */
    const counterOf = (loop: Node): Node | undefined => {
      if (loop.type === 'while_statement') {
        const condition = unparenthesize(field(loop, 'condition') ?? loop);
        const left = condition.type === 'comparison_operator' ? condition.namedChild(0) : null;
        if (left?.type !== 'identifier') return undefined;
        const counts = loop
          .descendantsOfType('augmented_assignment')
          .some(
            (a) =>
              field(a, 'left')?.text === left.text &&
              a.childForFieldName('operator')?.text === '+=',
          );
        return counts ? left : undefined;
      }
      let iterable = unparenthesize(field(loop, 'right') ?? loop);
      let callee = iterable.type === 'call' ? semantic.calleeName(iterable) : undefined;
      // A progress bar around the iterable yields the same values.
      if (callee && /^tqdm\.(\w+\.)?tqdm$/.test(callee)) {
        const inner = callArguments(iterable).positional[0];
        if (!inner) return undefined;
        iterable = unparenthesize(inner);
        callee = iterable.type === 'call' ? semantic.calleeName(iterable) : undefined;
      }
      const fn = iterable.type === 'call' ? field(iterable, 'function') : null;
      const builtin =
        fn?.type === 'identifier' && semantic.bindingsOf(fn.text, fn).length === 0 ? fn.text : '';
      const left = field(loop, 'left');
      let counter: Node | null | undefined;
      if (builtin === 'range' || (callee && /^tqdm\.(\w+\.)?trange$/.test(callee))) counter = left;
      else if (
        builtin === 'enumerate' &&
        left &&
        ['pattern_list', 'tuple_pattern'].includes(left.type)
      )
        counter = left.namedChild(0);
      return counter?.type === 'identifier' && counter.text !== '_' ? counter : undefined;
    };

    /** The losses a nest computes, in the loop's own scope: what it backpropagates or gets back. */
    const lossesOf = (nest: Node): Loss[] => {
      const scope = semantic.scopeId(nest);
      const losses = new Map<string, Loss>();
      for (const node of nest.descendantsOfType(['call', 'assignment'])) {
        if (!node || semantic.scopeId(node) !== scope) continue;
        if (node.type === 'call') {
          const tensorFlow = semantic.methodName(node) === 'gradient';
          // Only real backward passes (not a turtle's `backward(100)`) and TensorFlow tapes.
          if (!tensorFlow && trainingStep(semantic, node) !== 'backward') continue;
          const subject = backwardSubject(semantic, node);
          if (!subject) continue;
          const name = subject.text;
          if (!losses.has(name))
            losses.set(name, {
              name,
              format: '%.4f',
              value: tensorFlow ? `float(${name})` : `${name}.item()`,
            });
          continue;
        }
        const left = field(node, 'left');
        const right = field(node, 'right');
        if (left?.type !== 'identifier' || right?.type !== 'call') continue;
        // `loss = model.train_on_batch(...)` returns a loss or a list of metrics, and
        // `train_loss = train_epoch(...)` whatever a training function of this file computed.
        const returnsLoss =
          semantic.methodName(right) === 'train_on_batch' ||
          localTargets(right).some(functionTrains);
        if (returnsLoss && !losses.has(left.text))
          losses.set(left.text, { name: left.text, format: '%s', value: left.text });
      }
      return [...losses.values()].slice(0, 3);
    };

    const loopFix = (loop: Node): Fix[] => {
      const counter = counterOf(loop);
      const losses = lossesOf(loop);
      const body = field(loop, 'body');
      // Without a counter and a loss there is nothing meaningful to write.
      if (!counter || losses.length === 0 || !body) return [];
      // A loop written on one line (`for x in y: step()`) has no line to append to.
      if (body.startPosition.row === loop.startPosition.row) return [];
      // In a loop that does not parse, the end of the body is a guess: a line appended there may
      // fall outside the loop, stay unseen and be appended again on every fix-all round.
      if (loop.hasError) return [];
      const statements = body.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
      if (statements.length === 0) return [];
      const { name: logger, setup } = loggerSetup(context);
      const hasInnerLoop = body.descendantsOfType(LOOP_TYPES).length > 0;
      const label = nameWords(counter.text).some((w) => COUNTER_WORDS.has(w))
        ? counter.text
        : hasInnerLoop
          ? 'epoch'
          : 'step';
      const statement = `${logger}.info(${logArguments(loggerKind(semantic, logger), label, counter.text, losses)})`;
      const indent = indentationAt(context.file.text, statements[0].startIndex);
      const eol = lineBreak(context, loop.startIndex);
      return [
        {
          title: `Log the loss once per ${label} with ${logger}.info()`,
          safety: 'unsafe',
          edits: [
            insertAt(blockEnd(body), `${eol}${indent}${statement}`),
            ...addSetupLines(context, setup),
          ],
        },
      ];
    };

    const reportLoop = (loop: Node, step: Node): void => {
      const keyword = loop.type === 'for_statement' ? 'for' : 'while';
      context.report({
        start: loop.startIndex,
        end: headerEnd(loop),
        message:
          `\`${keyword}\` loop trains (\`${callText(step)}\`) but records no metric: log the loss ` +
          'per epoch with a logger or a tracker (MLflow, W&B, TensorBoard)',
        fixes: loopFix(loop),
      });
    };

    /** `model.fit(...)` on a Keras model, its History dropped and no callbacks given. */
    const checkKerasFit = (call: Node): void => {
      const method = semantic.methodName(call);
      if (method !== 'fit' && method !== 'fit_generator') return;
      // A kept History (`history = model.fit(...)`) holds every epoch's metrics.
      if (call.parent?.type !== 'expression_statement') return;
      const args = callArguments(call);
      const callbacks = args.keywords.get('callbacks');
      // Any callbacks may record; `**kwargs` may carry them.
      if (args.doubleStar.length > 0) return;
      if (callbacks && !(callbacks.type === 'list' && callbacks.namedChildCount === 0)) return;
      const fn = field(call, 'function')!;
      const receiver = field(fn, 'object');
      // Only Keras models: built or loaded by Keras, or compiled (scikit-learn has no compile()).
      if (!receiver || !isKerasModel(receiver)) return;
      // A loop around the fit that records (a fold's score) covers it.
      const loop = outermostLoop(call);
      if (loop && records(loop)) return;
      context.report({
        node: fn,
        message:
          `\`${fn.text}()\` discards its History and has no callbacks: no metric of this run is ` +
          'recorded; keep the History and log it, or pass a logging callback',
      });
    };

    let compileCalls: Node[] | undefined;
    /** Whether `name.compile(...)` is called in the scope of `name` (scikit-learn has no compile()). */
    const compiled = (name: Node): boolean => {
      compileCalls ??= semantic.nodes('call').filter((c) => semantic.methodName(c) === 'compile');
      return compileCalls.some(
        (c) =>
          field(field(c, 'function'), 'object')?.text === name.text &&
          semantic.scopeId(c) === semantic.scopeId(name),
      );
    };

    /** A Keras model: built or loaded by Keras, compiled, or returned so by a function of this file. */
    const isKerasModel = (receiver: Node, depth = 0): boolean => {
      if (isKerasModelCall(constructedBy(semantic, receiver))) return true;
      if (receiver.type !== 'identifier') return false;
      if (compiled(receiver)) return true;
      // `model = build_model()`: one level into the builder, through what it returns.
      const value = semantic.followName(receiver);
      if (depth > 0 || value.type !== 'call') return false;
      return localTargets(value).some((builder) =>
        builder.descendantsOfType('return_statement').some((exit) => {
          const returned = exit?.namedChild(0);
          return returned?.type === 'identifier' && isKerasModel(returned, depth + 1);
        }),
      );
    };

    /** A Hugging Face `Trainer` told to report to nothing, with no callbacks. */
    const checkTrainer = (call: Node): void => {
      const callee = semantic.calleeName(call);
      if (!callee || !/^(transformers|trl)\.\w*Trainer$/.test(callee)) return;
      const args = callArguments(call);
      // Callbacks may record; `**kwargs` may carry them.
      if (args.keywords.has('callbacks') || args.doubleStar.length > 0) return;
      const trainingArgs = args.keywords.get('args') ?? args.positional[1];
      const config = trainingArgs ? semantic.followName(trainingArgs) : undefined;
      if (config?.type !== 'call') return;
      const configArgs = callArguments(config);
      const reportTo = configArgs.keywords.get('report_to');
      // Only an explicit "none" (or an empty list) switches every integration off.
      if (!reportTo || !reportsToNothing(reportTo)) return;
      // `trainer.add_callback(...)` adds one later.
      const bound = call.parent?.type === 'assignment' ? field(call.parent, 'left') : null;
      if (
        bound &&
        semantic
          .nodes('call')
          .some(
            (c) =>
              semantic.methodName(c) === 'add_callback' &&
              field(field(c, 'function'), 'object')?.text === bound.text,
          )
      )
        return;
      const fn = field(call, 'function')!;
      context.report({
        node: fn,
        message:
          `\`${fn.text}\` reports to no tracker (\`report_to="none"\`) and has no callbacks: this ` +
          "run's metrics are not recorded; report to mlflow, wandb or tensorboard",
      });
    };

    const reportsToNothing = (value: Node): boolean => {
      const resolved = semantic.followName(value);
      if (resolved.type === 'list') {
        const items = resolved.namedChildren.filter((c): c is Node => !!c);
        return items.every((item) => semantic.stringLiteral(item) === 'none');
      }
      return semantic.stringLiteral(resolved) === 'none';
    };

    /** The outermost loops that take training steps, each with its first step. */
    const trainingNests = (): { loop: Node; step: Node }[] => {
      const nests = new Map<number, { loop: Node; step: Node }>();
      for (const call of semantic.nodes('call')) {
        // Only training steps, taken here or by a function of this file that this call runs.
        if (!trainingStep(semantic, call) && !localTargets(call).some(functionTrains)) continue;
        const loop = outermostLoop(call);
        // A step outside any loop (a `training_step` method) is not a training loop.
        if (loop && !nests.has(loop.id)) nests.set(loop.id, { loop, step: call });
      }
      return [...nests.values()];
    };

    return {
      // The whole module is needed at once: nests span functions of the file.
      module() {
        for (const { loop, step } of trainingNests()) {
          const fn = ancestor(loop, ['function_definition']);
          if (fn && semantic.scopeId(loop) === fn.id) {
            // A function run from a loop elsewhere in the file is the inner part of that nest.
            if (calledFromLoop(fn)) continue;
            // A function that returns what the loop computed leaves recording to its caller.
            if (handsOutMetrics(loop)) continue;
            // A framework runs `training_step` once per batch: the method is the unit that records.
            if (PER_BATCH_HOOKS.has(field(fn, 'name')?.text ?? '') && functionRecords(fn)) continue;
          }
          // Anything recorded or printed anywhere in the nest covers it.
          if (records(loop)) continue;
          reportLoop(loop, step);
        }
      },
      call(call) {
        checkKerasFit(call);
        checkTrainer(call);
      },
    };
  },
});
