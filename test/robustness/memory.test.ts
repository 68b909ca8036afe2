import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCycles } from './cycles';

const MIB = 1024 * 1024;

/**
 * Open/change/close cycles keep memory flat: every tree-sitter tree is freed (the WebAssembly heap,
 * which never shrinks, does not grow after warm-up) and the server keeps nothing per closed file.
 * `npm run stress` runs 10,000 cycles and prints the figures.
 */
describe('memory under open/change/close cycles', () => {
  it('does not grow after warm-up: WebAssembly heap unchanged, JS heap within 8 MiB', async () => {
    const [warm, end] = await runCycles(400, [100, 400]);
    assert.equal(end.wasmBytes, warm.wasmBytes, 'the tree-sitter heap grew');
    const growth = end.heapUsedBytes - warm.heapUsedBytes;
    assert.ok(growth < 8 * MIB, `JS heap grew by ${(growth / MIB).toFixed(1)} MiB in 300 cycles`);
  });
});
