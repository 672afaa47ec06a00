// Runs the real programs (docker-registry, nginx, skopeo) on loopback for the end-to-end tests and the benchmark.
import { App, Testing } from 'cdk8s';
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';

import { classicChart } from '../../examples/classic';
import { RegistryVersion } from '../../lib';
import { find, KubeObject, synthApp } from '../util';

/** Programs the suite runs, and the Debian package of each. */
const TOOLS: Record<string, string> = {
  'docker-registry': 'docker-registry',
  'nginx': 'nginx',
  'skopeo': 'skopeo',
  'htpasswd': 'apache2-utils',
  'curl': 'curl',
  'redis-server': 'redis-server',
  'redis-cli': 'redis-tools',
  'chromium': 'chromium',
  'openssl': 'openssl',
  'tar': 'tar',
  'gzip': 'gzip',
};

/** Fails, saying what to install, when a program the suite needs is missing. Never skips. */
export function requireTools(names: string[] = Object.keys(TOOLS)): void {
  const missing = names.filter(name => {
    try {
      execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    const packages = [...new Set(missing.map(m => TOOLS[m] ?? m))].join(' ');
    throw new Error(`the end-to-end suite needs ${missing.join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not installed: ` +
      `run "bash scripts/install-e2e-deps.sh" (or "apt-get install ${packages}")`);
  }
}

/** Registry 3, built by scripts/install-e2e-deps.sh with `go install` (the version pinned there). */
export const REGISTRY_V3_VERSION = 'v3.1.2';
export const REGISTRY_V3_BINARY = path.join(os.homedir(), '.cache', 'cdk8s-private-registry', `registry-${REGISTRY_V3_VERSION}`, 'registry');

/** Which registry this run tests: E2E_REGISTRY=3 (set by the jest project "registry 3.1.2") or 2.8.2 from Debian. */
export interface RegistryUnderTest {
  readonly version: RegistryVersion;
  readonly binary: string;
  /** For test names: "registry 2.8.2" or "registry 3.1.2". */
  readonly label: string;
  /** Where the library mounts config.yml for this version. */
  readonly configPath: string;
}
export const REGISTRY: RegistryUnderTest = process.env.E2E_REGISTRY === '3'
  ? { version: RegistryVersion.V3, binary: REGISTRY_V3_BINARY, label: `registry ${REGISTRY_V3_VERSION.slice(1)}`, configPath: '/etc/distribution/config.yml' }
  : { version: RegistryVersion.V2, binary: 'docker-registry', label: 'registry 2.8.2', configPath: '/etc/docker/registry/config.yml' };

/** Fails, saying what to run, when the registry binary of this run is missing. */
export function requireRegistry(): void {
  if (REGISTRY.version === RegistryVersion.V3 && !fs.existsSync(REGISTRY.binary)) {
    throw new Error(`the end-to-end suite needs ${REGISTRY.binary} (registry ${REGISTRY_V3_VERSION}): run "bash scripts/install-e2e-deps.sh"`);
  }
  requireTools(['docker-registry']);
}

/** A fresh directory under the OS temp dir, removed by `cleanup()`. */
const workDirs: string[] = [];
export function workDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `registry-e2e-${label}-`));
  // nginx workers run as an unprivileged user when the master is root: let them traverse.
  fs.chmodSync(dir, 0o755);
  workDirs.push(dir);
  return dir;
}

