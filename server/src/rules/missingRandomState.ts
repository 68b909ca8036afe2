import type { Node } from 'web-tree-sitter';
import { indentationAt, insertAt, lineBreak, replaceNode } from '../fixes/edits';
import type { SemanticModel } from '../semantic/model';
import { ancestor, callArguments, field, type CallArguments } from '../semantic/nodes';
import { literalOf, seededLibraries, seedExpression, type Literal } from './shared/seeding';
import { defineRule, py, type Fix, type RuleContext, type Visitors } from './types';

/** A scikit-learn class or function that draws random numbers unless given a `random_state`. */
interface RandomApi {
  /** Index of `random_state` in older signatures that still took it by position. */
  position?: number;
  /** For APIs random only in some configurations: true when this call certainly is. */
  randomWhen?: (args: ArgumentReader) => boolean;
}

/** An argument that is given but is not a literal we can read (`init=pca.components_`). */
const UNKNOWN = Symbol('unknown');

/** Reads literal arguments of one call by keyword or position. */
interface ArgumentReader {
  /** The literal value, `undefined` when absent, UNKNOWN when given but not a literal. */
  value(name: string, position?: number): Literal | undefined | typeof UNKNOWN;
}

const always: RandomApi = {};
/** Random when `name` is one of `values`, given explicitly. */
const when = (name: string, values: readonly Literal[], position?: number): RandomApi => ({
  randomWhen: (args) => {
    const value = args.value(name, position);
    return value !== undefined && value !== UNKNOWN && values.includes(value);
  },
});
/** Random unless `name` is given and is not one of `values` (its default is random). */
const unless = (name: string, deterministic: readonly Literal[]): RandomApi => ({
  randomWhen: (args) => {
    const value = args.value(name);
    return value === undefined || (value !== UNKNOWN && !deterministic.includes(value));
  },
});
const shuffledByDefault = unless('shuffle', [false]);
/** k-means given its initial centers (`init=centers`) starts from them, not from random draws. */
const randomInit: RandomApi = {
  randomWhen: (args) => {
    const init = args.value('init');
    return init === undefined || typeof init === 'string';
  },
};
/** `make_moons` and `make_circles` are random only when they shuffle or add noise. */
const shuffledOrNoisy: RandomApi = {
  randomWhen: (args) => {
    const shuffle = args.value('shuffle');
    const noise = args.value('noise');
    if (shuffle === UNKNOWN || noise === UNKNOWN) return false;
    return shuffle !== false || (noise !== undefined && noise !== null && noise !== 0);
  },
};
/** The minimum covariance determinant draws random subsets unless the support is every sample. */
const randomSubsets = unless('support_fraction', [1]);

/**
 * Where randomness changes the result, by class or function name under `sklearn.`: tree models and
 * ensembles (features are permuted at every split), shuffling splitters, SGD/MLP training, random
 * initialisations, randomized solvers and data generators. Estimators that are deterministic in
 * their default configuration count only when configured to be random (`LogisticRegression` with a
 * `sag`/`saga`/`liblinear` solver, `SVC(probability=True)`, `PCA(svd_solver="randomized")`).
 */
