// Property-based test of issue 11: random props for every construct, mixing valid values, boundary values, wrong
// JavaScript types, enum values that do not exist, unknown keys and missing required props. Each build either throws
// one plain Error that names the construct and a prop, or renders objects that pass the Kubernetes schemas and the
// API server's own rules (apiserver-rules.ts). Props known to be bad must throw; a failing app writes no file.
//
// `PROPERTY_SURVEY=1 npx jest test/property.test.ts` lists every distinct failure over many runs instead of stopping
// at the first (shrunk) counterexample.
import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import * as fs from 'fs';

import {
  LocalRegistryHosting, PodSecurityLevel, PrivateRegistry, Registry, RegistryAuth, RegistryCache, RegistryNamespace,
  RegistryProxyDaemonSet, RegistryServiceType, RegistryStorage, RegistryTls, RegistryUI, RegistryUIConnection, RegistryVersion,
  SecretKey, TaintEffect, TolerationOperator, VolumeAccessMode,
} from '../lib';
import { apiServerProblems } from './apiserver-rules';
import { schemaProblems, synthApp } from './util';

const SEED = 20261123;
const RUNS = Number(process.env.PROPERTY_RUNS ?? 150);
const SURVEY = process.env.PROPERTY_SURVEY === '1';

/**
 * How a generated value stands on its own: `ok` is valid alone (a combination may still be refused with a clear
 * error), `bad` must be refused, `either` may be refused or accepted (boundaries whose fate depends on the rest).
 */
type Tag = 'ok' | 'either' | 'bad';
type Gen = fc.Arbitrary<[unknown, Tag]>;

/** A value built when the app is, inside the test's try (factories may throw), printed by its source text. */
class Deferred {
  /** @param required options a factory requires: an error about a missing one names it */
  constructor(public readonly text: string, public readonly make: (scope: Construct) => unknown, public readonly required: string[] = []) {}
  public toString(): string {
    return this.text;
  }
}
const d = (text: string, make: (scope: Construct) => unknown, required: string[] = []): Deferred => new Deferred(text, make, required);

const worst = (tags: Tag[]): Tag => (tags.includes('bad') ? 'bad' : tags.includes('either') ? 'either' : 'ok');

/** One of some valid, some boundary and some bad values. */
function pick(ok: unknown[], either: unknown[], bad: unknown[]): Gen {
  // Mostly valid values, so that combinations of many props often get as far as rendering.
  const arbs: Array<{ arbitrary: Gen; weight: number }> = [];
  if (ok.length) arbs.push({ arbitrary: fc.constantFrom(...ok).map(v => [v, 'ok'] as [unknown, Tag]), weight: 12 });
  if (either.length) arbs.push({ arbitrary: fc.constantFrom(...either).map(v => [v, 'either'] as [unknown, Tag]), weight: 3 });
  if (bad.length) arbs.push({ arbitrary: fc.constantFrom(...bad).map(v => [v, 'bad'] as [unknown, Tag]), weight: ok.length ? 1 : 12 });
  return fc.oneof(...arbs);
}

/** A props object: each key optional, plus maybe a misspelt or unknown key, or a wrong type for the whole struct. */
function struct(fields: Record<string, Gen>, options: { required?: string[]; unknown?: string[]; wholeBad?: unknown[] } = {}): Gen {
  const keys = Object.keys(fields);
  const required = options.required ?? [];
  const rec = fc.record(Object.fromEntries(keys.map(k => [k, fields[k]])), { requiredKeys: required });
  const withExtras = fc.tuple(rec, fc.oneof({ arbitrary: fc.constant(null), weight: 15 }, { arbitrary: fc.constantFrom(...(options.unknown ?? ['foo'])), weight: 1 }), fc.integer({ min: 0, max: 9 }))
    .map(([r, unknown, dropRequired]) => {
      const value: Record<string, unknown> = {};
      const tags: Tag[] = [];
      for (const [k, [v, t]] of Object.entries(r as Record<string, [unknown, Tag]>)) {
        // Required props are mostly present; one run in ten leaves the first out.
        if (dropRequired === 0 && k === required[0]) {
          tags.push('bad');
          continue;
        }
        value[k] = v;
        tags.push(t);
      }
      if (unknown !== null) {
        value[unknown] = 1;
        tags.push('bad');
      }
      return [value, worst(tags)] as [unknown, Tag];
    });
  return options.wholeBad?.length ? fc.oneof({ arbitrary: withExtras, weight: 8 }, pick([], [], options.wholeBad)) : withExtras;
}

/** Maybe present, maybe a wrong type, inside a struct. */
const date = new Date(0);
const wrongString = [42, true, date, [], {}, ['x']];
const wrongNumber = ['31500', true, date, [], {}, NaN, Infinity];
const wrongBoolean = ['false', 'true', 0, 1, {}, []];
const long = (n: number): string => 'a'.repeat(n);