/** A free TCP port on 127.0.0.1, as the kernel hands it out. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export interface HttpResult {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** One HTTP(S) request on loopback; the body is read as text. Test certificates are self-signed: not verified. */
export function request(url: string, options: http.RequestOptions = {}, body?: string | Buffer): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http;
    const req = client.request(url, { agent: false, rejectUnauthorized: false, ...options } as https.RequestOptions, res => {
      const chunks: Buffer[] = [];
      res.on('data', c => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`timed out: ${options.method ?? 'GET'} ${url}`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** A program started by the suite; its output is kept for assertions and failure messages. */
export class Program {
  private output = '';
  private exited?: number | null;
  private readonly exitPromise: Promise<void>;

  constructor(public readonly name: string, private readonly child: ChildProcess) {
    child.stdout?.on('data', d => { this.output += d; });
    child.stderr?.on('data', d => { this.output += d; });
    this.exitPromise = new Promise(resolve => child.once('exit', code => { this.exited = code; resolve(); }));
    running.add(this);
  }

  public get pid(): number {
    return this.child.pid!;
  }

  public get log(): string {
    return this.output;
  }

  public get hasExited(): boolean {
    return this.exited !== undefined;
  }

  /** Polls `url` until it answers `status`; fails early, with the program's output, if it exits. */
  public async waitForHttp(url: string, status = 200, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (this.hasExited) {
        throw new Error(`${this.name} exited with ${this.exited} before ${url} answered:\n${this.output}`);
      }
      try {
        const res = await request(url);
        if (res.status === status) {
          return;
        }
        last = `HTTP ${res.status}`;
      } catch (e) {
        last = (e as Error).message;
      }
      await new Promise(r => setTimeout(r, 50));
    }
    throw new Error(`${this.name}: ${url} did not answer ${status} within ${timeoutMs} ms (last: ${last}):\n${this.output}`);
  }

  /** Waits for the program to end by itself; returns its exit code. */
  public async waitForExit(): Promise<number | null | undefined> {
    await this.exitPromise;
    running.delete(this);
    return this.exited;
  }

  /** Stops the program by its PID: SIGTERM, then SIGKILL after 5 s. */
  public async stop(): Promise<void> {
    running.delete(this);
    if (this.hasExited) {
      return;
    }
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.exitPromise;
    clearTimeout(timer);
  }
}

const running = new Set<Program>();

/** Stops every program still running and removes the work directories; for afterAll, also after failures. */
export async function cleanup(): Promise<void> {
  await Promise.all([...running].map(p => p.stop()));
  for (const dir of workDirs.splice(0)) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
process.once('exit', () => {
  for (const p of running) {
    try { process.kill(p.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
});

export function start(name: string, command: string, args: string[], env: Record<string, string> = {}): Program {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Program(name, child);
}

/** The classic app's objects, synthesized as `npm run synth` does. */
export function classicObjects(): KubeObject[] {
  const app: App = Testing.app();
  classicChart(app, { version: REGISTRY.version });
  return synthApp(app);
}

export interface RunningRegistry {
  readonly program: Program;
  readonly port: number;
  readonly url: string;
  readonly dataDir: string;
}

/**
 * Runs `docker-registry serve` on the config.yml of a synthesized ConfigMap, unchanged. Only the listen
 * address and the data directory are overridden, by env vars, as Kubernetes would pass them.
 */
export async function startRegistry(configYaml: string, options: { dataDir?: string; env?: Record<string, string>; tls?: boolean; binary?: string } = {}): Promise<RunningRegistry> {
  const dir = workDir('registry');
  const configPath = path.join(dir, 'config.yml');
  fs.writeFileSync(configPath, configYaml);
  const dataDir = options.dataDir ?? path.join(dir, 'data');
  const port = await freePort();
  // Only a filesystem store gets its directory overridden: naming a second driver in the env, even just
  // its root directory, makes the registry panic ("multiple storage drivers specified").
  const usesFilesystem = (parse(configYaml) as { storage?: Record<string, unknown> }).storage?.filesystem !== undefined;
  const binary = options.binary ?? REGISTRY.binary;
  const program = start(binary === REGISTRY.binary ? REGISTRY.label : path.basename(binary), binary, ['serve', configPath], {
    REGISTRY_HTTP_ADDR: `127.0.0.1:${port}`,
    ...(usesFilesystem ? { REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: dataDir } : {}),
    ...options.env,
  });
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  await program.waitForHttp(`${url}/`);
  return { program, port, url, dataDir };
}

/**
 * The generated nginx.conf with only the upstream address and the listen port replaced, each exactly once,
 * so that a broken directive cannot hide behind the substitution.
 */
export function localNginxConfig(nginxConf: string, upstream: string, listenPort: number): string {
  const replaceOnce = (text: string, pattern: RegExp, replacement: string) => {
    const matches = text.match(new RegExp(pattern.source, 'gm'));
    if (!matches || matches.length !== 1) {
      throw new Error(`expected exactly one match of ${pattern} in the generated nginx.conf, found ${matches?.length ?? 0}`);
    }
    return text.replace(new RegExp(pattern.source, 'm'), replacement);
  };
  let conf = replaceOnce(nginxConf, /^(\s*)server [^\s;]+;$/, `$1server ${upstream};`);
  conf = replaceOnce(conf, /^(\s*)listen \d+;$/, `$1listen 127.0.0.1:${listenPort};`);
  return conf;
}

export interface RunningProxy {
  readonly program: Program;
  readonly port: number;
  readonly url: string;
  readonly prefix: string;
}

/** Runs real nginx with a generated nginx.conf (see `localNginxConfig`), with its own `-p` prefix. */
export async function startProxy(nginxConf: string, upstream: string): Promise<RunningProxy> {
  const prefix = workDir('nginx');
  const port = await freePort();
  const confPath = path.join(prefix, 'nginx.conf');
  fs.writeFileSync(confPath, localNginxConfig(nginxConf, upstream, port));
  const program = start('nginx', 'nginx', ['-p', `${prefix}/`, '-c', confPath, '-e', 'stderr']);
  const url = `http://127.0.0.1:${port}`;
  await program.waitForHttp(`${url}/proxy-healthz`);
  return { program, port, url, prefix };
}

/** The registry's config.yml and the proxy's nginx.conf from the classic app, as deployed. */
export function classicConfigs(): { registryConfig: string; nginxConf: string; objects: KubeObject[] } {
  const objects = classicObjects();
  return {
    objects,
    registryConfig: find(objects, 'ConfigMap', 'registry-docker-registry-config').data['config.yml'],
    nginxConf: find(objects, 'ConfigMap', 'kube-registry-proxy-config').data['nginx.conf'],
  };
}

/**
 * A TCP forwarder from a new loopback port to `targetPort`: what a hostPort does, so the client-facing
 * port differs from the port nginx listens on.
 */
export async function portForward(targetPort: number): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer(client => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>(resolve => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
