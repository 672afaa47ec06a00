// Kubernetes syntax the API server enforces, what the real programs refuse at start, and clashes across the whole app:
// one exact-message test per rule, and the valid inputs at each rule's edge that must not be refused.
import { App, Chart, Testing } from 'cdk8s';

import {
  LocalRegistryHosting, Registry, RegistryCache, RegistryNamespace, RegistryProxyDaemonSet, RegistryStorage, RegistryTls, RegistryUI, RegistryUIConnection,
  SecretKey, TolerationOperator,
} from '../lib';
import { find, synthValidated, testChart } from './util';

type Props = ConstructorParameters<typeof Registry>[2];
const build = (props: Props) => () => new Registry(testChart('prod').chart, 'registry', props);
const owner = 'Registry at "test/registry"';
const persistent = RegistryStorage.persistentVolume();

describe('Kubernetes syntax, checked at synth time', () => {
  const cases: Array<[string, Props, string]> = [
    ['a claim of size 0', { storage: RegistryStorage.persistentVolume({ size: '0' }) },
      'storage size must be a Kubernetes quantity above zero such as "10Gi", "500Mi" or "250m" (got "0")'],
    ['a storage class that is not a name', { storage: RegistryStorage.persistentVolume({ storageClassName: 'Fast SSD' }) },
      'storage storageClassName must be the name of a StorageClass (or "" for none): at most 253 lowercase letters, digits, "-" and ".", ' +
      'starting and ending with a letter or digit (got "Fast SSD")'],
    ['a memory request above the default limit', { resources: { memoryRequest: '2Gi' } },
      'resources.memoryRequest "2Gi" is above resources.memoryLimit "1Gi": the API server refuses a memory request above its limit; ' +
      'raise the limit or lower the request'],
    ['a CPU request above its limit', { resources: { cpuRequest: '2', cpuLimit: '500m' } },
      'resources.cpuRequest "2" is above resources.cpuLimit "500m": the API server refuses a CPU request above its limit; raise the limit or lower the request'],
    ['a TLS Secret that is not a name', { tls: RegistryTls.fromSecret('Registry TLS') },
      'tls secret must be the name of a Secret: at most 253 lowercase letters, digits, "-" and ".", starting and ending with a letter ' +
      'or digit (got "Registry TLS")'],
    ['a priority class that is not a name', { pod: { priorityClassName: 'High' } },
      'pod.priorityClassName must be the name of a PriorityClass: at most 253 lowercase letters, digits, "-" and ".", starting and ending ' +
      'with a letter or digit (got "High")'],
    ['a pull secret that is not a name', { pod: { imagePullSecrets: ['regcred', 'Reg Cred'] } },
      'pod.imagePullSecrets[1] must be the name of a Secret: at most 253 lowercase letters, digits, "-" and ".", starting and ending ' +
      'with a letter or digit (got "Reg Cred")'],
    ['a pod label value of 64 characters', { pod: { labels: { team: 'x'.repeat(64) } } },
      `pod.labels value "${'x'.repeat(64)}" of "team" is not a label value: a string of at most 63 letters, digits, "-", "_" or ".", ` +
      'starting and ending with a letter or digit'],
    ['a node selector key with a space', { pod: { nodeSelector: { 'node role': 'registry' } } },
      'pod.nodeSelector key "node role" is not a label key: an optional DNS prefix and "/", then at most 63 letters, digits, "-", "_" or ".", ' +
      'starting and ending with a letter or digit'],
    ['an annotation key with two slashes', { serviceAnnotations: { 'a/b/c': 'x' } },
      'serviceAnnotations key "a/b/c" is not an annotation key: an optional DNS prefix and "/", then at most 63 letters, digits, "-", "_" ' +
      'or ".", starting and ending with a letter or digit'],
    ['a toleration Exists with a value', { pod: { tolerations: [{ key: 'dedicated', operator: TolerationOperator.EXISTS, value: 'registry' }] } },
      'pod.tolerations[0] has operator Exists and value "registry": Exists matches any value; drop value, or use operator Equal'],
    ['a toleration with neither key nor Exists', { pod: { tolerations: [{ value: 'registry' }] } },
      'pod.tolerations[0] has no key, which needs operator Exists (it then tolerates every taint); give a key, or operator: TolerationOperator.EXISTS'],
    ['a CIDR of /33', { networkPolicy: { allowCidrs: ['10.0.0.0/33'] } },
      'networkPolicy.allowCidrs[0] must be a CIDR such as "10.0.0.0/16" or "fd00::/8" (got "10.0.0.0/33")'],
    ['a CIDR with an octet over 255', { networkPolicy: { allowCidrs: ['10.0.300.0/24'] } },
      'networkPolicy.allowCidrs[0] must be a CIDR such as "10.0.0.0/16" or "fd00::/8" (got "10.0.300.0/24")'],
    ['a cron day of week 7', { deletion: true, storage: persistent, garbageCollection: { schedule: '0 3 * * 7' } },
      'garbageCollection.schedule day of week field: "7" is outside 0-6 (got "0 3 * * 7"), such as "0 3 * * 0" (Sundays at 03:00) or "@weekly"'],
    ['a cron minute range backwards', { deletion: true, storage: persistent, garbageCollection: { schedule: '30-10 3 * * *' } },
      'garbageCollection.schedule minute field: "30-10" is outside 0-59 (got "30-10 3 * * *"), such as "0 3 * * 0" (Sundays at 03:00) or "@weekly"'],
    ['a cron descriptor that does not exist', { deletion: true, storage: persistent, garbageCollection: { schedule: '@fortnightly' } },
      'garbageCollection.schedule must be a cron expression of 5 fields or a descriptor, such as "0 3 * * 0" (Sundays at 03:00) or "@weekly" (got "@fortnightly")'],
    ['a cron time zone', { deletion: true, storage: persistent, garbageCollection: { schedule: 'TZ=UTC 0 3 * * 0' } },
      'garbageCollection.schedule must not set a time zone (got "TZ=UTC 0 3 * * 0"); the CronJob runs in the controller\'s time zone'],
    ['an Ingress host that is an IP', { ingress: { host: '10.0.0.5' } },
      'ingress.host must be a DNS name such as "registry.example.com" (or "*.example.com"), not an IP address or a URL (got "10.0.0.5")'],
    ['an Ingress host of 254 characters', { ingress: { host: `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(63)}.example` } },
      `ingress.host must be a DNS name such as "registry.example.com" (or "*.example.com"), not an IP address or a URL (got "${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(63)}.example")`],
    ['an ingress class that is not a name', { ingress: { host: 'r.example.com', className: 'NGINX' } },
      'ingress.className must be the name of a IngressClass: at most 253 lowercase letters, digits, "-" and ".", starting and ending with a letter or digit (got "NGINX")'],
    ['autoscaling.minReplicas 0 is named as itself', { autoscaling: { minReplicas: 0, maxReplicas: 2 }, httpSecret: SecretKey.fromSecret('h', 's'), storage: RegistryStorage.s3({ bucket: 'images', region: 'us-east-1' }) },
      'autoscaling.minReplicas must be a whole number of at least 1 (got 0)'],
  ];
  test.each(cases)('%s', (_label, props, message) => {
    expect(build(props)).toThrow(new Error(`${owner}: ${message}`));
  });
});