const bool = pick([true, false], [null], wrongBoolean);
const objectName = pick(['hub', 'r2', 'my-registry'], [long(40), long(52), long(62), long(63), null], [long(64), 'Hub', 'a.b', 'hub-', '', '1hub', 'a_b', ...wrongString]);
const namespace = pick(['registry', 'ns-1', long(63)], [null, 'kube-system'], ['Registry', 'a.b', long(64), '', '-a', ...wrongString]);
const image = pick(['registry:3.1.2', `ghcr.io/acme/registry:3@sha256:${'a'.repeat(64)}`, 'localhost:5000/mirror/nginx:1'], [null], ['', 'Registry:latest', 'a b', ...wrongString]);
const replicas = pick([1, 2], [null], [0, -1, 1.5, '2', ...wrongNumber]);
const port = pick([80, 5000, 65535, 8443], [1, null], [0, 65536, -1, 1.5, '5000', ...wrongNumber]);
const nodePort = pick([30000, 31501, 32767], [null, 31000], [29999, 32768, 0, 65536, 31500.5, ...wrongNumber]);
const secretKey = pick(
  [d('SecretKey.fromSecret("http", "secret")', () => SecretKey.fromSecret('http', 'secret')), d('SecretKey.fromSecret("a.b", "k_1.x")', () => SecretKey.fromSecret('a.b', 'k_1.x'))],
  [],
  [d('SecretKey.fromSecret("Http", "s")', () => SecretKey.fromSecret('Http', 's')), d('SecretKey.fromSecret("a", "b c")', () => SecretKey.fromSecret('a', 'b c')),
    d('SecretKey.fromSecret("", "")', () => SecretKey.fromSecret('', '')), 'abc', { secretName: 'a', key: 'b' }, 5],
);
const labels = pick(
  [{ team: 'infra' }, { 'example.com/team': 'a' }, { k: '' }, { k: long(63) }, { [`${long(63)}.com/${long(63)}`]: 'x' }],
  [{}, null],
  [{ [long(64)]: 'x' }, { k: long(64) }, { k: '[fd00::5]' }, { k: 5 }, { 'Example.com/a': 'x' }, { 'a b': 'x' }, { k: 'a-' }, 'team=infra', ['x']],
);
const annotations = pick(
  [{ 'example.com/a': 'x y z' }, { a: '' }, { a: 'x'.repeat(1000) }],
  [{}, null],
  [{ a: 5 }, { a: true }, { a: null }, { 'a b': 'x' }, { '/a': 'x' }, { a: 'x'.repeat(300 * 1024) }, 'a=b', ['a']],
);
const tolerations = pick(
  [[{ key: 'dedicated', value: 'registry', effect: TaintEffect.NO_SCHEDULE }], [{ operator: TolerationOperator.EXISTS }], [{ key: 'k', operator: TolerationOperator.EXISTS }]],
  [[], null],
  [[{ key: 'k', operator: TolerationOperator.EXISTS, value: 'v' }], [{ key: 'a b' }], [{ key: 'k', operator: 'exists' }], [{ key: 'k', effect: 'NoSchedul' }],
    { key: 'k' }, [{ value: 'v' }], [{ key: 'k', value: 'a b' }], ['k']],
);
const quantityCpu = pick(['100m', '0.5', '1', '2'], [null], ['1 core', 'abc', '', '-1', 100, ...wrongString]);
const quantityMem = pick(['128Mi', '5e8', '1Gi', '2Gi', '1.5Gi'], [null], ['1GB', '1 Gi', '', '-1Gi', 1024, ...wrongString]);
const duration = pick(['24h', '90m', '1h30m'], [null], ['1d', '24', '', ...wrongString]);
const cron = pick(['0 3 * * 0', '@weekly', '*/30 2-4 * * MON-FRI', '0 0 1,15 * *'], [null], ['0 3 * * 7', '0 0 3 * * 0', '60 * * * *', 'daily', '', 'TZ=UTC 0 3 * * 0', ...wrongString]);
const dnsRef = pick(['tls', 'registry.tls', 'nginx'], [null], ['TLS', 'a_b', '', long(254), ...wrongString]);
const url = pick(['https://registry-1.docker.io', 'http://mirror.internal:5000'], [], ['registry-1.docker.io', 'ftp://x', 'https://x/path', '', ...wrongString]);
const hostPortPair = pick(['localhost:5000', 'registry.example.com', '10.0.0.5:31500'], [null], ['http://x', 'a b', 'x:', ...wrongString]);

