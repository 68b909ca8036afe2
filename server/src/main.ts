import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { LintServer } from './lsp/server';

// The transport (--node-ipc, --stdio, --socket=N) is taken from the command line.
new LintServer(createConnection(ProposedFeatures.all)).listen();