const SKLEARN_APIS: Record<string, RandomApi> = {
  // Splitting.
  train_test_split: shuffledByDefault,
  KFold: { ...when('shuffle', [true], 1), position: 2 },
  StratifiedKFold: { ...when('shuffle', [true], 1), position: 2 },
  GroupKFold: when('shuffle', [true]),
  StratifiedGroupKFold: when('shuffle', [true]),
  ShuffleSplit: { position: 3 },
  StratifiedShuffleSplit: { position: 3 },
  GroupShuffleSplit: { position: 3 },
  RepeatedKFold: { position: 2 },
  RepeatedStratifiedKFold: { position: 2 },
  learning_curve: when('shuffle', [true]),
  shuffle: always,
  resample: always,
  // Trees and ensembles.
  DecisionTreeClassifier: always,
  DecisionTreeRegressor: always,
  ExtraTreeClassifier: always,
  ExtraTreeRegressor: always,
  RandomForestClassifier: always,
  RandomForestRegressor: always,
  ExtraTreesClassifier: always,
  ExtraTreesRegressor: always,
  GradientBoostingClassifier: always,
  GradientBoostingRegressor: always,
  HistGradientBoostingClassifier: always,
  HistGradientBoostingRegressor: always,
  AdaBoostClassifier: always,
  AdaBoostRegressor: always,
  BaggingClassifier: always,
  BaggingRegressor: always,
  IsolationForest: always,
  RandomTreesEmbedding: always,
  // Linear models trained by stochastic or randomized solvers.
  SGDClassifier: shuffledByDefault,
  SGDRegressor: shuffledByDefault,
  SGDOneClassSVM: shuffledByDefault,
  Perceptron: shuffledByDefault,
  PassiveAggressiveClassifier: shuffledByDefault,
  PassiveAggressiveRegressor: shuffledByDefault,
  RANSACRegressor: always,
  LogisticRegression: when('solver', ['sag', 'saga', 'liblinear']),
  LogisticRegressionCV: when('solver', ['sag', 'saga', 'liblinear']),
  Ridge: when('solver', ['sag', 'saga']),
  RidgeClassifier: when('solver', ['sag', 'saga']),
  Lasso: when('selection', ['random']),
  LassoCV: when('selection', ['random']),
  ElasticNet: when('selection', ['random']),
  ElasticNetCV: when('selection', ['random']),
  MultiTaskLasso: when('selection', ['random']),
  MultiTaskLassoCV: when('selection', ['random']),
  MultiTaskElasticNet: when('selection', ['random']),
  MultiTaskElasticNetCV: when('selection', ['random']),
  SVC: when('probability', [true]),
  NuSVC: when('probability', [true]),
  DummyClassifier: when('strategy', ['stratified', 'uniform']),
  // Neural networks.
  MLPClassifier: always,
  MLPRegressor: always,
  BernoulliRBM: always,
  // Clustering and mixtures: random initialisations.
  KMeans: randomInit,
  MiniBatchKMeans: always,
  BisectingKMeans: always,
  k_means: always,
  kmeans_plusplus: always,
  SpectralClustering: always,
  spectral_clustering: always,
  SpectralBiclustering: always,
  SpectralCoclustering: always,
  AffinityPropagation: always,
  GaussianMixture: always,
  BayesianGaussianMixture: always,
  // Decomposition and embeddings.
  PCA: when('svd_solver', ['randomized', 'arpack']),
  KernelPCA: when('eigen_solver', ['randomized', 'arpack']),
  TruncatedSVD: always,
  FastICA: always,
  FactorAnalysis: unless('svd_method', ['lapack']),
  NMF: when('init', ['random', 'nndsvdar']),
  MiniBatchNMF: when('init', ['random', 'nndsvdar']),
  LatentDirichletAllocation: always,
  MiniBatchDictionaryLearning: always,
  MiniBatchSparsePCA: always,
  TSNE: always,
  MDS: always,
  RBFSampler: always,
  Nystroem: always,
  SkewedChi2Sampler: always,
  PolynomialCountSketch: always,
  GaussianRandomProjection: always,
  SparseRandomProjection: always,
  // Robust covariance fits random subsets.
  MinCovDet: randomSubsets,
  EllipticEnvelope: randomSubsets,
  // Model selection and inspection that sample.
  RandomizedSearchCV: always,
  HalvingRandomSearchCV: always,
  ParameterSampler: always,
  permutation_importance: always,
  mutual_info_classif: unless('discrete_features', [true]),
  mutual_info_regression: unless('discrete_features', [true]),
  TargetEncoder: shuffledByDefault,
  // Synthetic data sets.
  make_classification: always,
  make_regression: always,
  make_blobs: always,
  make_moons: shuffledOrNoisy,
  make_circles: shuffledOrNoisy,
  make_friedman1: always,
  make_friedman2: always,
  make_friedman3: always,
  make_gaussian_quantiles: always,
  make_hastie_10_2: always,
  make_low_rank_matrix: always,
  make_multilabel_classification: always,
  make_s_curve: always,
  make_swiss_roll: always,
  make_sparse_coded_signal: always,
  make_sparse_spd_matrix: always,
  make_spd_matrix: always,
  make_sparse_uncorrelated: always,
  make_biclusters: always,
  make_checkerboard: always,
};

