import type { Node } from 'web-tree-sitter';
import { callArguments, field, unparenthesize } from '../../semantic/nodes';
import type { SemanticModel } from '../../semantic/model';

/**
 * Where a string becomes a file system location: the calls whose path arguments the path rules
 * (MLH201–MLH203) judge. A sink names the argument positions and keywords that carry paths and how
 * it uses the location, because a cwd-relative file name that is read must exist where the program
 * was started, while one that is written is simply created there.
 */
export type Access = 'read' | 'write' | 'both' | 'unknown';

interface PathSink {
  positions: number[];
  keywords: string[];
  access: Access;
  /** An existence check (`os.path.exists`): code that probes a location copes with its absence. */
  probe?: boolean;
  /** The sink also takes Hugging Face Hub ids (`org/name`), which look like relative paths. */
  hub?: boolean;
  /** The sink needs a `str`, not an `os.PathLike` (`sys.path` entries, OpenCV). */
  needsStr?: boolean;
  /** `open`-like calls: the argument holding the mode decides between reading and writing. */
  mode?: { position: number; keyword: string; default: string };
  /** `os.symlink(src, dst)`: a relative `src` is resolved against the link's folder. */
  linkTarget?: boolean;
}

type Extra = Partial<Pick<PathSink, 'probe' | 'hub' | 'needsStr' | 'mode' | 'linkTarget'>>;

const reads = (positions: number[], keywords: string[] = [], extra: Extra = {}): PathSink => ({
  positions,
  keywords,
  access: 'read',
  ...extra,
});
const writes = (positions: number[], keywords: string[] = [], extra: Extra = {}): PathSink => ({
  positions,
  keywords,
  access: 'write',
  ...extra,
});
const both = (positions: number[], keywords: string[] = [], extra: Extra = {}): PathSink => ({
  positions,
  keywords,
  access: 'both',
  ...extra,
});
/** `open(file, mode)`-shaped sinks, reading unless the mode says otherwise. */
const opens = (keyword: string, modeDefault = 'r', modeKeyword = 'mode'): PathSink =>
  reads([0], [keyword], { mode: { position: 1, keyword: modeKeyword, default: modeDefault } });
const probe = (positions = [0], keywords: string[] = []): PathSink =>
  reads(positions, keywords, { probe: true });

