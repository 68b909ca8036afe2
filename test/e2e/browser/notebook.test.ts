/**
 * What a user sees in the workbench, driven through Chromium: the squiggle in a notebook cell, the
 * hover with the rule's docs, the quick-fix menu and the fix applied from it. scripts/e2e.mjs
 * starts code-server and passes the server URL, the staged extension and a fresh workspace copy
 * in E2E_* variables. Each step leaves a screenshot in E2E_SHOTS.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium, workbenchUrl } from '../workbench';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests through scripts/e2e.mjs`);
  return value;
}

/** Outside the harness (a plain `node --test` over every compiled test) there is no server. */
const skip = process.env.E2E_URL ? false : 'needs code-server: run `npm run test:e2e`';
/** Long enough for a first lint on a busy 2-core machine; every wait polls, none sleeps. */
const WAIT = { timeout: 60_000 };

let browser: Browser;
let page: Page;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(env('E2E_SHOTS'), `${name}.png`) });
}

/** Enough files that the scan is still running when the test cancels it. */
const GENERATED_FILES = 2000;

/** The first code cell: it defines the path constant that the third cell reads. */
function definingCell(): Locator {
  return page.locator('.notebookOverlay .code-cell-row', { hasText: '/home/alice/data/train.csv' });
}

/** The text of a cell's editor, spaces as the DOM renders them (non-breaking) made plain. */
async function cellText(cell: Locator): Promise<string> {
  return (await cell.locator('.view-lines').innerText()).replace(/\u00a0/g, ' ');
}

