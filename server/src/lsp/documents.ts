import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { Edit, type Point, type Tree } from 'web-tree-sitter';

/**
 * An open `.py` document with the tree of its last parse. Incremental changes are applied to the
 * text and, as tree-sitter edits, to the tree, so the next parse reuses the unchanged parts.
 */
export class OpenDocument {
  /** The previous tree, edited to match the current text; null after a full replacement. */
  private tree: Tree | null = null;

  constructor(public document: TextDocument) {}

  get uri(): string {
    return this.document.uri;
  }

  get version(): number {
    return this.document.version;
  }

  get text(): string {
    return this.document.getText();
  }

  applyChanges(changes: TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      if ('range' in change && this.tree) {
        // Offsets clamp out-of-range positions; the points are derived from them so both agree.
        const startIndex = this.document.offsetAt(change.range.start);
        const oldEndIndex = this.document.offsetAt(change.range.end);
        const start = this.document.positionAt(startIndex);
        const oldEnd = this.document.positionAt(oldEndIndex);
        const startPosition: Point = { row: start.line, column: start.character };
        const edit = new Edit({
          startIndex,
          oldEndIndex,
          newEndIndex: startIndex + change.text.length,
          startPosition,
          oldEndPosition: { row: oldEnd.line, column: oldEnd.character },
          newEndPosition: endPoint(startPosition, change.text),
        });
        this.tree.edit(edit);
      } else if (!('range' in change)) {
        this.dropTree();
      }
      this.document = TextDocument.update(this.document, [change], version);
    }
  }

  /** Hands out the edited previous tree for reuse; the caller stores the new one with `keepTree`. */
  takeTree(): Tree | null {
    const tree = this.tree;
    this.tree = null;
    return tree;
  }

  keepTree(tree: Tree): void {
    this.dropTree();
    this.tree = tree;
  }

  dropTree(): void {
    this.tree?.delete();
    this.tree = null;
  }
}

function endPoint(start: Point, text: string): Point {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length === 1) return { row: start.row, column: start.column + text.length };
  return { row: start.row + lines.length - 1, column: lines[lines.length - 1].length };
}
