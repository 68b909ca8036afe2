/**
 * Chromium and workbench URLs for code-server, shared by the harness (scripts/e2e.mjs loads the
 * compiled module) and the browser tests.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export interface ChromiumOptions {
  executablePath: string;
  /** Chromium's HOME and XDG folders go in a new folder here, so nothing lands in $HOME. */
  profileRoot: string;
}

export async function launchChromium({
  executablePath,
  profileRoot,
}: ChromiumOptions): Promise<Browser> {
  mkdirSync(profileRoot, { recursive: true });
  const home = mkdtempSync(join(profileRoot, 'home-'));
  return chromium.launch({
    executablePath,
    // Playwright adds --headless and a fresh user-data-dir of its own.
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: home, XDG_CACHE_HOME: home },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface WorkbenchTarget {
  /** The folder to open, on the server's side. */
  folder: string;
  /** The extension under test, loaded from this folder as with F5 (no packaging). */
  extensionDevelopmentPath: string;
  /** An in-host test module whose `run()` the extension host calls. */
  extensionTestsPath?: string;
}

/**
 * The workbench URL for a folder with the extension loaded from source. code-server takes no
 * --extensionDevelopmentPath flag; the workbench reads it from the URL's `payload` instead, as
 * `vscode-remote://` URIs on the server's side.
 */
export function workbenchUrl(base: string, target: WorkbenchTarget): string {
  const host = new URL(base).host;
  const remote = (path: string) => `vscode-remote://${host}${path}`;
  const payload: [string, string][] = [
    ['extensionDevelopmentPath', remote(target.extensionDevelopmentPath)],
  ];
  if (target.extensionTestsPath)
    payload.push(['extensionTestsPath', remote(target.extensionTestsPath)]);
  const query = new URLSearchParams({ folder: target.folder, payload: JSON.stringify(payload) });
  return `${base}?${query.toString()}`;
}