const FUNCTION_SINKS = new Map<string, PathSink>(
  Object.entries({
    // Files and folders.
    'builtins.open': opens('file'),
    'io.open': opens('file'),
    'codecs.open': opens('filename'),
    'gzip.open': opens('filename', 'rb'),
    'gzip.GzipFile': opens('filename', 'rb'),
    'bz2.open': opens('filename', 'rb'),
    'bz2.BZ2File': opens('filename', 'r'),
    'lzma.open': opens('filename', 'rb'),
    'tarfile.open': opens('name'),
    'zipfile.ZipFile': opens('file'),
    'shelve.open': both([0], ['filename']),
    'sqlite3.connect': both([0], ['database']),
    'os.listdir': reads([0], ['path']),
    'os.scandir': reads([0], ['path']),
    'os.walk': reads([0], ['top']),
    'os.fwalk': reads([0], ['top']),
    'os.stat': reads([0], ['path']),
    'os.lstat': reads([0], ['path']),
    'os.readlink': reads([0], ['path']),
    'os.access': reads([0], ['path'], { probe: true }),
    'os.chdir': reads([0], ['path']),
    'os.makedirs': writes([0], ['name']),
    'os.mkdir': writes([0], ['path']),
    'os.remove': writes([0], ['path']),
    'os.unlink': writes([0], ['path']),
    'os.rmdir': writes([0], ['path']),
    'os.removedirs': writes([0], ['name']),
    'os.rename': both([0, 1], ['src', 'dst']),
    'os.renames': both([0, 1], ['old', 'new']),
    'os.replace': both([0, 1], ['src', 'dst']),
    'os.symlink': both([0, 1], ['src', 'dst'], { linkTarget: true }),
    'os.link': both([0, 1], ['src', 'dst']),
    'os.chmod': both([0], ['path']),
    'os.chown': both([0], ['path']),
    'os.utime': both([0], ['path']),
    'os.truncate': writes([0], ['path']),
    'os.open': both([0], ['path']),
    'os.startfile': reads([0], ['path']),
    'os.path.exists': probe(),
    'os.path.lexists': probe(),
    'os.path.isfile': probe(),
    'os.path.isdir': probe(),
    'os.path.islink': probe(),
    'os.path.ismount': probe(),
    'os.path.getsize': reads([0]),
    'os.path.getmtime': reads([0]),
    'os.path.getatime': reads([0]),
    'os.path.getctime': reads([0]),
    'os.path.samefile': reads([0, 1]),
    'shutil.copy': both([0, 1], ['src', 'dst']),
    'shutil.copy2': both([0, 1], ['src', 'dst']),
    'shutil.copyfile': both([0, 1], ['src', 'dst']),
    'shutil.copytree': both([0, 1], ['src', 'dst']),
    'shutil.copymode': both([0, 1], ['src', 'dst']),
    'shutil.copystat': both([0, 1], ['src', 'dst']),
    'shutil.move': both([0, 1], ['src', 'dst']),
    'shutil.rmtree': writes([0], ['path']),
    'shutil.chown': both([0], ['path']),
    'shutil.disk_usage': reads([0], ['path']),
    'shutil.make_archive': both([0, 2], ['base_name', 'root_dir']),
    'shutil.unpack_archive': both([0, 1], ['filename', 'extract_dir']),
    'glob.glob': reads([0], ['pathname', 'root_dir']),
    'glob.iglob': reads([0], ['pathname', 'root_dir']),
    'sys.path.append': reads([0], [], { needsStr: true }),
    'sys.path.insert': reads([1], [], { needsStr: true }),
    'site.addsitedir': reads([0], ['sitedir'], { needsStr: true }),
    'logging.FileHandler': writes([0], ['filename']),
    'logging.handlers.RotatingFileHandler': writes([0], ['filename']),
    'logging.handlers.TimedRotatingFileHandler': writes([0], ['filename']),
    'logging.handlers.WatchedFileHandler': writes([0], ['filename']),
    'dotenv.load_dotenv': reads([0], ['dotenv_path']),
    'dotenv.dotenv_values': reads([0], ['dotenv_path']),
    'toml.load': reads([0], ['f']),
    // Tables and arrays (pandas and polars readers are matched by TABULAR_READER).
    'pandas.ExcelFile': reads([0], ['path_or_buffer']),
    'pandas.ExcelWriter': writes([0], ['path']),
    'pandas.HDFStore': both([0], ['path']),
    'pyarrow.parquet.read_table': reads([0], ['source']),
    'pyarrow.parquet.ParquetFile': reads([0], ['source']),
    'pyarrow.parquet.ParquetDataset': reads([0], ['path_or_paths']),
    'pyarrow.parquet.write_table': writes([1], ['where']),
    'pyarrow.csv.read_csv': reads([0], ['input_file']),
    'pyarrow.feather.read_feather': reads([0], ['source']),
    'pyarrow.feather.write_feather': writes([1], ['dest']),
    'pyarrow.dataset.dataset': reads([0], ['source']),
    'xarray.open_dataset': reads([0], ['filename_or_obj']),
    'xarray.open_mfdataset': reads([0], ['paths']),
    'xarray.open_zarr': reads([0], ['store']),
    'numpy.load': reads([0], ['file']),
    'numpy.save': writes([0], ['file']),
    'numpy.savez': writes([0], ['file']),
    'numpy.savez_compressed': writes([0], ['file']),
    'numpy.loadtxt': reads([0], ['fname']),
    'numpy.savetxt': writes([0], ['fname']),
    'numpy.genfromtxt': reads([0], ['fname']),
    'numpy.memmap': both([0], ['filename']),
    'numpy.fromfile': reads([0], ['file']),
    'numpy.lib.format.open_memmap': both([0], ['filename']),
    'h5py.File': opens('name'),
    'scipy.io.loadmat': reads([0], ['file_name']),
    'scipy.io.savemat': writes([0], ['file_name']),
    // Models and checkpoints.
    'torch.load': reads([0], ['f']),
    'torch.save': writes([1], ['f']),
    'torch.jit.load': reads([0], ['f']),
    'torch.jit.save': writes([1], ['f']),
    'torch.onnx.export': writes([2], ['f']),
    'torch.utils.tensorboard.SummaryWriter': writes([0], ['log_dir']),
    'tensorboardX.SummaryWriter': writes([0], ['logdir', 'log_dir']),
    'torchvision.io.read_image': reads([0], ['path']),
    'torchvision.utils.save_image': writes([1], ['fp']),
    'torchvision.datasets.ImageFolder': reads([0], ['root']),
    'torchvision.datasets.DatasetFolder': reads([0], ['root']),
    'joblib.load': reads([0], ['filename']),
    'joblib.dump': writes([1], ['filename']),
    'joblib.Memory': writes([0], ['location']),
    'skops.io.load': reads([0], ['file']),
    'skops.io.dump': writes([1], ['file']),
    'onnx.load': reads([0], ['f']),
    'onnx.save': writes([1], ['f']),
    'onnxruntime.InferenceSession': reads([0], ['path_or_bytes']),
    'safetensors.torch.save_file': writes([1], ['filename']),
    'safetensors.torch.load_file': reads([0], ['filename']),
    'safetensors.numpy.save_file': writes([1], ['filename']),
    'safetensors.numpy.load_file': reads([0], ['filename']),
    'safetensors.safe_open': reads([0], ['filename']),
    'xgboost.DMatrix': reads([0], ['data']),
    'lightgbm.Dataset': reads([0], ['data']),
    'keras.models.load_model': reads([0], ['filepath']),
    'keras.saving.load_model': reads([0], ['filepath']),
    'keras.models.save_model': writes([1], ['filepath']),
    'keras.saving.save_model': writes([1], ['filepath']),
    'keras.callbacks.ModelCheckpoint': writes([0], ['filepath']),
    'keras.callbacks.CSVLogger': writes([0], ['filename']),
    'keras.callbacks.TensorBoard': writes([0], ['log_dir']),
    'keras.utils.image_dataset_from_directory': reads([0], ['directory']),
    'keras.utils.text_dataset_from_directory': reads([0], ['directory']),
    'keras.preprocessing.image_dataset_from_directory': reads([0], ['directory']),
    'keras.preprocessing.text_dataset_from_directory': reads([0], ['directory']),
    'keras.utils.load_img': reads([0], ['path']),
    'keras.preprocessing.image.load_img': reads([0], ['path']),
    'tensorflow.saved_model.save': writes([1], ['export_dir']),
    'tensorflow.saved_model.load': reads([0], ['export_dir']),
    'tensorflow.summary.create_file_writer': writes([0], ['logdir']),
    'tensorflow.io.read_file': reads([0], ['filename']),
    'tensorflow.io.write_file': writes([0], ['filename']),
    'tensorflow.data.TFRecordDataset': reads([0], ['filenames']),
    'tensorflow.io.TFRecordWriter': writes([0], ['path']),
    'tensorflow.train.latest_checkpoint': reads([0], ['checkpoint_dir']),
    'tensorflow.io.gfile.GFile': opens('name'),
    'tensorflow.io.gfile.exists': probe([0], ['path']),
    'tensorflow.io.gfile.isdir': probe([0], ['path']),
    'tensorflow.io.gfile.glob': reads([0], ['pattern']),
    'tensorflow.io.gfile.listdir': reads([0], ['path']),
    'tensorflow.io.gfile.walk': reads([0], ['top']),
    'tensorflow.io.gfile.makedirs': writes([0], ['path']),
    'tensorflow.io.gfile.copy': both([0, 1], ['src', 'dst']),
    'tensorflow.io.gfile.rename': both([0, 1], ['src', 'dst']),
    'tensorflow.io.gfile.remove': writes([0], ['path']),
    'tensorflow.io.gfile.rmtree': writes([0], ['path']),
    'datasets.load_dataset': reads([0], ['path', 'data_files', 'data_dir'], { hub: true }),
    'datasets.load_from_disk': reads([0], ['dataset_path']),
    'datasets.Dataset.from_csv': reads([0], ['path_or_paths']),
    'datasets.Dataset.from_json': reads([0], ['path_or_paths']),
    'datasets.Dataset.from_parquet': reads([0], ['path_or_paths']),
    'datasets.Dataset.from_text': reads([0], ['path_or_paths']),
    'sentence_transformers.SentenceTransformer': reads([0], ['model_name_or_path'], { hub: true }),
    'spacy.load': reads([0], ['name'], { hub: true }),
    'mlflow.set_tracking_uri': reads([0], ['uri']),
    'mlflow.set_registry_uri': reads([0], ['uri']),
    'mlflow.log_artifact': reads([0], ['local_path']),
    'mlflow.log_artifacts': reads([0], ['local_dir']),
    'mlflow.create_experiment': writes([], ['artifact_location']),
    'mlflow.artifacts.download_artifacts': reads([], ['artifact_uri']),
    // Images and figures.
    'cv2.imread': reads([0], ['filename'], { needsStr: true }),
    'cv2.imwrite': writes([0], ['filename'], { needsStr: true }),
    'cv2.VideoCapture': reads([0], [], { needsStr: true }),
    'cv2.VideoWriter': writes([0], ['filename'], { needsStr: true }),
    'cv2.CascadeClassifier': reads([0], ['filename'], { needsStr: true }),
    'PIL.Image.open': reads([0], ['fp']),
    'imageio.imread': reads([0], ['uri']),
    'imageio.imwrite': writes([0], ['uri']),
    'imageio.v2.imread': reads([0], ['uri']),
    'imageio.v2.imwrite': writes([0], ['uri']),
    'imageio.v3.imread': reads([0], ['uri']),
    'imageio.v3.imwrite': writes([0], ['uri']),
    'skimage.io.imread': reads([0], ['fname']),
    'skimage.io.imsave': writes([0], ['fname']),
    'matplotlib.pyplot.imread': reads([0], ['fname']),
    'matplotlib.pyplot.imsave': writes([0], ['fname']),
    'matplotlib.image.imread': reads([0], ['fname']),
    'matplotlib.pyplot.savefig': writes([0], ['fname']),
  }),
);