describe('what the real programs refuse at start', () => {
  const cases: Array<[string, Props, string]> = [
    ['an S3 region the driver does not know', { storage: RegistryStorage.s3({ bucket: 'images', region: 'moon-1' }) },
      's3 region "moon-1" is not an AWS region the registry knows, such as "us-east-1"; for an S3-compatible store (MinIO, Ceph RGW, R2) give its regionEndpoint too'],
    ['an S3 endpoint with a path', { storage: RegistryStorage.s3({ bucket: 'images', region: 'minio', regionEndpoint: 'http://minio:9000/images' }) },
      's3 regionEndpoint must be a URL such as "https://minio.storage.svc:9000": http(s), a host and an optional port, no path (got "http://minio:9000/images")'],
    ['an Azure realm given as a URL', { storage: RegistryStorage.azure({ accountName: 'images', container: 'registry', accountKey: SecretKey.fromSecret('az', 'key'), realm: 'https://core.windows.net' }) },
      'azure realm must be the blob service\'s domain such as "core.windows.net" or "core.chinacloudapi.cn", not a URL (got "https://core.windows.net")'],
    ['a redis port that cannot be', { cache: RegistryCache.redis({ address: 'redis.cache.svc:70000' }) },
      'cache redis address must be "host:port" with a port within 1-65535, such as "redis.cache.svc:6379" (got "redis.cache.svc:70000")'],
    ['a pull-through URL with a path', { pullThrough: { remoteUrl: 'https://registry-1.docker.io/v2/' } },
      'pullThrough.remoteUrl must be a URL such as "https://registry-1.docker.io": http(s), a host and an optional port, no path (got "https://registry-1.docker.io/v2/")'],
    ['an env var the library owns', { pod: { env: { REGISTRY_HTTP_ADDR: ':8080' } } },
      'pod.env REGISTRY_HTTP_ADDR overrides a setting this library renders into config.yml; use the prop for it (port, tls, storage, auth, ' +
      'cache, pullThrough, metrics, catalogMaxEntries) or an escape hatch'],
  ];
  test.each(cases)('%s', (_label, props, message) => {
    expect(build(props)).toThrow(new Error(`${owner}: ${message}`));
  });

  test('a browser origin with a trailing slash never matches CORS', () => {
    const { chart } = testChart('tools');
    const registry = new Registry(chart, 'registry');
    expect(() => new RegistryUI(chart, 'ui', { registry, connection: RegistryUIConnection.direct({ browserUrl: 'http://10.0.0.5:31500', uiOrigin: 'http://10.0.0.5:31000/' }) }))
      .toThrow(new Error('RegistryUI at "test/ui": connection uiOrigin must be "*" or an origin "scheme://host[:port]" with no path or trailing "/", ' +
        'as browsers send it (got "http://10.0.0.5:31000/")'));
  });
});

