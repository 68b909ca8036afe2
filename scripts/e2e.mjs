// End-to-end tests of the extension in a real VS Code.
//
//   node scripts/e2e.mjs [run]     build, install what is missing, start code-server with a fresh
//                                  profile, run the in-host suite and the browser tests, stop
//   node scripts/e2e.mjs install   install only: Debian packages, then code-server under .e2e/
//   node scripts/e2e.mjs serve     start code-server with the extension loaded and keep it up
//                                  until Ctrl+C, to look around by hand
//   node scripts/e2e.mjs vscode    the in-host suite in VS Code desktop (@vscode/test-electron)
//
// Options:
//   --only host|browser            run one half of `run`
//   --vscode-executable PATH       `vscode`: the VS Code executable (or VSCODE_EXECUTABLE_PATH)
//   --download                     `vscode`: download VS Code when none is installed
// Environment:
//   E2E_CHROMIUM=PATH              a Chromium other than Debian's /usr/bin/chromium
//   E2E_SKIP_APT=1                 never run apt-get (fail when a Debian package is missing)
//
// code-server 4.100.3 is VS Code 1.100.3, the newest release that runs on Node 20. Everything is
// installed from the npm registry and Debian's packages only, into .e2e/ (ignored by git); the
// server, its extension hosts and Chromium get HOME and XDG folders inside .e2e/run/, so nothing
// is written to $HOME. Screenshots and logs of the last run are kept in test-results/e2e/.
import { spawn, spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  closeSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const CS_VERSION = '4.100.3';
const E2E = join(root, '.e2e');
const CACHE = join(E2E, 'cache');
const CS_DIR = join(E2E, `code-server-${CS_VERSION}`);
const CS_PACKAGE = join(CS_DIR, 'node_modules', 'code-server');
const CS_ENTRY = join(CS_PACKAGE, 'out', 'node', 'entry.js');
const CS_COMPLETE = join(CS_DIR, '.complete');
const OUT = join(E2E, 'out');
/** The pid of the server this run started, so that a later run can end it after a SIGKILL. */
const SERVER_PID_FILE = join(E2E, 'server.pid');
const RUN = join(E2E, 'run');
const ARTIFACTS = join(root, 'test-results', 'e2e');
const WORKSPACE_FIXTURE = join(root, 'test', 'e2e', 'workspace');
const SUITE_INDEX = join(OUT, 'suite', 'index.js');
const EXTENSION_ID = 'mlhygiene.mlhygiene';
/** The in-host suite writes its results here (an env variable: code-server drops the exit code). */
const RESULTS_ENV = 'MLHYGIENE_E2E_RESULTS';

const started = Date.now();
const log = (message) =>
  process.stderr.write(`[e2e ${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`);

class E2EFailure extends Error {}

// ------------------------------------------------------------------------------------ helpers ---

function which(command) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this folder; try the next one.
    }
  }
  return undefined;
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Whether any process of the group led by `pgid` is still there. */
function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

const pause = (ms) => new Promise((done) => setTimeout(done, ms));

/**
 * Re-checks `check` until it returns something other than false/undefined, or throws after
 * `timeout` ms naming what it waited for. A check that throws ends the wait at once.
 */
async function poll(what, check, timeout, interval = 100) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new E2EFailure(`timed out after ${timeout / 1000} s waiting for ${what}`);
    await pause(interval);
  }
}

/** Runs a command to completion; its output goes to `logFile` and is shown when it fails. */
function exec(command, args, { cwd = root, env = process.env, logFile, what } = {}) {
  const label = what ?? `${command} ${args.join(' ')}`;
  const fd = logFile ? openSync(logFile, 'a') : undefined;
  if (fd !== undefined) writeFileSync(fd, `\n$ (cd ${cwd} && ${command} ${args.join(' ')})\n`);
  const result = spawnSync(command, args, {
    cwd,
    env,
    stdio: ['ignore', fd ?? 'inherit', fd ?? 'inherit'],
  });
  if (fd !== undefined) closeSync(fd);
  if (result.status === 0) return;
  if (logFile) process.stderr.write(tail(readFileSync(logFile, 'utf8'), 60));
  const reason = result.error?.message ?? `exit code ${result.status ?? result.signal}`;
  throw new E2EFailure(`${label} failed (${reason})${logFile ? `; full log: ${logFile}` : ''}`);
}