/** mlflow flavours: `mlflow.sklearn.load_model("runs:/...")`, `mlflow.pyfunc.save_model(model, path)`. */
const MLFLOW_LOAD = /^mlflow\.\w+\.load_model$/;
const MLFLOW_SAVE = /^mlflow\.\w+\.save_model$/;

/** pandas, polars, dask, modin and ray readers: `read_csv`, `read_parquet`, `scan_parquet`, ... */
const TABULAR_READER =
  /^(pandas|polars|dask\.dataframe|modin\.pandas|ray\.data)\.(read_\w+|scan_\w+)$/;
/** Readers whose first argument is a query, a table name or nothing at all. */
const NOT_A_LOCATION_READER =
  /\.(read_sql\w*|read_gbq|read_clipboard|read_database\w*|scan_pyarrow_dataset)$/;
const TABULAR_READER_SINK = reads(
  [0],
  ['source', 'filepath_or_buffer', 'path', 'io', 'path_or_buf', 'paths', 'urlpath'],
);

/** Methods that take a path whatever their receiver: pandas/polars writers, model save/load, figures. */
const METHOD_SINKS = new Map<string, PathSink>(
  Object.entries({
    to_csv: writes([0], ['path_or_buf']),
    to_parquet: writes([0], ['path']),
    to_pickle: writes([0], ['path']),
    to_json: writes([0], ['path_or_buf']),
    to_excel: writes([0], ['excel_writer']),
    to_feather: writes([0], ['path']),
    to_hdf: writes([0], ['path_or_buf']),
    to_stata: writes([0], ['path']),
    to_orc: writes([0], ['path']),
    to_xml: writes([0], ['path_or_buffer']),
    to_netcdf: writes([0], ['path']),
    to_zarr: writes([0], ['store']),
    to_file: writes([0], ['filename']),
    write_csv: writes([0], ['file']),
    write_parquet: writes([0], ['file']),
    write_json: writes([0], ['file']),
    write_ndjson: writes([0], ['file']),
    write_ipc: writes([0], ['file']),
    write_avro: writes([0], ['file']),
    write_excel: writes([0], ['workbook']),
    sink_parquet: writes([0], ['path']),
    sink_csv: writes([0], ['path']),
    sink_ipc: writes([0], ['path']),
    tofile: writes([0], ['fid']),
    save_pretrained: writes([0], ['save_directory']),
    from_pretrained: reads([0], ['pretrained_model_name_or_path'], { hub: true }),
    save_to_disk: writes([0], ['dataset_path']),
    save_weights: writes([0], ['filepath']),
    load_weights: reads([0], ['filepath']),
    save_model: writes([0], ['fname', 'path']),
    load_model: reads([0], ['fname', 'model_file']),
    savefig: writes([0], ['fname']),
    save: writes([0], ['filepath', 'fp', 'path']),
    flow_from_directory: reads([0], ['directory']),
    // boto3: the bucket and key are not locations, the local file name is.
    download_file: writes([2], ['Filename']),
    upload_file: reads([0], ['Filename']),
  }),
);

