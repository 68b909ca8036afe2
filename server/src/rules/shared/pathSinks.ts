import type { Node } from 'web-tree-sitter';
import { callArguments, field } from '../../semantic/nodes';
import type { SemanticModel } from '../../semantic/model';

/**
 * Where a string becomes a file system location: the calls whose path arguments the path rules
 * judge. A sink names the argument positions and keywords that carry paths.
 */
export interface PathSink {
  positions: number[];
  keywords: string[];
}

const sink = (positions: number[], ...keywords: string[]): PathSink => ({ positions, keywords });

const FUNCTION_SINKS: Record<string, PathSink> = {
  'builtins.open': sink([0], 'file'),
  'io.open': sink([0], 'file'),
  'os.listdir': sink([0], 'path'),
  'os.makedirs': sink([0], 'name'),
  'os.mkdir': sink([0], 'path'),
  'os.chdir': sink([0], 'path'),
  'os.remove': sink([0], 'path'),
  'os.unlink': sink([0], 'path'),
  'os.rename': sink([0, 1], 'src', 'dst'),
  'os.replace': sink([0, 1], 'src', 'dst'),
  'os.scandir': sink([0], 'path'),
  'os.walk': sink([0], 'top'),
  'os.stat': sink([0], 'path'),
  'os.rmdir': sink([0], 'path'),
  'os.path.exists': sink([0]),
  'os.path.isfile': sink([0]),
  'os.path.isdir': sink([0]),
  'os.path.getsize': sink([0]),
  'os.path.getmtime': sink([0]),
  'shutil.copy': sink([0, 1], 'src', 'dst'),
  'shutil.copy2': sink([0, 1], 'src', 'dst'),
  'shutil.copyfile': sink([0, 1], 'src', 'dst'),
  'shutil.copytree': sink([0, 1], 'src', 'dst'),
  'shutil.move': sink([0, 1], 'src', 'dst'),
  'shutil.rmtree': sink([0], 'path'),
  'shutil.make_archive': sink([0, 2], 'base_name', 'root_dir'),
  'shutil.unpack_archive': sink([0, 1], 'filename', 'extract_dir'),
  'glob.glob': sink([0], 'pathname'),
  'glob.iglob': sink([0], 'pathname'),
  'sys.path.append': sink([0]),
  'sys.path.insert': sink([1]),
  'numpy.load': sink([0], 'file'),
  'numpy.save': sink([0], 'file'),
  'numpy.savez': sink([0], 'file'),
  'numpy.savez_compressed': sink([0], 'file'),
  'numpy.loadtxt': sink([0], 'fname'),
  'numpy.savetxt': sink([0], 'fname'),
  'numpy.genfromtxt': sink([0], 'fname'),
  'numpy.memmap': sink([0], 'filename'),
  'numpy.fromfile': sink([0], 'file'),
  'torch.load': sink([0], 'f'),
  'torch.save': sink([1], 'f'),
  'joblib.load': sink([0], 'filename'),
  'joblib.dump': sink([1], 'filename'),
  'h5py.File': sink([0], 'name'),
  'cv2.imread': sink([0], 'filename'),
  'cv2.imwrite': sink([0], 'filename'),
  'cv2.VideoCapture': sink([0]),
  'PIL.Image.open': sink([0], 'fp'),
  'keras.models.load_model': sink([0], 'filepath'),
  'keras.saving.load_model': sink([0], 'filepath'),
  'keras.models.save_model': sink([1], 'filepath'),
  'keras.saving.save_model': sink([1], 'filepath'),
  'tensorflow.saved_model.save': sink([1], 'export_dir'),
  'tensorflow.saved_model.load': sink([0], 'export_dir'),
  'tensorflow.summary.create_file_writer': sink([0], 'logdir'),
  'datasets.load_dataset': sink([], 'data_files', 'data_dir'),
  'datasets.load_from_disk': sink([0], 'dataset_path'),
  'mlflow.set_tracking_uri': sink([0], 'uri'),
  'mlflow.set_registry_uri': sink([0], 'uri'),
  'torch.utils.tensorboard.SummaryWriter': sink([0], 'log_dir'),
  'tensorboardX.SummaryWriter': sink([0], 'log_dir', 'logdir'),
  'tarfile.open': sink([0], 'name'),
  'zipfile.ZipFile': sink([0], 'file'),
  'matplotlib.pyplot.savefig': sink([0], 'fname'),
  'safetensors.torch.save_file': sink([1], 'filename'),
  'safetensors.torch.load_file': sink([0], 'filename'),
};

/** Methods that take a path whatever their receiver: pandas writers, model save/load, figures. */
const METHOD_SINKS: Record<string, PathSink> = {
  to_csv: sink([0], 'path_or_buf'),
  to_parquet: sink([0], 'path'),
  to_pickle: sink([0], 'path'),
  to_json: sink([0], 'path_or_buf'),
  to_excel: sink([0], 'excel_writer'),
  to_feather: sink([0], 'path'),
  to_hdf: sink([0], 'path_or_buf'),
  save_pretrained: sink([0], 'save_directory'),
  from_pretrained: sink([0], 'pretrained_model_name_or_path'),
  save_weights: sink([0], 'filepath'),
  load_weights: sink([0], 'filepath'),
  save_model: sink([0], 'fname', 'path'),
  load_model: sink([0], 'fname', 'model_file'),
  savefig: sink([0], 'fname'),
  save: sink([0], 'filepath', 'fp', 'path'),
};

