import { runCycles, type MemorySample } from './cycles';

/**
 * `npm run stress`: 10,000 open/change/close cycles through the language server (in this process,
 * so its memory is what is measured); prints RSS, JS heap and WebAssembly heap at the start, the
 * middle and the end. `npm run stress -- 50000` runs more cycles.
 */
const MIB = 1024 * 1024;
const cycles = Number(process.argv[2] ?? 10_000);

function row(sample: MemorySample): string {
  const mib = (bytes: number) => (bytes / MIB).toFixed(1).padStart(8);
  return `${String(sample.cycle).padStart(8)} ${mib(sample.rssBytes)} ${mib(sample.heapUsedBytes)} ${mib(sample.wasmBytes)}`;
}

async function main(): Promise<void> {
  const started = Date.now();
  const samples = await runCycles(cycles, [0, Math.floor(cycles / 2), cycles]);
  console.log('   cycle  RSS MiB heap MiB wasm MiB');
  for (const sample of samples) console.log(row(sample));
  const [, middle, end] = samples;
  console.log(
    `${cycles} cycles in ${((Date.now() - started) / 1000).toFixed(1)} s; from the middle to the end ` +
      `RSS ${((end.rssBytes - middle.rssBytes) / MIB).toFixed(1)} MiB, JS heap ` +
      `${((end.heapUsedBytes - middle.heapUsedBytes) / MIB).toFixed(1)} MiB, WebAssembly heap ` +
      `${((end.wasmBytes - middle.wasmBytes) / MIB).toFixed(1)} MiB`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
