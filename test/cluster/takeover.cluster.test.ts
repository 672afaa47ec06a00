// Taking over a live Helm install in place, on a real node: the objects the classic charts render (helm template of
// stable/docker-registry 1.9.4 and incubator/kube-registry-proxy 0.3.2, in test/fixtures/helm-renders/) are created
// in kube-system, an image is pushed, then the README's takeover steps run word for word.
// Stand-ins (images.py): registry:2.7.1 and 2.8.3 are Debian's docker-registry 2.8.2; k8s.gcr.io/kube-registry-proxy
// is Debian's nginx configured from REGISTRY_HOST/REGISTRY_PORT as that image was; the UI is a page server, not joxit.
import { Testing } from 'cdk8s';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { helmTakeoverChart } from '../../examples/helm-takeover';
import { Cluster, curl, Result } from './cluster';

const ROOT = path.resolve(__dirname, '..', '..');
const RENDERS = path.join(ROOT, 'test', 'fixtures', 'helm-renders');
const NS = 'kube-system';
const PV_DIR = `${process.env.CLUSTER_ROOT ?? '/var/tmp/cdk8s-registry-cluster'}/pv/takeover`;

/** The README's takeover commands, in order. */
function readmeSteps(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = /<!-- takeover-steps:start -->\n```sh\n([\s\S]*?)```\n<!-- takeover-steps:end -->/.exec(readme);
  if (!block) throw new Error('README.md has no takeover-steps block');
  return block[1].split('\n').map(l => l.trim()).filter(Boolean);
}

/** What a user would have: Helm's release records, and the UI manifest of the tutorial (not public; as described). */
function liveExtras(): string {
  const release = (name: string) => ({
    apiVersion: 'v1', kind: 'Secret', type: 'helm.sh/release.v1',
    metadata: { name: `sh.helm.release.v1.${name}.v1`, namespace: NS, labels: { owner: 'helm', name, status: 'deployed', version: '1' } },
    data: { release: Buffer.from('a stand-in for a Helm release record').toString('base64') },
  });
  const ui = [{
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'registry-ui-deployment', namespace: NS, labels: { app: 'registry-ui' } },
    spec: {
      replicas: 1, selector: { matchLabels: { app: 'registry-ui' } },
      template: {
        metadata: { labels: { app: 'registry-ui' } },
        spec: { containers: [{ name: 'registry-ui', image: 'joxit/docker-registry-ui:static', ports: [{ containerPort: 8080 }],
          env: [{ name: 'REGISTRY_URL', value: 'http://registry-docker-registry.kube-system:5000' }] }] },
      },
    },
  }, {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'registry-ui', namespace: NS, labels: { app: 'registry-ui' } },
    spec: { type: 'NodePort', selector: { app: 'registry-ui' }, ports: [{ port: 80, targetPort: 8080, nodePort: 31000 }] },
  }];
  return [release('registry'), release('registry-proxy'), ...ui].map(o => JSON.stringify(o)).join('\n---\n');
}

