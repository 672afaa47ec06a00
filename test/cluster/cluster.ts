// The cluster suite's harness: boots the real single-node Kubernetes of node.sh, applies manifests with kubectl as a
// user would, and gives the tests kubectl, port-forwards, pushes with skopeo and the stand-in images.
import { ChildProcess, execFile, execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

import { freePort, REGISTRY_V3_BINARY } from '../e2e/harness';

const HERE = __dirname;
const ROOT = path.resolve(HERE, '..', '..');
/** The node's state directory (node.sh's ROOT): removed by node.sh down. */
export const STATE = process.env.CLUSTER_ROOT ?? '/var/tmp/cdk8s-registry-cluster';
/** The node's own address (a bridge node.sh creates): API server, kubelet, cluster DNS and NodePorts. */
export const NODE_IP = '10.245.0.1';

export interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function k8sBin(): string {
  if (process.env.K8S_BIN) return process.env.K8S_BIN;
  const gomod = fs.readFileSync(path.join(HERE, 'k8s', 'go.mod'), 'utf8');
  const version = /^require k8s\.io\/kubernetes (v[0-9.]+)$/m.exec(gomod)?.[1];
  return path.join(os.homedir(), '.cache', 'cdk8s-private-registry', `k8s-${version}`, 'bin');
}

function run(cmd: string, args: string[], options: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<Result> {
  return new Promise(resolve => {
    const child = execFile(cmd, args, { maxBuffer: 64 << 20, timeout: options.timeoutMs ?? 180_000, env: options.env ?? process.env },
      (error, stdout, stderr) => {
        const code = error ? (typeof (error as any).code === 'number' ? (error as any).code : 1) : 0;
        resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() + (error && code === 1 && !stderr ? error.message : '') });
      });
    if (options.input !== undefined) {
      child.stdin!.end(options.input);
    }
  });
}

/** Programs the suite runs beside the node, and the Debian package of each. */
const TOOLS: Record<string, string> = { skopeo: 'skopeo', python3: 'python3', curl: 'curl' };

function requireTools(): void {
  const missing = Object.keys(TOOLS).filter(t => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
  if (missing.length > 0) {
    throw new Error(`the cluster suite needs ${missing.join(', ')}: run "bash scripts/install-cluster-deps.sh"`);
  }
  if (!fs.existsSync(path.join(k8sBin(), 'kubectl'))) {
    throw new Error(`the cluster suite needs the Kubernetes binaries in ${k8sBin()}: run "bash test/cluster/build-k8s.sh"`);
  }
  if (process.getuid && process.getuid() !== 0) {
    throw new Error('the cluster suite runs a kubelet and containerd and changes iptables: run it as root');
  }
}

/** Where the image references of the manifests lead: which stand-in images.py builds for each. */
function standInKind(repository: string): string | undefined {
  if (/(^|\/)registry$/.test(repository)) return 'registry';
  if (/nginx-unprivileged$/.test(repository)) return 'nginx';
  if (/docker-registry-ui$/.test(repository)) return 'ui';
  if (/kube-registry-proxy$/.test(repository)) return 'legacy-proxy';
  if (/(^|\/)kubectl$/.test(repository)) return 'kubectl';
  if (/(^|\/)busybox$/.test(repository)) return 'busybox';
  return undefined;
}

/** `registry:2.8.3` → `docker.io/library/registry:2.8.3`, as the kubelet and containerd name it. */
export function normalizeImage(ref: string): string {
  const first = ref.split('/')[0];
  const hasHost = ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  let name = hasHost ? ref : ref.includes('/') ? `docker.io/${ref}` : `docker.io/library/${ref}`;
  if (!/:[^/]+$/.test(name.split('@')[0])) name = name.replace(/(@|$)/, ':latest$1');
  return name;
}

/** Every container image a set of manifests names (containers and init containers, also in CronJobs). */
export function imagesOf(manifests: string): string[] {
  const images = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
    } else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) {
          for (const c of value) if (typeof c?.image === 'string') images.add(c.image);
        }
        visit(value);
      }
    }
  };
  for (const doc of parseAllDocuments(manifests)) visit(doc.toJS());
  return [...images].sort();
}

