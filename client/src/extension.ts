import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import {
  ExecuteCommandRequest,
  LanguageClient,
  State,
  TransportKind,
  WorkDoneProgress,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import {
  Commands,
  EXTENSION_ID,
  SERVER_NAME,
  SETTINGS_SECTION,
  StatusNotification,
  TrustGrantedNotification,
  type InitializationOptions,
  type ScanSummary,
  type StatusParams,
} from '../../server/src/protocol';

/**
 * The client only starts the language server and wires editor chrome to it: commands, the log
 * channel and a language status item. Everything about linting lives in the server.
 */

const SHOW_LOGS = 'Show Logs';

/** Python files on disk, unsaved Python buffers and the Python cells of Jupyter notebooks. */
const documentSelector: LanguageClientOptions['documentSelector'] = [
  { scheme: 'file', language: 'python' },
  { scheme: 'untitled', language: 'python' },
  { notebook: { notebookType: 'jupyter-notebook' }, language: 'python' },
];

/** The same documents, in the editor's own selector form, for the status item. */
const statusSelector: vscode.DocumentSelector = [
  { scheme: 'file', language: 'python' },
  { scheme: 'untitled', language: 'python' },
  { notebookType: 'jupyter-notebook', language: 'python' },
];

const SEVERITY: Record<StatusParams['state'], vscode.LanguageStatusSeverity> = {
  ok: vscode.LanguageStatusSeverity.Information,
  warning: vscode.LanguageStatusSeverity.Warning,
  error: vscode.LanguageStatusSeverity.Error,
};

let host: ServerHost | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel(SERVER_NAME, { log: true });
  const status = createStatusItem();
  const serverHost = new ServerHost(context, log, status);
  host = serverHost;
  context.subscriptions.push(
    log,
    status,
    vscode.commands.registerCommand(Commands.restartServer, () => serverHost.restart()),
    vscode.commands.registerCommand(Commands.showLogs, () => log.show()),
    vscode.commands.registerCommand(Commands.scanWorkspace, () => serverHost.scanWorkspace()),
    vscode.commands.registerCommand(Commands.clearScanResults, () =>
      serverHost.execute(Commands.serverClearScanResults),
    ),
  );
  await serverHost.restart();
}

export async function deactivate(): Promise<void> {
  const serverHost = host;
  host = undefined;
  await serverHost?.stop();
}

/**
 * Owns the current LanguageClient. A client whose start failed cannot be started again, so a
 * restart always stops the old instance and creates a new one. Starts and stops are queued so
 * that two quick restarts never leave an orphaned server process.
 */
class ServerHost {
  private client: LanguageClient | undefined;
  private clientSubscriptions: vscode.Disposable[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly status: vscode.LanguageStatusItem,
  ) {}

  /** Runs a server command; undefined when no server is running. */
  async execute<T>(command: string): Promise<T | undefined> {
    if (!this.client?.isRunning()) {
      void vscode.window.showWarningMessage('ML Hygiene: the server is not running.');
      return undefined;
    }
    return this.client.sendRequest(ExecuteCommandRequest.type, { command }) as Promise<T>;
  }