describe('valid inputs at the edge of each rule are accepted, and render objects the API server takes', () => {
  test.each<[string, Props]>([
    ['a CPU target above 100%', { autoscaling: { minReplicas: 2, maxReplicas: 4, cpuUtilization: 150 }, httpSecret: SecretKey.fromSecret('h', 's'), storage: RegistryStorage.s3({ bucket: 'images', region: 'us-east-1' }) }],
    ['a quantity with an exponent', { storage: RegistryStorage.persistentVolume({ size: '5e9' }) }],
    ['a name of 63 characters with no suffixed objects', { name: `r${'x'.repeat(62)}` }],
    ['an S3-compatible store with any region and an endpoint', { storage: RegistryStorage.s3({ bucket: 'images', region: 'minio', regionEndpoint: 'http://minio.storage.svc:9000' }) }],
    ['a wildcard Ingress host', { ingress: { host: '*.registry.example.com' } }],
    ['cron names, steps and descriptors', { deletion: true, storage: persistent, garbageCollection: { schedule: '*/15 2-4 * jan-mar mon-fri' } }],
    ['@every', { deletion: true, storage: persistent, garbageCollection: { schedule: '@every 12h' } }],
    ['an IPv6 CIDR', { networkPolicy: { allowCidrs: ['fd00::/8'] } }],
    ['an empty storage class (a pre-provisioned volume)', { storage: RegistryStorage.persistentVolume({ storageClassName: '' }) }],
  ])('%s', (_label, props) => {
    const { app, chart } = testChart('prod');
    new Registry(chart, 'registry', props);
    expect(synthValidated(app).length).toBeGreaterThan(2);
  });

  test('Registry.fromUrl with an IPv6 address: the proxy renders valid labels and an nginx upstream', () => {
    const { app, chart } = testChart('tools');
    const proxy = new RegistryProxyDaemonSet(chart, 'proxy', { registry: Registry.fromUrl('http://[fd00::5]:5000') });
    expect(proxy.upstream).toBe('[fd00::5]:5000');
    expect(find(synthValidated(app), 'DaemonSet', 'proxy').metadata.labels['app.kubernetes.io/part-of']).toBe('proxy');
  });
});

describe('clashes across the whole app', () => {
  test('a derived object name: Registry hub with metrics and Registry hub-metrics both render Service hub-metrics', () => {
    const { app, chart } = testChart('tools');
    new Registry(chart, 'hub', { metrics: {}, nodePort: 31500 });
    new Registry(chart, 'hub-metrics', { nodePort: 31501 });
    expect(() => app.synthYaml()).toThrow('Service "tools/hub-metrics" is claimed by 2 constructs: Registry at "test/hub", ' +
      'Registry at "test/hub-metrics"; give each construct its own name or namespace');
  });

  test('one Ingress host claimed twice', () => {
    const { app, chart } = testChart('tools');
    new Registry(chart, 'a', { nodePort: 31500, ingress: { host: 'registry.example.com' } });
    new Registry(chart, 'b', { nodePort: 31501, namespace: 'other', ingress: { host: 'registry.example.com' } });
    expect(() => app.synthYaml()).toThrow('Ingress host registry.example.com path / is claimed by 2 constructs: Registry at "test/a", ' +
      'Registry at "test/b"; an ingress controller routes one host and path to one backend: give each registry its own host');
  });

  test('a UI linked to a registry of another app', () => {
    const registry = new Registry(new Chart(Testing.app(), 'one'), 'registry');
    const other = new Chart(new App(), 'two');
    expect(() => new RegistryUI(other, 'ui', { registry })).toThrow(new Error('RegistryUI at "two/ui": registry Registry at "one/registry" belongs ' +
      'to another app, which renders its config and NetworkPolicy; pass as registry a Registry of this app, or Registry.fromUrl(...)'));
  });
});

describe('host[:port] and names that say which prop they are', () => {
  test('a pull host with an impossible port', () => {
    const { chart } = testChart('tools');
    expect(() => new RegistryUI(chart, 'ui', { registry: new Registry(chart, 'registry'), pullHost: 'registry.example.com:99999' }))
      .toThrow(new Error('RegistryUI at "test/ui": pullHost must be "host[:port]" with a port within 1-65535 and no scheme, such as ' +
        '"localhost:5000" (got "registry.example.com:99999")'));
  });

  test('a discovery host on port 0', () => {
    const { chart } = testChart('tools');
    expect(() => new LocalRegistryHosting(chart, 'd', { registry: new Registry(chart, 'registry'), host: 'localhost:0' }))
      .toThrow(new Error('LocalRegistryHosting at "test/d": host must be "host[:port]" with a port within 1-65535 and no scheme, such as ' +
        '"localhost:5000" (got "localhost:0")'));
  });

  test('a RegistryNamespace names its own prop, name', () => {
    expect(() => new RegistryNamespace(testChart().chart, 'ns', { name: 'a.b' }))
      .toThrow(new Error('RegistryNamespace at "test/ns": name must be a DNS-1123 label of at most 63 characters: lowercase letters, ' +
        'digits and "-", starting and ending with a letter or digit (got "a.b")'));
  });
});