export interface PortForward {
  readonly port: number;
  close(): Promise<void>;
}

/** A single-node cluster; `Cluster.boot()` brings one up fresh, `stop()` takes it down and undoes its changes. */
export class Cluster {
  /**
   * Boots a fresh node (node.sh up), printing each step and its time. `containerdConfigPath`: containerd's registry
   * `config_path` (a directory under the suite's state); without it containerd's is unset, as in its default config.
   */
  public static boot(options: { containerdConfigPath?: string } = {}): Cluster {
    requireTools();
    const env = { ...process.env, CLUSTER_CONTAINERD_CONFIG_PATH: options.containerdConfigPath ?? '' };
    const result = spawnSync('bash', [path.join(HERE, 'node.sh'), 'up'], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000, env });
    if (result.status !== 0) {
      spawnSync('bash', [path.join(HERE, 'node.sh'), 'down'], { stdio: 'inherit' });
      throw new Error(`node.sh up failed (exit ${result.status}); the components' logs are in /tmp/cdk8s-registry-cluster-logs`);
    }
    return new Cluster();
  }

  public readonly bin = k8sBin();
  public readonly kubeconfig = path.join(STATE, 'pki', 'admin.kubeconfig');
  private readonly work = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-suite-'));
  private readonly imported = new Set<string>();
  private readonly children = new Set<ChildProcess>();

  /** Takes the node down (node.sh down): every process by its PID, iptables, interfaces, mounts, sysctls. */
  public stop(): void {
    for (const child of this.children) child.kill('SIGTERM');
    const result = spawnSync('bash', [path.join(HERE, 'node.sh'), 'down'], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 180_000 });
    fs.rmSync(this.work, { recursive: true, force: true });
    if (result.status !== 0) throw new Error(`node.sh down failed (exit ${result.status})`);
  }

  /** kubectl against the node as cluster admin; never throws. */
  public kubectl(args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<Result> {
    return run(path.join(this.bin, 'kubectl'), args, { ...options, env: { ...process.env, KUBECONFIG: this.kubeconfig } });
  }

  /** kubectl that must succeed: its stdout, or an error with everything it printed. */
  public async k(...args: string[]): Promise<string> {
    const r = await this.kubectl(args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (exit ${r.code}):\n${r.stdout}${r.stderr}`);
    return r.stdout;
  }

  /** A shell command as a user would paste it, with this cluster's kubectl first on PATH. */
  public shell(command: string, options: { cwd?: string; timeoutMs?: number } = {}): Promise<Result> {
    return new Promise(resolve => {
      execFile('bash', ['-euo', 'pipefail', '-c', command], {
        cwd: options.cwd ?? ROOT, maxBuffer: 64 << 20, timeout: options.timeoutMs ?? 300_000,
        env: { ...process.env, KUBECONFIG: this.kubeconfig, PATH: `${this.bin}:${process.env.PATH}`, CDK8S_CHECK_UPGRADE: 'false' },
      }, (error, stdout, stderr) => resolve({ code: error ? ((error as any).code ?? 1) : 0, stdout: stdout.toString(), stderr: stderr.toString() }));
    });
  }

  /**
   * Imports a stand-in for every image the manifests name (see images.py: what each stand-in is), under exactly
   * that name, so the manifests are applied unchanged. Images under localhost:5000 are left to the registry.
   */
  public importImagesFor(manifests: string): void {
    const archives: string[] = [];
    for (const ref of imagesOf(manifests)) {
      const name = normalizeImage(ref);
      if (name.startsWith('localhost:') || this.imported.has(name)) continue;
      const repository = name.split('@')[0].replace(/:[^/:]+$/, '');
      const kind = standInKind(repository);
      if (!kind) throw new Error(`the cluster suite has no stand-in image for ${ref}; add one to test/cluster/images.py`);
      if (name.includes('@')) throw new Error(`${ref}: a stand-in cannot have the digest the manifest pins`);
      const out = path.join(this.work, `${kind}-${this.imported.size}.tar`);
      // registry:3.x is the real registry 3 (scripts/build-registry-v3.sh); registry:2.x is Debian's 2.8.2.
      const tag = name.split('@')[0].replace(/^.*:/, '');
      const binary = kind === 'registry' && tag.startsWith('3') ? ['--registry-binary', REGISTRY_V3_BINARY] : [];
      execFileSync(path.join(HERE, 'images.py'), [kind, '--out', out, '--name', name, '--kubectl', path.join(this.bin, 'kubectl'), ...binary]);
      archives.push(out);
      this.imported.add(name);
    }
    if (archives.length > 0) execFileSync('bash', [path.join(HERE, 'node.sh'), 'import', ...archives]);
  }

  /** `kubectl apply -f <file or dir>` after importing the stand-ins its manifests need. */
  public async applyFile(file: string): Promise<string> {
    const files = fs.statSync(file).isDirectory()
      ? fs.readdirSync(file).filter(f => /\.ya?ml$/.test(f)).map(f => path.join(file, f)) : [file];
    this.importImagesFor(files.map(f => fs.readFileSync(f, 'utf8')).join('\n---\n'));
    return this.k('apply', '-f', file);
  }

  /** `kubectl apply -f -` of manifests given as text. */
  public async applyText(manifests: string): Promise<string> {
    this.importImagesFor(manifests);
    const r = await this.kubectl(['apply', '-f', '-'], { input: manifests });
    if (r.code !== 0) throw new Error(`kubectl apply failed:\n${r.stdout}${r.stderr}`);
    return r.stdout;
  }

  /** `kubectl port-forward` in the background, on a free local port; resolves once it forwards. */
  public async portForward(namespace: string, target: string, remotePort: number): Promise<PortForward> {
    const port = await freePort();
    const child = spawn(path.join(this.bin, 'kubectl'), ['-n', namespace, 'port-forward', target, `${port}:${remotePort}`],
      { env: { ...process.env, KUBECONFIG: this.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.add(child);
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`port-forward ${target} did not start:\n${output}`)), 30_000);
      const onData = (d: Buffer) => {
        output += d;
        if (output.includes('Forwarding from')) { clearTimeout(timer); resolve(); }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', code => { clearTimeout(timer); reject(new Error(`port-forward exited (${code}):\n${output}`)); });
    });
    return {
      port,
      close: () => new Promise<void>(resolve => {
        this.children.delete(child);
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
    };
  }

  /**
   * A small image of the suite's own (the pause binary, so a pod Runs, and `randomBytes` of fresh data), pushed with
   * skopeo to `hostPort`; returns its layer digests.
   */
  public async push(hostPort: string, repository: string, tag: string, options: { randomBytes?: number } = {}): Promise<{ layers: string[]; result: Result }> {
    const archive = path.join(this.work, `app-${repository.replace(/\W/g, '-')}-${tag}.tar`);
    execFileSync(path.join(HERE, 'images.py'), ['app', '--out', archive, '--name', `${repository}:${tag}`,
      '--random-bytes', String(options.randomBytes ?? 65536)]);
    const result = await run('skopeo', ['--insecure-policy', 'copy', '--retry-times', '0', '--dest-tls-verify=false',
      `oci-archive:${archive}`, `docker://${hostPort}/${repository}:${tag}`], { timeoutMs: 120_000 });
    const index = JSON.parse((await run('tar', ['-xOf', archive, 'index.json'])).stdout);
    const manifestBlob = (await run('tar', ['-xOf', archive, `blobs/sha256/${index.manifests[0].digest.slice(7)}`])).stdout;
    return { layers: JSON.parse(manifestBlob).layers.map((l: any) => l.digest), result };
  }

  /** Waits until a shell-free kubectl query prints what `done` accepts; throws with the last output on time-out. */
  public async waitFor(what: string, args: string[], done: (out: string) => boolean, timeoutMs = 120_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const r = await this.kubectl(args);
      last = r.stdout + r.stderr;
      if (r.code === 0 && done(r.stdout)) return r.stdout;
      await new Promise(res => setTimeout(res, 1000));
    }
    throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}; last output:\n${last}`);
  }

  /** The reason and message of every event of one object, oldest first. */
  public async events(namespace: string, name: string): Promise<string[]> {
    const out = await this.k('-n', namespace, 'get', 'events', '--field-selector', `involvedObject.name=${name}`,
      '--sort-by', '.metadata.creationTimestamp', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}');
    return out.split('\n').filter(Boolean);
  }

  /** `kubectl port-forward service/<service>` to its port 5000, and a skopeo push of a fresh <repository>:<tag>. */
  public async pushThroughPortForward(namespace: string, service: string, repository: string, tag: string): Promise<string[]> {
    const forward = await this.portForward(namespace, `service/${service}`, 5000);
    try {
      const { layers, result } = await this.push(`127.0.0.1:${forward.port}`, repository, tag);
      if (result.code !== 0 || !(result.stdout + result.stderr).includes('Writing manifest')) {
        throw new Error(`skopeo push through port-forward failed:\n${result.stdout}${result.stderr}`);
      }
      return layers;
    } finally {
      await forward.close();
    }
  }

  /** `kubectl run NAME --image=IMAGE`: waits until the pod Runs or its pull has failed; its state and events. */
  public async runPod(name: string, image: string, namespace = 'default'): Promise<{ state: string; events: string[] }> {
    await this.k('-n', namespace, 'run', name, `--image=${image}`, '--restart=Never');
    const state = await this.waitFor(`pod ${name} to run or fail its pull`, ['-n', namespace, 'get', 'pod', name, '-o',
      'jsonpath={.status.phase} {.status.containerStatuses[0].state.waiting.reason}'],
    out => out.startsWith('Running') || /ErrImagePull|ImagePullBackOff/.test(out), 120_000);
    return { state: state.trim(), events: await this.events(namespace, name) };
  }

  /**
   * The registry's access log lines in which the node's containerd fetched each of `layers` of `repository`, and
   * the address they came from (the proxy pod's, when the pull went through the proxy).
   */
  public async layerFetches(namespace: string, registryDeployment: string, repository: string, layers: string[]): Promise<string[]> {
    const log = await this.k('-n', namespace, 'logs', `deployment/${registryDeployment}`);
    return layers.map(layer => {
      const line = log.split('\n').find(l => l.includes(`GET /v2/${repository}/blobs/${layer}`) && l.includes('containerd/'));
      return line === undefined ? `no containerd GET of ${layer}` : line.split(' ')[0];
    });
  }

  /** The pod IP of the first pod matching a label selector. */
  public podIp(namespace: string, selector: string): Promise<string> {
    return this.k('-n', namespace, 'get', 'pods', '-l', selector, '-o', 'jsonpath={.items[0].status.podIP}');
  }

  /** A pod's state summary: phase and each container's waiting/terminated reason. */
  public async podState(namespace: string, name: string): Promise<string> {
    return this.k('-n', namespace, 'get', 'pod', name, '-o',
      'jsonpath={.status.phase}{range .status.containerStatuses[*]} {.state.waiting.reason}{.state.terminated.reason}{end}');
  }
}

/** An HTTP GET with curl (as the tutorial does): status and body. */
export async function curl(url: string, extra: string[] = []): Promise<{ status: number; body: string }> {
  const r = await run('curl', ['-s', '--max-time', '20', '-w', '\n%{http_code}', ...extra, url]);
  const i = r.stdout.lastIndexOf('\n');
  return { status: Number(r.stdout.slice(i + 1)) || 0, body: r.stdout.slice(0, i) };
}