/** Methods of Spark's `DataFrameReader`/`DataFrameWriter` (`spark.read.csv(...)`, `df.write.parquet(...)`). */
const SPARK_IO_METHODS = new Set(['csv', 'json', 'parquet', 'orc', 'text', 'load', 'save', 'avro']);
const SPARK_READERS = new Set(['read', 'readStream']);
const SPARK_WRITERS = new Set(['write', 'writeStream']);

/** `pathlib.Path` methods that touch the file system, with how they use it. */
const PATH_IO_METHODS = new Map<string, Access>(
  Object.entries({
    open: 'read',
    read_text: 'read',
    read_bytes: 'read',
    iterdir: 'read',
    glob: 'read',
    rglob: 'read',
    stat: 'read',
    exists: 'read',
    is_file: 'read',
    is_dir: 'read',
    write_text: 'write',
    write_bytes: 'write',
    mkdir: 'write',
    touch: 'write',
    unlink: 'write',
    rmdir: 'write',
  }),
);
const PATH_PROBES = new Set(['exists', 'is_file', 'is_dir']);
/** `Path.open(mode)` takes its mode first. */
const PATH_OPEN = reads([], [], { mode: { position: 0, keyword: 'mode', default: 'r' } });

/**
 * Calls that only the cloud rule (MLH202) treats as sinks: fsspec-style file systems and cloud
 * clients, whose method names (`open`, `ls`, `get`) mean I/O only when the argument is a cloud URI.
 */
