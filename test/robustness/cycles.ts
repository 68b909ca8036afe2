import { PassThrough } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createConnection } from 'vscode-languageserver/node';
import {
  createProtocolConnection,
  InitializeRequest,
  PublishDiagnosticsNotification,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { LintServer } from '../../server/src/lsp/server';
import { wasmHeapBytes } from '../../server/src/parsing/runtime';

/**
 * Open/change/close cycles against a LintServer running in this process over a stream pair, so the
 * memory measured (V8 heap, RSS and tree-sitter's WebAssembly heap) is the server's own. Shared by
 * the memory test of the default suite and `npm run stress`.
 */

export interface MemorySample {
  cycle: number;
  rssBytes: number;
  heapUsedBytes: number;
  wasmBytes: number;
}

// Long enough (about 150 KB of tree) that a leaked tree per cycle would soon grow the heap.
const SCRIPT = `import pickle
import torch

model = torch.load("/data/model.pt")
state = pickle.loads(blob)
print("loaded", model)
${Array.from({ length: 100 }, (_, i) => `def step_${i}(x):\n    return x * ${i}\n`).join('')}`;

function collectGarbage(): void {
  // The flag can be set at run time; `gc` is then found on a fresh context's global.
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

export function sampleMemory(cycle: number): MemorySample {
  collectGarbage();
  const usage = process.memoryUsage();
  return {
    cycle,
    rssBytes: usage.rss,
    heapUsedBytes: usage.heapUsed,
    wasmBytes: wasmHeapBytes(),
  };
}

export class InProcessServer {
  private readonly waiters = new Map<string, (d: Diagnostic[]) => void>();

  private constructor(
    readonly client: ProtocolConnection,
    private readonly server: { dispose(): void },
  ) {
    client.onNotification(PublishDiagnosticsNotification.type, ({ uri, diagnostics }) => {
      const waiter = this.waiters.get(uri);
      this.waiters.delete(uri);
      waiter?.(diagnostics);
    });
  }

  static async start(rootUri: string): Promise<InProcessServer> {
    const toServer = new PassThrough();
    const toClient = new PassThrough();
    const connection = createConnection(
      new StreamMessageReader(toServer),
      new StreamMessageWriter(toClient),
    );
    new LintServer(connection, 0).listen();
    const client = createProtocolConnection(
      new StreamMessageReader(toClient),
      new StreamMessageWriter(toServer),
    );
    client.listen();
    const server = new InProcessServer(client, connection);
    // No process id: the server would otherwise keep a timer watching this very process.
    await client.sendRequest(InitializeRequest.type, {
      processId: null,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: 'ws' }],
      capabilities: {},
    });
    await client.sendNotification('initialized', {});
    return server;
  }

  /** Sends a notification and resolves with the next diagnostics published for `uri`. */
  private async publishAfter(uri: string, method: string, params: unknown): Promise<Diagnostic[]> {
    const published = new Promise<Diagnostic[]>((resolve) => this.waiters.set(uri, resolve));
    await this.client.sendNotification(method, params);
    return published;
  }

  /** One cycle: open a script, change one line, close it; each step waits for its diagnostics. */
  async cycle(index: number): Promise<void> {
    const uri = `file:///stress/cycle-${index % 50}.py`;
    const opened = await this.publishAfter(uri, 'textDocument/didOpen', {
      textDocument: { uri, languageId: 'python', version: 1, text: SCRIPT },
    });
    if (opened.length === 0) throw new Error(`no diagnostics for ${uri} on open`);
    await this.publishAfter(uri, 'textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [
        {
          range: { start: { line: 5, character: 7 }, end: { line: 5, character: 15 } },
          text: `"cycle ${index}"`,
        },
      ],
    });
    const closed = await this.publishAfter(uri, 'textDocument/didClose', {
      textDocument: { uri },
    });
    if (closed.length !== 0) throw new Error(`diagnostics left after closing ${uri}`);
  }

  dispose(): void {
    this.client.dispose();
    this.server.dispose();
  }
}

/** Runs `cycles` cycles and samples memory at the given cycle counts (0 = before the first). */
export async function runCycles(
  cycles: number,
  sampleAt: readonly number[],
): Promise<MemorySample[]> {
  const server = await InProcessServer.start('file:///stress');
  const samples: MemorySample[] = [];
  try {
    for (let i = 0; i <= cycles; i++) {
      if (sampleAt.includes(i)) samples.push(sampleMemory(i));
      if (i < cycles) await server.cycle(i);
    }
  } finally {
    server.dispose();
  }
  return samples;
}