/** Ensembles that hand their own `random_state` to the estimators they are built from. */
const SEEDING_ENSEMBLES = new Set([
  'BaggingClassifier',
  'BaggingRegressor',
  'AdaBoostClassifier',
  'AdaBoostRegressor',
]);

/** NumPy generators that draw fresh entropy from the OS when not given a seed. */
const NUMPY_GENERATORS = new Set(['numpy.random.default_rng', 'numpy.random.RandomState']);

/** Dataset methods of Hugging Face `datasets` that shuffle; they take `seed=`. */
const HF_SHUFFLES = new Set(['shuffle', 'train_test_split']);

function argumentReader(semantic: SemanticModel, args: CallArguments): ArgumentReader {
  return {
    value(name, position) {
      const node =
        args.keywords.get(name) ?? (position === undefined ? undefined : args.positional[position]);
      if (!node) return undefined;
      const literal = literalOf(semantic, node);
      return literal === undefined ? UNKNOWN : literal;
    },
  };
}

/** What is wrong with a call's seed: none given, or an explicit `None`. */
type SeedProblem = { kind: 'missing' } | { kind: 'none'; argument: Node };

/**
 * How a call passes its seed, by keyword `name` or at `position`: undefined when it is seeded (or
 * may be, through `**params` we cannot read), else what is missing.
 */
function seedProblem(
  semantic: SemanticModel,
  args: CallArguments,
  names: readonly string[],
  position?: number,
): SeedProblem | undefined {
  const given =
    names.map((name) => args.keywords.get(name)).find((node) => !!node) ??
    (position === undefined ? undefined : args.positional[position]);
  if (given) {
    // Only an explicit `None` (directly or through a name bound to it) leaves the call unseeded.
    if (literalOf(semantic, given) !== null) return undefined;
    const argument = given.parent?.type === 'keyword_argument' ? given.parent : given;
    return { kind: 'none', argument };
  }
  // A seed may come through `**params` or `*args`, unless the dict is a literal without one.
  if (args.star.length > 0) return undefined;
  for (const splat of args.doubleStar) {
    const dict = semantic.followName(splat);
    if (dict.type !== 'dictionary') return undefined;
    const keys = dict.namedChildren.map((pair) =>
      pair?.type === 'pair' ? semantic.stringLiteral(field(pair, 'key')) : undefined,
    );
    if (keys.some((key) => key === undefined || names.includes(key))) return undefined;
  }
  return { kind: 'missing' };
}

/** `ds` is a Hugging Face dataset: built by a `datasets` function, possibly through methods. */
function isHfDataset(semantic: SemanticModel, expression: Node | null, depth = 0): boolean {
  if (!expression || depth > 8) return false;
  const node =
    expression.type === 'parenthesized_expression' ? expression.namedChild(0) : expression;
  if (!node) return false;
  if (node.type === 'subscript') return isHfDataset(semantic, field(node, 'value'), depth + 1);
  if (node.type === 'call') {
    const callee = semantic.calleeName(node);
    if (callee) return callee.startsWith('datasets.');
    const fn = field(node, 'function');
    return fn?.type === 'attribute' && isHfDataset(semantic, field(fn, 'object'), depth + 1);
  }
  if (node.type !== 'identifier') return false;
  const bindings = semantic.bindingsOf(node.text, node);
  // `ds = load_dataset(...)` then `ds = ds.map(...)`: every binding keeps it a dataset.
  return (
    bindings.length > 0 &&
    bindings.every(
      (b) =>
        b.kind === 'assign' &&
        !!b.value &&
        (rootName(b.value) === node.text || isHfDataset(semantic, b.value, depth + 1)),
    ) &&
    bindings.some((b) => rootName(b.value!) !== node.text)
  );
}

