// The second tutorial on a fresh real node: release `private` (a ClusterIP Service), the proxy chart pointed at
// private-docker-registry, the UI on NodePort 31000; `kubectl apply -f dist-private/` (npm run synth:private).
// Stand-ins as in tutorial-a.cluster.test.ts (see images.py); the UI stand-in is NOT the joxit UI.
import * as path from 'path';

import { Cluster, curl, NODE_IP } from './cluster';

const DIST = path.resolve(__dirname, '..', '..', 'dist-private');
const NS = 'kube-system';
let cluster: Cluster;

beforeAll(() => { cluster = Cluster.boot(); }, 300_000);
afterAll(() => cluster?.stop(), 180_000);

describe('the second tutorial on a real node: kubectl apply -f dist-private/', () => {
  test('every workload becomes ready', async () => {
    const out = await cluster.applyFile(DIST);
    expect(out).toContain('deployment.apps/private-docker-registry created');
    expect(out).toContain('daemonset.apps/registry-proxy-kube-registry-proxy created');
    await cluster.k('-n', NS, 'rollout', 'status', 'deployment/private-docker-registry', '--timeout=180s');
    await cluster.k('-n', NS, 'rollout', 'status', 'daemonset/registry-proxy-kube-registry-proxy', '--timeout=120s');
    await cluster.k('-n', NS, 'rollout', 'status', 'deployment/registry-ui-deployment', '--timeout=120s');
  });

  test('kubectl get service: private-docker-registry is ClusterIP 5000/TCP, registry-ui is 80:31000/TCP', async () => {
    const out = await cluster.k('get', 'service', '-n', NS);
    expect(out).toMatch(/private-docker-registry\s+ClusterIP\s+10\.96\.\S+\s+<none>\s+5000\/TCP\s/);
    expect(out).toMatch(/registry-ui\s+NodePort\s+\S+\s+<none>\s+80:31000\/TCP/);
    // A ClusterIP Service has no node port: nothing answers on the first tutorial's 31500.
    expect((await curl(`http://${NODE_IP}:31500/v2/`)).status).toBe(0);
    expect((await curl(`http://${NODE_IP}:31000/`)).body).toContain('stand-in for joxit/docker-registry-ui');
  });

  test('a push through port-forward, then the node pulls localhost:5000/<image> through the proxy', async () => {
    const layers = await cluster.pushThroughPortForward(NS, 'private-docker-registry', 'tutorial/private', '1');
    const { state, events } = await cluster.runPod('private-hello', 'localhost:5000/tutorial/private:1');
    expect(state).toBe('Running');
    expect(events.join('\n')).toContain('Successfully pulled image "localhost:5000/tutorial/private:1"');
    const proxyIp = await cluster.podIp(NS, 'app.kubernetes.io/instance=registry-proxy-kube-registry-proxy');
    expect(await cluster.layerFetches(NS, 'private-docker-registry', 'tutorial/private', layers)).toEqual(layers.map(() => proxyIp));
  });
});
