import type { Node } from 'web-tree-sitter';
import { addSetupLines, insertAt, lineBreak, setupInsertionPoint } from '../fixes/edits';
import type { Binding, SemanticModel } from '../semantic/model';
import { ancestor, enclosingStatement, field, SCOPE_TYPES } from '../semantic/nodes';
import { seedConstant, seededLibraries, type SeededLibrary } from './shared/seeding';
import { defineRule, py, type Fix, type RuleContext, type Visitors } from './types';

/** Methods that fit a model to data. */
const FIT_METHODS = new Set(['fit', 'fit_generator', 'train_on_batch', 'partial_fit']);
/** Library functions that train a model from their arguments. */
const TRAIN_FUNCTIONS = new Set(['xgboost.train', 'lightgbm.train', 'catboost.train']);
/** Receivers of `.step()` that are optimizers (a scheduler's or an environment's step is not). */
const OPTIMIZER = /(^|[._])(optim|optimizer|optimiser|opt)(_\w+)?$|Optimizer$/i;

/** Whether a call trains: a backward pass, an optimizer step, a fit, `trainer.train()`. */
function isTrainingCall(semantic: SemanticModel, call: Node): boolean {
  const callee = semantic.calleeName(call);
  if (callee) return TRAIN_FUNCTIONS.has(callee);
  const method = semantic.methodName(call);
  if (!method) return false;
  const receiver = field(field(call, 'function'), 'object')?.text ?? '';
  if (method === 'backward' || method === 'apply_gradients' || FIT_METHODS.has(method)) return true;
  // `optimizer.step()`, `scaler.step(optimizer)` (mixed precision) take an optimization step.
  if (method === 'step') return OPTIMIZER.test(receiver) || /scaler$/i.test(receiver);
  // Hugging Face `trainer.train()`.
  return method === 'train' && /trainer$/i.test(receiver);
}

/** Top-level packages by the generator they draw from. */
const LIBRARY_OF: Record<string, SeededLibrary> = {
  random: 'random',
  numpy: 'numpy',
  torch: 'torch',
  torchvision: 'torch',
  lightning: 'torch',
  pytorch_lightning: 'torch',
  accelerate: 'torch',
  tensorflow: 'tensorflow',
  keras: 'tensorflow',
  tf_keras: 'tensorflow',
};

/** NumPy and `random` names that do not draw from the global generator. */
const NOT_GLOBAL_DRAWS = new Set([
  'seed',
  'default_rng',
  'RandomState',
  'Generator',
  'SeedSequence',
  'BitGenerator',
  'PCG64',
  'PCG64DXSM',
  'MT19937',
  'Philox',
  'SFC64',
  'get_state',
  'set_state',
  'getstate',
  'setstate',
  'Random',
  'SystemRandom',
]);

/** Trainers that seed every generator from their arguments (`TrainingArguments.seed`, 42 by default). */
const SELF_SEEDING_TRAINER = /^(transformers|trl|setfit)(\.[\w.]+)?\.\w*Trainer$/;

/** Whether the program builds a Hugging Face trainer (directly or through a subclass). */
function buildsSelfSeedingTrainer(semantic: SemanticModel): boolean {
  const isTrainer = (node: Node | null) =>
    SELF_SEEDING_TRAINER.test(semantic.qualifiedName(node) ?? '');
  if (semantic.nodes('call').some((call) => isTrainer(field(call, 'function')))) return true;
  return semantic
    .nodes('class_definition')
    .some((cls) => field(cls, 'superclasses')?.namedChildren.some((base) => isTrainer(base)));
}

/** The libraries a program imports, by the generator each one brings. */
function importedLibraries(semantic: SemanticModel): Set<SeededLibrary> {
  const libraries = new Set<SeededLibrary>();
  for (const binding of semantic.imports) {
    const root = (binding.qualifiedName ?? '').split('.')[0];
    const library = Object.hasOwn(LIBRARY_OF, root) ? LIBRARY_OF[root] : undefined;
    if (library) libraries.add(library);
  }
  // Hugging Face transformers trains with PyTorch unless the program uses TensorFlow.
  const usesTransformers = semantic.imports.some((b) =>
    b.qualifiedName?.startsWith('transformers'),
  );
  if (usesTransformers && !libraries.has('tensorflow')) libraries.add('torch');
  return libraries;
}