/** `pathlib.Path` methods that touch the file system. */
export const PATH_IO_METHODS = new Set([
  'open',
  'read_text',
  'read_bytes',
  'write_text',
  'write_bytes',
  'exists',
  'mkdir',
  'iterdir',
  'glob',
  'rglob',
  'unlink',
  'touch',
  'rmdir',
  'stat',
  'is_file',
  'is_dir',
]);

const TABULAR_READER = /^(pandas|polars)\.(read_\w+|scan_\w+)$/;
const TABULAR_READER_SINK = sink([0], 'source', 'filepath_or_buffer', 'path', 'io', 'path_or_buf');

/** Keyword arguments whose name says they carry a location (`output_dir=`, `cache_dir=`, `root=`). */
export const PATH_NAME =
  /(^|_)(path|paths|dir|dirs|directory|file|filename|filepath|fname|root|folder)$/i;

/** Location-named keywords that still hold URLs: `static_url_path=`, `redirect_uri_path=`. */
const URL_KEYWORD = /(url|uri|route|endpoint|href)/i;

/** Web frameworks and servers whose `path=` / `root_path=` are URL routes, not file locations. */
const WEB_PACKAGE =
  /^(fastapi|starlette|flask|quart|werkzeug|uvicorn|hypercorn|django|aiohttp|sanic|litestar|bottle|tornado|falcon|ray\.serve|gradio)(\.|$)/;

/** Methods that register routes or set cookies, on an app, router or response of any type. */
const ROUTE_METHODS = new Set([
  'route',
  'api_route',
  'add_api_route',
  'add_route',
  'add_url_rule',
  'add_websocket_route',
  'websocket_route',
  'websocket',
  'mount',
  'set_cookie',
  'delete_cookie',
  'get',
  'post',
  'put',
  'patch',
  'delete',
  'head',
  'options',
]);

/** Whether a call's `path=` keywords name URL routes: `@app.get(path=...)`, `FastAPI(root_path=...)`. */
function isWebRouteCall(callee: string | undefined, method: string | undefined): boolean {
  return (!!callee && WEB_PACKAGE.test(callee)) || (!!method && ROUTE_METHODS.has(method));
}

export interface SinkArgument {
  /** The argument expression. */
  value: Node;
  /** A readable name of the sink for messages: `pandas.read_csv`, `.to_csv()`, `output_dir=`. */
  sinkName: string;
}

function pick(call: Node, spec: PathSink, sinkName: string): SinkArgument[] {
  const args = callArguments(call);
  const found: SinkArgument[] = [];
  for (const position of spec.positions) {
    const value = args.positional[position];
    if (value) found.push({ value, sinkName });
  }
  for (const keyword of spec.keywords) {
    const value = args.keywords.get(keyword);
    if (value) found.push({ value, sinkName });
  }
  return found;
}

/** The arguments of a call that reach file or data I/O. */
export function pathSinkArguments(semantic: SemanticModel, call: Node): SinkArgument[] {
  const callee = semantic.calleeName(call);
  const found: SinkArgument[] = [];
  const known = callee
    ? (FUNCTION_SINKS[callee] ?? (TABULAR_READER.test(callee) ? TABULAR_READER_SINK : undefined))
    : undefined;
  const method = semantic.methodName(call);
  if (known) {
    found.push(...pick(call, known, callee!));
  } else if (method && METHOD_SINKS[method]) {
    // Resolved receivers count too: `AutoModel.from_pretrained("/abs")` after `from transformers import AutoModel`.
    found.push(...pick(call, METHOD_SINKS[method], `.${method}()`));
  }
  // Location-named keywords of any call: `TrainingArguments(output_dir=...)`, `cache_dir=...`;
  // routes and cookies of web frameworks are URL paths, not locations.
  const webRoute = isWebRouteCall(callee, method);
  for (const [keyword, value] of callArguments(call).keywords) {
    if (webRoute || !PATH_NAME.test(keyword) || URL_KEYWORD.test(keyword)) continue;
    if (!found.some((f) => f.value.id === value.id)) found.push({ value, sinkName: `${keyword}=` });
  }
  // `Path("/x").read_text()`: the receiver is a path used for I/O.
  const fn = field(call, 'function');
  if (fn?.type === 'attribute' && method && PATH_IO_METHODS.has(method)) {
    const receiver = semantic.followName(field(fn, 'object')!);
    if (receiver.type === 'call' && semantic.calleeName(receiver)?.startsWith('pathlib.')) {
      const arg = callArguments(receiver).positional[0];
      if (arg) found.push({ value: arg, sinkName: `Path.${method}()` });
    }
  }
  return found;
}
