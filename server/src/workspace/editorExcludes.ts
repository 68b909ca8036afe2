import { isAbsolute, relative, sep } from 'node:path';
import picomatch from 'picomatch';

/**
 * The editor's own excludes, on top of pyproject.toml's: `mlhygiene.exclude` (patterns in the same
 * form as `extend-exclude`: a bare name matches at any depth, a pattern with a slash matches from
 * the workspace folder) and VS Code's `files.exclude` (VS Code globs relative to the workspace
 * folder, `true` to hide). Both are per workspace folder.
 */
export interface FolderExcludes {
  folder: string;
  /** `mlhygiene.exclude` of the folder. */
  patterns: readonly string[];
  /** `files.exclude` of the folder: glob → true / false / `{ when }`. */
  filesExclude?: unknown;
}

/**
 * `files.exclude` entries that are switched on. An entry with a `when` clause hides a file only
 * next to a sibling (e.g. `*.js` next to `*.ts`), which never applies to Python sources and
 * notebooks; such entries are left out rather than guessed.
 */
export function enabledGlobs(filesExclude: unknown): string[] {
  if (!filesExclude || typeof filesExclude !== 'object' || Array.isArray(filesExclude)) return [];
  return Object.entries(filesExclude as Record<string, unknown>)
    .filter(([, on]) => on === true)
    .map(([glob]) => glob);
}

/** A predicate over absolute paths (files or folders) for the given workspace folders. */
export function editorExcludes(folders: readonly FolderExcludes[]): (path: string) => boolean {
  const matchers = folders
    .map(({ folder, patterns, filesExclude }) => {
      const named = picomatch(
        patterns.filter((p) => !p.includes('/')),
        { dot: true },
      );
      const rooted = picomatch(
        patterns.filter((p) => p.includes('/')).map((p) => p.replace(/^\.?\//, '')),
        { dot: true },
      );
      const vscodeGlobs = enabledGlobs(filesExclude);
      const hidden = picomatch(vscodeGlobs, { dot: true });
      return {
        folder,
        test: (rel: string) => {
          const segments = rel.split('/');
          // A folder that matches excludes everything below it, as in VS Code and the CLI.
          return segments.some((name, i) => {
            const prefix = segments.slice(0, i + 1).join('/');
            return named(name) || rooted(prefix) || hidden(prefix);
          });
        },
      };
    })
    // The innermost folder decides, for nested workspace folders.
    .sort((a, b) => b.folder.length - a.folder.length);
  return (path: string) => {
    for (const matcher of matchers) {
      const rel = relative(matcher.folder, path);
      if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) continue;
      return matcher.test(rel.split(sep).join('/'));
    }
    return false;
  };
}
