/**
 * Test-only fault injection, so that the isolation of a failing rule and the time budget can be
 * proven through the real CLI and language server. `MLHYGIENE_FAULT_INJECTION=MLH101:throw,MLH102:slow`
 * makes MLH101 throw on the first node it visits and MLH102 spend 25 ms on every node. Read once,
 * when the engine is loaded; unset (as it always is for users) it changes nothing.
 */
export type Fault = 'throw' | 'slow';

export const SLOW_FAULT_MS = 25;

function parseFaults(value: string | undefined): ReadonlyMap<string, Fault> {
  const faults = new Map<string, Fault>();
  for (const entry of (value ?? '').split(',')) {
    const [code, kind] = entry.trim().split(':');
    if (code && (kind === 'throw' || kind === 'slow')) faults.set(code.toUpperCase(), kind);
  }
  return faults;
}

const FAULTS = parseFaults(process.env.MLHYGIENE_FAULT_INJECTION);

/** The visitor a rule runs: its own, or one with the injected fault wrapped around it. */
export function withFault<T>(code: string, visit: (node: T) => void): (node: T) => void {
  const fault = FAULTS.get(code);
  if (!fault) return visit;
  return (node) => {
    if (fault === 'throw')
      throw new Error(`fault injected into ${code} by MLHYGIENE_FAULT_INJECTION`);
    const until = performance.now() + SLOW_FAULT_MS;
    while (performance.now() < until) {
      // Busy on purpose: the fault imitates a rule stuck in synchronous work.
    }
    visit(node);
  };
}