const storage = pick(
  [d('RegistryStorage.emptyDir()', () => RegistryStorage.emptyDir()), d('RegistryStorage.persistentVolume()', () => RegistryStorage.persistentVolume()),
    d('RegistryStorage.persistentVolume({ size: "5e9" })', () => RegistryStorage.persistentVolume({ size: '5e9' })),
    d('RegistryStorage.persistentVolume({ size: "1.5Gi", storageClassName: "fast.ssd" })', () => RegistryStorage.persistentVolume({ size: '1.5Gi', storageClassName: 'fast.ssd' })),
    d('RegistryStorage.persistentVolume({ storageClassName: "" })', () => RegistryStorage.persistentVolume({ storageClassName: '' })),
    d('RegistryStorage.existingClaim("data")', () => RegistryStorage.existingClaim('data')),
    d('RegistryStorage.emptyDir({ sizeLimit: "1Gi" })', () => RegistryStorage.emptyDir({ sizeLimit: '1Gi' })),
    d('RegistryStorage.s3({ bucket: "images", region: "us-east-1" })', () => RegistryStorage.s3({ bucket: 'images', region: 'us-east-1' }))],
  [null],
  [d('RegistryStorage.persistentVolume({ size: "0" })', () => RegistryStorage.persistentVolume({ size: '0' })),
    d('RegistryStorage.persistentVolume({ size: "10GB" })', () => RegistryStorage.persistentVolume({ size: '10GB' })),
    d('RegistryStorage.persistentVolume({ storageClassName: "Fast" })', () => RegistryStorage.persistentVolume({ storageClassName: 'Fast' })),
    d('RegistryStorage.persistentVolume({ accessMode: "rwx" })', () => RegistryStorage.persistentVolume({ accessMode: 'rwx' as VolumeAccessMode })),
    d('RegistryStorage.existingClaim("Data")', () => RegistryStorage.existingClaim('Data')),
    d('RegistryStorage.emptyDir({ sizeLimit: "-1" })', () => RegistryStorage.emptyDir({ sizeLimit: '-1' })),
    d('RegistryStorage.s3({ bucket: "", region: "us-east-1" })', () => RegistryStorage.s3({ bucket: '', region: 'us-east-1' })),
    d('RegistryStorage.s3({})', () => RegistryStorage.s3({} as any), ['bucket', 'region']),
    'emptyDir', {}, { size: '10Gi' }],
);
const auth = pick(
  [d('RegistryAuth.htpasswd({ secret: SecretKey.fromSecret("users", "htpasswd") })', () => RegistryAuth.htpasswd({ secret: SecretKey.fromSecret('users', 'htpasswd') }))],
  [null],
  [d('RegistryAuth.htpasswd({ secret: "x" })', () => RegistryAuth.htpasswd({ secret: 'x' as any })),
    d('RegistryAuth.htpasswd({ secret: SecretKey.fromSecret("users", "htpasswd"), realm: "a\\"b" })', () => RegistryAuth.htpasswd({ secret: SecretKey.fromSecret('users', 'htpasswd'), realm: 'a"b' })),
    'basic', {}],
);
const cache = pick(
  [d('RegistryCache.inMemory()', () => RegistryCache.inMemory()), d('RegistryCache.none()', () => RegistryCache.none()),
    d('RegistryCache.redis({ address: "redis.cache.svc:6379" })', () => RegistryCache.redis({ address: 'redis.cache.svc:6379' }))],
  [null],
  [d('RegistryCache.redis({ address: "redis" })', () => RegistryCache.redis({ address: 'redis' })),
    d('RegistryCache.redis({ address: "redis:99999" })', () => RegistryCache.redis({ address: 'redis:99999' })),
    d('RegistryCache.redis({ address: "r:6379", db: 16 })', () => RegistryCache.redis({ address: 'r:6379', db: 16 })),
    'redis', {}],
);
const tls = pick(
  [d('RegistryTls.fromSecret("registry-tls")', () => RegistryTls.fromSecret('registry-tls'))],
  [null],
  [d('RegistryTls.fromSecret("TLS")', () => RegistryTls.fromSecret('TLS')), 'registry-tls', {}],
);

const registryFields: Record<string, Gen> = {
  name: objectName,
  namespace,
  image,
  replicas,
  storage,
  serviceType: pick([RegistryServiceType.NODE_PORT, RegistryServiceType.CLUSTER_IP], [null], ['nodeport', 'LoadBalancer', 5]),
  nodePort,
  port,
  httpSecret: secretKey,
  auth,
  deletion: bool,
  garbageCollection: struct({ schedule: cron, deleteUntagged: bool, kubectlImage: image }, { unknown: ['scheduel'], wholeBad: ['weekly', true] }),
  cache,
  pullThrough: struct({ remoteUrl: url, username: secretKey, password: secretKey }, { required: ['remoteUrl'], unknown: ['remoteURL'], wholeBad: ['https://registry-1.docker.io'] }),
  metrics: struct({ port: pick([5001, 9090], [5000], [0, 65536, '5001', ...wrongNumber]), serviceMonitor: bool }, { unknown: ['servicemonitor'], wholeBad: [true] }),
  autoscaling: struct({
    minReplicas: pick([1, 2], [], [0, -1, '2', 1.5]),
    maxReplicas: pick([3, 10], [1], [0, '3', 2.5]),
    cpuUtilization: pick([50, 150], [null], [0, -5, '75', 1.5]),
  }, { required: ['minReplicas', 'maxReplicas'], unknown: ['min'], wholeBad: [3] }),
  ingress: struct({
    host: pick(['registry.example.com', 'r.example.com'], ['*.example.com'], ['10.0.0.5', 'https://r.example.com', `${long(63)}.${long(63)}.${long(63)}.${long(62)}`, 'Registry.example.com', '', 'a.*.com', ...wrongString]),
    className: dnsRef,
    tlsSecretName: dnsRef,
    annotations,
  }, { required: ['host'], unknown: ['hostname'], wholeBad: ['registry.example.com'] }),
  tls,
  resources: struct({ cpuRequest: quantityCpu, cpuLimit: quantityCpu, memoryRequest: quantityMem, memoryLimit: quantityMem }, { unknown: ['cpu'], wholeBad: ['1Gi'] }),
  pod: struct({
    nodeSelector: labels,
    tolerations,
    spreadAcrossNodes: bool,
    priorityClassName: pick(['high', 'system-cluster-critical'], [null], ['High', 'a_b', ...wrongString]),
    annotations,
    labels,
    imagePullSecrets: pick([['pull'], []], [null], [['Pull'], 'pull', [5]]),
    env: pick([{ REGISTRY_LOG_LEVEL: 'debug' }, {}], [null], [{ '1X': 'a' }, { X: 5 }, { 'A=B': 'x' }, { REGISTRY_HTTP_ADDR: ':6000' }, ['X=1']]),
  }, { unknown: ['nodeselector'], wholeBad: ['linux'] }),
  helmRelease: pick(['hub', 'my-release'], [long(50), null], ['Hub', '', ...wrongString]),
  version: pick([RegistryVersion.V2, RegistryVersion.V3], [null], ['v9', 3, '2.8', 'V3']),
  networkPolicy: struct({
    allowNamespaces: pick([['builds'], []], [null], ['builds', ['Builds'], [long(64)], [5]]),
    allowCidrs: pick([['10.0.0.0/8'], ['fd00::/8'], []], [null], [['10.0.0.0/33'], ['256.1.1.1/32'], '10.0.0.0/8', ['10.0.0.0']]),
  }, { unknown: ['allowNamespace'], wholeBad: [true] }),
  catalogMaxEntries: pick([1, 1000], [null], [0, -1, 1.5, '1000']),
  uploadPurging: struct({ age: duration, interval: duration }, { unknown: ['maxAge'], wholeBad: ['24h'] }),
  serviceAnnotations: annotations,
};
const REGISTRY_UNKNOWN = ['nodeport', 'namepsace', 'replica', 'storageClass', 'Name'];
const registryProps = struct(registryFields, { unknown: REGISTRY_UNKNOWN });