/**
 * The generators whose state the training depends on: the framework's (PyTorch, TensorFlow) when
 * it is imported, since it initialises the weights and shuffles the batches; NumPy's and Python's
 * when the program draws from their global generators (`np.random.shuffle`, `random.sample`).
 */
function librariesInUse(semantic: SemanticModel, imported: Set<SeededLibrary>): SeededLibrary[] {
  const inUse = new Set<SeededLibrary>();
  if (imported.has('torch')) inUse.add('torch');
  if (imported.has('tensorflow')) inUse.add('tensorflow');
  for (const call of semantic.nodes('call')) {
    const callee = semantic.calleeName(call) ?? '';
    const match = /^(numpy\.random|random)\.(\w+)$/.exec(callee);
    if (!match || NOT_GLOBAL_DRAWS.has(match[2])) continue;
    inUse.add(match[1] === 'random' ? 'random' : 'numpy');
  }
  return ORDER.filter((library) => inUse.has(library));
}

const ORDER: readonly SeededLibrary[] = ['random', 'numpy', 'torch', 'tensorflow'];
const DISPLAY: Record<SeededLibrary, string> = {
  random: 'random',
  numpy: 'NumPy',
  torch: 'PyTorch',
  tensorflow: 'TensorFlow',
};

/**
 * Whether the program runs its training when executed: a notebook, a script with a `__main__`
 * block, training at module level, or a module-level call of a function it defines. An importable
 * module whose training only runs when called leaves seeding to the program that calls it.
 */