describe.each([
  { storage: 'emptyDir (the chart\'s default)', persistentVolume: false, render: 'A-registry-1.9.4.yaml' },
  { storage: 'persistence.enabled=true (a PVC)', persistentVolume: true, render: 'A-registry-1.9.4-pv.yaml' },
])('taking over the first tutorial\'s Helm install with $storage', ({ persistentVolume, render }) => {
  let cluster: Cluster;
  let work: string;
  const before: Record<string, string> = {};
  const outputs: Result[] = [];

  beforeAll(() => {
    cluster = Cluster.boot();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'takeover-'));
  }, 300_000);
  afterAll(() => {
    fs.rmSync(work, { recursive: true, force: true });
    cluster?.stop();
  }, 180_000);

  const service = (name: string) => cluster.k('-n', NS, 'get', 'service', name, '-o',
    'jsonpath={.spec.clusterIP} {.spec.ports[0].nodePort}');

  test('the charts\' objects run, and an image is pushed and pulled through the chart\'s proxy', async () => {
    if (persistentVolume) {
      fs.mkdirSync(PV_DIR, { recursive: true });
      fs.chownSync(PV_DIR, 1000, 1000);
      await cluster.applyText(JSON.stringify({
        apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'takeover-data' },
        spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain',
          storageClassName: '', hostPath: { path: PV_DIR, type: 'Directory' } },
      }));
    }
    for (const file of [render, 'A-proxy-0.3.2.yaml']) {
      const text = fs.readFileSync(path.join(RENDERS, file), 'utf8');
      cluster.importImagesFor(text);
      const r = await cluster.kubectl(['apply', '-n', NS, '-f', '-'], { input: text });
      expect(r.stderr + r.code).toBe('0');
    }
    await cluster.applyText(liveExtras());
    await cluster.k('-n', NS, 'rollout', 'status', 'deployment/registry-docker-registry', '--timeout=180s');
    await cluster.k('-n', NS, 'rollout', 'status', 'daemonset/registry-proxy-kube-registry-proxy', '--timeout=120s');
    await cluster.k('-n', NS, 'rollout', 'status', 'deployment/registry-ui-deployment', '--timeout=120s');
    await cluster.push('127.0.0.1:31500', 'takeover/before', '1');
    const { state } = await cluster.runPod('before', 'localhost:5000/takeover/before:1', NS);
    expect(state).toBe('Running');
    before.registry = await service('registry-docker-registry');
    before.ui = await service('registry-ui');
    expect(before.registry).toMatch(/^10\.96\.\S+ 31500$/);
  });

  test('the README\'s steps, word for word: every command succeeds, no immutable-field error', async () => {
    const steps = readmeSteps();
    expect(steps[0]).toBe('npm run synth');
    // `npm run synth` of the user's app: here the example app, with the storage of this release.
    const app = Testing.app({ outdir: path.join(work, 'dist') });
    helmTakeoverChart(app, { persistentVolume });
    app.synth();
    cluster.importImagesFor(fs.readdirSync(path.join(work, 'dist')).map(f => fs.readFileSync(path.join(work, 'dist', f), 'utf8')).join('\n---\n'));
    for (const step of steps.slice(1)) {
      const r = await cluster.shell(step, { cwd: work });
      outputs.push(r);
      expect({ step, code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ step, code: 0, stderr: '' });
      expect(r.stdout + r.stderr).not.toMatch(/immutable|Invalid value|Forbidden/);
    }
    expect(await cluster.k('-n', NS, 'get', 'secrets', '-l', 'owner=helm', '-o', 'name')).toBe('');
  });

  test('the Services keep their clusterIP and nodePort; every pod is this library\'s, and none restarted', async () => {
    expect(await service('registry-docker-registry')).toBe(before.registry);
    expect(await service('registry-ui')).toBe(before.ui);
    const pods = JSON.parse(await cluster.k('-n', NS, 'get', 'pods', '-o', 'json')).items
      .filter((p: any) => p.metadata.name !== 'before' && !p.metadata.deletionTimestamp);
    const summary = pods.map((p: any) => [p.metadata.labels.app ?? p.metadata.labels['app.kubernetes.io/name'],
      p.spec.containers.map((c: any) => c.name).join('+'), p.status.containerStatuses.map((c: any) => c.restartCount).join('+')]).sort();
    expect(summary).toEqual([
      ['docker-registry', 'registry', '0'],
      ['registry-proxy-kube-registry-proxy', 'nginx', '0'],
      ['registry-ui', 'ui', '0'],
    ]);
    const backoffs = await cluster.k('-n', NS, 'get', 'events', '--field-selector', 'reason=BackOff', '-o', 'name');
    expect(backoffs).toBe('');
  });

  test(persistentVolume ? 'the image pushed under Helm is still there (the claim was kept)'
    : 'the image pushed under Helm is gone with the chart\'s emptyDir, as the README says', async () => {
    const r = await curl('http://127.0.0.1:31500/v2/takeover/before/tags/list');
    if (persistentVolume) {
      expect(r.body.trim()).toBe('{"name":"takeover/before","tags":["1"]}');
      expect(await cluster.k('-n', NS, 'get', 'pvc', 'registry-docker-registry', '-o', 'jsonpath={.spec.volumeName}')).toBe('takeover-data');
    } else {
      expect(r.status).toBe(404);
    }
  });

  test('the node pulls a new image through the new proxy', async () => {
    const layers = await cluster.pushThroughPortForward(NS, 'registry-docker-registry', 'takeover/after', '1');
    const { state } = await cluster.runPod('after', 'localhost:5000/takeover/after:1', NS);
    expect(state).toBe('Running');
    const proxyIp = await cluster.podIp(NS, 'app=registry-proxy-kube-registry-proxy');
    expect(await cluster.layerFetches(NS, 'registry-docker-registry', 'takeover/after', layers)).toEqual(layers.map(() => proxyIp));
  });
});
