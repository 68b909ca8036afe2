import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { DEFAULT_DEBOUNCE_MS, LintServer } from './lsp/server';

// The transport (--node-ipc, --stdio, --socket=N) is taken from the command line.
const debounce = Number(process.env.MLHYGIENE_DEBOUNCE_MS ?? DEFAULT_DEBOUNCE_MS);
new LintServer(
  createConnection(ProposedFeatures.all),
  Number.isFinite(debounce) && debounce >= 0 ? debounce : DEFAULT_DEBOUNCE_MS,
).listen();