  /**
   * The server scans; the progress is a notification of ours with a Cancel button (the client
   * library would put server-created progress in the status bar, where it cannot be cancelled).
   * The server reports to our progress token and stops when the request is cancelled.
   */
  async scanWorkspace(): Promise<void> {
    const client = this.client;
    if (!client?.isRunning()) {
      void vscode.window.showWarningMessage('ML Hygiene: the server is not running.');
      return;
    }
    const summary = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: 'ML Hygiene: scanning the workspace',
        cancellable: true,
      },
      async (progress, token) => {
        const workDoneToken = randomUUID();
        let done = 0;
        const listener = client.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
          if (value.kind === 'end') return;
          // VS Code's notification takes increments; the server sends totals.
          const increment = value.percentage === undefined ? undefined : value.percentage - done;
          done = value.percentage ?? done;
          progress.report({ message: value.message, increment });
        });
        try {
          return (await client.sendRequest(
            ExecuteCommandRequest.type,
            { command: Commands.serverScanWorkspace, workDoneToken },
            token,
          )) as ScanSummary;
        } finally {
          listener.dispose();
        }
      },
    );
    if (!summary) return;
    const families = Object.entries(summary.byFamily)
      .map(([family, count]) => `${family} ${count}`)
      .join(', ');
    const text =
      `ML Hygiene ${summary.cancelled ? 'scan cancelled after' : 'scanned'} ${summary.files} files in ` +
      `${summary.seconds.toFixed(1)} s: ${summary.findings} findings${families ? ` (${families})` : ''}.`;
    this.log.info(text);
    for (const error of summary.errors) this.log.warn(error);
    const choice = await vscode.window.showInformationMessage(text, 'Show Problems');
    if (choice) await vscode.commands.executeCommand('workbench.actions.view.problems');
  }

  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.stopCurrent();
      await this.startNew();
    });
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.stopCurrent());
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(step, step);
    return this.queue;
  }

  private async startNew(): Promise<void> {
    const languageClient = createClient(this.context, this.log);
    this.client = languageClient;
    this.clientSubscriptions = [
      languageClient.onDidChangeState(({ newState }) => showClientState(this.status, newState)),
      languageClient.onNotification(StatusNotification, (params: StatusParams) =>
        showServerStatus(this.status, params),
      ),
      // Restricted Mode ends without a restart: the server lifts its own restriction.
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        if (languageClient.isRunning())
          void languageClient.sendNotification(TrustGrantedNotification);
      }),
    ];
    try {
      await languageClient.start();
    } catch (error) {
      this.reportStartFailure(error);
    }
  }

  private async stopCurrent(): Promise<void> {
    const languageClient = this.client;
    this.client = undefined;
    if (!languageClient) return;
    // A client still starting cannot be stopped yet; wait for the start to settle first.
    if (languageClient.state === State.Starting) {
      await languageClient.start().catch(() => undefined);
    }
    try {
      await languageClient.dispose();
    } catch (error) {
      // A client whose start failed has no connection to stop; there is nothing left to clean.
      this.log.debug(`Stopping the language server: ${describe(error)}`);
    }
    for (const subscription of this.clientSubscriptions) subscription.dispose();
    this.clientSubscriptions = [];
  }

  /** The message is not awaited, so activation never waits on the user. */
  private reportStartFailure(error: unknown): void {
    const reason = describe(error);
    this.log.error(`The language server could not start: ${reason}`);
    const message = `${SERVER_NAME}: the language server could not start (${reason}).`;
    void vscode.window.showErrorMessage(message, SHOW_LOGS).then((choice) => {
      if (choice === SHOW_LOGS) this.log.show();
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function createClient(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
): LanguageClient {
  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: {
      module: serverModule,
      transport: TransportKind.ipc,
      options: { execArgv: ['--nolazy', '--inspect=6009'] },
    },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector,
    synchronize: { configurationSection: SETTINGS_SECTION },
    initializationOptions: {
      // In Restricted Mode the server reads nothing outside the workspace (no Hugging Face cache).
      workspaceTrusted: vscode.workspace.isTrusted,
      // The scan keeps its cache in this workspace's storage (none without a workspace).
      storagePath: context.storageUri?.fsPath,
    } satisfies InitializationOptions,
    outputChannel: log,
    traceOutputChannel: log,
    middleware: {
      // Run from the command palette, the fix-all command has no argument: target the active file.
      executeCommand: (command, args, next) => {
        if (command === Commands.fixAll && args.length === 0) {
          const document = vscode.window.activeTextEditor?.document;
          if (!document) return undefined;
          const uri = languageClient.code2ProtocolConverter.asUri(document.uri);
          return next(command, [{ uri }]);
        }
        return next(command, args);
      },
    },
  };
  const languageClient = new LanguageClient(
    EXTENSION_ID,
    SERVER_NAME,
    serverOptions,
    clientOptions,
  );
  return languageClient;
}

function createStatusItem(): vscode.LanguageStatusItem {
  const item = vscode.languages.createLanguageStatusItem(EXTENSION_ID, statusSelector);
  item.name = SERVER_NAME;
  item.text = SERVER_NAME;
  item.detail = 'starting';
  item.busy = true;
  item.command = { title: SHOW_LOGS, command: Commands.showLogs };
  return item;
}

/** How each state of the connection itself is shown. */
const CLIENT_STATES: Record<State, { detail: string; severity: vscode.LanguageStatusSeverity }> = {
  [State.Starting]: { detail: 'starting', severity: vscode.LanguageStatusSeverity.Information },
  [State.Running]: { detail: 'running', severity: vscode.LanguageStatusSeverity.Information },
  [State.StartFailed]: { detail: 'failed to start', severity: vscode.LanguageStatusSeverity.Error },
  [State.Stopped]: { detail: 'stopped', severity: vscode.LanguageStatusSeverity.Error },
};

/** Reflects the connection itself: starting, running or stopped. */
function showClientState(item: vscode.LanguageStatusItem, state: State) {
  item.busy = state === State.Starting;
  item.severity = CLIENT_STATES[state].severity;
  item.detail = CLIENT_STATES[state].detail;
}

/** Reflects what the server reports about itself, such as a configuration problem. */
function showServerStatus(item: vscode.LanguageStatusItem, params: StatusParams) {
  item.busy = false;
  item.severity = SEVERITY[params.state] ?? vscode.LanguageStatusSeverity.Information;
  item.detail = params.message ?? (params.state === 'ok' ? 'running' : params.state);
}
