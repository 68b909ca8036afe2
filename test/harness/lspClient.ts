import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import {
  ConfigurationRequest,
  createProtocolConnection,
  DidChangeConfigurationNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type ProtocolConnection,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';

/** The bundled server, as the extension ships it. */
export const SERVER_BUNDLE = join(__dirname, '..', '..', '..', 'dist', 'server.js');

/**
 * A real JSON-RPC client talking to the built server over stdio: it answers the server's
 * configuration and registration requests and records every published diagnostic.
 */
export class TestLspClient {
  readonly diagnostics = new Map<string, Diagnostic[]>();
  readonly messages: string[] = [];
  settings: Record<string, unknown> = {};
  /** Other configuration sections the server may ask for, e.g. `files.exclude`. */
  readonly sections: Record<string, unknown> = {};
  private constructor(
    readonly connection: ProtocolConnection,
    private readonly child: ChildProcessWithoutNullStreams,
  ) {}

  /**
   * Starts the server; `env` replaces its environment (e.g. a test's own `HF_HOME`), and
   * `initializationOptions` is what the extension would send (e.g. `{ workspaceTrusted: false }`
   * or its storage path).
   */
  static async start(
    rootUri: string,
    env: NodeJS.ProcessEnv = process.env,
    initializationOptions?: unknown,
  ): Promise<TestLspClient> {
    const child = spawn(process.execPath, [SERVER_BUNDLE, '--stdio'], { stdio: 'pipe', env });
    child.stderr.on('data', () => undefined);
    const connection = createProtocolConnection(
      new StreamMessageReader(child.stdout),
      new StreamMessageWriter(child.stdin),
    );
    const client = new TestLspClient(connection, child);
    connection.onNotification(PublishDiagnosticsNotification.type, ({ uri, diagnostics }) => {
      client.diagnostics.set(uri, diagnostics);
    });
    connection.onNotification('window/showMessage', (params: { message: string }) => {
      client.messages.push(params.message);
    });
    connection.onRequest(ConfigurationRequest.type, ({ items }) =>
      items.map(({ section }) =>
        !section || section === 'mlhygiene' ? client.settings : (client.sections[section] ?? null),
      ),
    );
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('workspace/applyEdit', () => ({ applied: true }));
    connection.onRequest('window/showMessageRequest', () => null);
    connection.listen();
    await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri,
      initializationOptions,
      workspaceFolders: [{ uri: rootUri, name: 'ws' }],
      capabilities: {
        workspace: {
          configuration: true,
          didChangeWatchedFiles: { dynamicRegistration: true },
          applyEdit: true,
        },
        textDocument: {
          publishDiagnostics: { versionSupport: true },
          codeAction: { isPreferredSupport: true },
        },
        notebookDocument: { synchronization: { dynamicRegistration: false } },
        window: { workDoneProgress: true },
      },
    });
    await connection.sendNotification('initialized', {});
    return client;
  }

  async changeSettings(settings: Record<string, unknown>): Promise<void> {
    this.settings = settings;
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, {
      settings: { mlhygiene: settings },
    });
  }

  /** Polls until the diagnostics of `uri` satisfy `predicate`; never a fixed sleep. */
  async waitFor(
    uri: string,
    predicate: (d: Diagnostic[]) => boolean,
    timeoutMs = 10_000,
  ): Promise<Diagnostic[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = this.diagnostics.get(uri);
      if (current && predicate(current)) return current;
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for diagnostics of ${uri}; last: ${JSON.stringify(current?.map((d) => [d.code, d.range]))}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async stop(): Promise<void> {
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } finally {
      this.connection.dispose();
      this.child.kill();
    }
  }
}

/** The text a range covers. */
export function textAt(text: string, range: Diagnostic['range']): string {
  const lines = text.split(/(?<=\n)/);
  const offset = (p: { line: number; character: number }) =>
    lines.slice(0, p.line).reduce((n, l) => n + l.length, 0) + p.character;
  return text.slice(offset(range.start), offset(range.end));
}

/** Applies LSP text edits (non-overlapping) to a text. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const lines = text.split(/(?<=\n)/);
  const offset = (p: { line: number; character: number }) =>
    lines.slice(0, p.line).reduce((n, l) => n + l.length, 0) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const edit of sorted)
    out = out.slice(0, offset(edit.range.start)) + edit.newText + out.slice(offset(edit.range.end));
  return out;
}

/** The edits a workspace edit makes to one document, from `documentChanges` or `changes`. */
export function editsFor(edit: WorkspaceEdit | undefined, uri: string): TextEdit[] {
  for (const change of edit?.documentChanges ?? []) {
    if ('textDocument' in change && change.textDocument.uri === uri)
      return change.edits as TextEdit[];
  }
  return edit?.changes?.[uri] ?? [];
}

/** The document version a workspace edit was computed for. */
export function versionFor(
  edit: WorkspaceEdit | undefined,
  uri: string,
): number | null | undefined {
  for (const change of edit?.documentChanges ?? []) {
    if ('textDocument' in change && change.textDocument.uri === uri)
      return change.textDocument.version;
  }
  return undefined;
}