before(async () => {
  if (skip) return;
  // Scripts for the scan to chew on, in the workspace copy made for this run.
  const generated = join(env('E2E_WORKSPACE'), 'generated');
  mkdirSync(generated, { recursive: true });
  for (let i = 0; i < GENERATED_FILES; i++) {
    const source = `import pandas as pd\n\nframe = pd.read_csv("/home/alice/data/part-${i}.csv")\n`;
    writeFileSync(join(generated, `job_${String(i).padStart(4, '0')}.py`), source);
  }
  browser = await launchChromium({
    executablePath: env('E2E_CHROMIUM'),
    profileRoot: env('E2E_CHROMIUM_PROFILE'),
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(
    workbenchUrl(env('E2E_URL'), {
      folder: env('E2E_WORKSPACE'),
      extensionDevelopmentPath: env('E2E_EXTENSION'),
    }),
  );
  // The language icons appear once the extensions' contributions are registered; a notebook
  // opened before that opens as JSON text.
  await page.locator('.explorer-folders-view .python-lang-file-icon').first().waitFor(WAIT);
});

after(async () => {
  // Unloading the page disconnects cleanly, so the server ends this window's extension host.
  await page?.goto('about:blank').catch(() => undefined);
  await browser?.close();
});

/** On failure, a screenshot of the state the step left behind. */
async function step(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    await shot(`failed-${name}`).catch(() => undefined);
    throw error;
  }
}

test('the squiggle appears in the notebook cell that defines the path', { skip }, () =>
  step('01-squiggle', async () => {
    await page.getByRole('treeitem', { name: 'browser.ipynb' }).click();
    await page.locator('.notebookOverlay .code-cell-row').first().waitFor(WAIT);
    await definingCell().locator('.squiggly-warning').first().waitFor(WAIT);
    // Only that cell: the read in the third cell is fine where it is.
    const reading = page.locator('.notebookOverlay .code-cell-row', { hasText: 'frame.head()' });
    assert.equal(await reading.locator('.squiggly-warning').count(), 0);
    await page.keyboard.press('Control+Shift+M');
    const problems = page.locator('.markers-panel');
    await problems.getByText('MLH201').first().waitFor(WAIT);
    const text = await problems.innerText();
    assert.match(text, /browser\.ipynb/);
    assert.match(
      text,
      /Hardcoded absolute path "\/home\/alice\/data\/train\.csv" reaches pandas\.read_csv \(cell 3, line 1\)/,
    );
    await shot('01-notebook-squiggle');
  }),
);

test('hovering the squiggle shows the rule docs', { skip }, () =>
  step('02-hover', async () => {
    const squiggle = definingCell().locator('.squiggly-warning').first();
    const box = await squiggle.boundingBox();
    assert.ok(box, 'the squiggle is on screen');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const hover = page.locator('.monaco-hover:visible', {
      hasText: 'MLH201 hardcoded-absolute-path',
    });
    await hover.waitFor(WAIT);
    const text = await hover.innerText();
    assert.match(text, /Why:/);
    assert.match(text, /Fix:/);
    assert.match(text, /Rule documentation/);
    await shot('02-hover-rule-docs');
  }),
);

test('Ctrl+. lists the fix and "Suppress MLH201 on this line"', { skip }, () =>
  step('03-quick-fix', async () => {
    // Move away so the hover closes, then put the cursor on the path in the cell's editor
    // (Escape would leave the cell editor for the notebook's command mode).
    await page.mouse.move(5, 5);
    await page
      .locator('.monaco-hover:visible')
      .first()
      .waitFor({ state: 'hidden', ...WAIT });
    await definingCell()
      .locator('.view-line', { hasText: 'train_csv' })
      .getByText('/home/alice')
      .click();
    await page.keyboard.press('Control+.');
    const menu = page.locator('.action-widget:visible');
    const fix = menu.locator('.monaco-list-row', {
      hasText: /Read the path from the environment variable \w+ \(MLH201\)/,
    });
    const suppress = menu.locator('.monaco-list-row', { hasText: 'Suppress MLH201 on this line' });
    await fix.first().waitFor(WAIT);
    await suppress.first().waitFor(WAIT);
    await shot('03-quick-fix-menu');
  }),
);

test('choosing the fix in the menu rewrites the cell and the squiggle goes away', { skip }, () =>
  step('04-fixed', async () => {
    // The safe fix is preferred, so the menu opens with it selected: Enter applies it. (A click
    // would need the pointer to move first: the menu blocks clicks until then.)
    const selected = page.locator('.action-widget:visible .monaco-list-row.focused');
    assert.match(
      await selected.innerText(),
      /Read the path from the environment variable \w+ \(MLH201\)/,
    );
    await page.keyboard.press('Enter');
    const cell = page.locator('.notebookOverlay .code-cell-row', { hasText: 'os.environ.get(' });
    await cell.waitFor(WAIT);
    assert.match(
      await cellText(cell),
      /train_csv = os\.environ\.get\("[A-Z_]+", "\/home\/alice\/data\/train\.csv"\)/,
    );
    await page
      .locator('.notebookOverlay .squiggly-warning')
      .first()
      .waitFor({ state: 'detached', ...WAIT });
    await shot('04-fix-applied');
  }),
);

/** Runs ML Hygiene: Scan Workspace from the command palette. */
async function runScanCommand(): Promise<void> {
  await page.keyboard.press('F1');
  const palette = page.locator('.quick-input-widget');
  await palette.locator('input').fill('>ML Hygiene: Scan Workspace');
  // Enter runs the selected entry: make sure it is this command.
  await palette
    .locator('.monaco-list-row.focused', { hasText: 'ML Hygiene: Scan Workspace' })
    .waitFor(WAIT);
  await page.keyboard.press('Enter');
}

test('the scan stops when Cancel is pressed on its progress notification', { skip }, () =>
  step('05-scan-cancel', async () => {
    // This runs before the full scan: a rescan reads unchanged files from the scan cache (in
    // the workspace storage) and would finish before Cancel could be pressed.
    await runScanCommand();
    const progress = page.locator('.notification-toast', {
      hasText: 'ML Hygiene: scanning the workspace',
    });
    // Cancel once the count shows, i.e. while the scan is under way.
    await progress.getByText(/\d+ \/ \d+ files/).waitFor(WAIT);
    await shot('05-scan-before-cancel');
    await progress.getByRole('button', { name: 'Cancel' }).click();
    const summary = page.locator('.notification-toast', {
      hasText: /ML Hygiene scan cancelled after \d+ files/,
    });
    await summary.waitFor(WAIT);
    const files = Number(/after (\d+) files/.exec(await summary.innerText())![1]);
    assert.ok(files < GENERATED_FILES, `the scan went on to ${files} files after Cancel`);
    await progress.waitFor({ state: 'detached', ...WAIT });
    await shot('06-scan-cancelled');
  }),
);

test(
  'Scan Workspace shows its progress, then a summary whose button opens the Problems panel',
  { skip },
  () =>
    step('07-scan', async () => {
      await runScanCommand();
      // The progress is a notification counting the files, with a Cancel button.
      const progress = page.locator('.notification-toast', {
        hasText: 'ML Hygiene: scanning the workspace',
      });
      await progress.waitFor(WAIT);
      await progress.getByText(/\d+ \/ \d+ files/).waitFor(WAIT);
      await shot('07-scan-progress');
      const summary = page.locator('.notification-toast', {
        hasText: /ML Hygiene scanned \d+ files in/,
      });
      await summary.waitFor(WAIT);
      const text = await summary.innerText();
      const files = Number(/scanned (\d+) files/.exec(text)![1]);
      assert.ok(files >= GENERATED_FILES, `only ${files} files scanned: ${text}`);
      await progress.waitFor({ state: 'detached', ...WAIT });
      await shot('08-scan-summary');
      await summary.getByRole('button', { name: 'Show Problems' }).click();
      await page.locator('.markers-panel').getByText('job_0000.py').first().waitFor(WAIT);
      await shot('09-scan-problems');
    }),
);
