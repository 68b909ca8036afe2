import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(__dirname, '..', '..', '..');

interface Capability {
  supported: boolean | 'limited';
  description?: string;
}

describe('security posture as declared', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    capabilities: { untrustedWorkspaces: Capability; virtualWorkspaces: Capability };
  };
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const security = readme.slice(readme.indexOf('## Security posture'));

  it('declares limited support for untrusted workspaces, saying what is left out', () => {
    const { supported, description } = manifest.capabilities.untrustedWorkspaces;
    assert.equal(supported, 'limited');
    assert.match(description ?? '', /never runs workspace code/);
    assert.match(
      description ?? '',
      /MLH402 fix that pins a commit from the local Hugging Face cache is not offered/,
    );
  });

  it('declares virtual workspaces unsupported, with the reason', () => {
    const { supported, description } = manifest.capabilities.virtualWorkspaces;
    assert.equal(supported, false);
    assert.match(description ?? '', /local file system/);
  });

  it('has a README section that states the same', () => {
    assert.match(security, /never execute workspace code/);
    assert.match(security, /Restricted Mode/);
    assert.match(security, /MLHYGIENE_FAULT_INJECTION/);
  });
});