const CLOUD_FUNCTION_SINKS = new Map<string, PathSink>(
  Object.entries({
    'fsspec.open': opens('urlpath', 'rb'),
    'fsspec.open_files': reads([0], ['urlpath']),
    'fsspec.get_mapper': both([0], ['root']),
    'fsspec.core.url_to_fs': both([0], ['url']),
    'fsspec.core.open': opens('urlpath', 'rb'),
    'smart_open.open': opens('uri'),
    'smart_open.smart_open': opens('uri'),
    'pyarrow.fs.FileSystem.from_uri': both([0], ['uri']),
    'deltalake.DeltaTable': reads([0], ['table_uri']),
    'deltalake.write_deltalake': writes([0], ['table_or_uri']),
  }),
);
const CLOUD_METHODS = new Set([
  'open',
  'cat',
  'cat_file',
  'get',
  'get_file',
  'ls',
  'glob',
  'exists',
  'isdir',
  'isfile',
  'rm',
  'info',
  'find',
  'walk',
  'du',
  'download',
  'touch',
  'makedirs',
  'mkdir',
  'read_text',
  'write_text',
  'read_bytes',
  'write_bytes',
  'pipe',
  'head',
  'open_input_file',
  'open_input_stream',
  'open_output_stream',
  'get_file_info',
  'add_reference',
]);
/** File system methods that copy between two locations, either of which may be remote. */
const CLOUD_TRANSFER_METHODS = new Set(['put', 'put_file', 'upload', 'copy', 'cp', 'mv']);
/** Keywords that carry a cloud location under a name that does not say path: `model_uri=`, `s3_data=`. */
const CLOUD_KEYWORD = /(^|_)(uri|uris|url|urls|location|s3_data|model_data|prefix)$/i;

/** Names that say a location (`output_dir`, `DATA_PATH`, `cache_dir`, `root`, `dirpath`). */
export const PATH_NAME =
  /(^|_)(path|paths|dir|dirs|dirname|directory|file|files|filename|filenames|filepath|fname|root|folder|dirpath|logdir|outdir|workdir|savedir|datadir|basedir)$/i;

/** Location-named keywords that still hold URLs: `static_url_path=`, `redirect_uri_path=`. */
const URL_KEYWORD = /(url|uri|route|endpoint|href)/i;