/** The registry a proxy, UI or discovery ConfigMap points at. */
const registryRef = pick(
  [d('new Registry(chart, "hub")', scope => new Registry(scope, 'hub')), d('Registry.fromUrl("http://hub.registry.svc:5000")', () => Registry.fromUrl('http://hub.registry.svc:5000'))],
  [d('Registry.fromUrl("http://[fd00::5]:5000")', () => Registry.fromUrl('http://[fd00::5]:5000')),
    d('Registry.fromUrl("https://registry.example.com", { deletion: true })', () => Registry.fromUrl('https://registry.example.com', { deletion: true }))],
  ['http://hub:5000', {}, { host: 'hub', port: 5000 }, d('Registry.fromUrl("hub:5000")', () => Registry.fromUrl('hub:5000')),
    d('Registry.fromUrl("http://hub:5000/v2")', () => Registry.fromUrl('http://hub:5000/v2'))],
);

const proxyFields: Record<string, Gen> = {
  name: objectName,
  namespace,
  hostPort: pick([5000, 1024, 65535], [1, null], [0, 65536, '5000', ...wrongNumber]),
  hostIP: pick(['127.0.0.1', '0.0.0.0'], ['::1', null], ['256.0.0.1', 'localhost', '', ...wrongString]),
  image,
  tolerateAllTaints: bool,
  drainSeconds: pick([30, 600], [0, null], [-1, '600', 1.5, ...wrongNumber]),
  helmRelease: pick(['hub'], [null], ['Hub', ...wrongString]),
};
const uiFields: Record<string, Gen> = {
  name: objectName,
  deploymentName: objectName,
  selectorLabels: labels,
  namespace,
  image,
  nodePort,
  title: pick(['My registry', 'Registry (prod)'], [null], ['a & b', 'x\ny', 'a~b', ...wrongString]),
  pullHost: hostPortPair,
  replicas,
  connection: pick(
    [d('RegistryUIConnection.proxy()', () => RegistryUIConnection.proxy())],
    [null, d('RegistryUIConnection.direct({ browserUrl: "http://10.0.0.5:31500", uiOrigin: "http://10.0.0.5:31000" })',
      () => RegistryUIConnection.direct({ browserUrl: 'http://10.0.0.5:31500', uiOrigin: 'http://10.0.0.5:31000' }))],
    [d('RegistryUIConnection.direct({ browserUrl: "x", uiOrigin: "y" })', () => RegistryUIConnection.direct({ browserUrl: 'x', uiOrigin: 'y' })),
      d('RegistryUIConnection.direct({ browserUrl: "http://a:1", uiOrigin: "http://b:2/ui" })', () => RegistryUIConnection.direct({ browserUrl: 'http://a:1', uiOrigin: 'http://b:2/ui' })),
      'proxy', {}],
  ),
  deleteImages: bool,
  catalogBranches: pick([{ min: 1, max: 1 }, { min: 1, max: 2 }], [null, { min: 0, max: 1 }], [{ min: 2, max: 1 }, { min: '1', max: 2 }, { min: 1 }, 2]),
  taglistOrder: pick(['num-desc;alpha-asc', 'asc'], [null], ['random', '', ...wrongString]),
  catalogElementsLimit: pick([10, 1000], [1001, null], [0, -1, '10', 1.5]),
  showContentDigest: bool,
};

interface Case {
  readonly construct: string;
  /** Props as generated; Deferred values are built in `build`. */
  readonly props: [unknown, Tag];
  /** Required props: an error about a missing one names it although it is not among the given keys. */
  readonly required: string[];
  readonly build: (chart: Chart, props: any) => void;
  /** Other constructs of the app, made first (for clashes across the app). */
  readonly setup?: (chart: Chart) => void;
}