/** The name a chain of methods and subscripts starts from: `ds["train"].map(f)` → `ds`. */
function rootName(expression: Node): string | undefined {
  let node: Node | null = expression;
  while (node) {
    if (node.type === 'identifier') return node.text;
    if (node.type === 'call') node = field(node, 'function');
    else if (node.type === 'attribute') node = field(node, 'object');
    else if (node.type === 'subscript') node = field(node, 'value');
    else return undefined;
  }
  return undefined;
}

/** Whether the call builds an estimator handed to Bagging or AdaBoost, whose own seed covers it. */
function isInsideSeedingEnsemble(semantic: SemanticModel, call: Node): boolean {
  const argument = call.parent?.type === 'keyword_argument' ? call.parent : call;
  const list = argument.parent;
  if (list?.type !== 'argument_list' || list.parent?.type !== 'call') return false;
  const outer = list.parent;
  const name = semantic.calleeName(outer);
  if (!name?.startsWith('sklearn.') || !SEEDING_ENSEMBLES.has(name.split('.').pop()!)) return false;
  const args = callArguments(outer);
  // The ensemble itself is reported when it lacks a seed; seeding it seeds this estimator.
  return (
    args.positional[0]?.id === call.id ||
    ['estimator', 'base_estimator'].some((k) => args.keywords.get(k)?.id === call.id)
  );
}

/** Whether the call is an argument of scikit-learn's estimator checks, which seed what they test. */
function isUnderEstimatorChecks(semantic: SemanticModel, call: Node): boolean {
  for (let node = call.parent; node; node = node.parent) {
    if (node.type === 'call' && semantic.calleeName(node)?.startsWith(ESTIMATOR_CHECKS))
      return true;
    if (node.type === 'block' || node.type === 'module') return false;
  }
  return false;
}

const ESTIMATOR_CHECKS = 'sklearn.utils.estimator_checks.';
const SEED_KEYWORD = /(^|__)random_state$/;

/**
 * Who gets a seed after construction, through `est.set_params(random_state=...)` or
 * `est.random_state = ...`: the names seeded that way, and whether some call seeds estimators it is
 * handed (a function parameter or loop variable, or a nested `clf__random_state`), in which case
 * any estimator the program builds may be seeded later.
 */
function seededAfterConstruction(semantic: SemanticModel): { names: Set<string>; any: boolean } {
  const names = new Set<string>();
  let any = false;
  const note = (receiver: Node | null, nested: boolean) => {
    if (receiver?.type !== 'identifier' || nested) {
      any = true;
      return;
    }
    names.add(receiver.text);
    // A parameter or loop variable stands for whatever estimators are passed in.
    if (semantic.bindingsOf(receiver.text, receiver).some((b) => b.kind !== 'assign')) any = true;
  };
  for (const call of semantic.nodes('call')) {
    if (semantic.methodName(call) !== 'set_params') continue;
    const keys = [...callArguments(call).keywords.keys()].filter((k) => SEED_KEYWORD.test(k));
    if (keys.length === 0) continue;
    note(
      field(field(call, 'function'), 'object'),
      keys.some((k) => k.includes('__')),
    );
  }
  for (const assignment of semantic.nodes('assignment')) {
    const target = field(assignment, 'left');
    if (target?.type !== 'attribute' || field(target, 'attribute')?.text !== 'random_state')
      continue;
    note(field(target, 'object'), false);
  }
  return { names, any };
}

/** The name an estimator built by `call` is assigned to: `clf = RandomForestClassifier()`. */
function assignedName(call: Node): string | undefined {
  const assignment = call.parent;
  if (assignment?.type !== 'assignment' || field(assignment, 'right')?.id !== call.id)
    return undefined;
  const name = field(assignment, 'left');
  return name?.type === 'identifier' ? name.text : undefined;
}

