import type { Node } from 'web-tree-sitter';
import { field } from '../../semantic/nodes';

/** Short renderings of code for messages. */

/** An expression on one line, cut to `limit` characters. */
export function shortText(node: Node, limit = 40): string {
  const text = node.text.replace(/\s*\.\s*/g, '.').replace(/\s+/g, ' ');
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

/** A call named by its callee: `model.fit()`, `LogisticRegression(...).fit()`, `self.net()`. */
export function callLabel(call: Node): string {
  const fn = field(call, 'function');
  if (!fn) return shortText(call);
  if (fn.type !== 'attribute') return `${shortText(fn, 36)}()`;
  const object = field(fn, 'object');
  const method = field(fn, 'attribute')?.text ?? '';
  return `${receiverLabel(object ?? fn)}.${method}()`;
}

/** `model`, `LogisticRegression(...)`, `….fit(...)` for a chain of calls. */
function receiverLabel(object: Node): string {
  if (object.type !== 'call') return shortText(object, 28);
  const inner = field(object, 'function');
  if (!inner) return '…';
  if (!inner.text.includes('(')) return `${shortText(inner, 28)}(...)`;
  return inner.type === 'attribute' ? `….${field(inner, 'attribute')?.text ?? ''}(...)` : '…';
}