function tail(text, lines) {
  const all = text.trimEnd().split('\n');
  const shown = all.slice(-lines).join('\n');
  return `${all.length > lines ? `… (${all.length - lines} earlier lines)\n` : ''}${shown}\n`;
}

/** Locks this process holds, released by the exit handler too when a signal ends the run. */
const heldLocks = new Set();

/**
 * A lock folder (mkdir is atomic) held by one process at a time; a lock whose owner is gone is
 * taken over. Two runs at once would share the server profile and the screenshots folder.
 */
async function withLock(name, action) {
  mkdirSync(E2E, { recursive: true });
  const lock = join(E2E, `${name}.lock`);
  const owner = join(lock, 'pid');
  let announced = false;
  await poll(
    `the ${name} lock held by another run (${lock})`,
    () => {
      try {
        mkdirSync(lock);
        writeFileSync(owner, String(process.pid));
        return true;
      } catch (error) {
        if (error.code !== 'EEXIST') throw error;
      }
      let pid = NaN;
      try {
        pid = Number(readFileSync(owner, 'utf8'));
      } catch {
        // The owner has not written its pid yet, or is removing the lock right now.
      }
      if (Number.isInteger(pid) && pid > 0 && !pidAlive(pid)) {
        rmSync(lock, { recursive: true, force: true });
      } else if (!announced) {
        announced = true;
        log(`waiting for another e2e run to release ${lock}`);
      }
      return false;
    },
    20 * 60_000,
    250,
  );
  heldLocks.add(lock);
  try {
    return await action();
  } finally {
    heldLocks.delete(lock);
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A port nobody listens on right now, chosen by the kernel. */
function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

// ------------------------------------------------------------------------------------ install ---

function chromiumPath() {
  return process.env.E2E_CHROMIUM || '/usr/bin/chromium';
}

function dpkgHas(name) {
  return spawnSync('dpkg', ['-s', name], { stdio: 'ignore' }).status === 0;
}

/** The Debian packages still missing: Chromium always, the build tools only before the install. */
function missingDebianPackages() {
  const missing = [];
  if (!existsSync(chromiumPath())) missing.push('chromium');
  if (existsSync(CS_COMPLETE)) return missing;
  // VS Code search uses ripgrep; @vscode/ripgrep would download its own copy from outside.
  if (!which('rg')) missing.push('ripgrep');
  // The native modules of VS Code's server (kerberos, node-pty, spdlog, argon2, …) are compiled.
  if (!dpkgHas('libkrb5-dev')) missing.push('libkrb5-dev');
  if (!which('pkg-config')) missing.push('pkg-config');
  if (!which('make') || !which('g++')) missing.push('build-essential');
  if (!which('python3')) missing.push('python3');
  return missing;
}

function installDebianPackages() {
  const missing = missingDebianPackages();
  if (missing.length === 0) return;
  const asRoot = process.getuid?.() === 0;
  const sudo = asRoot ? [] : which('sudo') ? ['sudo', '-n'] : undefined;
  if (process.env.E2E_SKIP_APT === '1' || !which('apt-get') || !sudo) {
    throw new E2EFailure(
      `missing Debian packages: ${missing.join(' ')}; install them (apt-get install ${missing.join(' ')})` +
        (existsSync(chromiumPath()) ? '' : ' or point E2E_CHROMIUM at a Chromium executable'),
    );
  }
  log(`apt-get install ${missing.join(' ')}`);
  mkdirSync(E2E, { recursive: true });
  const logFile = join(E2E, 'apt.log');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const [command, ...prefix] = [...sudo, 'apt-get'];
  exec(command, [...prefix, 'update', '-qq'], { env, logFile, what: 'apt-get update' });
  exec(command, [...prefix, 'install', '-y', '-qq', '--no-install-recommends', ...missing], {
    env,
    logFile,
    what: `apt-get install ${missing.join(' ')}`,
  });
}

function checkNode() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 20) {
    throw new E2EFailure(
      `code-server ${CS_VERSION} needs Node 20 (its engines field), this is Node ${process.versions.node}`,
    );
  }
}

