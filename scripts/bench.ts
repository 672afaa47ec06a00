// `npm run bench`: prints figures and ratios measured side by side in this one run. Never a timed test.
//   1. synth latency of the main.ts app     2. scale: N registries in one app
//   3. proxy data path vs direct             4. npm test wall time
// Flags: --only=synth,scale,proxy,test   --sizes=50,500 (MB)   --runs=3
import { App, Chart } from 'cdk8s';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { PrivateRegistry } from '../lib';
import { classicConfigs, cleanup, requireTools, startProxy, startRegistry, workDir } from '../test/e2e/harness';
import { clearSkopeoCache, makeImage, pull, push } from '../test/e2e/images';

const root = path.resolve(__dirname, '..');
const args = Object.fromEntries(process.argv.slice(2).map(a => a.replace(/^--/, '').split('=')));
const only = new Set((args.only ?? 'synth,scale,proxy,test,cluster').split(','));
const runs = Number(args.runs ?? 3);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function timeIt(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function run(command: string, argv: string[], env: Record<string, string> = {}): void {
  const r = spawnSync(command, argv, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
  if (r.status !== 0) {
    throw new Error(`${command} ${argv.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  }
}

const rows: string[][] = [];
function row(...cells: Array<string | number>): void {
  const line = cells.map(c => typeof c === 'number' ? c.toFixed(3) : c);
  rows.push(line);
  console.log(line.join(' | '));
}

/** The `app` command of cdk8s.yaml, run as the cdk8s CLI runs it: through /bin/sh. */
function appCommand(): string {
  const line = fs.readFileSync(path.join(root, 'cdk8s.yaml'), 'utf8').split('\n').find(l => l.startsWith('app:'));
  if (!line) throw new Error('cdk8s.yaml has no app command');
  return line.slice('app:'.length).trim();
}

function synthBench(): void {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
  const env = { CDK8S_OUTDIR: outdir, CDK8S_CHECK_UPGRADE: 'false' };
  const n = Math.max(5, runs);
  const app = appCommand();
  // An app that writes one empty manifest: what the cdk8s CLI costs on its own.
  const noopApp = 'node -e "const f=require(\'fs\');f.mkdirSync(process.env.CDK8S_OUTDIR,{recursive:true});' +
    'f.writeFileSync(process.env.CDK8S_OUTDIR+\'/noop.k8s.yaml\',\'\')"';
  const t: Record<string, number[]> = { node: [], app: [], bundle: [], first: [], cli: [], cliNoop: [], tsNode: [] };
  run('sh', ['-c', app], env); // build the cached bundle and snapshot once, as any second synth finds them
  for (let i = 0; i < 8 * n; i++) { // interleaved, so drift in machine load hits both alike; cheap, so 8n pairs
    t.node.push(timeIt(() => run('node', ['-e', ''])));
    t.app.push(timeIt(() => run('sh', ['-c', app], env)));
    if (i % 4 === 0) t.bundle.push(timeIt(() => run('node', ['scripts/run-app.js'], env)));
  }
  for (let i = 0; i < n; i++) {
    t.cli.push(timeIt(() => run('npx', ['cdk8s', 'synth', '--output', outdir], { CDK8S_CHECK_UPGRADE: 'false' })));
    t.cliNoop.push(timeIt(() => run('npx', ['cdk8s', 'synth', '--app', noopApp, '--output', outdir], { CDK8S_CHECK_UPGRADE: 'false' })));
    t.tsNode.push(timeIt(() => run('npx', ['ts-node', 'main.ts'], env)));
  }
  for (let i = 0; i < runs; i++) {
    // The first synth after a source changes (a new mtime, same bytes) rebuilds the bundle and the snapshot.
    const now = new Date();
    fs.utimesSync(path.join(root, 'main.ts'), now, now);
    t.first.push(timeIt(() => run('sh', ['-c', app], env)));
  }
  fs.rmSync(outdir, { recursive: true, force: true });
  row('synth: node -e "" (this machine\'s floor right now), median s', median(t.node), '');
  row(`synth: app command of cdk8s.yaml (${app}), median s`, median(t.app), 'target <= 0.25 s');
  row('synth: app command / node -e ""', median(t.app) / median(t.node), 'target <= 1.5');
  row('synth: the bundle without the snapshot (node scripts/run-app.js; a read-only node_modules), median s', median(t.bundle), '');
  row(`synth: app command, first run after a source changed (bundle + snapshot build), median of ${runs}, s`, median(t.first), '');
  row('synth: npx cdk8s synth, median s', median(t.cli), '');
  row('synth: npx cdk8s synth of an app that does nothing (the CLI alone), median s', median(t.cliNoop), '');
  row('synth: cdk8s template default (npx ts-node main.ts), median s', median(t.tsNode), '');
  row('synth: npx cdk8s synth / npx ts-node main.ts', median(t.cli) / median(t.tsNode), 'target <= 0.4');
}

function scaleBench(): void {
  // One chart, a namespace per registry: cdk8s re-validates the whole app for every chart it renders, so
  // N charts would cost O(N^2) inside cdk8s itself; the constructs take `namespace` as a prop instead.
  const synthN = (n: number) => timeIt(() => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'bench-scale-')) });
    const chart = new Chart(app, 'teams');
    for (let i = 0; i < n; i++) {
      // 2000 distinct nodePorts: registries from 30000, UIs from 31384, all inside 30000-32767; a hostPort of
      // its own for each node proxy (one cluster: the app refuses two DaemonSets on one hostPort).
      new PrivateRegistry(chart, `team-${i}`, {
        namespace: `team-${i}`,
        registry: { name: 'registry', nodePort: 30000 + i },
        proxy: { hostPort: 10000 + i },
        ui: { nodePort: 31384 + i },
      });
    }
    app.synthYaml();
  });
  synthN(20); // warm the module cache
  const t100 = median([synthN(100), synthN(100), synthN(100)]);
  const t1000 = median([synthN(1000), synthN(1000), synthN(1000)]);
  row('scale: 100 registries (+proxy, UI) construct+validate+render, s', t100, '');
  row('scale: 1000 registries, s', t1000, 'target <= 3 s');
  row('scale: t(1000)/t(100)', t1000 / t100, 'target <= 11');
}

async function proxyBench(): Promise<void> {
  requireTools(['docker-registry', 'nginx', 'skopeo', 'curl']);
  const sizes = (args.sizes ?? '50,500').split(',').map(Number);
  const { registryConfig, nginxConf } = classicConfigs();
  const registry = await startRegistry(registryConfig);
  const proxy = await startProxy(nginxConf, `127.0.0.1:${registry.port}`);
  const direct = `127.0.0.1:${registry.port}`;
  const viaProxy = `127.0.0.1:${proxy.port}`;
  let repo = 0;
  for (const mb of sizes) {
    const image = await makeImage(workDir(`bench-${mb}`), 'v1', [mb << 20]);
    await push(image, direct, 'bench/seed'); // every blob exists for pulls and raw GETs
    const times: Record<string, { direct: number[]; proxy: number[] }> = { push: { direct: [], proxy: [] }, pull: { direct: [], proxy: [] }, get: { direct: [], proxy: [] } };
    for (let i = 0; i < runs; i++) {
      for (const [label, host] of [['direct', direct], ['proxy', viaProxy]] as const) {
        clearSkopeoCache();
        // A new repository each time: the registry receives every byte again.
        times.push[label].push(await timeAsync(async () => {
          const r = await push(image, host, `bench/push-${repo++}`);
          if (!r.ok) throw new Error(r.output);
        }));
        clearSkopeoCache();
        const out = workDir('bench-pull');
        times.pull[label].push(await timeAsync(async () => {
          const r = await pull(host, 'bench/seed', 'v1', path.join(out, 'layout'));
          if (!r.ok) throw new Error(r.output);
        }));
        fs.rmSync(out, { recursive: true, force: true });
        times.get[label].push(timeIt(() => execFileSync('curl', ['-sSf', '-o', '/dev/null',
          `http://${host}/v2/bench/seed/blobs/${image.layerDigests[0]}`])));
      }
    }
    for (const op of ['push', 'pull', 'get']) {
      const d = median(times[op].direct);
      const p = median(times[op].proxy);
      const name = op === 'get' ? 'raw blob GET (curl)' : `skopeo ${op}`;
      row(`proxy: ${name}, ${mb} MB: direct s / proxy s / speed ratio`, `${d.toFixed(3)} / ${p.toFixed(3)} / ${(d / p).toFixed(2)}`,
        op === 'push' ? 'target >= 0.9' : op === 'pull' ? 'target >= 0.95' : 'target >= 0.8');
    }
    fs.rmSync(image.dir, { recursive: true, force: true });
  }
  const spooled = /buffered to a temporary file/.test(proxy.program.log);
  row('proxy: nginx spooled a body to disk during the bench', spooled ? 'yes' : 'no', 'want no');
  await cleanup();
}

function testBench(): void {
  // Cold: no jest transform cache, no incremental type-check info; warm: what a developer's re-run costs.
  run('npx', ['jest', '--clearCache']);
  fs.rmSync(path.join(root, 'node_modules', '.cache', 'tsc'), { recursive: true, force: true });
  const cold = timeIt(() => run('npm', ['test', '--silent']));
  const warm = median([0, 1, 2].map(() => timeIt(() => run('npm', ['test', '--silent']))));
  row('npm test (tsc --noEmit + jest), cold caches, wall s', cold, 'target <= 10 s');
  row('npm test, warm (median of 3), wall s', warm, 'target <= 10 s');
}

/**
 * The real-node cluster suite (root only): the Kubernetes build cold (an empty Go build cache; modules from the
 * module cache), warm (a warm build cache, binaries relinked) and stamped (nothing to do); a node's boot and
 * teardown; and one whole `jest` run of the suite on a built machine.
 */
function clusterBench(): void {
  const build = path.join(root, 'test', 'cluster', 'build-k8s.sh');
  const node = path.join(root, 'test', 'cluster', 'node.sh');
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-k8s-'));
  try {
    run('bash', [build]);
    row('cluster: Kubernetes build, stamped (nothing changed), wall s', timeIt(() => run('bash', [build])), '');
    row('cluster: Kubernetes build, warm Go cache (relink only), wall s',
      timeIt(() => run('bash', [build], { K8S_BIN: path.join(scratch, 'warm') })), '');
    row('cluster: Kubernetes build, cold Go build cache, wall s',
      timeIt(() => run('bash', [build], { K8S_BIN: path.join(scratch, 'cold'), GOCACHE: path.join(scratch, 'gocache') })), 'the issue saw ~780 s for 1.32');
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const ups: number[] = [];
  const downs: number[] = [];
  for (let i = 0; i < runs; i++) {
    ups.push(timeIt(() => run('bash', [node, 'up'])));
    downs.push(timeIt(() => run('bash', [node, 'down'])));
  }
  row(`cluster: node boot to Ready (node.sh up), median of ${runs}, s`, median(ups), '');
  row(`cluster: node teardown (node.sh down), median of ${runs}, s`, median(downs), '');
  row('cluster: the whole suite (jest, every file boots its own node), wall s',
    timeIt(() => run('npx', ['jest', '--config', 'jest.cluster.config.js', '--runInBand', '--silent'])), 'CI budget 5400 s for everything');
}

async function main(): Promise<void> {
  const load0 = os.loadavg()[0];
  console.log(`bench on ${os.cpus().length} cores, node ${process.version}, ${runs} runs per figure`);
  console.log('figure | value | target');
  if (only.has('synth')) synthBench();
  if (only.has('scale')) scaleBench();
  if (only.has('proxy')) await proxyBench();
  if (only.has('test')) testBench();
  if (only.has('cluster')) clusterBench();
  // Other work on the machine slows the small figures most: the ratios say more than the seconds then.
  row('machine: 1-minute load average at start / at end', `${load0.toFixed(2)} / ${os.loadavg()[0].toFixed(2)}`, `${os.cpus().length} cores`);
  console.log('\n| figure | value | target |\n|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

main().catch(async e => {
  await cleanup();
  console.error(e);
  process.exit(1);
});
