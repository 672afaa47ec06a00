// A real node whose containerd has no `config_path` (containerd 1.6's default, as on GKE and DigitalOcean):
// ContainerdRegistryHosts refuses to write files containerd would ignore, and says so; the hostNetwork proxy needs no
// containerd config at all and the node pulls `localhost:<port>/...` through it. Pod Security for both modes.
// Stand-ins as in tutorial-a.cluster.test.ts (images.py); `busybox:1.37.0` is Debian's busybox-static.
import { Chart, Testing } from 'cdk8s';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {
  ContainerdRegistryHosts, NodeRegistryEndpoint, PodSecurityLevel, Registry, RegistryNamespace, RegistryProxyDaemonSet, RegistryProxyNetwork,
} from '../../lib';
import { Cluster, NODE_IP, STATE } from './cluster';

const README = fs.readFileSync(path.resolve(__dirname, '..', '..', 'README.md'), 'utf8');
const CERTS_D = path.join(STATE, 'conf', 'certs.d');
const STATE_PARENT = os.tmpdir();
const CONTAINERD_CONFIG = path.join(STATE, 'conf', 'containerd.toml');
let cluster: Cluster;

beforeAll(() => { cluster = Cluster.boot(); }, 300_000);
afterAll(() => cluster?.stop(), 180_000);

function synth(build: (chart: Chart) => void): string {
  const app = Testing.app();
  build(new Chart(app, 'preflight'));
  return app.synthYaml();
}

/** The DaemonSet's FailedCreate event names the violation, and it has no pod. */
async function failedCreate(ns: string, daemonSet: string, violation: string): Promise<void> {
  const events = await cluster.waitFor('the DaemonSet to report FailedCreate', ['-n', ns, 'get', 'events', '--field-selector',
    `involvedObject.name=${daemonSet},reason=FailedCreate`, '-o', 'jsonpath={.items[*].message}'], out => out.length > 0, 60_000);
  expect(events).toContain(`violates PodSecurity "baseline:latest": ${violation}`);
  expect(await cluster.k('-n', ns, 'get', 'pods', '-o', 'name')).toBe('');
}

const hostsYaml = (ns: string) => synth(chart => {
  new ContainerdRegistryHosts(chart, 'registry-hosts', {
    namespace: ns,
    hosts: [{ host: 'registry.local:5000', endpoint: NodeRegistryEndpoint.fromUrl('http://127.0.0.1:31500') }],
    configPath: CERTS_D,
    containerdConfigFile: CONTAINERD_CONFIG,
  });
});

