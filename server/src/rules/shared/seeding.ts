import type { Node } from 'web-tree-sitter';
import type { Binding, SemanticModel } from '../../semantic/model';
import {
  ancestor,
  enclosingStatement,
  field,
  SCOPE_TYPES,
  unparenthesize,
} from '../../semantic/nodes';

/**
 * What MLH501 (missing-random-state) and MLH502 (unseeded-training) share: which random number
 * generators a program seeds, the project's seed constant, and how a literal argument reads.
 */

/** The global random number generators a seeding call can reset. */
export type SeededLibrary = 'random' | 'numpy' | 'torch' | 'tensorflow';

export const ALL_LIBRARIES: readonly SeededLibrary[] = ['random', 'numpy', 'torch', 'tensorflow'];

/** Seeding calls by qualified name and the generators each one resets. */
const SEEDERS: Record<string, readonly SeededLibrary[]> = {
  'random.seed': ['random'],
  'numpy.random.seed': ['numpy'],
  'torch.manual_seed': ['torch'],
  'torch.random.manual_seed': ['torch'],
  'tensorflow.random.set_seed': ['tensorflow'],
  'tensorflow.set_random_seed': ['tensorflow'],
  'tensorflow.compat.v1.set_random_seed': ['tensorflow'],
  'tensorflow.compat.v1.random.set_random_seed': ['tensorflow'],
  // These reset Python's, NumPy's and the framework's generators in one call.
  'keras.utils.set_random_seed': ALL_LIBRARIES,
  'transformers.set_seed': ALL_LIBRARIES,
  'transformers.trainer_utils.set_seed': ALL_LIBRARIES,
  'transformers.enable_full_determinism': ALL_LIBRARIES,
  'transformers.trainer_utils.enable_full_determinism': ALL_LIBRARIES,
  'accelerate.utils.set_seed': ALL_LIBRARIES,
  'accelerate.utils.random.set_seed': ALL_LIBRARIES,
  'fastai.torch_core.set_seed': ALL_LIBRARIES,
};

/** Lightning's `seed_everything` lives under several package paths across versions. */
const SEED_EVERYTHING =
  /^(pytorch_lightning|lightning|lightning_fabric)(\.[\w.]+)?\.seed_everything$/;

/**
 * A project's own seeding helper (`set_seed`, `seed_everything`, `fix_seeds`, `setup_seed`,
 * `set_global_seed`), assumed to seed every generator as such helpers do.
 */
const SEED_HELPER =
  /^(?:(?:set|fix|setup|init|reset|seed)_?)?(?:(?:random|global|all|rng)_?)?seeds?(?:_?(?:everything|all|torch|rng))?$/i;

/** Which global generators the program seeds anywhere, notebook cells included. */
export function seededLibraries(semantic: SemanticModel): Set<SeededLibrary> {
  const seeded = new Set<SeededLibrary>();
  for (const call of semantic.nodes('call')) {
    for (const library of librariesSeededBy(semantic, call)) seeded.add(library);
  }
  return seeded;
}

function librariesSeededBy(semantic: SemanticModel, call: Node): readonly SeededLibrary[] {
  const callee = semantic.calleeName(call);
  if (callee) {
    const known = Object.hasOwn(SEEDERS, callee) ? SEEDERS[callee] : undefined;
    if (known) return known;
    if (SEED_EVERYTHING.test(callee)) return ALL_LIBRARIES;
    // Other library functions named like seeds (`np.random.SeedSequence`) reset no global state.
    if (!isProjectName(callee)) return [];
  }
  const fn = field(call, 'function');
  // A method on an unknown object (`env.seed(0)`) seeds that object, not the global generators.
  if (!callee && fn?.type !== 'identifier') return [];
  const name = (callee ?? fn!.text).split('.').pop()!;
  return SEED_HELPER.test(name) ? ALL_LIBRARIES : [];
}

/** Top-level packages whose seed-named functions are not project helpers. */
const LIBRARY_ROOTS = new Set([
  'random',
  'numpy',
  'torch',
  'tensorflow',
  'keras',
  'jax',
  'sklearn',
  'scipy',
  'transformers',
  'accelerate',
  'pytorch_lightning',
  'lightning',
  'lightning_fabric',
  'fastai',
  'datasets',
  'gym',
  'gymnasium',
  'faker',
  'hypothesis',
]);

