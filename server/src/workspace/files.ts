import { readFileSync } from 'node:fs';
import { parseIpynb, type IpynbNotebook } from '../parsing/ipynb';
import { notebookSource, pythonSource, type SourceFile } from '../engine/source';

export interface LoadedFile {
  source: SourceFile;
  /** The parsed notebook, kept so fixes can be written back into the same JSON. */
  notebook?: IpynbNotebook;
}

/** Reads a `.py` or `.ipynb` file; throws `NotebookFormatError` for unreadable notebooks. */
export function loadFile(path: string): LoadedFile {
  return loadText(path, readFileSync(path, 'utf8'));
}

/** Builds the source of a file from its text (read from disk, or given on stdin). */
export function loadText(path: string, raw: string): LoadedFile {
  if (path.endsWith('.ipynb')) {
    const notebook = parseIpynb(raw);
    return { source: notebookSource(path, notebook.cells, notebook.ignore), notebook };
  }
  return { source: pythonSource(path, raw) };
}