/** Replaces Deferred values (deeply, in plain objects and arrays) by what they make. */
function resolve(value: unknown, scope: Construct): unknown {
  if (value instanceof Deferred) return value.make(scope);
  if (Array.isArray(value)) return value.map(v => resolve(v, scope));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, scope)]));
  }
  return value;
}

/** Props as a reader writes them: factories by their source, long strings abbreviated. */
function show(value: unknown): string {
  if (value instanceof Deferred) return value.text;
  if (value instanceof Date) return 'new Date(0)';
  if (typeof value === 'string') return value.length > 70 ? `'${value.slice(0, 8)}…' (${value.length} chars)` : JSON.stringify(value);
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (value && typeof value === 'object') {
    return `{ ${Object.entries(value).map(([k, v]) => `${k.length > 70 ? show(k) : /^[A-Za-z_]\w*$/.test(k) ? k : JSON.stringify(k)}: ${show(v)}`).join(', ')} }`;
  }
  return String(value);
}

/** Every key and dotted path of plain objects in the props: what an error may name. */
function propNames(value: unknown, prefix = ''): string[] {
  // A factory's options are props too: `RegistryStorage.s3({ bucket: "" })` may be reported as `bucket`.
  if (value instanceof Deferred) return [...value.required, ...[...value.text.matchAll(/(\w+):/g)].map(m => m[1])];
  if (!value || typeof value !== 'object' || Array.isArray(value) || value instanceof Deferred || value instanceof Date) return [];
  return Object.entries(value).flatMap(([k, v]) => [k, `${prefix}${k}`, ...propNames(v, `${prefix}${k}.`)]);
}

const CONSTRUCTS = ['Registry', 'RegistryProxyDaemonSet', 'RegistryUI', 'PrivateRegistry', 'RegistryNamespace', 'LocalRegistryHosting'];
// Factories run before any construct exists, so their errors name the factory instead: `Registry.fromUrl: ...`.
const FACTORIES = ['Registry', 'RegistryStorage', 'RegistryAuth', 'RegistryCache', 'RegistryTls', 'RegistryUIConnection', 'SecretKey'];
const CLEAR_START = new RegExp(`^(?:(?:${CONSTRUCTS.join('|')}) at "test/[^"]*"|(?:${FACTORIES.join('|')})\\.[a-zA-Z0-9]+\\b)`);
const CLEAR_ANYWHERE = new RegExp(`(?:${CONSTRUCTS.join('|')}) at "test/`);
const VALIDATION_PREFIX = 'Validation failed with the following errors:\n  ';

/** Why an error is not a clear one, or undefined when it is. */
function unclear(e: unknown, names: string[]): string | undefined {
  if (!(e instanceof Error) || e.constructor !== Error) {
    return `raw ${(e as any)?.constructor?.name ?? typeof e}: ${String((e as any)?.message ?? e).split('\n')[0]}`;
  }
  // App-wide validations (node.addValidation) reach the user through cdk8s's own wrapper, `[path] message`, and
  // name the constructs involved anywhere in the message.
  if (e.message.startsWith(VALIDATION_PREFIX)) {
    for (const m of e.message.slice(VALIDATION_PREFIX.length).split('\n  ').map(l => l.replace(/^\[[^\]]*\] /, ''))) {
      if (!CLEAR_ANYWHERE.test(m)) return `app-wide error naming no construct: ${m.split('\n')[0]}`;
    }
  } else if (!CLEAR_START.test(e.message)) {
    return `error not starting with '<Construct> at "<path>"': ${e.message.split('\n')[0]}`;
  }
  if (e.message.startsWith('Registry.fromUrl')) names = [...names, 'url'];
  if (e.message.startsWith('SecretKey.fromSecret')) names = [...names, 'secretName', 'key'];
  const named = names.some(n => new RegExp(`(^|[^A-Za-z0-9_])${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^A-Za-z0-9_]|$)`).test(e.message));
  if (!named) return `error names no prop: ${e.message.split('\n').slice(0, 3).join(' / ')}`;
  return undefined;
}

/** How many cases rendered (rather than threw): the survey reports it, so that coverage of rendering is visible. */
let rendered = 0;

/** The verdict on one generated case: undefined when the property holds, else what went wrong. */
function verdict(c: Case, alone = false): string | undefined {
  const [props, tag] = c.props;
  const app = Testing.app();
  // A valid first chart: a failure in the second must not leave its file behind.
  new RegistryNamespace(new Chart(app, 'first'), 'ns', { name: 'zz-first' });
  const chart = new Chart(app, 'test', { namespace: 'registry' });
  let error: unknown;
  let phase = 'construct';
  let objects: any[] = [];
  try {
    c.setup?.(chart);
    c.build(chart, resolve(props, chart));
    phase = 'synth';
    app.synthYaml();
    objects = synthApp(app);
  } catch (e) {
    error = e;
  }
  try {
    if (error !== undefined) {
      // An error at synth time (validation or rendering): `app.synth()` must fail before writing any file.
      if (phase === 'synth') {
        try {
          app.synth();
        } catch {
          // expected: the point is what it left behind
        }
        const written = fs.readdirSync(app.outdir).filter(f => f.endsWith('.k8s.yaml'));
        if (written.length) return `partial output: ${written.join(', ')} written by a failing app.synth(): ${String((error as any)?.message).split('\n')[0]}`;
      }
      const why = unclear(error, [...propNames(props), ...c.required]);
      if (why) return why;
      if (alone && tag === 'ok') return `valid input refused: ${(error as Error).message.split('\n')[0]}`;
      return undefined;
    }
    rendered++;
    if (tag === 'bad') return 'accepted silently';
    const problems = [...schemaProblems(objects), ...apiServerProblems(objects)];
    if (problems.length) return `invalid objects: ${problems.slice(0, 3).join('; ')}`;
    return undefined;
  } finally {
    fs.rmSync(app.outdir, { recursive: true, force: true });
  }
}

