import { App, Chart, Testing } from 'cdk8s';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { classicChart } from '../examples/classic';
import { escapeHatchChart } from '../examples/escape-hatch';
import { helmTakeoverChart } from '../examples/helm-takeover';
import { nodeWiringChart, writeNodeFiles } from '../examples/node-wiring';
import { partsChart } from '../examples/parts';
import { privateTutorialChart } from '../examples/private-tutorial';
import { productionChart } from '../examples/production';
import { teamsChart } from '../examples/teams';
import { ContainerdRegistryHosts } from '../lib';
import { synthValidated } from './util';

const examplesDir = path.join(__dirname, '..', 'examples');
const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
const examples: Record<string, (app: App) => Chart> = {
  'classic.ts': classicChart,
  'teams.ts': teamsChart,
  'production.ts': productionChart,
  'parts.ts': partsChart,
  'helm-takeover.ts': helmTakeoverChart,
  'private-tutorial.ts': privateTutorialChart,
  'escape-hatch.ts': escapeHatchChart,
  'node-wiring.ts': nodeWiringChart,
};

/** A TypeScript source without its import lines: what must match between an example and the README. */
function body(source: string): string {
  return source.replace(/^import [^;]*;\n/gm, '').trim();
}

describe('examples/', () => {
  test('the list above is every file in examples/', () => {
    expect(fs.readdirSync(examplesDir).sort()).toEqual(Object.keys(examples).sort());
  });

  test.each(Object.keys(examples))('%s synthesizes valid objects', file => {
    const app = Testing.app();
    examples[file](app);
    const objects = synthValidated(app);
    expect(objects.length).toBeGreaterThanOrEqual(3);
    expect(objects.map(o => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toMatchSnapshot();
  });

  test('the escape hatch example adds its volume and mount to the registry Deployment', () => {
    const app = Testing.app();
    escapeHatchChart(app);
    const deployment = synthValidated(app).find(o => o.kind === 'Deployment')!;
    expect(deployment.spec.template.spec.volumes).toContainEqual({ name: 'corp-ca', configMap: { name: 'corp-ca' } });
    expect(deployment.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'corp-ca', mountPath: '/etc/ssl/corp', readOnly: true });
  });

  test('no Secret value anywhere in the production example', () => {
    const app = Testing.app();
    productionChart(app);
    const objects = synthValidated(app);
    expect(objects.filter(o => o.kind === 'Secret')).toEqual([]);
    const env = objects.flatMap(o => o.spec?.template?.spec?.containers ?? []).flatMap((c: any) => c.env ?? []);
    expect(env.filter((e: any) => /SECRET|PASSWORD|KEY/.test(e.name) && e.value !== undefined)).toEqual([]);
  });
});

describe('examples/node-wiring.ts', () => {
  test('writeNodeFiles writes the CRI-O drop-in and the k3s registries.yaml, as the construct renders them', () => {
    const app = Testing.app();
    const chart = nodeWiringChart(app);
    const hosts = chart.node.findChild('registry-hosts') as ContainerdRegistryHosts;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-files-'));
    try {
      expect(writeNodeFiles(chart, dir).map(f => path.basename(f))).toEqual(['crio-50-registry-hosts.conf', 'k3s-registry-hosts-registries.yaml']);
      expect(fs.readFileSync(path.join(dir, 'crio-50-registry-hosts.conf'), 'utf8')).toBe(hosts.crioRegistriesConf());
      expect(fs.readFileSync(path.join(dir, 'k3s-registry-hosts-registries.yaml'), 'utf8')).toBe(hosts.k3sRegistriesYaml());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('README code', () => {
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map(m => body(m[1]));

  test('every TypeScript block of the README is an example file, word for word (imports aside)', () => {
    const bodies = Object.keys(examples).map(f => body(fs.readFileSync(path.join(examplesDir, f), 'utf8')));
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const block of blocks) {
      expect(bodies).toContain(block);
    }
    expect(readme).not.toMatch(/```typescript/);
  });

  test('README imports name the package, not ../lib', () => {
    const imports = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].flatMap(m => m[1].match(/^import .* from '([^']+)';$/gm) ?? []);
    expect(imports.filter(i => i.includes('../lib'))).toEqual([]);
  });
});
