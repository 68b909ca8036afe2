/**
 * Checks made before a text reaches tree-sitter. Both bounds protect the process rather than judge
 * the code: a huge generated module costs seconds and hundreds of megabytes to lint, and the
 * Python grammar's scanner writes past its buffers (a WebAssembly trap that leaves the runtime
 * unusable for every later parse) once statements are nested 512 levels deep.
 */

/**
 * Statement nesting accepted before a file is skipped. CPython itself refuses more than 100 levels
 * ("too many levels of indentation"), so no runnable program comes near it; the grammar breaks at
 * 512.
 */
export const MAX_INDENT_LEVELS = 256;

const MIB = 1024 * 1024;

function formatBytes(bytes: number): string {
  return bytes >= MIB ? `${(bytes / MIB).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

/**
 * The deepest stack of indentation widths, computed as Python's tokenizer does (a tab advances to
 * the next multiple of 8). Lines inside brackets and strings are counted too, so the result is never
 * below what the parser's scanner sees; blank and comment-only lines do not count.
 */
export function indentationDepth(text: string): number {
  const widths = [0];
  let deepest = 0;
  let i = 0;
  while (i < text.length) {
    let width = 0;
    for (; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === 32) width++;
      else if (code === 9) width = (Math.floor(width / 8) + 1) * 8;
      else if (code !== 12) break;
    }
    const first = text.charCodeAt(i);
    const blank = i >= text.length || first === 10 || first === 13 || first === 35;
    if (!blank) {
      while (widths[widths.length - 1] > width) widths.pop();
      if (width > widths[widths.length - 1]) widths.push(width);
      deepest = Math.max(deepest, widths.length - 1);
    }
    // On to the next line: `\n`, `\r\n` and a lone `\r` all end one.
    while (i < text.length && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
    if (text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10) i++;
    i++;
  }
  return deepest;
}

/**
 * The deepest nesting of brackets outside strings and comments. The scan is lexical and simple
 * (string prefixes need no handling: a quote starts a string whatever letters precede it); an
 * f-string's own braces are inside its quotes and not counted.
 */
export function bracketDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '#') {
      while (i + 1 < text.length && text[i + 1] !== '\n' && text[i + 1] !== '\r') i++;
    } else if (c === '"' || c === "'") {
      const quote = text.startsWith(c + c + c, i) ? c + c + c : c;
      i += quote.length;
      // To the closing quote (a single-quoted string also ends at the line's end).
      while (i < text.length && !text.startsWith(quote, i)) {
        if (text[i] === '\\') i++;
        else if (quote.length === 1 && (text[i] === '\n' || text[i] === '\r')) break;
        i++;
      }
      i += quote.length - 1;
    } else if (c === '(' || c === '[' || c === '{') {
      deepest = Math.max(deepest, ++depth);
    } else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
  }
  return deepest;
}

/**
 * Why a text is not linted, or undefined when it is. `maxFileSize` counts UTF-8 bytes of the
 * Python that is parsed (0: no limit).
 */
export function skipReason(
  text: string,
  limits: { maxFileSize: number; maxBracketDepth?: number },
): string | undefined {
  const { maxFileSize, maxBracketDepth = Infinity } = limits;
  if (maxFileSize > 0 && text.length > maxFileSize / 3) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > maxFileSize) {
      return (
        `ML Hygiene skipped this file: ${formatBytes(bytes)} of Python is above the limit of ` +
        `${formatBytes(maxFileSize)} (max-file-size in [tool.mlhygiene], or the mlhygiene.maxFileSize setting)`
      );
    }
  }
  const depth = indentationDepth(text);
  if (depth > MAX_INDENT_LEVELS) {
    return (
      `ML Hygiene skipped this file: statements are nested ${depth} levels deep, more than the ` +
      `${MAX_INDENT_LEVELS} it can parse safely (CPython itself stops at 100)`
    );
  }
  if (maxBracketDepth !== Infinity) {
    const brackets = bracketDepth(text);
    if (brackets > maxBracketDepth) {
      return (
        `ML Hygiene skipped this file: brackets are nested ${brackets} levels deep, more than the ` +
        `${maxBracketDepth} it lints (CPython itself stops at 200)`
      );
    }
  }
  return undefined;
}