interface ConstructSpec {
  readonly fields: Record<string, Gen>;
  readonly required: string[];
  readonly unknown: string[];
  /** Props every single-prop case starts from (the required ones). */
  readonly base: Record<string, unknown>;
  /** Props whose valid values may still be refused alone, with a clear error (replicas > 1 on the default emptyDir). */
  readonly conflictAlone: string[];
  readonly build: Case['build'];
}

// Named apart from every generated name, so that a single valid prop never clashes with it.
const localRegistry = d('new Registry(chart, "base")', scope => new Registry(scope, 'base'));
const specs: Record<string, ConstructSpec> = {
  Registry: {
    fields: registryFields, required: [], unknown: REGISTRY_UNKNOWN, base: {},
    conflictAlone: ['replicas', 'autoscaling', 'garbageCollection', 'resources', 'metrics', 'pullThrough', 'helmRelease'],
    build: (chart, props) => new Registry(chart, 'hub', props),
  },
  RegistryProxyDaemonSet: {
    fields: { ...proxyFields, registry: registryRef }, required: ['registry'], unknown: ['hostport', 'registryUrl'], base: { registry: localRegistry },
    conflictAlone: [], build: (chart, props) => new RegistryProxyDaemonSet(chart, 'proxy', props),
  },
  RegistryUI: {
    fields: { ...uiFields, registry: registryRef }, required: ['registry'], unknown: ['nodeport', 'deleteImage'], base: { registry: localRegistry },
    conflictAlone: ['replicas'], build: (chart, props) => new RegistryUI(chart, 'ui', props),
  },
  PrivateRegistry: {
    fields: {
      namespace,
      registry: registryProps,
      proxy: struct(proxyFields, { unknown: ['hostport'], wholeBad: [true, 'proxy'] }),
      proxyEnabled: bool,
      ui: struct(uiFields, { unknown: ['nodeport'], wholeBad: [false, 'ui'] }),
      uiEnabled: bool,
      discovery: struct({ host: hostPortPair, help: pick(['https://example.com/help'], [null], ['example.com', 'ftp://x', 5]) }, { unknown: ['url'], wholeBad: [true] }),
      discoveryEnabled: bool,
      createNamespace: bool,
    },
    required: [], unknown: ['proxyEnable', 'ui_enabled', 'nodePort'], base: {}, conflictAlone: ['registry', 'proxy', 'ui'],
    build: (chart, props) => new PrivateRegistry(chart, 'hub', props),
  },
  RegistryNamespace: {
    fields: {
      name: pick(['registry', long(63), 'a'], [], ['default', 'kube-system', 'Reg', long(64), 'a.b', '', ...wrongString]),
      podSecurity: pick([PodSecurityLevel.PRIVILEGED, PodSecurityLevel.RESTRICTED, PodSecurityLevel.BASELINE], [null], ['Privileged', 'none', 1]),
    },
    required: ['name'], unknown: ['namespace', 'podsecurity'], base: { name: 'registry' }, conflictAlone: [],
    build: (chart, props) => new RegistryNamespace(chart, 'ns', props),
  },
  LocalRegistryHosting: {
    fields: {
      registry: registryRef,
      proxy: pick([d('new RegistryProxyDaemonSet(chart, "proxy", { registry: Registry.fromUrl("http://hub:5000") })',
        scope => new RegistryProxyDaemonSet(scope, 'proxy', { registry: Registry.fromUrl('http://hub:5000') }))], [null], [{}, 'proxy', true]),
      host: hostPortPair,
      help: pick(['https://example.com/help'], [null], ['example.com', 'ftp://x', 5]),
    },
    required: ['registry'], unknown: ['hostFromContainerRuntime', 'url'], base: { registry: localRegistry }, conflictAlone: [],
    build: (chart, props) => new LocalRegistryHosting(chart, 'discovery', props),
  },
};

const s3 = d('RegistryStorage.s3({ bucket: "images", region: "us-east-1" })', () => RegistryStorage.s3({ bucket: 'images', region: 'us-east-1' }));
const v6 = d('Registry.fromUrl("http://[fd00::5]:5000")', () => Registry.fromUrl('http://[fd00::5]:5000'));
const httpSecret = d('SecretKey.fromSecret("http", "secret")', () => SecretKey.fromSecret('http', 'secret'));