function runsTraining(context: RuleContext, training: readonly Node[]): boolean {
  const { semantic } = context;
  if (context.file.notebook) return true;
  if (training.some((call) => !ancestor(call, SCOPE_TYPES))) return true;
  const hasMainBlock = semantic
    .nodes('if_statement')
    .some((node) =>
      /^__name__\s*==\s*['"]__main__['"]$/.test(field(node, 'condition')?.text ?? ''),
    );
  if (hasMainBlock) return true;
  return semantic.nodes('call').some((call) => {
    const fn = field(call, 'function');
    if (fn?.type !== 'identifier' || ancestor(call, SCOPE_TYPES)) return false;
    return semantic.bindingsOf(fn.text, fn).some((b) => b.kind === 'definition');
  });
}

/** A module-level `import <module>` (any alias) bound before `offset`, usable by setup lines. */
function moduleName(semantic: SemanticModel, module: string, offset: number): string | undefined {
  const binding = semantic.imports.find(
    (b: Binding) =>
      b.qualifiedName === module &&
      enclosingStatement(b.target).parent?.type === 'module' &&
      b.target.endIndex <= offset,
  );
  return binding?.target.text;
}

/** Whether TensorFlow comes in through `tensorflow.keras` rather than standalone Keras. */
function importsTensorflow(semantic: SemanticModel): boolean {
  return semantic.imports.some(
    (b) =>
      b.qualifiedName?.startsWith('tensorflow') ||
      /\btensorflow\b/.test(enclosingStatement(b.target).text),
  );
}

/**
 * The lines that seed one library, with the import they need when it is not bound yet (or only
 * later); undefined when the name to call it by is also bound to something else (`from torch
 * import torch`): the seeding would go through an ambiguous name and never be recognised.
 */
function seedLines(
  semantic: SemanticModel,
  library: SeededLibrary,
  seed: string,
  offset: number,
): { imports: string[]; calls: string[] } | undefined {
  const root = semantic.tree.rootNode;
  // Whether `name` is also bound to something other than `module`.
  const taken = (name: string, module: string) =>
    semantic.bindingsOf(name, root).some((b) => b.qualifiedName !== module);
  const use = (module: string, call: (name: string) => string) => {
    const name = moduleName(semantic, module, offset);
    if (taken(name ?? module, module)) return undefined;
    return name
      ? { imports: [], calls: [call(name)] }
      : { imports: [`import ${module}`], calls: [call(module)] };
  };
  switch (library) {
    case 'random':
      return use('random', (name) => `${name}.seed(${seed})`);
    case 'numpy':
      return use('numpy', (name) => `${name}.random.seed(${seed})`);
    case 'torch':
      return use('torch', (name) => `${name}.manual_seed(${seed})`);
    case 'tensorflow': {
      // `tf.random.set_seed`, else Keras's own seeding, which also seeds its backend.
      if (moduleName(semantic, 'tensorflow', offset))
        return use('tensorflow', (name) => `${name}.random.set_seed(${seed})`);
      if (moduleName(semantic, 'keras', offset))
        return use('keras', (name) => `${name}.utils.set_random_seed(${seed})`);
      return importsTensorflow(semantic)
        ? use('tensorflow', (name) => `${name}.random.set_seed(${seed})`)
        : use('keras', (name) => `${name}.utils.set_random_seed(${seed})`);
    }
  }
}

/**
 * Seeds the imported libraries not seeded yet, once, after the imports (in a notebook, in the
 * cell that holds them), reusing the project's seed constant. A constant bound after the imports
 * gets the seeding lines right after it.
 */
function seedingFix(context: RuleContext, libraries: readonly SeededLibrary[]): Fix | undefined {
  const { semantic, options } = context;
  const point = setupInsertionPoint(context);
  // Setup lines go after the imports; with none, there is nothing to seed through.
  if (!point.leadingNewline) return undefined;
  const constant = seedConstant(semantic);
  const afterConstant = constant && constant.statement.startIndex > point.offset;
  const name = constant?.name ?? freeSeedName(semantic);
  const calls: string[] = [];
  const imports: string[] = [];
  for (const library of libraries) {
    const lines = seedLines(semantic, library, name, point.offset);
    if (!lines) return undefined;
    imports.push(...lines.imports.filter((line) => !imports.includes(line)));
    calls.push(...lines.calls);
  }
  const define = constant ? [] : [`${name} = ${options.seedValue}`];
  const edits = afterConstant
    ? [
        ...addSetupLines(context, imports),
        insertAt(
          constant.statement.endIndex,
          calls
            .map((line) => `${lineBreak(context, constant.statement.startIndex)}${line}`)
            .join(''),
        ),
      ]
    : addSetupLines(context, [...imports, '', ...define, ...calls]);
  const names = libraries.map((library) => DISPLAY[library]).join(', ');
  return { title: `Seed ${names} after the imports`, safety: 'unsafe', edits };
}

/** `SEED`, unless the module already binds that name to something that is not a seed. */
function freeSeedName(semantic: SemanticModel): string {
  const root = semantic.tree.rootNode;
  return (
    ['SEED', 'RANDOM_SEED', 'GLOBAL_SEED'].find(
      (name) => semantic.bindingsOf(name, root).length === 0,
    ) ?? '_MLH_SEED'
  );
}

export const unseededTraining = defineRule({
  code: 'MLH502',
  name: 'unseeded-training',
  family: 'reproducibility',
  severity: { script: 'warning', notebook: 'warning', test: 'off' },
  relaxedInExploration: true,
  fix: 'sometimes',
  triggers: ['fit', 'backward', 'step', 'train', 'apply_gradients'],
  docs: {
    summary: 'A program trains a model without seeding the random number generators it uses.',
    why:
      'Weight initialisation, dropout, data shuffling and augmentation all draw from global random ' +
      'number generators. Unseeded, two runs of the same code on the same data give different ' +
      'models and different metrics: a regression cannot be told apart from noise, a result cannot ' +
      'be reproduced for an audit, and a bug seen once may never be seen again. Reported once per ' +
      'program, on its first training call (`.backward()`, `optimizer.step()`, `.fit(...)`, ' +
      '`.train_on_batch(...)`, `.partial_fit(...)`, `trainer.train()`), when PyTorch or TensorFlow/Keras ' +
      "is imported, or the program draws from NumPy's or Python's global generator " +
      '(`np.random.shuffle`, `random.sample`), and that generator is never seeded anywhere in the ' +
      'program (notebook cells included): `torch.manual_seed`, `np.random.seed`, `random.seed`, ' +
      "`tf.random.set_seed`, `keras.utils.set_random_seed`, `transformers.set_seed`, Lightning's " +
      '`seed_everything`, `accelerate.utils.set_seed`, or a project helper such as `set_seed(...)`. ' +
      'A Hugging Face `Trainer` (or a subclass, `trl` trainers included) seeds every generator from ' +
      '`TrainingArguments.seed` itself. Importable modules whose training code runs only when called ' +
      'are left to the program that calls them.',
    howToFix:
      'Seed every generator the program uses once, right after the imports, from one seed constant ' +
      "(or call your framework's `set_seed` / `seed_everything`). For bit-exact GPU runs also enable " +
      "the framework's deterministic mode.",
    fixSafety:
      'The fix is unsafe: it changes the numbers the program produces (initial weights, batch order), ' +
      'which downstream thresholds may depend on. It adds a seeding block after the imports (in a ' +
      'notebook, in the cell that holds them) for exactly the libraries the program imports and has ' +
      'not seeded, reusing the seed constant (`SEED`, `RANDOM_SEED`, `RANDOM_STATE`, `seed`) when the ' +
      'module has one, otherwise defining `SEED`.',
    options:
      '`seed-value` (integer, default 42): the value of the `SEED` constant the fix defines.',
    examples: {
      invalid: [
        py`
          import torch

          model = Net()
          optimizer = torch.optim.Adam(model.parameters())
          for epoch in range(10):
              loss = criterion(model(inputs), targets)
              loss.backward()
              optimizer.step()
        `,
        py`
          import numpy as np
          from sklearn.svm import SVR

          X = np.sort(5 * np.random.rand(40, 1), axis=0)
          SVR().fit(X, y)
        `,
      ],
      valid: [
        py`
          import torch

          torch.manual_seed(42)
          model = Net()
          optimizer = torch.optim.Adam(model.parameters())
          for epoch in range(10):
              loss = criterion(model(inputs), targets)
              loss.backward()
              optimizer.step()
        `,
        py`
          import tensorflow as tf
          from transformers import set_seed

          set_seed(42)
          model.fit(x_train, y_train, epochs=5)
        `,
      ],
    },
  },
  create(context): Visitors {
    const { semantic } = context;
    return {
      // One finding per program: the whole module is judged once.
      module() {
        const training = semantic.nodes('call').filter((call) => isTrainingCall(semantic, call));
        // Only programs that train.
        if (training.length === 0) return;
        const imported = importedLibraries(semantic);
        const seeded = seededLibraries(semantic);
        const unseeded = librariesInUse(semantic, imported).filter((lib) => !seeded.has(lib));
        // Every generator the training draws from is seeded somewhere in the program.
        if (unseeded.length === 0) return;
        // A Hugging Face `Trainer` seeds every generator itself when it is built.
        if (buildsSelfSeedingTrainer(semantic)) return;
        // Importable modules leave seeding to the program that runs them.
        if (!runsTraining(context, training)) return;
        const toSeed = ORDER.filter((lib) => imported.has(lib) && !seeded.has(lib));
        const fix = seedingFix(context, toSeed);
        const names = unseeded.map((lib) => DISPLAY[lib]).join(' and ');
        context.report({
          node: field(training[0], 'function')!,
          message: `Training without seeding ${names}: two runs give different models and metrics; seed the random number generators once after the imports`,
          fixes: fix ? [fix] : [],
        });
      },
    };
  },
});
