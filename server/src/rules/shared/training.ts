import type { Node } from 'web-tree-sitter';
import type { SemanticModel } from '../../semantic/model';
import { callArguments, field, unparenthesize } from '../../semantic/nodes';

/**
 * What a training step looks like in PyTorch, Keras, TensorFlow and scikit-learn, shared by the
 * rules that need to know whether code trains a model.
 */

/** Words that name an optimizer: `optimizer`, `opt_g`, `optimizerD`, `self.optim`. */
const OPTIMIZER_WORDS = new Set(['optimizer', 'optimiser', 'optimizers', 'optim', 'opt', 'opts']);
/** Words that make an optimizer-ish name something that only follows one: `opt_scheduler`. */
const NOT_OPTIMIZER_WORDS = new Set(['scheduler', 'sched', 'schedule', 'state', 'config', 'args']);
/** Receivers of `partial_fit` that fit statistics for preprocessing, not a model with a loss. */
const PREPROCESSING_WORDS = new Set([
  'scaler',
  'normalizer',
  'standardizer',
  'vectorizer',
  'imputer',
  'transformer',
]);
const PREPROCESSING_MODULES = ['sklearn.preprocessing.', 'sklearn.feature_extraction.'];

/** The words of an identifier: `optimizerD` → `optimizer`, `d`; `train_loss` → `train`, `loss`. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** The name an expression is known by: `opt` for `opt`, `self.opt`, `self.opts[0]` or `self.opt()`. */
export function receiverName(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  const value = unparenthesize(node);
  switch (value.type) {
    case 'identifier':
      return value.text;
    case 'attribute':
      return field(value, 'attribute')?.text;
    case 'subscript':
      return receiverName(field(value, 'value'));
    case 'call':
      return receiverName(field(value, 'function'));
    default:
      return undefined;
  }
}

/** The qualified name of the call a name was bound from once: `opt = torch.optim.Adam(...)`. */
export function constructedBy(semantic: SemanticModel, node: Node | null): string | undefined {
  if (!node) return undefined;
  const value = semantic.followName(node);
  return value.type === 'call' ? semantic.calleeName(value) : undefined;
}

function isOptimizer(semantic: SemanticModel, node: Node | null | undefined): boolean {
  if (!node) return false;
  const created = constructedBy(semantic, unparenthesize(node));
  if (created?.startsWith('torch.optim.'))
    return !created.includes('lr_scheduler') && !created.includes('swa_utils');
  const words = nameWords(receiverName(node) ?? '');
  return (
    words.some((w) => OPTIMIZER_WORDS.has(w)) && !words.some((w) => NOT_OPTIMIZER_WORDS.has(w))
  );
}

function isPreprocessor(semantic: SemanticModel, node: Node | null): boolean {
  const created = constructedBy(semantic, node) ?? '';
  if (PREPROCESSING_MODULES.some((m) => created.startsWith(m))) return true;
  return nameWords(receiverName(node) ?? '').some((w) => PREPROCESSING_WORDS.has(w));
}

/** Objects whose `backward(loss)` backpropagates a loss: Accelerate, Fabric, a DeepSpeed engine. */
const ENGINE_WORDS = new Set([
  'accelerator',
  'fabric',
  'engine',
  'deepspeed',
  'strategy',
  'booster',
]);
const ENGINE_MODULES = /^(accelerate|lightning|pytorch_lightning|deepspeed|colossalai)\./;

/**
 * `loss.backward()` (no positional argument, or only keywords such as `retain_graph=True`), or
 * `accelerator.backward(loss)`; not a turtle's `t.backward(100)`.
 */
function isBackwardPass(semantic: SemanticModel, call: Node, receiver: Node | null): boolean {
  const first = callArguments(call).positional[0];
  if (!first) return true;
  if (ENGINE_MODULES.test(`${constructedBy(semantic, receiver) ?? ''}.`)) return true;
  if (nameWords(receiverName(receiver) ?? '').some((w) => ENGINE_WORDS.has(w))) return true;
  // `tensor.backward(gradient)` is rare; a loss-named argument still says what it is.
  return nameWords(receiverName(first) ?? '').some((w) => w === 'loss' || w === 'losses');
}

export type TrainingStepKind = 'backward' | 'step' | 'batch';

/**
 * Whether a call takes one optimisation step: `loss.backward()`, `accelerator.backward(loss)`,
 * `optimizer.step()`, `scaler.step(optimizer)`, `optimizer.apply_gradients(...)`,
 * `model.train_on_batch(...)`, `clf.partial_fit(...)` (preprocessing statistics left out).
 */
export function trainingStep(semantic: SemanticModel, call: Node): TrainingStepKind | undefined {
  if (semantic.calleeName(call) === 'torch.autograd.backward') return 'backward';
  const fn = field(call, 'function');
  if (fn?.type !== 'attribute') return undefined;
  const receiver = field(fn, 'object');
  switch (field(fn, 'attribute')?.text) {
    case 'backward':
      return isBackwardPass(semantic, call, receiver) ? 'backward' : undefined;
    case 'manual_backward':
      return 'backward';
    case 'step':
      // `optimizer.step()`, or `scaler.step(optimizer)` with a gradient scaler.
      return isOptimizer(semantic, receiver) ||
        isOptimizer(semantic, callArguments(call).positional[0])
        ? 'step'
        : undefined;
    case 'optimizer_step':
    case 'apply_gradients':
      return 'step';
    case 'train_on_batch':
      return 'batch';
    case 'partial_fit':
      return isPreprocessor(semantic, receiver) ? undefined : 'batch';
    default:
      return undefined;
  }
}

/**
 * The tensor a backward pass starts from: `loss` in `loss.backward()`, `accelerator.backward(loss)`,
 * `scaler.scale(loss).backward()`, `(loss / accumulation).backward()`; `tape.gradient(loss, ...)`.
 */
export function backwardSubject(semantic: SemanticModel, call: Node): Node | undefined {
  const fn = field(call, 'function');
  const method = semantic.methodName(call);
  const args = callArguments(call);
  let subject: Node | null | undefined;
  if (method === 'backward' && fn && args.positional.length === 0 && args.keywords.size === 0)
    subject = field(fn, 'object');
  else if (method === 'backward' || method === 'manual_backward') subject = args.positional[0];
  else if (
    method === 'gradient' &&
    nameWords(receiverName(field(fn, 'object')) ?? '').includes('tape')
  )
    subject = args.positional[0];
  else if (semantic.calleeName(call) === 'torch.autograd.backward') subject = args.positional[0];
  for (let depth = 0; subject && depth < 4; depth++) {
    const value = unparenthesize(subject);
    if (value.type === 'identifier' || value.type === 'attribute') return value;
    // `scaler.scale(loss)` and `loss / n` still backpropagate the loss.
    if (value.type === 'call' && semantic.methodName(value) === 'scale')
      subject = callArguments(value).positional[0];
    else if (value.type === 'binary_operator') subject = field(value, 'left');
    else return undefined;
  }
  return undefined;
}

/** Keras constructors and loaders whose result has `.fit()` with a History. */
export function isKerasModelCall(qualified: string | undefined): boolean {
  return (
    !!qualified && /^keras\.(models\.|saving\.|applications\.|Sequential$|Model$)/.test(qualified)
  );
}