/** Inserts `keyword=value` as the last argument, on its own line when the arguments are. */
function addKeywordFix(context: RuleContext, call: Node, keyword: string, value: string): Fix {
  const list = field(call, 'arguments')!;
  const items = list.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const last = items[items.length - 1];
  const text = `${keyword}=${value}`;
  const title = `Pass ${text}`;
  if (!last) return { title, safety: 'unsafe', edits: [insertAt(list.startIndex + 1, text)] };
  // One argument per line (or a lone argument with a trailing comma): the seed gets its own line.
  const previous = items[items.length - 2];
  const trailingComma = list.text
    .slice(last.endIndex - list.startIndex)
    .trimStart()
    .startsWith(',');
  const ownLine =
    last.startPosition.row > list.startPosition.row &&
    (previous ? last.startPosition.row > previous.endPosition.row : trailingComma);
  const eol = lineBreak(context, last.startIndex);
  const separator = ownLine ? `,${eol}${indentationAt(context.file.text, last.startIndex)}` : ', ';
  return { title, safety: 'unsafe', edits: [insertAt(last.endIndex, `${separator}${text}`)] };
}

/** Replaces an explicit `None` seed with a value. */
function replaceNoneFix(argument: Node, keyword: string, value: string): Fix {
  const isKeyword = argument.type === 'keyword_argument';
  const target = isKeyword ? field(argument, 'value')! : argument;
  return {
    title: `Pass ${isKeyword ? `${keyword}=` : ''}${value}`,
    safety: 'unsafe',
    edits: [replaceNode(target, value)],
  };
}

/**
 * Whether the call is the fallback of a seed the caller left out: `if rng is None: rng =
 * np.random.default_rng()` in a function leaves the choice to whoever calls it.
 */
function isNoneFallback(call: Node): boolean {
  let previous = call;
  for (let node = call.parent; node; previous = node, node = node.parent) {
    if (node.type === 'function_definition' || node.type === 'module') return false;
    // The branch taken when the condition holds: an `if`/`elif` body, or `a if cond else b`'s `a`.
    const branch =
      node.type === 'if_statement' || node.type === 'elif_clause'
        ? field(node, 'consequence')
        : node.type === 'conditional_expression'
          ? node.namedChild(0)
          : null;
    if (!branch || branch.id !== previous.id) continue;
    const condition =
      node.type === 'conditional_expression' ? node.namedChild(1) : field(node, 'condition');
    if (!condition) continue;
    if (/^\w+\s+is\s+None$/.test(condition.text)) return !!ancestor(node, ['function_definition']);
  }
  return false;
}

/** Inside a loop or comprehension the variation across iterations may be intended: no fix. */
function isRepeated(call: Node): boolean {
  const loop = ancestor(call, [
    'for_statement',
    'while_statement',
    'list_comprehension',
    'generator_expression',
    'dictionary_comprehension',
    'set_comprehension',
    'function_definition',
  ]);
  return !!loop && loop.type !== 'function_definition';
}

