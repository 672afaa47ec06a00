import { Chart, Testing } from 'cdk8s';

import { PrivateRegistry, RegistryAuth, RegistryStorage, SecretKey } from '../lib';
import {
  apiServerProblems, cidrProblem, cronProblem, isDns1035Label, isDns1123Label, isDns1123Subdomain, isEnvVarName, isLabelValue,
  isPortName, isQualifiedName, objectApiServerProblems, quantityValue,
} from './apiserver-rules';
import { KubeObject, synthApp } from './util';

// Each rule with values it must accept and values it must refuse (the negative controls: a checker that accepts
// everything would pass the property test vacuously).

const s = (n: number, c = 'a'): string => c.repeat(n);

test.each([
  ['isDns1123Label', isDns1123Label, ['a', '0a', s(63), 'a-b'], ['', s(64), 'A', 'a.b', '-a', 'a-', 'a_b', 5]],
  ['isDns1123Subdomain', isDns1123Subdomain, ['a', 'a.b', `${s(63)}.${s(63)}.${s(63)}.${s(61)}`, '1.2'], ['', `${s(63)}.${s(63)}.${s(63)}.${s(62)}`, 'a..b', '.a', 'a.', 'A.b', 'a_b']],
  ['isDns1035Label', isDns1035Label, ['a', 'a0', s(63)], ['0a', s(64), 'a.b', 'a-', 'Ab']],
  ['isQualifiedName', isQualifiedName, ['a', 'A_b.c-D', `example.com/${s(63)}`, `${s(253)}/a`, 'app.kubernetes.io/name'], ['', s(64), '/a', 'a/', 'a/b/c', 'Ex.com/a', '-a', 'a_', `${s(254)}/a`, 'a b']],
  ['isLabelValue', isLabelValue, ['', 'a', s(63), 'A_b.c-D', '3.1.2'], [s(64), '-a', 'a.', 'a/b', '[fd00::5]', 5, null]],
  ['isPortName', isPortName, ['http', 'metrics', 'a1', s(15)], ['', s(16), '123', 'a--b', '-a', 'HTTP', 'a_b']],
  ['isEnvVarName', isEnvVarName, ['A', '_A', 'a.b-c', 'REGISTRY_HTTP_ADDR'], ['', '1A', 'A=B', 'A B']],
] as Array<[string, (v: unknown) => boolean, unknown[], unknown[]]>)('%s accepts the valid and refuses the invalid', (_name, rule, valid, invalid) => {
  expect(valid.filter(v => !rule(v))).toEqual([]);
  expect(invalid.filter(v => rule(v))).toEqual([]);
});

test('quantities follow ParseQuantity, exponents included', () => {
  expect(quantityValue('10Gi')).toBe(10 * 2 ** 30);
  expect(quantityValue('5e9')).toBe(5e9);
  expect(quantityValue('100m')).toBeCloseTo(0.1);
  expect(quantityValue('1.5')).toBe(1.5);
  expect(quantityValue('.5')).toBe(0.5);
  expect(quantityValue('0')).toBe(0);
  expect(quantityValue(2)).toBe(2);
  for (const bad of ['', '10GB', '10 Gi', 'Gi', '1e', '10gi', '1.2.3', 'ten', '1Kii', null, {}]) {
    expect([bad, quantityValue(bad)]).toEqual([bad, undefined]);
  }
});

test('cron schedules as robfig/cron ParseStandard reads them', () => {
  for (const ok of ['0 3 * * 0', '*/15 * * * *', '0 0 1,15 * MON-FRI', '0 0 ? JAN *', '5-10/2 1-3 * 1-12 0-6', '@weekly', '@every 1h30m']) {
    expect([ok, cronProblem(ok)]).toEqual([ok, undefined]);
  }
  for (const bad of ['', '0 3 * *', '0 3 * * * *', '60 * * * *', '* 24 * * *', '* * 0 * *', '* * * 13 *', '* * * * 7', '* * * * FOO',
    '*/0 * * * *', '5-1 * * * *', '@fortnightly', 'TZ=UTC 0 3 * * 0', 'CRON_TZ=UTC 0 3 * * 0', 3]) {
    expect([bad, cronProblem(bad)]).not.toEqual([bad, undefined]);
  }
});

