import type { Node } from 'web-tree-sitter';
import { describeLocation } from '../engine/source';
import { indentUnit, indentationAt, insertAt, lineBreak } from '../fixes/edits';
import type { SemanticModel } from '../semantic/model';
import {
  callArguments,
  enclosingStatement,
  field,
  unparenthesize,
  type CallArguments,
} from '../semantic/nodes';
import {
  freeName,
  lineEnd,
  pythonString,
  standaloneStatement,
  stringsOf,
  usesOfBinding,
} from './shared/dataflow';
import { callLabel, shortText } from './shared/labels';
import { defineRule, py, type Fix, type RuleContext } from './types';

/** pandas readers of external tabular data (pickle is MLH301's, HDF and clipboard are not tabular files). */
const PANDAS_READERS = new Set([
  'read_csv',
  'read_table',
  'read_excel',
  'read_json',
  'read_parquet',
  'read_sql',
  'read_sql_query',
  'read_sql_table',
  'read_feather',
  'read_orc',
  'read_fwf',
]);

/** polars readers; `read_*_schema` returns a schema, not data. */
const POLARS_READER = /^(read|scan)_\w+$/;
const POLARS_NOT_DATA = /_schema$/;

/** Arguments that declare the schema at the read: the file must then match it. */
const SCHEMA_ARGUMENTS = [
  'dtype',
  'dtypes',
  'usecols',
  'names',
  'columns',
  'schema',
  'schema_overrides',
  'new_columns',
];

/** Arguments that make the reader return something other than one frame. */
const NOT_ONE_FRAME = ['chunksize', 'iterator'];

/** Methods whose result still has the frame's columns (rows filtered, values changed, columns added). */
const FRAME_KEEPING = new Set([
  'dropna',
  'fillna',
  'copy',
  'reset_index',
  'sort_values',
  'sort_index',
  'drop_duplicates',
  'sample',
  'head',
  'tail',
  'query',
  'replace',
  'drop',
  'infer_objects',
  'convert_dtypes',
  'interpolate',
  'ffill',
  'bfill',
  'round',
  'clip',
  'where',
  'mask',
  'assign',
  'rename',
  'set_index',
  'truncate',
  'nlargest',
  'nsmallest',
  'select_dtypes',
  // polars
  'filter',
  'with_columns',
  'drop_nulls',
  'fill_null',
  'fill_nan',
  'unique',
  'sort',
  'limit',
  'slice',
  'clone',
  'collect',
  'lazy',
  'with_row_index',
  'with_row_count',
]);

/** Frame methods that select columns by name, with where the names are given. */
const COLUMN_ARGUMENTS: Record<string, { positional?: number[]; keywords: string[] }> = {
  groupby: { positional: [0], keywords: ['by'] },
  group_by: { positional: [0], keywords: ['by'] },
  sort_values: { positional: [0], keywords: ['by'] },
  sort: { positional: [0], keywords: ['by'] },
  set_index: { positional: [0], keywords: ['keys'] },
  drop: { keywords: ['columns'] },
  dropna: { keywords: ['subset'] },
  drop_duplicates: { positional: [0], keywords: ['subset'] },
  unique: { keywords: ['subset'] },
  drop_nulls: { keywords: ['subset'] },
  pivot_table: { keywords: ['values', 'index', 'columns'] },
  pivot: { keywords: ['index', 'columns', 'values', 'on'] },
  melt: { keywords: ['id_vars', 'value_vars'] },
  nlargest: { positional: [1], keywords: ['columns'] },
  nsmallest: { positional: [1], keywords: ['columns'] },
  explode: { positional: [0], keywords: ['column', 'columns'] },
  get_column: { positional: [0], keywords: ['name'] },
  pop: { positional: [0], keywords: ['item'] },
  select: { keywords: [] },
  value_counts: { keywords: ['subset'] },
  merge: { keywords: ['on', 'left_on'] },
  join: { keywords: ['on', 'left_on'] },
};

/** polars methods whose positional arguments are all column names. */
const ALL_POSITIONAL_COLUMNS = new Set(['select', 'group_by', 'drop']);

/** Methods that group the frame; what follows still names its columns. */
const GROUPERS = new Set(['groupby', 'group_by', 'rolling', 'resample', 'group_by_dynamic']);

/** Methods that only clean the frame: the columns they name do not make it a use. */
const CLEANING = new Set(['drop', 'dropna', 'drop_duplicates', 'unique', 'drop_nulls']);

const MERGES = new Set(['merge', 'join', 'merge_asof', 'merge_ordered']);

/** Estimator methods that consume data: the frame decides what the model learns or predicts. */
const MODEL_METHODS = new Set([
  'fit',
  'fit_transform',
  'fit_predict',
  'fit_resample',
  'partial_fit',
  'predict',
  'predict_proba',
  'predict_log_proba',
  'decision_function',
  'transform',
  'score',
]);

/** Functions that fit or score a model on the data they are given. */
const MODEL_FUNCTIONS = new Set([
  'sklearn.model_selection.cross_val_score',
  'sklearn.model_selection.cross_validate',
  'sklearn.model_selection.cross_val_predict',
  'sklearn.model_selection.learning_curve',
  'sklearn.model_selection.validation_curve',
  'sklearn.inspection.permutation_importance',
  'xgboost.train',
  'xgboost.cv',
  'lightgbm.train',
  'lightgbm.cv',
]);

/** Wrappers whose result carries the frame's data on to a model. */
const DATA_WRAPPERS = new Set([
  'numpy.array',
  'numpy.asarray',
  'numpy.asanyarray',
  'torch.tensor',
  'torch.as_tensor',
  'torch.from_numpy',
  'xgboost.DMatrix',
  'lightgbm.Dataset',
  'catboost.Pool',
  'tensorflow.convert_to_tensor',
  'tensorflow.constant',
]);

