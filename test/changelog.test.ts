// The CHANGELOG keeps up with the rendered output: a change to a snapshot, dist/ or dist-private/ needs an entry
// under Unreleased, and the hash recorded there (npm run changelog:stamp) must be the output's.
import * as fs from 'fs';
import * as path from 'path';
const { renderedOutputHash } = require('../scripts/rendered-output');
const changelog = fs.readFileSync(path.join(__dirname, '..', 'CHANGELOG.md'), 'utf8');

function unreleased(text: string): string {
  const start = text.indexOf('## Unreleased');
  const end = text.indexOf('\n## ', start + 1);
  return start < 0 ? '' : text.slice(start, end < 0 ? undefined : end);
}

/** Whether the check passes for a CHANGELOG text against an output hash. */
function check(text: string, hash: string): string[] {
  const section = unreleased(text);
  const problems: string[] = [];
  if (!section) problems.push('CHANGELOG.md has no "## Unreleased" section');
  const recorded = /<!-- rendered-output: ([0-9a-f]{64}) -->/.exec(section)?.[1];
  if (recorded !== hash) {
    problems.push(`the rendered output (snapshots, dist/, dist-private/) changed since CHANGELOG.md was stamped (${recorded ?? 'no stamp'} -> ${hash}): ` +
      'say under "## Unreleased" / "### Rendered YAML" what changed in the rendered objects, then run npm run changelog:stamp');
  }
  const yamlEntries = /### Rendered YAML\n\n((?:- [^\n]*\n(?: [^\n]*\n)*)+)/.exec(section);
  if (recorded !== undefined && !yamlEntries) {
    problems.push('the Unreleased section has no "### Rendered YAML" entries');
  }
  return problems;
}

describe('CHANGELOG.md', () => {
  test('its Unreleased section is stamped with the current rendered output and says what changed in it', () => {
    expect(check(changelog, renderedOutputHash())).toEqual([]);
  });

  test('negative control: a changed snapshot without a new stamp fails, naming the fix', () => {
    const problems = check(changelog, 'f'.repeat(64));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/changed since CHANGELOG.md was stamped .* run npm run changelog:stamp$/);
  });

  test('negative control: a stamp without any Rendered YAML entry fails', () => {
    const stripped = changelog.replace(/### Rendered YAML\n\n(- [^\n]*\n( [^\n]*\n)*)+/, '');
    expect(check(stripped, renderedOutputHash())).toEqual(['the Unreleased section has no "### Rendered YAML" entries']);
  });

  test('semantic versions, newest first', () => {
    const versions = [...changelog.matchAll(/^## (\d+\.\d+\.\d+)$/gm)].map(m => m[1]);
    expect(versions.length).toBeGreaterThan(0);
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
    expect(versions[0]).toBe(pkg.version);
  });
});