/** APIs whose relative locations are resolved against the file that calls them, not the cwd. */
const FILE_RELATIVE_CALLS = new Set([
  'hydra.main',
  'hydra.initialize',
  'hydra.experimental.initialize',
]);

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
  /** Where the value reaches the sink: the argument, or the call for a `**kwargs` dict entry. */
  site: Node;
  /** A readable name of the sink for messages: `pandas.read_csv`, `.to_csv()`, `output_dir=`. */
  sinkName: string;
  /** How the sink uses the location. */
  access: Access;
  /** An existence check: code that probes a location copes with its absence. */
  probe?: boolean;
  /** The sink also accepts Hugging Face Hub ids, which look like `org/name` relative paths. */
  hub?: boolean;
  /** The sink needs a `str`: a `Path` put in its place would break it. */
  needsStr?: boolean;
  /** Found only because the keyword's name says location (`output_dir=`), not from a known API. */
  byKeywordName?: boolean;
  /** The callee resolves to an imported or built-in name (not a local function or a method). */
  resolvedCallee?: boolean;
  /** The target of a symbolic link, which a relative value names from the link's folder. */
  linkTarget?: boolean;
  /** The API resolves a relative value against the calling file (Hydra's `config_path=`). */
  fileRelative?: boolean;
}

export interface SinkOptions {
  /** Also the calls and keywords that only take cloud URIs (MLH202). */
  cloud?: boolean;
}

/**
 * The keyword arguments of a call, including those passed through a `**kwargs` dict bound once to a
 * dict display or a `dict(...)` call: `TrainingArguments(**{"output_dir": "/abs"})`.
 */
export function callKeywords(semantic: SemanticModel, call: Node): Map<string, Node> {
  const args = callArguments(call);
  const keywords = new Map(args.keywords);
  for (const splat of args.doubleStar) {
    const dict = semantic.followName(splat);
    if (dict.type === 'dictionary') {
      for (const pair of dict.namedChildren) {
        if (pair?.type !== 'pair') continue;
        const key = semantic.stringLiteral(field(pair, 'key'));
        const value = field(pair, 'value');
        if (key && value && !keywords.has(key)) keywords.set(key, value);
      }
    } else if (dict.type === 'call' && isBuiltinDict(semantic, dict)) {
      for (const [key, value] of callArguments(dict).keywords)
        if (!keywords.has(key)) keywords.set(key, value);
    }
  }
  return keywords;
}

function isBuiltinDict(semantic: SemanticModel, call: Node): boolean {
  const fn = field(call, 'function');
  return (
    fn?.type === 'identifier' && fn.text === 'dict' && semantic.bindingsOf('dict', fn).length === 0
  );
}

/** The argument itself when it is written in the call, else the call (`**kwargs` dict entries). */
function siteOf(call: Node, value: Node): Node {
  return value.startIndex >= call.startIndex && value.endIndex <= call.endIndex ? value : call;
}

/** How an `open`-like call uses its file, read off its mode. */
function modeAccess(semantic: SemanticModel, call: Node, spec: PathSink): Access {
  if (!spec.mode) return spec.access;
  const args = callArguments(call);
  const node = args.keywords.get(spec.mode.keyword) ?? args.positional[spec.mode.position];
  const mode = node ? semantic.stringLiteral(node) : spec.mode.default;
  if (mode === undefined) return 'both';
  if (mode.includes('+')) return 'both';
  return /[wax]/.test(mode) ? 'write' : 'read';
}

function pick(
  semantic: SemanticModel,
  call: Node,
  spec: PathSink,
  sinkName: string,
  keywords: Map<string, Node>,
): SinkArgument[] {
  const args = callArguments(call);
  const found: SinkArgument[] = [];
  const access = modeAccess(semantic, call, spec);
  const add = (value: Node | undefined, first: boolean) => {
    if (!value || found.some((f) => f.value.id === value.id)) return;
    found.push({
      value,
      site: siteOf(call, value),
      sinkName,
      access,
      probe: spec.probe,
      hub: spec.hub,
      needsStr: spec.needsStr,
      linkTarget: spec.linkTarget && first,
    });
  };
  spec.positions.forEach((position, i) => add(args.positional[position], i === 0));
  spec.keywords.forEach((keyword, i) => add(keywords.get(keyword), i === 0));
  return found;
}

/** The attribute names along a call chain's receiver: `spark.read.format("x").load` → read, format. */
function receiverAttributes(fn: Node): string[] {
  const names: string[] = [];
  let current: Node | null = field(fn, 'object');
  for (let depth = 0; current && depth < 12; depth++) {
    current = unparenthesize(current);
    if (current.type === 'attribute') {
      names.push(field(current, 'attribute')?.text ?? '');
      current = field(current, 'object');
    } else if (current.type === 'call') {
      current = field(current, 'function');
    } else {
      break;
    }
  }
  return names;
}

