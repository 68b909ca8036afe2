/**
 * The only module the client imports from the server: command ids, the settings section and the
 * names of custom requests. Keep it free of runtime dependencies.
 */
export const EXTENSION_ID = 'mlhygiene';
/** The version of the extension, server and CLI; a meta test keeps it equal to package.json's. */
export const VERSION = '0.1.0';
export const SERVER_NAME = 'ML Hygiene';
export const SETTINGS_SECTION = 'mlhygiene';
export const DIAGNOSTIC_SOURCE = 'mlhygiene';
export const FIX_ALL_KIND = 'source.fixAll.mlhygiene';

export const Commands = {
  restartServer: 'mlhygiene.restartServer',
  showLogs: 'mlhygiene.showLogs',
  /** Server-side command: applies every safe fix to a document. Argument: `{ uri: string }`. */
  fixAll: 'mlhygiene.applyFixAll',
  /** Client command: scan every workspace folder and show a summary. */
  scanWorkspace: 'mlhygiene.scanWorkspace',
  /** Client command: remove the scan's findings. */
  clearScanResults: 'mlhygiene.clearScanResults',
  /** Server side of the scan; returns a summary (files, findings per family, seconds). */
  serverScanWorkspace: 'mlhygiene.server.scanWorkspace',
  serverClearScanResults: 'mlhygiene.server.clearScanResults',
} as const;

/** Server → client notification with the server's status, shown in the status item. */
export const StatusNotification = 'mlhygiene/status';

export interface StatusParams {
  state: 'ok' | 'warning' | 'error';
  /** One line for the status item tooltip, e.g. a configuration problem. */
  message?: string;
}

/** What the server's scan command returns. */
export interface ScanSummary {
  files: number;
  findings: number;
  byFamily: Record<string, number>;
  seconds: number;
  cancelled: boolean;
  errors: string[];
}

/** What the client tells the server when it starts it. */
export interface InitializationOptions {
  /**
   * False in a workspace VS Code does not trust (Restricted Mode): the server then reads nothing
   * outside the workspace, so MLH402 does not consult the Hugging Face cache. Absent means trusted.
   */
  workspaceTrusted?: boolean;
  /** A folder of the client's for the scan's cache (VS Code's workspace storage). */
  storagePath?: string;
}

/** Client → server notification: the user trusted the workspace; lifts the restriction above. */
export const TrustGrantedNotification = 'mlhygiene/workspaceTrustGranted';