/**
 * npm for the code-server install: its own cache, node-gyp's headers folder and XDG folders
 * inside .e2e/, and native modules always compiled here (a prebuilt binary would be downloaded
 * from outside the npm registry).
 */
function installEnv() {
  const env = {
    ...process.env,
    npm_config_cache: join(CACHE, 'npm'),
    npm_config_devdir: join(CACHE, 'node-gyp'),
    npm_config_build_from_source: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_loglevel: 'error',
    // node-pty's install script runs `npx node-gyp`; an npmrc with yes=false would cancel it.
    npm_config_yes: 'true',
    XDG_CACHE_HOME: join(CACHE, 'xdg'),
    XDG_CONFIG_HOME: join(CACHE, 'xdg'),
    XDG_DATA_HOME: join(CACHE, 'xdg'),
  };
  // node-gyp downloads Node's headers unless it is told where the installed ones are.
  const prefix = resolve(dirname(process.execPath), '..');
  if (!env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node.h'))) {
    env.npm_config_nodedir = prefix;
  }
  return env;
}

/**
 * Installs code-server from the npm registry into .e2e/code-server-<version>/. Its own install
 * script would download ripgrep from outside the registry, so it is skipped and its steps are
 * replayed here, with Debian's rg. The install is built in a side folder and renamed into place
 * when complete, so a failed or interrupted install never looks like a finished one.
 */
