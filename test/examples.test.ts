import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { teamsChart } from '../examples/teams';
import { schemaProblems, synthValidated } from './util';

const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

/** The TypeScript code blocks of the README. */
function readmeBlocks(): string[] {
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map(m => m[1]);
}

describe('examples', () => {
  test('the teams example synthesizes valid objects with no collisions', () => {
    const app = Testing.app();
    teamsChart(app);
    const objects = synthValidated(app);
    expect(schemaProblems(objects)).toEqual([]);
    expect(objects.map(o => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'PersistentVolumeClaim/team-a/registry', 'ConfigMap/team-a/registry-config', 'Deployment/team-a/registry', 'Service/team-a/registry',
      'ConfigMap/team-a/registry-proxy-config', 'DaemonSet/team-a/registry-proxy',
      'Deployment/team-a/registry-ui', 'Service/team-a/registry-ui',
      'ConfigMap/team-b/registry-config', 'Deployment/team-b/registry', 'Service/team-b/registry',
      'ConfigMap/team-b/registry-proxy-config', 'DaemonSet/team-b/registry-proxy',
    ]);
  });

  test('the README\'s code blocks are the example files, word for word (imports aside)', () => {
    const blocks = readmeBlocks();
    expect(blocks.length).toBeGreaterThanOrEqual(1);
    for (const file of ['teams.ts']) {
      const source = fs.readFileSync(path.join(__dirname, '..', 'examples', file), 'utf8');
      const body = source.replace(/^import .*\n/gm, '').trim();
      expect(blocks.some(b => b.includes(body))).toBe(true);
    }
  });
});