const SPLITTERS = new Set(['sklearn.model_selection.train_test_split']);

/**
 * Calls that validate a frame: pandera, great_expectations, pydantic, and project helpers whose
 * name says they check or validate.
 */
const VALIDATING_MODULES =
  /^(pandera|great_expectations|pydantic|pandantic|dataenforce|frictionless)\./;
const VALIDATING_NAME = /valid|schema|check|verify|expect|assert|ensure|conform/i;
const PANDERA_DECORATORS = /^pandera\.(check_types|check_input|check_output|check_io)$/;

/** Operators whose result is computed from a column (for deciding whether it is only shown). */
const OPERATORS = new Set([
  'comparison_operator',
  'binary_operator',
  'boolean_operator',
  'not_operator',
  'unary_operator',
]);

/** Library functions that compute a table or a chart from columns, not a model input. */
const ANALYSIS_MODULES = /^(pandas|numpy|scipy|seaborn|matplotlib|plotly)\./;

/** Where the value of a frame expression ends up on display only. */
const DISPLAY_FUNCTIONS = new Set(['builtins.print', 'IPython.display.display', 'pprint.pprint']);
const DISPLAY_NAMES = new Set(['print', 'display', 'pprint']);
const DISPLAY_RECEIVERS = /^(st|plt|sns|px|ax|axes|axs|fig|logger|logging|log)$/;
const DISPLAY_METHODS = new Set([
  'head',
  'tail',
  'describe',
  'info',
  'plot',
  'hist',
  'boxplot',
  'value_counts',
  'unique',
  'nunique',
  'mean',
  'median',
  'sum',
  'min',
  'max',
  'std',
  'var',
  'count',
  'corr',
  'isna',
  'isnull',
  'to_string',
  'to_markdown',
  'sample',
  'mode',
]);

/** Attributes of a DataFrame that are not columns (pandas and polars), so `df.age` is a column. */
const FRAME_ATTRIBUTES = new Set(
  (
    'T at attrs axes columns dtypes empty flags iat iloc index loc ndim shape size style values ' +
    'plot sparse str dt cat array name nbytes is_unique hasnans height width schema ' +
    'abs add add_prefix add_suffix agg aggregate align all any apply applymap map asfreq asof ' +
    'assign astype at_time backfill between_time bfill bool boxplot clip combine combine_first ' +
    'compare convert_dtypes copy corr corrwith count cov cummax cummin cumprod cumsum describe ' +
    'diff div divide dot drop drop_duplicates droplevel dropna duplicated eq equals eval ewm ' +
    'expanding explode ffill fillna filter first first_valid_index floordiv from_dict ' +
    'from_records ge get groupby gt head hist idxmax idxmin infer_objects info insert ' +
    'interpolate isetitem isin isna isnull items iteritems iterrows itertuples join keys kurt ' +
    'kurtosis last last_valid_index le lookup lt mad mask max mean median melt memory_usage merge ' +
    'min mod mode mul multiply ne nlargest notna notnull nsmallest nunique pad pct_change pipe ' +
    'pivot pivot_table pop pow prod product quantile query radd rank rdiv reindex reindex_like ' +
    'rename rename_axis reorder_levels replace resample reset_index rfloordiv rmod rmul rolling ' +
    'round rpow rsub rtruediv sample select_dtypes sem set_axis set_flags set_index shift skew ' +
    'sort_index sort_values squeeze stack std sub subtract sum swapaxes swaplevel tail take ' +
    'to_clipboard to_csv to_dict to_excel to_feather to_gbq to_hdf to_html to_json to_latex ' +
    'to_markdown to_numpy to_orc to_parquet to_period to_pickle to_records to_sql to_stata ' +
    'to_string to_timestamp to_xarray to_xml transform transpose truediv truncate tz_convert ' +
    'tz_localize unstack update value_counts var where xs collect lazy select with_columns ' +
    'group_by sort unique limit slice cast clone drop_nulls fill_null fill_nan rows row ' +
    'iter_rows to_pandas to_arrow write_csv write_parquet estimated_size null_count n_unique'
  ).split(' '),
);

type Sink = { kind: 'column' | 'model' | 'merge'; node: Node; label: string };

interface ColumnRead {
  name: string;
  at: number;
}

/** What a frame expression is known to be while it is followed. */
interface FrameState {
  /**
   * `frame` keeps the read's columns; `grouped` is a group-by of it (`g["amount"]`, `pl.col("x")`
   * still name the frame's columns); `derived` carries its data on (a column, an array).
   */
  kind: 'frame' | 'grouped' | 'derived';
  /** Renamed columns: the current name → the name in the file. */
  renames: ReadonlyMap<string, string>;
}

/** Everything found while following one read. */
interface Flow {
  polars: boolean;
  sinks: Sink[];
  reads: ColumnRead[];
  /** Column name → the earliest offset at which the code creates it. */
  writes: Map<string, number>;
  validated: boolean;
  /** A rename whose mapping is unknown: the file's column names cannot be inferred from use. */
  unknownRename: boolean;
  /** Frame expressions whose `.columns`/`.dtypes` are read, or that `in` tests. */
  probes: Node[];
  /** Identifiers bound to the frame (for reads of the same name). */
  visited: Set<number>;
}

function methodCall(attribute: Node): Node | null {
  const parent = attribute.parent;
  return parent?.type === 'call' && field(parent, 'function')?.id === attribute.id ? parent : null;
}

/** The subscript indices of `x[a, b]` (tree-sitter repeats the `subscript` field). */
function subscriptIndices(subscript: Node): Node[] {
  return subscript.childrenForFieldName('subscript').filter((n) => n.type !== 'comment');
}