describe('ContainerdRegistryHosts preflight on a node whose containerd has no config_path', () => {
  const expected = `preflight failed: containerd's config_path is not set in ${CONTAINERD_CONFIG}, so containerd would ignore every ` +
    `hosts.toml in ${CERTS_D}. Set config_path = "${CERTS_D}" in its [plugins."io.containerd.grpc.v1.cri".registry] section ` +
    '(containerd 2: [plugins."io.containerd.cri.v1.images".registry]) and restart containerd on this node; nothing was written.';

  test('the pod logs why, exits 1, never becomes Ready, and writes nothing', async () => {
    expect(fs.readFileSync(CONTAINERD_CONFIG, 'utf8')).toContain('config_path = ""');
    await cluster.k('create', 'namespace', 'nodes');
    await cluster.k('label', 'namespace', 'nodes', 'pod-security.kubernetes.io/enforce=privileged');
    await cluster.applyText(hostsYaml('nodes'));
    const exit = await cluster.waitFor('the writer to exit', ['-n', 'nodes', 'get', 'pods', '-o',
      'jsonpath={.items[0].status.containerStatuses[0].lastState.terminated.exitCode}{.items[0].status.containerStatuses[0].state.terminated.exitCode}'],
    out => out.length > 0, 90_000);
    expect(exit.slice(0, 1)).toBe('1');
    const pod = (await cluster.k('-n', 'nodes', 'get', 'pods', '-o', 'name')).trim();
    const log = await cluster.k('-n', 'nodes', 'logs', pod, ...(/CrashLoopBackOff/.test(await cluster.k('-n', 'nodes', 'get', pod)) ? ['--previous'] : []));
    expect(log.trim()).toBe(expected);
    expect(await cluster.k('-n', 'nodes', 'get', 'daemonset', 'registry-hosts', '-o', 'jsonpath={.status.numberReady}/{.status.desiredNumberScheduled}')).toBe('0/1');
    const rollout = await cluster.kubectl(['-n', 'nodes', 'rollout', 'status', 'daemonset/registry-hosts', '--timeout=5s']);
    expect(rollout.code).not.toBe(0);
    expect(fs.existsSync(path.join(CERTS_D, 'registry.local:5000', 'hosts.toml'))).toBe(false);
    expect(README).toContain(expected.replace(CONTAINERD_CONFIG, '/etc/containerd/config.toml').split(CERTS_D).join('/etc/containerd/certs.d'));
  });

  test('in a baseline namespace its hostPath volumes are refused by Pod Security', async () => {
    await cluster.k('create', 'namespace', 'nodes-baseline');
    await cluster.k('label', 'namespace', 'nodes-baseline', 'pod-security.kubernetes.io/enforce=baseline', 'pod-security.kubernetes.io/warn=baseline');
    const r = await cluster.kubectl(['apply', '-f', '-'], { input: hostsYaml('nodes-baseline') });
    expect(r.code).toBe(0);
    const warning = 'hostPath volumes (volumes "containerd-config", "host-0")';
    expect(r.stderr).toContain(`would violate PodSecurity "baseline:latest": ${warning}`);
    expect(README).toContain(warning);
    await failedCreate('nodes-baseline', 'registry-hosts', warning);
  });
});

describe('the hostNetwork proxy on a real node', () => {
  const NS = 'hostnet';
  const yaml = synth(chart => {
    new RegistryNamespace(chart, 'namespace', { name: NS, podSecurity: PodSecurityLevel.PRIVILEGED });
    const registry = new Registry(chart, 'registry', { namespace: NS, nodePort: 31530 });
    new RegistryProxyDaemonSet(chart, 'proxy', { registry, hostPort: 5010, network: RegistryProxyNetwork.HOST_NETWORK });
  });

  test('nginx listens on the node\'s 127.0.0.1:5010 itself (no hostPort rule), and the node pulls localhost:5010/<image>', async () => {
    await cluster.applyText(yaml);
    await cluster.k('-n', NS, 'rollout', 'status', 'deployment/registry', '--timeout=180s');
    await cluster.k('-n', NS, 'rollout', 'status', 'daemonset/proxy', '--timeout=120s');
    // In the node's network namespace: the pod's IP is the node's, and nginx holds the port in the node's namespace.
    expect(await cluster.podIp(NS, 'app.kubernetes.io/component=node-proxy')).toBe(NODE_IP);
    const listening = execFileSync('ss', ['-Hltnp', 'sport = :5010']).toString();
    expect(listening).toMatch(/127\.0\.0\.1:5010\s.*nginx/);
    expect(execFileSync('iptables-save', ['-t', 'nat']).toString()).not.toMatch(/dport 5010\b/);
    const layers = await cluster.pushThroughPortForward(NS, 'registry', 'hostnet/app', '1');
    const { state, events } = await cluster.runPod('hostnet-pull', 'localhost:5010/hostnet/app:1');
    expect({ state, events }).toMatchObject({ state: 'Running' });
    expect(events.join('\n')).toContain('Successfully pulled image "localhost:5010/hostnet/app:1"');
    const fetches = await cluster.layerFetches(NS, 'registry', 'hostnet/app', layers);
    expect(fetches.filter(f => f.startsWith('no containerd GET'))).toEqual([]);
  });

  test('Pod Security baseline refuses it for hostNetwork (and the hostPort it declares)', async () => {
    await cluster.k('create', 'namespace', 'hostnet-baseline');
    await cluster.k('label', 'namespace', 'hostnet-baseline', 'pod-security.kubernetes.io/enforce=baseline', 'pod-security.kubernetes.io/warn=baseline');
    const proxyYaml = synth(chart => {
      new RegistryProxyDaemonSet(chart, 'proxy', {
        registry: Registry.fromUrl('http://registry.hostnet.svc:5000'), namespace: 'hostnet-baseline', hostPort: 5011, network: RegistryProxyNetwork.HOST_NETWORK,
      });
    });
    const r = await cluster.kubectl(['apply', '-f', '-'], { input: proxyYaml });
    expect(r.code).toBe(0);
    const warning = 'would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true), hostPort (container "nginx" uses hostPort 5011)';
    expect(r.stderr).toContain(warning);
    expect(README).toContain('host namespaces (hostNetwork=true)');
    await failedCreate('hostnet-baseline', 'proxy', 'host namespaces (hostNetwork=true)');
  });
});

