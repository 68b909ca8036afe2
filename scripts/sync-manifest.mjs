// Writes the editor settings described by server/src/config/schema.ts into package.json's
// contributes.configuration.properties, so the schema stays the single source of truth.
// Reads the tsc output (run `npm run compile` first; `npm run sync-manifest` does).
// With --check it changes nothing and exits 1 when package.json is out of date.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schemaModule = join(root, 'out', 'server', 'src', 'config', 'schema.js');
const manifestPath = join(root, 'package.json');
const checkOnly = process.argv.includes('--check');

if (!existsSync(schemaModule)) {
  console.error(`sync-manifest: ${schemaModule} is missing; run \`npm run compile\` first.`);
  process.exit(2);
}

const { editorSettingsContribution } = createRequire(import.meta.url)(schemaModule);
const properties = editorSettingsContribution();
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
const current = manifest.contributes?.configuration?.properties;

if (isDeepStrictEqual(current, properties)) {
  console.log('sync-manifest: package.json settings already match the schema.');
  process.exit(0);
}
if (checkOnly) {
  console.error(
    'sync-manifest: package.json settings differ from the schema; run `npm run sync-manifest`.',
  );
  process.exit(1);
}

manifest.contributes ??= {};
manifest.contributes.configuration ??= { title: 'ML Hygiene' };
manifest.contributes.configuration.properties = properties;
writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
console.log(`sync-manifest: wrote ${Object.keys(properties).length} settings to package.json.`);