test('CIDRs', () => {
  for (const ok of ['10.0.0.0/8', '0.0.0.0/0', '192.168.1.1/32', 'fd00::/8']) expect(cidrProblem(ok)).toBeUndefined();
  for (const bad of ['10.0.0.0/33', '256.0.0.0/8', '10.0.0.0', 'fd00::/129', 'x/8']) expect([bad, cidrProblem(bad)]).not.toEqual([bad, undefined]);
});

/** A valid object of each rule's kind, and mutations of it that the API server refuses. */
const meta = (name: string, extra: object = {}) => ({ name, namespace: 'registry', labels: { app: name }, ...extra });
const pod = () => ({
  volumes: [{ name: 'data', emptyDir: {} }, { name: 'auth', secret: { secretName: 'htpasswd' } }],
  containers: [{
    name: 'registry',
    image: 'registry:3.1.2',
    ports: [{ name: 'http', containerPort: 5000 }],
    env: [{ name: 'REGISTRY_HTTP_SECRET', valueFrom: { secretKeyRef: { name: 'http-secret', key: 'secret' } } }],
    volumeMounts: [{ name: 'data', mountPath: '/var/lib/registry' }],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '1Gi' } },
  }],
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'registry', effect: 'NoSchedule' }, { operator: 'Exists' }],
});
const deployment = (): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('hub'),
  spec: { selector: { matchLabels: { app: 'hub' } }, template: { metadata: { labels: { app: 'hub' } }, spec: pod() } },
});
const service = (): KubeObject => ({
  apiVersion: 'v1', kind: 'Service', metadata: meta('hub'),
  spec: { type: 'NodePort', selector: { app: 'hub' }, ports: [{ name: 'http', port: 5000, targetPort: 5000, nodePort: 31500 }] },
});
const cronJob = (): KubeObject => ({
  apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta('hub-gc'),
  spec: { schedule: '0 3 * * 0', jobTemplate: { spec: { template: { spec: pod() } } } },
});
const ingress = (): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta('hub', { annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '0' } }),
  spec: {
    ingressClassName: 'nginx',
    rules: [{ host: 'registry.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'hub', port: { number: 5000 } } } }] } }],
    tls: [{ hosts: ['*.example.com'], secretName: 'registry-tls' }],
  },
});
const pvc = (): KubeObject => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta('hub-data'),
  spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast.ssd', resources: { requests: { storage: '5e9' } } },
});
const networkPolicy = (): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('hub'),
  spec: {
    podSelector: { matchLabels: { app: 'hub' } },
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'builds' } } }, { ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 5000 }] }],
  },
});
const namespace = (): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'registry' } });
const hpa = (): KubeObject => ({
  apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: meta('hub'),
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'hub' }, minReplicas: 2, maxReplicas: 4,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 150 } } }] },
});