export const missingRandomState = defineRule({
  code: 'MLH501',
  name: 'missing-random-state',
  family: 'reproducibility',
  severity: { script: 'warning', notebook: 'warning', test: 'off' },
  relaxedInExploration: true,
  fix: 'sometimes',
  triggers: ['sklearn', 'default_rng', 'RandomState', 'shuffle', 'train_test_split'],
  docs: {
    summary: 'A random split, estimator or generator is created without a seed.',
    why:
      'Without `random_state` every run splits the data differently and trains a different model: ' +
      'metrics move between runs for no reason, a regression cannot be bisected, and the model in ' +
      'production cannot be rebuilt from its code and data. Reported for scikit-learn splitters, ' +
      'estimators and data generators where randomness changes the result (tree ensembles, SGD, MLP, ' +
      'k-means, t-SNE, shuffling splitters; `LogisticRegression` only with a `sag`/`saga`/`liblinear` ' +
      'solver, `SVC` only with `probability=True`, `PCA` only with a randomized or ARPACK solver), for ' +
      '`np.random.default_rng()` / `np.random.RandomState()` without a seed, and for Hugging Face ' +
      '`Dataset.shuffle()` / `.train_test_split()` without `seed=`. A program that seeds NumPy ' +
      "globally (`np.random.seed`, `transformers.set_seed`, Lightning's `seed_everything`, a project " +
      '`set_seed` helper) draws scikit-learn and `datasets` randomness from that seeded generator, so ' +
      'only unseeded NumPy generators are reported there. Calls whose seed may come through ' +
      '`**params` are not reported.',
    howToFix:
      'Pass an explicit seed: `random_state=42`, or the project seed constant (`SEED`, ' +
      '`RANDOM_STATE`), or the `random_state` parameter of the function the call is in. Inside a ' +
      'loop that repeats an experiment on purpose, derive the seed from the loop variable.',
    fixSafety:
      'The fix is unsafe: it changes the numbers the program produces (the split, the fitted model), ' +
      'which downstream thresholds or comparisons may depend on. No fix is offered inside loops and ' +
      'comprehensions, where a constant seed would make every repetition identical.',
    options:
      '`seed-value` (integer, default 42): the seed written by the fix when the project has no seed constant.',
    examples: {
      invalid: [
        py`
          from sklearn.model_selection import train_test_split

          X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
        `,
        py`
          from sklearn.ensemble import RandomForestClassifier

          clf = RandomForestClassifier(n_estimators=200)
        `,
        py`
          import numpy as np

          rng = np.random.default_rng()
        `,
      ],
      valid: [
        py`
          from sklearn.model_selection import train_test_split

          X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
        `,
        py`
          from sklearn.linear_model import LogisticRegression

          clf = LogisticRegression(max_iter=1000)
        `,
        py`
          from sklearn.ensemble import RandomForestClassifier

          params = load_params()
          clf = RandomForestClassifier(**params)
        `,
      ],
    },
  },
  create(context): Visitors {
    const { semantic, options } = context;
    // NumPy's global generator seeds scikit-learn and `datasets` when they get no seed of their own.
    const numpySeeded = seededLibraries(semantic).has('numpy');
    const laterSeeded = seededAfterConstruction(semantic);

    /** An unseeded scikit-learn call, through any import alias or private module path. */
    const sklearnFinding = (
      call: Node,
      callee: string,
      args: CallArguments,
    ): Unseeded | undefined => {
      const name = callee.split('.').pop()!;
      const api = Object.hasOwn(SKLEARN_APIS, name) ? SKLEARN_APIS[name] : undefined;
      // Only scikit-learn APIs that draw random numbers.
      if (!api) return undefined;
      // Only configurations that are actually random (a shuffling KFold, a randomized solver).
      if (api.randomWhen && !api.randomWhen(argumentReader(semantic, args))) return undefined;
      const problem = seedProblem(semantic, args, ['random_state'], api.position);
      if (!problem) return undefined;
      if (problem.kind === 'missing') {
        // Bagging and AdaBoost seed the estimators they are built from.
        if (isInsideSeedingEnsemble(semantic, call)) return undefined;
        // `check_estimator` and `parametrize_with_checks` seed the estimators they check.
        if (isUnderEstimatorChecks(semantic, call)) return undefined;
        // `clf.set_params(random_state=0)` seeds an estimator after construction.
        const target = assignedName(call);
        if (/^[A-Z]/.test(name) && (laterSeeded.any || (target && laterSeeded.names.has(target))))
          return undefined;
      }
      return { api: `${name}(...)`, problem, keyword: 'random_state', effect: effectOf(name) };
    };

    /** `ds.shuffle()` / `ds.train_test_split(...)` on a Hugging Face dataset, without `seed=`. */
    const datasetFinding = (
      call: Node,
      method: string,
      args: CallArguments,
    ): Unseeded | undefined => {
      // Only datasets built by the `datasets` library (tf.data and pandas have their own shuffles).
      if (!isHfDataset(semantic, field(field(call, 'function'), 'object'))) return undefined;
      const reader = argumentReader(semantic, args);
      // A split with `shuffle=False` draws nothing.
      if (method === 'train_test_split' && !shuffledByDefault.randomWhen!(reader)) return undefined;
      // `shuffle` takes its seed first; `train_test_split` takes the split sizes first.
      const position = method === 'shuffle' ? 0 : undefined;
      const problem = seedProblem(semantic, args, ['seed', 'seeds', 'generator'], position);
      if (!problem) return undefined;
      return {
        api: `Dataset.${method}(...)`,
        problem,
        keyword: 'seed',
        effect: 'the order of the examples',
      };
    };

    return {
      call(call) {
        const callee = semantic.calleeName(call);
        const method = semantic.methodName(call);
        const args = callArguments(call);
        let finding: Unseeded | undefined;
        if (callee && NUMPY_GENERATORS.has(callee)) {
          // NumPy generators built without a seed draw fresh OS entropy, whatever else is seeded.
          // `if rng is None: rng = np.random.default_rng()` is the caller's choice.
          if (isNoneFallback(call)) return;
          const problem = seedProblem(semantic, args, ['seed'], 0);
          const api = `${callee.replace(/^numpy\./, 'np.')}()`;
          if (problem) finding = { api, problem, keyword: '', effect: 'the random stream' };
        } else if (numpySeeded) {
          // With NumPy seeded globally, unseeded library calls draw from that seeded generator.
          return;
        } else if (callee?.startsWith('sklearn.')) {
          finding = sklearnFinding(call, callee, args);
        } else if (!callee && method && HF_SHUFFLES.has(method)) {
          finding = datasetFinding(call, method, args);
        }
        // Only calls that draw random numbers without a seed.
        if (!finding) return;
        const { api, problem, keyword, effect } = finding;
        const value = seedExpression(semantic, call, options.seedValue);
        const given =
          problem.kind === 'none'
            ? `with ${keyword || 'seed'}=None`
            : `without ${keyword || 'a seed'}`;
        const advice = keyword ? `pass ${keyword}=${value}` : `seed it with ${value}`;
        context.report({
          node: problem.kind === 'none' ? problem.argument : field(call, 'function')!,
          message: `${api} ${given}: ${effect} differs on every run; ${advice}`,
          fixes: isRepeated(call) ? [] : [seedFix(context, call, problem, keyword, value)],
        });
      },
    };
  },
});