async function installCodeServer() {
  if (existsSync(CS_COMPLETE)) return;
  await withLock('install', async () => {
    if (existsSync(CS_COMPLETE)) return;
    const t0 = Date.now();
    const partial = `${CS_DIR}.partial`;
    const logFile = join(E2E, 'install.log');
    log(
      `installing code-server ${CS_VERSION} into ${relative(root, CS_DIR)} (log: ${relative(root, logFile)})`,
    );
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    writeFileSync(logFile, '');
    writeFileSync(
      join(partial, 'package.json'),
      `${JSON.stringify({ name: 'mlhygiene-e2e-code-server', private: true }, null, 2)}\n`,
    );
    const env = installEnv();
    const npm = (args, cwd) =>
      exec('npm', args, { cwd, env, logFile, what: `npm ${args.join(' ')}` });
    npm(['install', '--ignore-scripts', '--no-save', `code-server@${CS_VERSION}`], partial);
    // argon2 is loaded at startup even with `auth: none`.
    npm(['rebuild', 'argon2'], partial);
    const vscode = join(partial, 'node_modules', 'code-server', 'lib', 'vscode');
    npm(['install', '--ignore-scripts', '--omit=dev'], vscode);
    // @vscode/ripgrep's install script does nothing when bin/ exists: hand it Debian's rg.
    const rgBin = join(vscode, 'node_modules', '@vscode', 'ripgrep', 'bin');
    mkdirSync(rgBin, { recursive: true });
    symlinkSync(which('rg'), join(rgBin, 'rg'));
    npm(['rebuild'], vscode);
    symlinkSync('node_modules', join(vscode, 'node_modules.asar'));
    symlinkSync('code-linux.sh', join(vscode, 'bin', 'remote-cli', 'code-server'));
    symlinkSync('browser-linux.sh', join(vscode, 'bin', 'helpers', 'browser.sh'));
    // TypeScript for the built-in JS/TS extensions.
    npm(['install', '--omit=dev'], join(vscode, 'extensions'));
    const entry = join(partial, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
    exec(process.execPath, [entry, '--version'], { env, logFile, what: 'code-server --version' });
    rmSync(CS_DIR, { recursive: true, force: true });
    renameSync(partial, CS_DIR);
    writeFileSync(CS_COMPLETE, `${new Date().toISOString()}\n`);
    log(`installed code-server in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  });
}

async function install() {
  installDebianPackages();
  checkNode();
  await installCodeServer();
}

// -------------------------------------------------------------------------------------- build ---

/** Bundles the extension, then copies it aside: others may rebuild dist/ while the tests run. */
function buildExtension(target) {
  log('building the extension (node esbuild.mjs)');
  for (let attempt = 1; ; attempt++) {
    exec(process.execPath, [join(root, 'esbuild.mjs')], { what: 'node esbuild.mjs' });
    try {
      rmSync(target, { recursive: true, force: true });
      mkdirSync(target, { recursive: true });
      for (const name of [
        'package.json',
        'dist',
        'docs',
        'README.md',
        'CHANGELOG.md',
        'LICENSE',
        'icon.png',
      ]) {
        if (existsSync(join(root, name)))
          cpSync(join(root, name), join(target, name), { recursive: true });
      }
      for (const bundle of ['dist/extension.js', 'dist/server.js']) {
        if (!existsSync(join(target, bundle))) throw new Error(`${bundle} is missing`);
      }
      return target;
    } catch (error) {
      // A concurrent `node esbuild.mjs` empties dist/ while it builds; build once more.
      if (attempt >= 3)
        throw new E2EFailure(`copying the built extension failed: ${error.message}`);
    }
  }
}

/** Compiles test/e2e (the in-host suite, the browser tests, their helpers) into .e2e/out/. */
function compileTests() {
  log('compiling test/e2e (tsc -p test/e2e/tsconfig.json)');
  rmSync(OUT, { recursive: true, force: true });
  exec(
    process.execPath,
    [
      join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(root, 'test', 'e2e', 'tsconfig.json'),
    ],
    {
      what: 'tsc -p test/e2e/tsconfig.json',
    },
  );
}

/** A fresh copy of test/e2e/workspace: the tests save files and write .vscode/settings.json. */
function copyWorkspace(target) {
  rmSync(target, { recursive: true, force: true });
  cpSync(WORKSPACE_FIXTURE, target, {
    recursive: true,
    // A CLI run inside the fixture leaves its cache there; the tests start without one.
    filter: (source) => !source.split(/[\\/]/).includes('.mlhygiene_cache'),
  });
  return target;
}

// ------------------------------------------------------------------------------------- server ---

/** User settings of the fresh profile: nothing that phones home, pops up or asks on close. */
const USER_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.editor.enablePreview': false,
  'window.confirmBeforeClose': 'never',
  'git.enabled': false,
  'chat.commandCenter.enabled': false,
  'terminal.integrated.gpuAcceleration': 'off',
};

/** Process groups this run started and must end, whatever happens. */
const owned = { serverGroup: undefined, browserTests: undefined };

function killServerGroupNow() {
  if (!owned.serverGroup) return;
  if (groupAlive(owned.serverGroup)) {
    try {
      process.kill(-owned.serverGroup, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  rmSync(SERVER_PID_FILE, { force: true });
}

/** A server left by a run that was killed outright (SIGKILL): end it before starting anew. */
function stopLeftoverServer(pidFile) {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  let command = '';
  try {
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    // Gone, or no /proc: nothing to check against, leave it alone.
  }
  if (pid > 0 && command.includes(CS_ENTRY)) {
    log(`stopping a code-server left by an earlier run (pid ${pid})`);
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

async function startServer(env = {}) {
  const dir = join(RUN, 'server');
  const pidFile = SERVER_PID_FILE;
  stopLeftoverServer(pidFile);
  // A fresh profile every time: no state from an earlier run or serve.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'user-data', 'User'), { recursive: true });
  for (const sub of ['extensions', 'home', 'xdg']) mkdirSync(join(dir, sub), { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  writeFileSync(
    join(dir, 'config.yaml'),
    `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`,
  );
  writeFileSync(
    join(dir, 'user-data', 'User', 'settings.json'),
    `${JSON.stringify(USER_SETTINGS, null, 2)}\n`,
  );
  const logFile = join(dir, 'server.log');
  const out = openSync(logFile, 'w');
  // Its own process group (detached), so that one signal ends the server, its extension hosts
  // and the language servers they start.
  const child = spawn(
    process.execPath,
    [
      CS_ENTRY,
      '--config',
      join(dir, 'config.yaml'),
      '--user-data-dir',
      join(dir, 'user-data'),
      '--extensions-dir',
      join(dir, 'extensions'),
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
    ],
    {
      cwd: dir,
      detached: true,
      stdio: ['ignore', out, out],
      env: {
        ...process.env,
        HOME: join(dir, 'home'),
        XDG_CONFIG_HOME: join(dir, 'xdg'),
        XDG_DATA_HOME: join(dir, 'xdg'),
        XDG_CACHE_HOME: join(dir, 'xdg'),
        // No extension gallery: nothing tries to reach one.
        EXTENSIONS_GALLERY: '{}',
        ...env,
      },
    },
  );
  closeSync(out);
  owned.serverGroup = child.pid;
  writeFileSync(pidFile, String(child.pid));
  let exited;
  child.on('exit', (code, signal) => (exited = signal ?? code));
  await poll(
    `code-server to answer ${url}healthz`,
    async () => {
      if (exited !== undefined)
        throw new E2EFailure(`code-server exited (${exited}) during startup`);
      try {
        const response = await fetch(`${url}healthz`, { signal: AbortSignal.timeout(2000) });
        return response.ok;
      } catch {
        return false;
      }
    },
    60_000,
  );
  log(
    `code-server ${CS_VERSION} ready on ${url} (pid ${child.pid}, profile ${relative(root, dir)})`,
  );
  return {
    url,
    dir,
    logFile,
    pidFile,
    child,
    alive: () => exited === undefined,
  };
}

async function stopServer(server) {
  if (!server) return;
  const pgid = server.child.pid;
  if (groupAlive(pgid)) {
    try {
      process.kill(-pgid, 'SIGTERM');
    } catch {
      // Already gone.
    }
    try {
      await poll('code-server to stop', () => !groupAlive(pgid), 10_000);
    } catch {
      log('code-server did not stop within 10 s; killing it');
      killServerGroupNow();
      await poll('code-server to die', () => !groupAlive(pgid), 10_000).catch(() => undefined);
    }
  }
  owned.serverGroup = undefined;
  rmSync(server.pidFile, { force: true });
  log('code-server stopped');
}

// ---------------------------------------------------------------------------------- the runs ---

/** The compiled helpers shared with the browser tests (CommonJS, in .e2e/out/). */
function workbenchHelpers() {
  return require(join(OUT, 'workbench.js'));
}

function chromiumOptions() {
  return { executablePath: chromiumPath(), profileRoot: join(RUN, 'chromium') };
}

/** The in-host Mocha suite, started by the workbench through `extensionTestsPath`. */
async function runHostSuiteInCodeServer(server, extension, resultsFile) {
  const wb = workbenchHelpers();
  const workspace = copyWorkspace(join(RUN, 'ws-host'));
  log('in-host suite: opening the workbench with extensionTestsPath');
  const browser = await wb.launchChromium(chromiumOptions());
  const consoleLines = [];
  let page;
  try {
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
    await page.goto(
      wb.workbenchUrl(server.url, {
        folder: workspace,
        extensionDevelopmentPath: extension,
        extensionTestsPath: SUITE_INDEX,
      }),
    );
    await poll(
      `the in-host suite to write ${relative(root, resultsFile)}`,
      () => {
        if (!server.alive()) throw new E2EFailure('code-server exited during the in-host suite');
        return existsSync(resultsFile);
      },
      10 * 60_000,
      200,
    );
  } catch (error) {
    await page
      ?.screenshot({ path: join(ARTIFACTS, 'host-suite-failure.png') })
      .catch(() => undefined);
    writeFileSync(join(ARTIFACTS, 'host-console.log'), `${consoleLines.join('\n')}\n`);
    throw error;
  } finally {
    // Unloading the page disconnects cleanly, so the server ends this window's extension host.
    await page?.goto('about:blank').catch(() => undefined);
    await browser.close().catch(() => undefined);
  }
  writeFileSync(join(ARTIFACTS, 'host-console.log'), `${consoleLines.join('\n')}\n`);
  return reportHostResults(resultsFile, 'code-server');
}

/** Prints the in-host results in the spec reporter's style; returns the counts. */
function reportHostResults(resultsFile, where) {
  const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  cpSync(resultsFile, join(ARTIFACTS, `host-results-${where}.json`));
  process.stdout.write(`\nin-host suite (${where}, VS Code ${results.vscodeVersion}):\n`);
  for (const test of results.tests) {
    const mark = test.state === 'passed' ? '✔' : test.state === 'failed' ? '✖' : '-';
    process.stdout.write(`  ${mark} ${test.title} (${test.durationMs ?? 0} ms)\n`);
    if (test.error) process.stdout.write(`${test.error.replace(/^/gm, '      ')}\n`);
  }
  if (results.error) process.stdout.write(`  suite error: ${results.error}\n`);
  const passed = results.tests.filter((t) => t.state === 'passed').length;
  const failed = results.tests.filter((t) => t.state === 'failed').length + (results.error ? 1 : 0);
  if (results.tests.length === 0 && !results.error) {
    return { passed, failed: 1, problem: 'the in-host suite ran no test' };
  }
  return { passed, failed };
}

/** The Playwright tests: node's test runner over .e2e/out/browser/*.test.js. */
async function runBrowserTests(server, extension) {
  const workspace = copyWorkspace(join(RUN, 'ws-browser'));
  const dir = join(OUT, 'browser');
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.test.js'))
    .sort()
    .map((name) => join(dir, name));
  const tap = join(RUN, 'browser.tap');
  log(`browser tests: ${files.map((f) => relative(root, f)).join(', ')}`);
  const child = spawn(
    process.execPath,
    [
      '--test',
      '--test-concurrency=1',
      '--test-timeout=300000',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...files,
    ],
    {
      cwd: root,
      // Its own process group, ended with this run whatever ends it (see the exit handler).
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: {
        ...process.env,
        E2E_URL: server.url,
        E2E_EXTENSION: extension,
        E2E_WORKSPACE: workspace,
        E2E_SHOTS: ARTIFACTS,
        E2E_CHROMIUM: chromiumOptions().executablePath,
        E2E_CHROMIUM_PROFILE: chromiumOptions().profileRoot,
      },
    },
  );
  owned.browserTests = child.pid;
  const exit = await new Promise((done) =>
    child.on('exit', (code, signal) => done(signal ?? code)),
  );
  owned.browserTests = undefined;
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  const passed = count('pass');
  const failed = count('fail') + count('cancelled');
  if (exit !== 0 && failed === 0)
    return { passed, failed: 1, problem: `node --test exited with ${exit}` };
  if (passed + failed === 0) return { passed, failed: 1, problem: 'the browser tests ran no test' };
  return { passed, failed };
}

function printFailureContext(server) {
  const out = process.stderr;
  if (server && existsSync(server.logFile)) {
    cpSync(server.logFile, join(ARTIFACTS, 'server.log'));
    out.write(`\n---- code-server log (${server.logFile}) ----\n`);
    out.write(tail(readFileSync(server.logFile, 'utf8'), 200));
    const logs = join(server.dir, 'user-data', 'logs');
    const interesting = [];
    const walk = (d) => {
      for (const entry of existsSync(d) ? readdirSync(d, { withFileTypes: true }) : []) {
        const path = join(d, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (/exthost\.log$|ML Hygiene\.log$|remoteagent\.log$/.test(entry.name))
          interesting.push(path);
      }
    };
    walk(logs);
    if (interesting.length)
      out.write(
        `\nextension host and language server logs:\n${interesting.map((p) => `  ${p}`).join('\n')}\n`,
      );
  }
  const shots = existsSync(ARTIFACTS)
    ? readdirSync(ARTIFACTS)
        .filter((n) => n.endsWith('.png'))
        .sort()
    : [];
  out.write(
    `\nscreenshots (${ARTIFACTS}):\n${shots.map((n) => `  ${join(ARTIFACTS, n)}`).join('\n') || '  (none)'}\n`,
  );
}

async function runInCodeServer(only) {
  await install();
  return withLock('run', async () => {
    const extension = buildExtension(join(RUN, 'extension'));
    compileTests();
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    // A fresh profile and fresh workspace copies for every run (the extension was just staged).
    for (const name of readdirSync(RUN))
      if (name !== 'extension') rmSync(join(RUN, name), { recursive: true, force: true });
    const resultsFile = join(RUN, 'host-results.json');
    let server;
    const totals = { passed: 0, failed: 0, problems: [] };
    const add = ({ passed, failed, problem }) => {
      totals.passed += passed;
      totals.failed += failed;
      if (problem) totals.problems.push(problem);
    };
    try {
      server = await startServer({ [RESULTS_ENV]: resultsFile });
      if (only !== 'browser') add(await runHostSuiteInCodeServer(server, extension, resultsFile));
      if (only !== 'host') add(await runBrowserTests(server, extension));
    } catch (error) {
      totals.failed += 1;
      totals.problems.push(
        error instanceof E2EFailure ? error.message : (error.stack ?? String(error)),
      );
    } finally {
      if (totals.failed > 0) printFailureContext(server);
      else if (server) cpSync(server.logFile, join(ARTIFACTS, 'server.log'));
      await stopServer(server);
    }
    for (const problem of totals.problems) process.stderr.write(`\nerror: ${problem}\n`);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(`\nscreenshots and logs: ${relative(root, ARTIFACTS)}/ (${seconds} s)\n`);
    process.stdout.write(`e2e: ${totals.passed} passed, ${totals.failed} failed\n`);
    return totals.failed === 0 ? 0 : 1;
  });
}

async function serve() {
  await install();
  return withLock('run', async () => {
    const extension = buildExtension(join(RUN, 'extension'));
    compileTests();
    const workspace = copyWorkspace(join(RUN, 'ws-serve'));
    const server = await startServer();
    const url = workbenchHelpers().workbenchUrl(server.url, {
      folder: workspace,
      extensionDevelopmentPath: extension,
    });
    process.stdout.write(`${url}\n`);
    log('serving until Ctrl+C');
    await new Promise((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
      server.child.on('exit', done);
    });
    await stopServer(server);
    return 0;
  });
}

// --------------------------------------------------------------------------- VS Code desktop ---

/** The VS Code executable: an option, VSCODE_EXECUTABLE_PATH, or a usual install location. */
function findVscode(option) {
  const given = option ?? process.env.VSCODE_EXECUTABLE_PATH;
  if (given) {
    if (!existsSync(given)) throw new E2EFailure(`no VS Code executable at ${given}`);
    return given;
  }
  const candidates =
    {
      linux: [
        '/usr/share/code/code',
        '/usr/lib/code/code',
        '/opt/visual-studio-code/code',
        '/snap/code/current/usr/share/code/code',
        '/usr/share/code-insiders/code-insiders',
      ],
      darwin: [
        '/Applications/Visual Studio Code.app/Contents/MacOS/Electron',
        '/Applications/Visual Studio Code.app/Contents/MacOS/Code',
      ],
      win32: [
        join(process.env.LOCALAPPDATA ?? '', 'Programs', 'Microsoft VS Code', 'Code.exe'),
        join(process.env.ProgramFiles ?? '', 'Microsoft VS Code', 'Code.exe'),
      ],
    }[process.platform] ?? [];
  return candidates.find((path) => existsSync(path));
}

async function runInVscode(args) {
  const optionIndex = args.indexOf('--vscode-executable');
  const executable = findVscode(optionIndex >= 0 ? args[optionIndex + 1] : undefined);
  const download = args.includes('--download');
  if (!executable && !download) {
    throw new E2EFailure(
      'no VS Code desktop found for @vscode/test-electron. Either point to an installed one with ' +
        'VSCODE_EXECUTABLE_PATH=/path/to/executable (Linux: /usr/share/code/code; macOS: ' +
        '".../Visual Studio Code.app/Contents/MacOS/Electron"; Windows: ".../Code.exe") or ' +
        '`npm run test:vscode -- --vscode-executable PATH`, or let it download VS Code where the ' +
        'network allows: `npm run test:vscode -- --download`. On a machine without VS Code ' +
        'desktop and without that download, `npm run test:e2e` runs the same suite in code-server.',
    );
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    log(
      'no DISPLAY: VS Code desktop needs one; on a headless machine run `xvfb-run -a npm run test:vscode`',
    );
  }
  const { runTests } = await import('@vscode/test-electron');
  return withLock('vscode', async () => {
    const dir = join(E2E, 'vscode');
    const extension = buildExtension(join(dir, 'extension'));
    compileTests();
    const workspace = copyWorkspace(join(dir, 'workspace'));
    const profile = join(dir, 'profile');
    rmSync(profile, { recursive: true, force: true });
    mkdirSync(join(profile, 'user-data', 'User'), { recursive: true });
    writeFileSync(
      join(profile, 'user-data', 'User', 'settings.json'),
      `${JSON.stringify(USER_SETTINGS, null, 2)}\n`,
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    const resultsFile = join(dir, 'host-results.json');
    rmSync(resultsFile, { force: true });
    log(executable ? `VS Code: ${executable}` : 'VS Code: downloading the current stable release');
    let exitCode;
    try {
      exitCode = await runTests({
        ...(executable
          ? { vscodeExecutablePath: executable }
          : { cachePath: join(dir, 'download') }),
        extensionDevelopmentPath: extension,
        extensionTestsPath: SUITE_INDEX,
        extensionTestsEnv: { [RESULTS_ENV]: resultsFile },
        launchArgs: [
          workspace,
          '--disable-extensions',
          '--disable-workspace-trust',
          '--skip-welcome',
          '--skip-release-notes',
          '--user-data-dir',
          join(profile, 'user-data'),
          '--extensions-dir',
          join(profile, 'extensions'),
        ],
      });
    } catch (error) {
      // runTests rejects when the tests fail (exit code 1) as well as when VS Code cannot start.
      if (!existsSync(resultsFile)) {
        throw new E2EFailure(`VS Code did not run the suite: ${error?.message ?? error}`);
      }
      exitCode = 1;
    }
    if (!existsSync(resultsFile))
      throw new E2EFailure(`VS Code exited (${exitCode}) without results`);
    const { passed, failed, problem } = reportHostResults(resultsFile, 'vscode');
    if (problem) process.stderr.write(`error: ${problem}\n`);
    process.stdout.write(`vscode: ${passed} passed, ${failed} failed\n`);
    return failed === 0 && exitCode === 0 ? 0 : 1;
  });
}

// ----------------------------------------------------------------------------------------- main ---

async function main(argv) {
  const [first, ...rest] = argv;
  const command = !first || first.startsWith('--') ? 'run' : first;
  const args = command === first ? rest : argv;
  const onlyIndex = args.indexOf('--only');
  const only = onlyIndex >= 0 ? args[onlyIndex + 1] : undefined;
  if (only && only !== 'host' && only !== 'browser')
    throw new E2EFailure('--only takes host or browser');
  switch (command) {
    case 'run':
      return runInCodeServer(only);
    case 'install':
      await install();
      log(`code-server ${CS_VERSION} is installed in ${relative(root, CS_DIR)}`);
      return 0;
    case 'serve':
      return serve();
    case 'vscode':
      return runInVscode(args);
    case 'help':
    case '--help':
      process.stdout.write(
        `${readFileSync(fileURLToPath(import.meta.url), 'utf8')
          .split('\n')
          .slice(0, 18)
          .join('\n')}\n`,
      );
      return 0;
    default:
      throw new E2EFailure(`unknown command ${command}; try: run, install, serve, vscode`);
  }
}

// Whatever ends this process, the server group it started ends with it, and its locks go.
process.on('exit', () => {
  // SIGTERM, not SIGKILL: Playwright closes its Chromium on SIGTERM.
  if (owned.browserTests && groupAlive(owned.browserTests)) {
    try {
      process.kill(-owned.browserTests, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
  killServerGroupNow();
  for (const lock of heldLocks) rmSync(lock, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (process.argv[2] === 'serve') return; // serve() handles it and stops the server itself.
    log(`${signal}: stopping`);
    killServerGroupNow();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(
    `\nerror: ${error instanceof E2EFailure ? error.message : (error.stack ?? error)}\n`,
  );
  process.exitCode = 1;
}