/** The known sink a call resolves to, and the name messages give it. */
function knownSink(
  call: Node,
  callee: string | undefined,
  method: string | undefined,
  options: SinkOptions,
): { spec: PathSink; name: string } | undefined {
  if (callee) {
    const spec =
      FUNCTION_SINKS.get(callee) ??
      (options.cloud ? CLOUD_FUNCTION_SINKS.get(callee) : undefined) ??
      (TABULAR_READER.test(callee) && !NOT_A_LOCATION_READER.test(callee)
        ? TABULAR_READER_SINK
        : undefined) ??
      (MLFLOW_LOAD.test(callee) ? reads([0], ['model_uri']) : undefined) ??
      (MLFLOW_SAVE.test(callee) ? writes([1], ['path']) : undefined);
    if (spec) return { spec, name: callee };
  }
  if (!method) return undefined;
  const fn = field(call, 'function')!;
  // `spark.read.csv(...)`, `df.write.mode("overwrite").parquet(...)`.
  if (SPARK_IO_METHODS.has(method)) {
    const chain = receiverAttributes(fn);
    const reader = chain.some((name) => SPARK_READERS.has(name));
    const writer = chain.some((name) => SPARK_WRITERS.has(name));
    if (reader || writer) {
      const name = `${reader ? 'read' : 'write'}.${method}()`;
      return { spec: (reader ? reads : writes)([0], ['path']), name: `.${name}` };
    }
  }
  const spec = METHOD_SINKS.get(method);
  // Resolved receivers count too: `AutoModel.from_pretrained("/abs")` after `from transformers import AutoModel`.
  if (spec) return { spec, name: `.${method}()` };
  // `dict.get(key, default)` shares a name with `fs.get(rpath, lpath)`: only the first argument.
  if (options.cloud && CLOUD_METHODS.has(method))
    return { spec: both([0], ['path', 'rpath', 'urlpath', 'uri']), name: `.${method}()` };
  if (options.cloud && CLOUD_TRANSFER_METHODS.has(method))
    return { spec: both([0, 1], ['path1', 'path2', 'rpath', 'lpath']), name: `.${method}()` };
  return undefined;
}

/** The arguments of a call that reach file or data I/O. */
export function pathSinkArguments(
  semantic: SemanticModel,
  call: Node,
  options: SinkOptions = {},
): SinkArgument[] {
  const callee = semantic.calleeName(call);
  const method = semantic.methodName(call);
  const keywords = callKeywords(semantic, call);
  const found: SinkArgument[] = [];
  const known = knownSink(call, callee, method, options);
  if (known) found.push(...pick(semantic, call, known.spec, known.name, keywords));
  // Location-named keywords of any call: `TrainingArguments(output_dir=...)`, `cache_dir=...`;
  // routes and cookies of web frameworks are URL paths, not locations, and PascalCase keywords
  // are API parameters of generated clients (boto3's `Path=` is an IAM path).
  const webRoute = isWebRouteCall(callee, method);
  for (const [keyword, value] of keywords) {
    if (webRoute || /^[A-Z]/.test(keyword) || found.some((f) => f.value.id === value.id)) continue;
    const pathNamed = PATH_NAME.test(keyword) && !URL_KEYWORD.test(keyword);
    if (!pathNamed && !(options.cloud && CLOUD_KEYWORD.test(keyword))) continue;
    found.push({
      value,
      site: siteOf(call, value),
      sinkName: `${keyword}=`,
      access: 'unknown',
      byKeywordName: true,
      resolvedCallee: !!callee,
      fileRelative: !!callee && FILE_RELATIVE_CALLS.has(callee),
    });
  }
  // `Path("/x").read_text()`, `(ROOT / "cfg.yaml").open()`: the receiver is a path used for I/O.
  const fn = field(call, 'function');
  const access = method ? PATH_IO_METHODS.get(method) : undefined;
  if (fn?.type === 'attribute' && method && access) {
    const receiver = field(fn, 'object')!;
    if (semantic.resolveValue(receiver)?.isPath) {
      found.push({
        value: receiver,
        site: receiver,
        sinkName: `Path.${method}()`,
        access: method === 'open' ? modeAccess(semantic, call, PATH_OPEN) : access,
        probe: PATH_PROBES.has(method),
      });
    }
  }
  return found;
}