describe('the preflight\'s reading of containerd configs, run by the stand-in\'s busybox (no node needed)', () => {
  const app = Testing.app();
  const hosts = new ContainerdRegistryHosts(new Chart(app, 'formats'), 'registry-hosts', {
    hosts: [{ host: 'registry.local:5000', endpoint: NodeRegistryEndpoint.fromUrl('http://127.0.0.1:31500') }],
  });
  /** The script's own preflight() against a config file: its exit code and what it printed. */
  function preflight(toml: string): string {
    const file = path.join(fs.mkdtempSync(path.join(STATE_PARENT, 'preflight-')), 'config.toml');
    fs.writeFileSync(file, toml);
    const functions = /\nconfig_path\(\) \{[\s\S]*?\n\}\n\npreflight\(\) \{[\s\S]*?\n\}\n/.exec(hosts.script)![0].split('/host/containerd/config.toml').join(file);
    try {
      return execFileSync('/bin/busybox', ['sh', '-c', `${functions}\npreflight; echo "exit $?"`]).toString().trim();
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  }
  const unset = 'preflight failed: containerd\'s config_path is not set in /etc/containerd/config.toml';

  test.each([
    ['containerd 1.x (config version 2), set', '[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n', 'exit 0'],
    ['containerd 1.x, set, with a comment', '[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d" # hosts\n', 'exit 0'],
    ['containerd 2.x (config version 3), a list', 'version = 3\n[plugins.\'io.containerd.cri.v1.images\'.registry]\n  config_path = \'/etc/containerd/certs.d:/etc/docker/certs.d\'\n', 'exit 0'],
    ['containerd 1.x default (empty)', 'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = ""\n\n  [plugins."io.containerd.grpc.v1.cri".registry.mirrors]\n', `${unset}`],
    ['no registry section at all', 'version = 2\n[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "registry.k8s.io/pause:3.10"\n', `${unset}`],
    ['config_path of another section only', '[plugins."io.containerd.grpc.v1.cri".registry]\n[plugins."io.containerd.grpc.v1.cri".registry.mirrors]\n  config_path = "/etc/containerd/certs.d"\n', `${unset}`],
    ['another directory', 'version = 3\n[plugins."io.containerd.cri.v1.images".registry]\n  config_path = "/etc/docker/certs.d"\n',
      'preflight failed: containerd\'s config_path in /etc/containerd/config.toml is "/etc/docker/certs.d", which does not include /etc/containerd/certs.d'],
  ])('%s', (_label, toml, expected) => {
    const out = preflight(toml);
    if (expected === 'exit 0') {
      expect(out).toBe('exit 0');
    } else {
      expect(out.split('\n')[0]).toContain(expected);
      expect(out.split('\n').pop()).toBe('exit 1');
    }
  });
});