/** Valid props near the edges that must be accepted and render objects the API server accepts (issue 11's list). */
const VALID: Record<string, Array<Record<string, unknown>>> = {
  Registry: [
    { storage: d('RegistryStorage.persistentVolume({ size: "5e9" })', () => RegistryStorage.persistentVolume({ size: '5e9' })) },
    { storage: d('RegistryStorage.persistentVolume({ size: "1.5Gi", storageClassName: "" })', () => RegistryStorage.persistentVolume({ size: '1.5Gi', storageClassName: '' })) },
    { name: long(63) },
    { storage: s3, httpSecret, autoscaling: { minReplicas: 2, maxReplicas: 4, cpuUtilization: 150 } },
    { storage: s3, httpSecret, replicas: 3 },
    { deletion: true, garbageCollection: { schedule: '@weekly' }, storage: d('RegistryStorage.persistentVolume()', () => RegistryStorage.persistentVolume()) },
    { deletion: true, garbageCollection: { schedule: '*/30 2-4 1,15 JAN-JUN MON-FRI' }, storage: s3 },
    { resources: { cpuRequest: '0.5', cpuLimit: '1', memoryRequest: '5e8', memoryLimit: '1Gi' } },
    { pod: { tolerations: [{ operator: TolerationOperator.EXISTS }], nodeSelector: { 'kubernetes.io/os': 'linux' }, labels: { 'example.com/team': '' } } },
    { serviceAnnotations: { 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true', 'example.com/note': 'a long, free text value: with anything!' } },
    { networkPolicy: { allowCidrs: ['fd00::/8', '0.0.0.0/0', '10.1.2.3/32'], allowNamespaces: [long(63)] } },
    { ingress: { host: 'registry.example.com', className: 'nginx.internal', tlsSecretName: 'registry.tls' } },
    { serviceType: RegistryServiceType.CLUSTER_IP, version: RegistryVersion.V2 },
    { nodePort: 30000, port: 65535 },
    { metrics: { port: 65535, serviceMonitor: true }, uploadPurging: { age: '1h30m', interval: '90m' } },
  ],
  RegistryProxyDaemonSet: [
    { registry: v6 },
    { registry: d('Registry.fromUrl("https://registry.example.com")', () => Registry.fromUrl('https://registry.example.com')) },
    { registry: localRegistry, name: long(63), hostPort: 65535, hostIP: '0.0.0.0', drainSeconds: 0 },
  ],
  RegistryUI: [
    { registry: v6 },
    { registry: localRegistry, name: long(63), deploymentName: long(63) },
    { registry: localRegistry, nodePort: 32767, pullHost: '10.0.0.5:31500', catalogElementsLimit: 1000 },
  ],
  PrivateRegistry: [
    // The longest name whose `<name>-proxy` still fits a label value.
    { registry: { name: long(57) } },
    { namespace: 'kube-system' },
    { namespace: long(63) },
    { proxyEnabled: false, uiEnabled: false, discovery: { host: 'registry.example.com', help: 'https://example.com/help' } },
  ],
  RegistryNamespace: [{ name: long(63) }, { name: 'a' }, { name: 'registry', podSecurity: PodSecurityLevel.BASELINE }],
  LocalRegistryHosting: [{ registry: v6 }, { registry: localRegistry, host: '10.0.0.5:31500' }],
};

const pv = d('RegistryStorage.persistentVolume()', () => RegistryStorage.persistentVolume());
const accountKey = SecretKey.fromSecret('azure', 'key');

/** Bad input near the edges that must be refused with a clear error (issue 11's list), with what the app holds besides. */
const BAD: Record<string, Array<{ props: Record<string, unknown>; setup?: (chart: Chart) => void; with?: string }>> = {
  Registry: [
    { props: { storage: d('RegistryStorage.s3({ bucket: "images", region: "mars-1" })', () => RegistryStorage.s3({ bucket: 'images', region: 'mars-1' })) } },
    { props: { storage: d('RegistryStorage.s3({ bucket: "images", region: "" })', () => RegistryStorage.s3({ bucket: 'images', region: '' })) } },
    { props: { storage: d('RegistryStorage.azure({ ..., realm: "https://core.windows.net" })', () => RegistryStorage.azure({ accountName: 'acct', accountKey, container: 'images', realm: 'https://core.windows.net' })) } },
    { props: { deletion: true, storage: pv, garbageCollection: { schedule: '0 3 * * 7' } } },
    { props: { deletion: true, storage: pv, garbageCollection: { schedule: '0 3 * * SUN-MON-TUE' } } },
    { props: { pod: { env: { REGISTRY_HTTP_ADDR: ':6000' } } } },
    { props: { pod: { env: { REGISTRY_STORAGE: 's3' } } } },
    { props: { pullThrough: { remoteUrl: 'https://registry-1.docker.io:0' } } },
    { props: { name: long(63), metrics: {} } },
    { props: { ingress: { host: 'registry.example.com:443' } } },
    { props: { ingress: { host: '*' } } },
    { props: { networkPolicy: { allowCidrs: ['10.0.0.0/8/8'] } } },
    { props: { name: 'hub', metrics: {} }, setup: chart => new Registry(chart, 'other', { name: 'hub-metrics', nodePort: 31501 }), with: 'Registry "hub-metrics"' },
    { props: { ingress: { host: 'registry.example.com' } }, with: 'a Registry with the same Ingress host',
      setup: chart => new Registry(chart, 'other', { name: 'other', nodePort: 31501, ingress: { host: 'registry.example.com' } }) },
    { props: { nodePort: 31000 }, setup: chart => new Registry(chart, 'other', { name: 'other', nodePort: 31000 }), with: 'a Registry on nodePort 31000' },
  ],
  RegistryProxyDaemonSet: [
    { props: { registry: d('Registry.fromUrl("http://hub:0")', () => Registry.fromUrl('http://hub:0')) } },
    { props: { registry: d('Registry.fromUrl("http://hub:5000?x=1")', () => Registry.fromUrl('http://hub:5000?x=1')) } },
    { props: { registry: localRegistry, hostPort: 5000 }, with: 'a proxy on hostPort 5000',
      setup: chart => new RegistryProxyDaemonSet(chart, 'other', { name: 'other', registry: Registry.fromUrl('http://hub:5000') }) },
  ],
  RegistryUI: [
    { props: { registry: d('a Registry of another app', () => new Registry(new Chart(Testing.app(), 'elsewhere'), 'far')) } },
    { props: { registry: localRegistry, connection: d('RegistryUIConnection.direct({ browserUrl: "http://a:31500", uiOrigin: "http://b:31000/ui" })',
      () => RegistryUIConnection.direct({ browserUrl: 'http://a:31500', uiOrigin: 'http://b:31000/ui' })) } },
    { props: { registry: localRegistry, nodePort: 31500 } },
    { props: { registry: localRegistry, pullHost: 'registry.example.com:99999' } },
  ],
  PrivateRegistry: [
    { props: { registry: { name: long(61) } } },
    { props: { namespace: 'kube-system', createNamespace: true } },
  ],
  RegistryNamespace: [{ props: { name: 'kube-public' } }, { props: { name: long(64) } }],
  LocalRegistryHosting: [
    { props: { registry: localRegistry, help: 'https://example.com/ help' } },
    { props: { registry: localRegistry, host: 'localhost:0' } },
  ],
};

/** Random combinations of props. */
// A few props at a time (with the required ones): with all thirty, some conflict (replicas on emptyDir) nearly always,
// and nothing would get as far as rendering.
const combined = (s: ConstructSpec): Gen => {
  const optional = Object.keys(s.fields).filter(k => !s.required.includes(k));
  return fc.shuffledSubarray(optional, { minLength: Math.min(2, optional.length), maxLength: Math.min(6, optional.length) })
    .chain(keys => struct(Object.fromEntries([...s.required, ...keys].map(k => [k, s.fields[k]])), { required: s.required, unknown: s.unknown }));
};

/**
 * One prop at a time on top of the required ones: a valid value alone must be accepted (no valid input refused),
 * a bad one refused; plus an unknown key alone, and each required prop left out.
 */
const single = (s: ConstructSpec): Gen => fc.oneof(
  ...Object.entries(s.fields).map(([k, gen]) => gen.map(([v, t]): [unknown, Tag] =>
    [{ ...s.base, [k]: v }, t === 'ok' && s.conflictAlone.includes(k) ? 'either' : t])),
  fc.constantFrom(...s.unknown).map((k): [unknown, Tag] => [{ ...s.base, [k]: 1 }, 'bad']),
  ...s.required.map(k => fc.constant<[unknown, Tag]>([Object.fromEntries(Object.entries(s.base).filter(([b]) => b !== k)), 'bad'])),
);

describe.each(Object.entries(specs))('%s', (construct, spec) => {
  const toCase = (props: [unknown, Tag]): Case => ({ construct, props, required: spec.required, build: spec.build });
  const modes: Array<[string, Gen]> = [['combined', combined(spec)], ['single', single(spec)]];

  if (SURVEY) {
    test.each(modes)('survey of every distinct failure (%s props)', (mode, arbitrary) => {
      const found = new Map<string, { count: number; props: string }>();
      rendered = 0;
      for (const props of fc.sample(arbitrary, { numRuns: Number(process.env.PROPERTY_SURVEY_RUNS ?? 2000), seed: SEED })) {
        const v = verdict(toCase(props), mode === 'single');
        if (!v) continue;
        // Group by the kind of failure and its first words, so that one rule is one line.
        const key = v.replace(/"[^"]*"|\d+/g, '…').slice(0, 110);
        const seen = found.get(key);
        const text = show(props[0]);
        if (!seen) found.set(key, { count: 1, props: text });
        else {
          seen.count++;
          if (text.length < seen.props.length) seen.props = text;
        }
      }
      const report = [...found.entries()].sort((a, b) => b[1].count - a[1].count)
        .map(([k, { count, props }]) => `${count}× ${k}\n    e.g. ${props}`).join('\n');
      console.log(`${construct} (${mode}): ${rendered} cases rendered, ${found.size} kinds of failure\n${report}`);
    });
    return;
  }

  test.each(VALID[construct].map(p => [show(p), p]))('accepts the valid %s', (_text, props) => {
    expect(verdict(toCase([props, 'ok']), true)).toBeUndefined();
  });

  test.each(BAD[construct].map(b => [`${show(b.props)}${b.with ? ` with ${b.with}` : ''}`, b]))('refuses %s', (_text, b) => {
    expect(verdict({ ...toCase([b.props, 'bad']), setup: b.setup })).toBeUndefined();
  });

  test.each(modes)('%s props: one clear error naming a prop, or objects the API server accepts; bad props refused, valid alone accepted', (mode, arbitrary) => {
    fc.assert(fc.property(arbitrary, props => {
      const v = verdict(toCase(props), mode === 'single');
      if (v) throw new Error(`${construct}(${show(props[0])}) [${props[1]}]: ${v}`);
    }), { seed: SEED, numRuns: RUNS });
  });
});