/** A call that draws random numbers without a seed, and what that changes. */
interface Unseeded {
  /** How the message names the call: `KFold(...)`, `np.random.default_rng()`. */
  api: string;
  problem: SeedProblem;
  /** The seed keyword; empty for NumPy generators, seeded by their first argument. */
  keyword: string;
  effect: string;
}

/** What an unseeded scikit-learn call makes different from run to run. */
function effectOf(name: string): string {
  if (/split|Split|KFold|^shuffle$|^resample$|^learning_curve$/.test(name)) return 'the split';
  if (name.startsWith('make_')) return 'the data set';
  if (/^[a-z]/.test(name) || /Search|Sampler$/.test(name)) return 'the result';
  return 'the fitted model';
}

function seedFix(
  context: RuleContext,
  call: Node,
  problem: SeedProblem,
  keyword: string,
  value: string,
): Fix {
  if (problem.kind === 'none') return replaceNoneFix(problem.argument, keyword, value);
  if (keyword) return addKeywordFix(context, call, keyword, value);
  // `np.random.default_rng()` → `np.random.default_rng(42)`.
  const list = field(call, 'arguments')!;
  const text = list.namedChildren.some((c) => c?.type !== 'comment') ? `${value}, ` : value;
  return {
    title: `Seed it with ${value}`,
    safety: 'unsafe',
    edits: [insertAt(list.startIndex + 1, text)],
  };
}