/** Whether `node` is only written to: an assignment target or a `del` operand (`+=` also reads). */
function isWritten(node: Node): boolean {
  const parent = node.parent;
  if (!parent) return false;
  if (parent.type === 'assignment') return field(parent, 'left')?.id === node.id;
  return parent.type === 'delete_statement';
}

function readerName(semantic: SemanticModel, call: Node): 'pandas' | 'polars' | undefined {
  const callee = semantic.calleeName(call);
  if (!callee) return undefined;
  const [module, name, extra] = callee.split('.');
  if (extra !== undefined || !name) return undefined;
  if (module === 'pandas' && PANDAS_READERS.has(name)) return 'pandas';
  if (module === 'polars' && POLARS_READER.test(name) && !POLARS_NOT_DATA.test(name))
    return 'polars';
  return undefined;
}

/** The value is declared: anything but `None`/`True`/`False` (`read_json(dtype=True)` infers). */
function declares(value: Node | undefined): boolean {
  if (!value) return false;
  return !['none', 'true', 'false'].includes(unparenthesize(value).type);
}

/** Literal text passed to the reader instead of a location (`io.StringIO("a,b\n1,2")`). */
function isInlineData(semantic: SemanticModel, args: CallArguments): boolean {
  const source = args.positional[0];
  if (!source) return false;
  const value = semantic.followName(source);
  if (value.type === 'call') {
    const callee = semantic.calleeName(value);
    if (callee !== 'io.StringIO' && callee !== 'io.BytesIO') return false;
    const inner = callArguments(value).positional[0];
    return !inner || semantic.stringLiteral(inner) !== undefined || inner.type === 'string';
  }
  const text = semantic.stringLiteral(value);
  return text !== undefined && (text.includes('\n') || /^\s*[{[]/.test(text));
}

/** `SELECT a, b FROM t`: the query names its columns, so the database checks them. */
function namesColumnsInQuery(semantic: SemanticModel, args: CallArguments): boolean {
  const query = args.positional[0] ?? args.keywords.get('sql');
  const value = query ? semantic.resolveValue(query) : undefined;
  const first = value?.parts[0];
  if (!value || first?.kind !== 'literal') return false;
  const match = /^\s*select\s+(?:distinct\s+)?([\s\S]*?)\s+from\s/i.exec(first.text);
  return !!match && !match[1].includes('*');
}

/** The string column names mentioned by `pl.col("a")` / `polars.col(...)` inside an expression. */
function polarsColumns(semantic: SemanticModel, node: Node): string[] {
  const names: string[] = [];
  for (const call of node.descendantsOfType('call')) {
    if (semantic.calleeName(call) !== 'polars.col') continue;
    for (const arg of callArguments(call).positional)
      names.push(...(stringsOf(semantic, arg) ?? []));
  }
  return names;
}

/** Names a `rename(...)` call maps, when it is a literal dict: new name → old name. */
function renameMapping(semantic: SemanticModel, call: Node): Map<string, string> | undefined {
  const args = callArguments(call);
  const mapping =
    args.keywords.get('columns') ?? args.keywords.get('mapping') ?? args.positional[0];
  if (!mapping) return undefined;
  // `rename(index=...)` leaves the columns alone.
  if (!args.keywords.has('columns') && args.keywords.has('index')) return new Map();
  const dict = semantic.followName(mapping);
  if (dict.type !== 'dictionary') return undefined;
  const result = new Map<string, string>();
  for (const pair of dict.namedChildren) {
    if (pair?.type !== 'pair') return undefined;
    const from = semantic.stringLiteral(field(pair, 'key'));
    const to = semantic.stringLiteral(field(pair, 'value'));
    if (from === undefined || to === undefined) return undefined;
    result.set(to, from);
  }
  return result;
}

function isDisplayCall(semantic: SemanticModel, call: Node): boolean {
  const fn = field(call, 'function');
  const callee = semantic.calleeName(call);
  if (callee && DISPLAY_FUNCTIONS.has(callee)) return true;
  if (fn?.type === 'identifier' && DISPLAY_NAMES.has(fn.text)) return true;
  let receiver = fn?.type === 'attribute' ? field(fn, 'object') : null;
  while (receiver?.type === 'attribute') receiver = field(receiver, 'object');
  return !!receiver && receiver.type === 'identifier' && DISPLAY_RECEIVERS.test(receiver.text);
}

/**
 * Whether a column's value is only looked at: the statement shows it (`df["age"]`, `.hist()`,
 * `.describe()`) or hands it to print/display/a plot.
 */
function onlyDisplayed(semantic: SemanticModel, expression: Node): boolean {
  let current = expression;
  let lastMethod: string | undefined;
  for (;;) {
    const parent = current.parent;
    if (!parent) return false;
    if (parent.type === 'attribute' && field(parent, 'object')?.id === current.id) {
      const call = methodCall(parent);
      lastMethod = field(parent, 'attribute')?.text;
      current = call ?? parent;
      if (!call) lastMethod = undefined;
      continue;
    }
    // `df["a"][0]`, `df[df["a"] > 1]`, `df["a"] * 2`: the value shown is still derived from it.
    if (parent.type === 'subscript' || OPERATORS.has(parent.type)) {
      current = parent;
      lastMethod = undefined;
      continue;
    }
    if (parent.type === 'parenthesized_expression') {
      current = parent;
      continue;
    }
    if (parent.type === 'expression_statement')
      return lastMethod === undefined || DISPLAY_METHODS.has(lastMethod);
    if (parent.type === 'argument_list' || parent.type === 'keyword_argument') {
      const call = ancestorCall(parent);
      if (!call) return false;
      if (isDisplayCall(semantic, call)) return true;
      // `pd.crosstab(df["a"], df["b"])` shown as a cell's result is a table to look at.
      if (!ANALYSIS_MODULES.test(semantic.calleeName(call) ?? '')) return false;
      current = call;
      lastMethod = undefined;
      continue;
    }
    return false;
  }
}

function ancestorCall(node: Node): Node | null {
  const list = node.type === 'keyword_argument' ? node.parent : node;
  return list?.type === 'argument_list' && list.parent?.type === 'call' ? list.parent : null;
}

/** Whether a function (a def in this file) validates its frame argument with pandera decorators. */
function isPanderaChecked(semantic: SemanticModel, call: Node): boolean {
  const fn = field(call, 'function');
  if (fn?.type !== 'identifier') return false;
  const binding = semantic.singleBinding(fn);
  if (binding?.kind !== 'definition') return false;
  const definition = binding.target.parent;
  const decorated = definition?.parent;
  if (decorated?.type !== 'decorated_definition') return false;
  return decorated.namedChildren.some((decorator) => {
    if (decorator?.type !== 'decorator') return false;
    const expression = decorator.namedChild(0);
    const target = expression?.type === 'call' ? field(expression, 'function') : expression;
    return PANDERA_DECORATORS.test(semantic.qualifiedName(target) ?? '');
  });
}

function isValidatingCall(semantic: SemanticModel, call: Node): boolean {
  // `Report(df=df, schema=...)`: the frame is handed over together with a schema.
  if (callArguments(call).keywords.has('schema')) return true;
  const callee = semantic.calleeName(call);
  if (callee && VALIDATING_MODULES.test(callee)) return true;
  const fn = field(call, 'function');
  const name = fn?.type === 'attribute' ? field(fn, 'attribute')?.text : fn?.text;
  if (name && VALIDATING_NAME.test(name)) return true;
  // `schema(df)`: a pandera schema object is callable.
  if (fn && /schema/i.test(fn.text)) return true;
  return isPanderaChecked(semantic, call);
}

/** Links of one expression chain followed before giving up (the stack must survive any input). */
const MAX_CHAIN_LINKS = 500;

class FrameFollower {
  constructor(
    private readonly semantic: SemanticModel,
    private readonly flow: Flow,
  ) {}

  /** How many links of one chain (`df["a"]["b"].c…`) are being followed right now. */
  private depth = 0;

  /** Follows the value of `expression` (a frame, or data derived from it) to where it is used. */
  follow(expression: Node, state: FrameState): void {
    // Each link recurses once; past a length no real code has, the rest of the chain is left alone.
    if (this.depth >= MAX_CHAIN_LINKS) return;
    this.depth++;
    try {
      this.followLink(expression, state);
    } finally {
      this.depth--;
    }
  }

  private followLink(expression: Node, state: FrameState): void {
    let current = expression;
    while (current.parent?.type === 'parenthesized_expression') current = current.parent;
    const parent = current.parent;
    if (!parent) return;
    switch (parent.type) {
      case 'subscript':
        if (field(parent, 'value')?.id === current.id) this.subscript(parent, state);
        return;
      case 'attribute':
        if (field(parent, 'object')?.id === current.id) this.attribute(parent, state);
        return;
      case 'argument_list':
      case 'keyword_argument':
        this.argument(current, parent, state);
        return;
      case 'assignment':
        if (field(parent, 'right')?.id === current.id) this.assigned(parent, state);
        return;
      case 'for_in_clause':
      case 'for_statement':
        // `[Row(**r) for r in df.to_dict("records")]`: each row built into a validating model.
        if (field(parent, 'right')?.id === current.id && buildsModels(this.semantic, parent))
          this.flow.validated = true;
        return;
      case 'comparison_operator':
        // `"age" in df` tests the columns.
        if (
          state.kind === 'frame' &&
          current.id !== parent.namedChild(0)?.id &&
          parent.childrenForFieldName('operators').some((op) => /^(not\s+)?in$/.test(op.text))
        )
          this.flow.probes.push(current);
        return;
      default:
        return;
    }
  }

  private columnRead(names: string[], at: Node, state: FrameState): void {
    for (const name of names) {
      this.flow.reads.push({ name: state.renames.get(name) ?? name, at: at.startIndex });
    }
  }

  private columnWrite(names: string[], at: Node): void {
    const statement = enclosingStatement(at);
    for (const name of names) {
      const known = this.flow.writes.get(name);
      if (known === undefined || statement.endIndex < known)
        this.flow.writes.set(name, statement.endIndex);
    }
  }

  private sink(kind: Sink['kind'], node: Node, label: string): void {
    this.flow.sinks.push({ kind, node, label });
  }

  private subscript(subscript: Node, state: FrameState): void {
    const indices = subscriptIndices(subscript);
    if (state.kind === 'grouped') {
      // `df.groupby("city")["tenure"]` selects a column of the frame.
      const names = indices.length === 1 ? stringsOf(this.semantic, indices[0]) : undefined;
      if (names) this.columnRead(names, indices[0], state);
      this.follow(subscript, { ...state, kind: 'derived' });
      return;
    }
    if (state.kind !== 'frame' || indices.length !== 1) {
      if (state.kind === 'derived') this.follow(subscript, state);
      return;
    }
    const index = unparenthesize(indices[0]);
    const names = stringsOf(this.semantic, index);
    if (names) {
      if (isWritten(subscript)) {
        this.columnWrite(names, subscript);
        return;
      }
      this.columnRead(names, index, state);
      if (!onlyDisplayed(this.semantic, subscript))
        this.sink('column', subscript, shortText(subscript));
      // `df[["a", "b"]]` is still a frame with those columns; `df["a"]` is one column's data.
      const isList = index.type === 'list' || this.semantic.followName(index).type === 'list';
      this.follow(subscript, isList ? state : { ...state, kind: 'derived' });
      return;
    }
    // `df[df["age"] > 30]`, `df[mask]`, `df[1:]`: rows are selected, the columns stay.
    if (
      ['comparison_operator', 'boolean_operator', 'not_operator', 'slice', 'call'].includes(
        index.type,
      )
    ) {
      if (!isWritten(subscript)) this.follow(subscript, state);
      return;
    }
    // `df[col]` with a column name the code computes: a column use whose name is unknown.
    if (isWritten(subscript)) return;
    if (!onlyDisplayed(this.semantic, subscript))
      this.sink('column', subscript, shortText(subscript));
    this.follow(subscript, { ...state, kind: 'derived' });
  }

  private attribute(attribute: Node, state: FrameState): void {
    const name = field(attribute, 'attribute')?.text ?? '';
    const call = methodCall(attribute);
    if (call) {
      this.method(call, name, state);
      return;
    }
    if (state.kind !== 'frame') {
      // `df["age"].values`, `X.T`: still the same data.
      this.follow(attribute, { ...state, kind: 'derived' });
      return;
    }
    if (name === 'columns' || name === 'dtypes' || name === 'schema') {
      if (name === 'columns' && isWritten(attribute)) {
        // `df.columns = ["a", "b"]` declares the names (and fails on a length mismatch);
        // anything else renames in a way the code does not spell out.
        const value = field(attribute.parent!, 'right');
        if (value && stringsOf(this.semantic, value)) this.flow.validated = true;
        else this.flow.unknownRename = true;
        return;
      }
      this.flow.probes.push(attribute);
      return;
    }
    if (name === 'loc' || name === 'at') {
      this.locate(attribute, state);
      return;
    }
    if (name === 'values' || name === 'T' || name === 'iloc') {
      this.follow(attribute, { ...state, kind: 'derived' });
      return;
    }
    if (FRAME_ATTRIBUTES.has(name) || name.startsWith('_') || this.flow.polars) return;
    // `df.age`: attribute access to a column.
    if (isWritten(attribute)) return;
    this.columnRead([name], attribute, state);
    if (!onlyDisplayed(this.semantic, attribute))
      this.sink('column', attribute, shortText(attribute));
    this.follow(attribute, { ...state, kind: 'derived' });
  }

  /** `df.loc[rows, "col"]`, `df.at[i, "col"]`: the second index names columns. */
  private locate(attribute: Node, state: FrameState): void {
    const subscript = attribute.parent;
    if (subscript?.type !== 'subscript' || field(subscript, 'value')?.id !== attribute.id) return;
    const indices = subscriptIndices(subscript);
    if (indices.length < 2) {
      if (!isWritten(subscript)) this.follow(subscript, state);
      return;
    }
    const names = stringsOf(this.semantic, indices[1]);
    if (!names) return;
    if (isWritten(subscript)) {
      this.columnWrite(names, subscript);
      return;
    }
    this.columnRead(names, indices[1], state);
    if (!onlyDisplayed(this.semantic, subscript))
      this.sink('column', subscript, shortText(subscript));
    this.follow(subscript, { ...state, kind: 'derived' });
  }

  private method(call: Node, name: string, state: FrameState): void {
    const args = callArguments(call);
    if (state.kind === 'grouped') {
      // `.agg(pl.col("amount").sum())`, `.agg({"amount": "sum"})` name the frame's columns.
      const names = args.node && this.flow.polars ? polarsColumns(this.semantic, args.node) : [];
      const mapping = args.positional[0] ? this.semantic.followName(args.positional[0]) : null;
      if ((name === 'agg' || name === 'aggregate') && mapping?.type === 'dictionary') {
        for (const pair of mapping.namedChildren) {
          const key =
            pair?.type === 'pair' ? this.semantic.stringLiteral(field(pair, 'key')) : undefined;
          if (key !== undefined) names.push(key);
        }
      }
      if (names.length > 0) this.columnRead(names, args.node ?? call, state);
      this.follow(call, { ...state, kind: 'derived' });
      return;
    }
    if (state.kind === 'derived') {
      // `X.to_numpy()`, `y.values.ravel()`: the data goes on.
      if (MODEL_METHODS.has(name)) return;
      this.follow(call, state);
      return;
    }
    // Reading a column by name through a method.
    this.methodColumns(call, name, args, state);
    if (name === 'astype' || name === 'cast') {
      // `df.astype({"age": "int64"})` enforces the named columns and their types.
      const mapping = args.positional[0] ? this.semantic.followName(args.positional[0]) : null;
      if (mapping?.type === 'dictionary') this.flow.validated = true;
      this.follow(call, state);
      return;
    }
    if (name === 'pipe' && args.positional[0] && isValidatingReference(args.positional[0])) {
      this.flow.validated = true;
      return;
    }
    if (name === 'validate') {
      // `df.pandera.validate(...)`-style accessors, or a frame-level validate method.
      this.flow.validated = true;
      return;
    }
    if (MERGES.has(name)) {
      this.sink('merge', call, callLabel(call));
      return;
    }
    if (name === 'insert') {
      const column = stringsOf(this.semantic, args.positional[1]);
      if (column) this.columnWrite(column, call);
      return;
    }
    if (name === 'rename') {
      const mapping = renameMapping(this.semantic, call);
      // An unknown mapping, or one applied in place to a name read later, hides the file's names.
      if (!mapping || isInPlace(args)) {
        this.flow.unknownRename = true;
        if (!isInPlace(args)) this.follow(call, state);
        return;
      }
      const renames = new Map(state.renames);
      for (const [to, from] of mapping) renames.set(to, state.renames.get(from) ?? from);
      this.follow(call, { ...state, renames });
      return;
    }
    if (name === 'assign' || name === 'with_columns') {
      this.columnWrite([...args.keywords.keys()], call);
      for (const alias of call.descendantsOfType('call')) {
        if (this.semantic.methodName(alias) !== 'alias') continue;
        this.columnWrite(stringsOf(this.semantic, callArguments(alias).positional[0]) ?? [], call);
      }
    }
    if (name === 'select' && this.flow.polars) {
      this.follow(call, state);
      return;
    }
    if (FRAME_KEEPING.has(name)) {
      if (!isInPlace(args)) this.follow(call, state);
      return;
    }
    if (GROUPERS.has(name)) {
      this.follow(call, { ...state, kind: 'grouped' });
      return;
    }
    if (
      ['to_numpy', 'to_pandas', 'to_dict', 'as_matrix', 'to_records', 'pop', 'get_column'].includes(
        name,
      )
    ) {
      this.follow(call, { ...state, kind: 'derived' });
    }
  }

  private methodColumns(call: Node, name: string, args: CallArguments, state: FrameState): void {
    const spec = COLUMN_ARGUMENTS[name];
    // `drop(columns=[...], errors="ignore")` does not need the columns to exist.
    if (this.semantic.stringLiteral(args.keywords.get('errors')) === 'ignore') return;
    const names: string[] = [];
    if (spec) {
      for (const index of spec.positional ?? [])
        names.push(...(stringsOf(this.semantic, args.positional[index]) ?? []));
      for (const keyword of spec.keywords)
        names.push(...(stringsOf(this.semantic, args.keywords.get(keyword)) ?? []));
      if (this.flow.polars && ALL_POSITIONAL_COLUMNS.has(name))
        for (const arg of args.positional) names.push(...(stringsOf(this.semantic, arg) ?? []));
    }
    if (this.flow.polars && args.node) names.push(...polarsColumns(this.semantic, args.node));
    if (names.length === 0) return;
    this.columnRead(names, args.node ?? call, state);
    // Cleaning steps (`drop(columns=...)`, `dropna(subset=...)`) name columns the fix checks, but
    // only real uses make the frame depend on them.
    if (!MERGES.has(name) && !CLEANING.has(name) && !onlyDisplayed(this.semantic, call))
      this.sink('column', call, callLabel(call));
  }

  private argument(value: Node, list: Node, state: FrameState): void {
    const call = ancestorCall(list);
    if (!call) return;
    // In a keyword argument, only the value carries data (`fit(X=df)`).
    if (list.type === 'keyword_argument' && field(list, 'value')?.id !== value.id) return;
    const semantic = this.semantic;
    if (isValidatingCall(semantic, call)) {
      this.flow.validated = true;
      return;
    }
    const callee = semantic.calleeName(call);
    const method = semantic.methodName(call);
    if ((method && MODEL_METHODS.has(method)) || (callee && MODEL_FUNCTIONS.has(callee))) {
      this.sink('model', call, callLabel(call));
      return;
    }
    if (callee === 'pandas.merge' || callee === 'polars.join' || callee === 'pandas.merge_asof') {
      this.sink('merge', call, callLabel(call));
      return;
    }
    if (method && MERGES.has(method) && state.kind === 'frame') {
      // `other.merge(df, on=...)`: this frame is the right side.
      this.sink('merge', call, callLabel(call));
      return;
    }
    if (callee && SPLITTERS.has(callee)) {
      this.split(call, value, state);
      return;
    }
    if (callee && DATA_WRAPPERS.has(callee)) this.follow(call, { ...state, kind: 'derived' });
  }

  /** `train, test = train_test_split(df)`: each part keeps the columns of what was split. */
  private split(call: Node, value: Node, state: FrameState): void {
    const assignment = call.parent;
    if (assignment?.type !== 'assignment' || field(assignment, 'right')?.id !== call.id) return;
    const left = field(assignment, 'left');
    if (left?.type !== 'pattern_list' && left?.type !== 'tuple_pattern') return;
    const position = callArguments(call).positional.findIndex((a) => a.id === value.id);
    if (position < 0) return;
    const targets = left.namedChildren.filter((c): c is Node => !!c);
    for (const target of [targets[2 * position], targets[2 * position + 1]]) {
      if (target?.type === 'identifier') this.bound(target, state);
    }
  }

  private assigned(assignment: Node, state: FrameState): void {
    // `a = b = frame` binds both names.
    for (let current: Node | null = assignment; current?.type === 'assignment';) {
      const left = field(current, 'left');
      if (left?.type === 'identifier') this.bound(left, state);
      current = current.parent?.type === 'assignment' ? current.parent : null;
    }
  }

  private bound(target: Node, state: FrameState): void {
    if (this.flow.visited.has(target.id)) return;
    this.flow.visited.add(target.id);
    for (const use of usesOfBinding(this.semantic, target)) this.follow(use, state);
  }
}

/** Whether a loop over rows builds a validating model from each: `Row(**r)`, `Row.model_validate(r)`. */
function buildsModels(semantic: SemanticModel, loop: Node): boolean {
  const variables = new Set(
    (field(loop, 'left')?.descendantsOfType('identifier') ?? []).map((id) => id.text),
  );
  const left = field(loop, 'left');
  if (left?.type === 'identifier') variables.add(left.text);
  const body = loop.type === 'for_statement' ? field(loop, 'body') : loop.parent;
  return (body?.descendantsOfType('call') ?? []).some((call) => {
    const args = callArguments(call);
    const fn = field(call, 'function');
    const name = (fn?.type === 'attribute' ? field(fn, 'attribute')?.text : fn?.text) ?? '';
    const takesRow = [...args.positional, ...args.doubleStar].some((a) => variables.has(a.text));
    if (!takesRow) return false;
    return (
      (/^[A-Z]/.test(name) && args.doubleStar.some((a) => variables.has(a.text))) ||
      isValidatingCall(semantic, call)
    );
  });
}

function isInPlace(args: CallArguments): boolean {
  return args.keywords.get('inplace')?.type === 'true';
}

function isValidatingReference(node: Node): boolean {
  const name = node.type === 'attribute' ? (field(node, 'attribute')?.text ?? '') : node.text;
  return VALIDATING_NAME.test(name) || /schema/i.test(node.text);
}

/** Whether a probe of the columns sits in a check: an assert, an `if`/`while`, a validating call. */
function probeChecks(semantic: SemanticModel, probe: Node, depth = 0): boolean {
  for (let current = probe.parent; current; current = current.parent) {
    switch (current.type) {
      case 'assert_statement':
        return true;
      case 'if_statement':
      case 'elif_clause':
      case 'while_statement':
      case 'conditional_expression':
        // Any branch on the schema is schema-aware code.
        return true;
      case 'call':
        if (isValidatingCall(semantic, current)) return true;
        break;
      case 'assignment': {
        // `missing = {"a"} - set(df.columns)` then `if missing: raise ...`.
        const target = field(current, 'left');
        if (target?.type !== 'identifier' || depth > 2) return false;
        return usesOfBinding(semantic, target).some((use) => probeChecks(semantic, use, depth + 1));
      }
      case 'block':
      case 'module':
      case 'function_definition':
        return false;
    }
  }
  return false;
}

function analyse(semantic: SemanticModel, read: Node, polars: boolean): Flow {
  const flow: Flow = {
    polars,
    sinks: [],
    reads: [],
    writes: new Map(),
    validated: false,
    unknownRename: false,
    probes: [],
    visited: new Set(),
  };
  new FrameFollower(semantic, flow).follow(read, { kind: 'frame', renames: new Map() });
  if (!flow.validated && flow.probes.some((probe) => probeChecks(semantic, probe)))
    flow.validated = true;
  return flow;
}

/** The columns the code reads that the file must provide, in order of first use. */
function requiredColumns(flow: Flow): string[] {
  const names: string[] = [];
  for (const read of [...flow.reads].sort((a, b) => a.at - b.at)) {
    const written = flow.writes.get(read.name);
    if (written !== undefined && written <= read.at) continue;
    if (!names.includes(read.name)) names.push(read.name);
  }
  return names;
}

/** Methods that may sit between the read and the assignment the check follows (`.dropna()`). */
const CHAIN_KEEPING = new Set([
  'dropna',
  'fillna',
  'copy',
  'reset_index',
  'sort_values',
  'sort_index',
  'drop_duplicates',
  'sample',
  'head',
  'tail',
  'query',
  'replace',
  'infer_objects',
  'convert_dtypes',
  'filter',
  'drop_nulls',
  'fill_null',
  'unique',
  'sort',
]);

/** The source for the error message: a file's base name, or `{name}` of the variable holding it. */
function sourceDescription(semantic: SemanticModel, args: CallArguments): string | undefined {
  const source = args.positional[0];
  if (!source) return undefined;
  const value = semantic.resolveValue(source);
  const last = value?.parts[value.parts.length - 1];
  if (last?.kind === 'literal') {
    // The base name is known when the last literal holds a separator or is the whole value.
    const base = last.text.split(/[\\/]/).pop() ?? '';
    const whole = value!.parts.length === 1 || /[\\/]/.test(last.text);
    if (whole && /^[\w.@+-]+$/.test(base)) return base;
  }
  const node = unparenthesize(source);
  return node.type === 'identifier' ? `{${node.text}}` : undefined;
}

/** The assignment target that receives the read frame itself (through columns-keeping methods). */
function frameTarget(read: Node): Node | undefined {
  let current = read;
  for (;;) {
    const parent = current.parent;
    if (parent?.type === 'parenthesized_expression') {
      current = parent;
      continue;
    }
    if (parent?.type === 'assignment' && field(parent, 'right')?.id === current.id) {
      const target = field(parent, 'left');
      return target?.type === 'identifier' ? target : undefined;
    }
    if (parent?.type !== 'attribute' || field(parent, 'object')?.id !== current.id)
      return undefined;
    const call = methodCall(parent);
    if (!call || !CHAIN_KEEPING.has(field(parent, 'attribute')?.text ?? '')) return undefined;
    if (isInPlace(callArguments(call))) return undefined;
    current = call;
  }
}

/** Whether a statement sits in a `try` body whose handlers catch `ValueError` (or everything). */
function caughtAround(statement: Node): boolean {
  const block = statement.parent;
  const owner = block?.parent;
  if (owner?.type !== 'try_statement' || field(owner, 'body')?.id !== block!.id) return false;
  return owner.namedChildren.some((clause) => {
    if (clause?.type !== 'except_clause') return false;
    const caught = clause.namedChildren.find(
      (c) => c && c.type !== 'block' && c.type !== 'comment',
    );
    return !caught || /\b(ValueError|Exception|BaseException)\b/.test(caught.text);
  });
}

function columnCheckFix(context: RuleContext, read: Node, args: CallArguments, flow: Flow): Fix[] {
  const { semantic } = context;
  const text = context.file.text;
  const columns = requiredColumns(flow);
  // Without column names there is nothing to check; renames the code does not spell out hide them.
  if (columns.length === 0 || flow.unknownRename) return [];
  // A lazy scan would have to resolve its schema to list its columns.
  if (/\.scan_\w+$/.test(semantic.calleeName(read) ?? '')) return [];
  const target = frameTarget(read);
  const statement = enclosingStatement(read);
  // The check needs the frame's name, and a statement of its own to follow.
  if (!target || !standaloneStatement(text, statement)) return [];
  // Inside `try:` with a handler that catches ValueError, the check would be swallowed.
  if (caughtAround(statement)) return [];
  const missing = freeName(semantic, statement, ['missing', 'missing_columns']);
  const indent = indentationAt(text, statement.startIndex);
  const unit = indentUnit(context);
  const eol = lineBreak(context, statement.startIndex);
  const where = sourceDescription(semantic, args);
  const label = where ? `missing columns in ${where}` : 'missing columns';
  const set = `{${columns.map(pythonString).join(', ')}}`;
  const lines = [
    `${missing} = ${set} - set(${target.text}.columns)`,
    `if ${missing}:`,
    `${unit}raise ValueError(f"${label}: {sorted(${missing})}")`,
  ];
  const shown = columns.slice(0, 3).join(', ') + (columns.length > 3 ? ', …' : '');
  return [
    {
      title: `Check the columns the code uses (${shown}) right after the read`,
      safety: 'unsafe',
      edits: [
        insertAt(
          lineEnd(text, statement.endIndex),
          lines.map((line) => `${eol}${indent}${line}`).join(''),
        ),
      ],
    },
  ];
}

export const unvalidatedDataframe = defineRule({
  code: 'MLH302',
  name: 'unvalidated-dataframe',
  family: 'inputs',
  severity: { script: 'warning', notebook: 'information', test: 'off' },
  fix: 'sometimes',
  triggers: ['read_', 'scan_'],
  docs: {
    summary:
      'Tabular data read from outside reaches a model or column access without a schema check.',
    why:
      'A CSV, Parquet file or SQL table changes under the code that reads it: a column is renamed, ' +
      'dropped or arrives as text instead of numbers. Unchecked, the job fails hours later with a ' +
      '`KeyError` deep in feature code, or worse, trains and predicts on shifted or mistyped columns ' +
      'without failing at all. Checking the schema right after the read turns schema drift into one ' +
      'clear error at the boundary.',
    howToFix:
      'Declare or check the schema at the read: pass `dtype=`/`usecols=` (pandas) or `schema=` ' +
      '(polars), validate with pandera (`schema.validate(df)`), great_expectations or pydantic, or ' +
      'check the columns yourself (`missing = {...} - set(df.columns)` followed by `raise`). In a ' +
      'notebook all code cells are one program, so a check of the frame in any cell covers it; ' +
      'notebooks report at information level, since exploring a file is what they are for.',
    fixSafety:
      'The fix inserts, right after the read, a check of the column names the code later uses ' +
      '(`df["age"]`, `df.age`, `df[["a", "b"]]`, `groupby("city")`, merge keys) that raises ' +
      '`ValueError` naming the missing ones. It is unsafe: a column used only on a branch that ' +
      'never runs now stops the program at the read. It is offered only when the code names the ' +
      'columns it uses and never renames columns in a way the code does not spell out, and not for ' +
      'lazy polars scans (their schema would have to be resolved).',
    examples: {
      invalid: [
        py`
          import pandas as pd
          from sklearn.linear_model import LogisticRegression

          df = pd.read_csv("train.csv")
          model = LogisticRegression().fit(df[["age", "income"]], df["churned"])
        `,
        py`
          import polars as pl

          orders = pl.read_parquet("orders.parquet")
          revenue = orders.group_by("region").agg(pl.col("amount").sum())
        `,
      ],
      valid: [
        py`
          import pandas as pd

          df = pd.read_csv("train.csv", dtype={"age": "int64", "income": "float64"})
          model.fit(df[["age", "income"]], labels)
        `,
        py`
          import pandas as pd

          df = pd.read_csv("train.csv")
          missing = {"age", "income"} - set(df.columns)
          if missing:
              raise ValueError(f"missing columns: {sorted(missing)}")
          model.fit(df[["age", "income"]], labels)
        `,
        py`
          import pandas as pd
          import pandera.pandas as pa

          schema = pa.DataFrameSchema({"age": pa.Column(int), "income": pa.Column(float)})
          df = schema.validate(pd.read_csv("train.csv"))
          model.fit(df[["age", "income"]], labels)
        `,
        py`
          import pandas as pd

          df = pd.read_csv("train.csv")
          df.head()
          df.describe()
        `,
      ],
    },
  },
  create(context) {
    const { semantic } = context;
    return {
      call(call) {
        const library = readerName(semantic, call);
        // Only pandas and polars readers of external tabular data, through any import alias.
        if (!library) return;
        const args = callArguments(call);
        // A declared schema (`dtype=`, `usecols=`, `names=`, `schema=`, ...) is checked by the reader.
        if (SCHEMA_ARGUMENTS.some((name) => declares(args.keywords.get(name)))) return;
        // `**options` may carry the schema.
        if (args.doubleStar.length > 0) return;
        // Chunked reads and `sheet_name=None` give iterators or dicts of frames, not one frame.
        if (NOT_ONE_FRAME.some((name) => args.keywords.has(name))) return;
        const sheets = args.keywords.get('sheet_name');
        if (sheets && ['none', 'list'].includes(unparenthesize(sheets).type)) return;
        // Data written inline in the code is not external.
        if (isInlineData(semantic, args)) return;
        // `SELECT a, b FROM ...` names its columns; the database checks them.
        if (
          /read_sql/.test(field(call, 'function')?.text ?? '') &&
          namesColumnsInQuery(semantic, args)
        )
          return;
        const flow = analyse(semantic, call, library === 'polars');
        // Only frames that reach a model, a merge or a column access are at risk.
        if (flow.sinks.length === 0) return;
        // A check of the columns or types anywhere the frame goes covers it.
        if (flow.validated) return;
        const first = [...flow.sinks].sort((a, b) => a.node.startIndex - b.node.startIndex)[0];
        const reader = shortText(field(call, 'function') ?? call, 30);
        const sameLine = first.node.startPosition.row === call.startPosition.row;
        const where = sameLine ? '' : ` (${describeLocation(context.file, first.node.startIndex)})`;
        const what =
          first.kind === 'model'
            ? 'reaches'
            : first.kind === 'merge'
              ? 'is merged in'
              : 'is used in';
        context.report({
          node: call,
          message: `Data read by \`${reader}\` ${what} \`${first.label}\`${where} with no check of its columns or types; validate the schema after reading`,
          fixes: columnCheckFix(context, call, args, flow),
        });
      },
    };
  },
});
