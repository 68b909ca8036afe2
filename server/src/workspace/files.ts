import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { parseIpynb, type IpynbNotebook } from '../parsing/ipynb';
import { notebookSource, pythonSource, type SourceFile } from '../engine/source';

export interface LoadedFile {
  source: SourceFile;
  /** The parsed notebook, kept so fixes can be written back into the same JSON. */
  notebook?: IpynbNotebook;
  /** Where the bytes stop being UTF-8, when they do: the text then holds replacement characters. */
  invalidUtf8?: string;
}

export interface SourceText {
  text: string;
  /** Where the bytes stop being UTF-8 ("byte 0xff at line 2"), when they do. */
  invalidUtf8?: string;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The first byte that is not UTF-8, located for a message; undefined for valid UTF-8. */
function invalidUtf8At(bytes: Buffer): string | undefined {
  try {
    strictUtf8.decode(bytes);
    return undefined;
  } catch {
    // The longest valid prefix ends just before the first bad byte; a binary search finds it.
    let low = 0;
    let high = bytes.length;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (Buffer.from(bytes.subarray(0, mid)).toString('utf8').includes('\ufffd')) high = mid - 1;
      else low = mid;
    }
    const line = bytes
      .subarray(0, low)
      .toString('latin1')
      .split(/\r\n|\r|\n/).length;
    const byte = bytes[low] ?? 0;
    return `byte 0x${byte.toString(16).padStart(2, '0')} at line ${line}`;
  }
}

/**
 * Reads a source file as text. Only regular files are read: the file is opened without blocking
 * and checked before reading, so a FIFO or a device that replaced a file during a scan cannot hang
 * the process. Bytes that are not UTF-8 are decoded with replacement characters and reported.
 */
export function readSource(path: string): SourceText {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new Error('not a regular file');
    const bytes = Buffer.alloc(stats.size);
    let read = 0;
    while (read < bytes.length) {
      const n = readSync(fd, bytes, read, bytes.length - read, read);
      if (n === 0) break;
      read += n;
    }
    const content = bytes.subarray(0, read);
    const invalidUtf8 = invalidUtf8At(content);
    return { text: content.toString('utf8'), ...(invalidUtf8 ? { invalidUtf8 } : {}) };
  } finally {
    closeSync(fd);
  }
}

/** Reads a `.py` or `.ipynb` file; throws `NotebookFormatError` for unreadable notebooks. */
export function loadFile(path: string): LoadedFile {
  const { text, invalidUtf8 } = readSource(path);
  const loaded = loadText(path, text);
  return invalidUtf8 ? { ...loaded, invalidUtf8 } : loaded;
}

/** Builds the source of a file from its text (read from disk, or given on stdin). */
export function loadText(path: string, raw: string): LoadedFile {
  if (path.endsWith('.ipynb')) {
    const notebook = parseIpynb(raw);
    return { source: notebookSource(path, notebook.cells, notebook.ignore), notebook };
  }
  return { source: pythonSource(path, raw) };
}

/** The message shown for a file whose bytes are not all UTF-8. */
export function invalidUtf8Message(where: string, fixing: boolean): string {
  return (
    `not valid UTF-8 (${where}): read with replacement characters` +
    (fixing ? '; fixes are not written to it' : '')
  );
}