type Mutation = [string, () => KubeObject, (o: any) => void];
const podOf = (o: any) => o.spec.template.spec;
const mutations: Mutation[] = [
  ['Deployment name with uppercase', deployment, o => { o.metadata.name = 'Hub'; }],
  ['Deployment name of 254 characters', deployment, o => { o.metadata.name = s(254); }],
  ['Service name with a dot (not DNS-1035)', service, o => { o.metadata.name = 'hub.x'; }],
  ['Service name starting with a digit', service, o => { o.metadata.name = '1hub'; }],
  ['Namespace name with a dot', namespace, o => { o.metadata.name = 'a.b'; }],
  ['namespace of 64 characters', deployment, o => { o.metadata.namespace = s(64); }],
  ['CronJob name of 53 characters', cronJob, o => { o.metadata.name = s(53); }],
  ['label key name of 64', deployment, o => { o.metadata.labels[s(64)] = 'x'; }],
  ['label key with an uppercase prefix', deployment, o => { o.metadata.labels['Example.com/a'] = 'x'; }],
  ['label value of 64', deployment, o => { o.metadata.labels.app = s(64); }],
  ['label value with brackets', deployment, o => { o.metadata.labels.host = '[fd00::5]'; }],
  ['label value not a string', deployment, o => { o.metadata.labels.n = 5; }],
  ['selector matchLabels value invalid', deployment, o => { o.spec.selector.matchLabels.app = 'a-'; }],
  ['pod template label invalid', deployment, o => { o.spec.template.metadata.labels['a b'] = 'x'; }],
  ['selector does not select the template', deployment, o => { o.spec.selector.matchLabels.app = 'other'; }],
  ['nodeSelector key invalid', deployment, o => { podOf(o).nodeSelector['-bad'] = 'x'; }],
  ['nodeSelector value invalid', deployment, o => { podOf(o).nodeSelector['kubernetes.io/os'] = 'linux!'; }],
  ['annotation key invalid', ingress, o => { o.metadata.annotations['a/b/c'] = 'x'; }],
  ['annotation value not a string', ingress, o => { o.metadata.annotations.x = 5; }],
  ['annotations over 256 KiB', ingress, o => { o.metadata.annotations.big = s(256 * 1024); }],
  ['quantity 10GB', deployment, o => { podOf(o).containers[0].resources.limits.memory = '10GB'; }],
  ['request above limit', deployment, o => { podOf(o).containers[0].resources.requests.memory = '2Gi'; }],
  ['negative request', deployment, o => { podOf(o).containers[0].resources.requests.cpu = '-1'; }],
  ['PVC storage 0', pvc, o => { o.spec.resources.requests.storage = '0'; }],
  ['PVC storage not a quantity', pvc, o => { o.spec.resources.requests.storage = '10 GB'; }],
  ['PVC storageClassName uppercase', pvc, o => { o.spec.storageClassName = 'Fast'; }],
  ['containerPort 0', deployment, o => { podOf(o).containers[0].ports[0].containerPort = 0; }],
  ['containerPort 65536', deployment, o => { podOf(o).containers[0].ports[0].containerPort = 65536; }],
  ['hostPort 65536', deployment, o => { podOf(o).containers[0].ports[0].hostPort = 65536; }],
  ['container port name of 16', deployment, o => { podOf(o).containers[0].ports[0].name = s(16); }],
  ['Service port 0', service, o => { o.spec.ports[0].port = 0; }],
  ['nodePort 29999', service, o => { o.spec.ports[0].nodePort = 29999; }],
  ['nodePort 32768', service, o => { o.spec.ports[0].nodePort = 32768; }],
  ['nodePort on a ClusterIP Service', service, o => { o.spec.type = 'ClusterIP'; }],
  ['Service selector value invalid', service, o => { o.spec.selector.app = '-'; }],
  ['env name starting with a digit', deployment, o => { podOf(o).containers[0].env.push({ name: '1X', value: 'a' }); }],
  ['env value not a string', deployment, o => { podOf(o).containers[0].env.push({ name: 'X', value: 1 }); }],
  ['secretKeyRef name invalid', deployment, o => { podOf(o).containers[0].env[0].valueFrom.secretKeyRef.name = 'Http_Secret'; }],
  ['volume name with a dot', deployment, o => { podOf(o).volumes[0].name = 'da.ta'; podOf(o).containers[0].volumeMounts[0].name = 'da.ta'; }],
  ['volume names not unique', deployment, o => { podOf(o).volumes[1].name = 'data'; }],
  ['volumeMount of no volume', deployment, o => { podOf(o).containers[0].volumeMounts[0].name = 'missing'; }],
  ['secret volume name invalid', deployment, o => { podOf(o).volumes[1].secret.secretName = 'Htpasswd'; }],
  ['toleration Exists with a value', deployment, o => { podOf(o).tolerations[1].value = 'x'; }],
  ['toleration Equal value invalid', deployment, o => { podOf(o).tolerations[0].value = 'a b'; }],
  ['toleration key invalid', deployment, o => { podOf(o).tolerations[0].key = 'a b'; }],
  ['priorityClassName uppercase', deployment, o => { podOf(o).priorityClassName = 'High'; }],
  ['imagePullSecret name invalid', deployment, o => { podOf(o).imagePullSecrets = [{ name: 'a_b' }]; }],
  ['CronJob schedule with 6 fields', cronJob, o => { o.spec.schedule = '0 0 3 * * 0'; }],
  ['CronJob day of week 7', cronJob, o => { o.spec.schedule = '0 3 * * 7'; }],
  ['Ingress host an IP', ingress, o => { o.spec.rules[0].host = '10.0.0.5'; }],
  ['Ingress host a URL', ingress, o => { o.spec.rules[0].host = 'https://registry.example.com'; }],
  ['Ingress host of 254', ingress, o => { o.spec.rules[0].host = `${s(63)}.${s(63)}.${s(63)}.${s(62)}`; }],
  ['Ingress wildcard in the middle', ingress, o => { o.spec.rules[0].host = 'a.*.example.com'; }],
  ['Ingress TLS secret invalid', ingress, o => { o.spec.tls[0].secretName = 'TLS'; }],
  ['Ingress class invalid', ingress, o => { o.spec.ingressClassName = 'Nginx'; }],
  ['NetworkPolicy peer label invalid', networkPolicy, o => { o.spec.ingress[0].from[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name'] = 'a/b'; }],
  ['NetworkPolicy CIDR /33', networkPolicy, o => { o.spec.ingress[0].from[1].ipBlock.cidr = '10.0.0.0/33'; }],
  ['NetworkPolicy CIDR octet over 255', networkPolicy, o => { o.spec.ingress[0].from[1].ipBlock.cidr = '10.0.0.256/32'; }],
  ['HPA minReplicas 0', hpa, o => { o.spec.minReplicas = 0; }],
  ['HPA max below min', hpa, o => { o.spec.maxReplicas = 1; }],
];

test.each([deployment, service, cronJob, ingress, pvc, networkPolicy, namespace, hpa])('the valid %p has no problems', make => {
  expect(objectApiServerProblems(make())).toEqual([]);
});

test.each(mutations)('refuses: %s', (_what, make, mutate) => {
  const obj = make();
  mutate(obj);
  expect(objectApiServerProblems(obj).length).toBeGreaterThan(0);
});

test.each([
  ['defaults', {}],
  ['production options', {
    deletion: true, garbageCollection: {}, metrics: { serviceMonitor: true }, networkPolicy: { allowNamespaces: ['builds'], allowCidrs: ['10.0.0.0/8'] },
    auth: RegistryAuth.htpasswd({ secret: SecretKey.fromSecret('users', 'htpasswd') }), httpSecret: SecretKey.fromSecret('http', 'secret'),
    storage: RegistryStorage.persistentVolume({ size: '20Gi', storageClassName: 'fast' }), ingress: { host: 'registry.example.com', tlsSecretName: 'tls' },
    pod: { nodeSelector: { 'kubernetes.io/os': 'linux' }, tolerations: [{ key: 'dedicated', value: 'registry' }], labels: { team: 'infra' } },
  }],
] as Array<[string, any]>)('what the library renders (%s) passes', (_what, registry) => {
  const app = Testing.app();
  new PrivateRegistry(new Chart(app, 'test', { namespace: 'registry' }), 'hub', { registry });
  app.synthYaml();
  expect(apiServerProblems(synthApp(app))).toEqual([]);
});