function isProjectName(qualified: string): boolean {
  return !LIBRARY_ROOTS.has(qualified.split('.')[0]);
}

/** Names under which projects keep their seed. */
const SEED_CONSTANT_NAMES = [
  'SEED',
  'RANDOM_STATE',
  'RANDOM_SEED',
  'seed',
  'random_state',
  'random_seed',
];

export interface SeedConstant {
  name: string;
  /** The module-level statement that binds it (assignment or import). */
  statement: Node;
}

/**
 * The project's seed constant: a module-level name from SEED_CONSTANT_NAMES bound once, to an
 * integer (`SEED = 42`, `SEED = int(os.environ.get("SEED", 42))`) or by an import from a project
 * module (`from config import SEED`).
 */
export function seedConstant(semantic: SemanticModel): SeedConstant | undefined {
  const root = semantic.tree.rootNode;
  for (const name of SEED_CONSTANT_NAMES) {
    const bindings = semantic.bindingsOf(name, root);
    if (bindings.length !== 1) continue;
    const binding = bindings[0];
    if (!isIntegerBinding(semantic, binding)) continue;
    const statement = enclosingStatement(binding.target);
    // Only a name bound at the top level of the module (not in an `if` block) is always defined.
    if (statement.parent?.type !== 'module') continue;
    return { name, statement };
  }
  return undefined;
}

function isIntegerBinding(semantic: SemanticModel, binding: Binding): boolean {
  if (binding.kind === 'import') return isProjectName(binding.qualifiedName ?? '');
  if (binding.kind !== 'assign' || !binding.value) return false;
  const value = unparenthesize(binding.value);
  if (value.type === 'integer') return true;
  return value.type === 'call' && semantic.calleeName(value) === 'builtins.int';
}

/**
 * The seed to write into a fix at `at`: a parameter of the enclosing function that carries a seed
 * (`def build(random_state=None)`), else the project's seed constant when it is visible there,
 * else the configured `seed-value`.
 */
export function seedExpression(
  semantic: SemanticModel,
  at: Node,
  seedValue: number,
  parameterNames: readonly string[] = ['random_state', 'seed', 'random_seed'],
): string {
  const parameter = seedParameter(semantic, at, parameterNames);
  if (parameter) return parameter;
  const constant = seedConstant(semantic);
  if (constant && isVisibleAt(semantic, constant, at)) return constant.name;
  return String(seedValue);
}

function seedParameter(
  semantic: SemanticModel,
  at: Node,
  names: readonly string[],
): string | undefined {
  const scope = ancestor(at, SCOPE_TYPES);
  if (scope?.type !== 'function_definition') return undefined;
  for (const name of names) {
    const bindings = semantic.bindingsOf(name, at);
    if (bindings.length === 1 && bindings[0].kind === 'parameter') return name;
  }
  return undefined;
}

/** Whether the module constant is what its name means at `at`, and is bound by then. */
function isVisibleAt(semantic: SemanticModel, constant: SeedConstant, at: Node): boolean {
  const bindings = semantic.bindingsOf(constant.name, at);
  if (bindings.length !== 1 || enclosingStatement(bindings[0].target).id !== constant.statement.id)
    return false;
  // Code in a function runs after the module has been loaded; module-level code runs in order.
  return !!ancestor(at, SCOPE_TYPES) || constant.statement.endIndex <= at.startIndex;
}

/** A literal an argument stands for, following names bound once: `True`, `None`, `"sag"`, `3`. */
export type Literal = boolean | null | string | number;

export function literalOf(
  semantic: SemanticModel,
  expression: Node | null | undefined,
): Literal | undefined {
  if (!expression) return undefined;
  const node = semantic.followName(expression);
  switch (node.type) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'none':
      return null;
    case 'integer':
    case 'float':
      return Number(node.text.replace(/_/g, ''));
    case 'string':
    case 'concatenated_string':
      return semantic.stringLiteral(node);
    default:
      return undefined;
  }
}
