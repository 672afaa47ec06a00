import { Chart } from 'cdk8s';
import { parse } from 'yaml';

import {
  ContainerdRegistryHosts, NodeRegistryEndpoint, Registry, RegistryAuth, RegistryCache,   RegistryProxyDaemonSet, RegistryProxyNetwork, RegistryStorage, RegistryTls, RegistryUI, RegistryVersion,
SecretKey, TaintEffect, TolerationOperator, VolumeAccessMode,
} from '../lib';
import { container, find, podSpecs, restrictedViolations, synthValidated, testChart } from './util';

type Props = ConstructorParameters<typeof Registry>[2];
const http = SecretKey.fromSecret('registry-http', 'secret');

function build(props: Props) {
  const { app, chart } = testChart('prod');
  const registry = new Registry(chart, 'registry', props);
  const objects = synthValidated(app);
  const configMap = find(objects, 'ConfigMap', 'registry-config');
  return {
    registry,
    objects,
    config: parse(configMap.data['config.yml']),
    deployment: find(objects, 'Deployment', 'registry'),
    c: container(find(objects, 'Deployment', 'registry'), 'registry'),
  };
}

function envMap(c: any): Record<string, any> {
  return Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));
}

describe('object-store storage', () => {
  const s3 = build({
    replicas: 3,
    httpSecret: http,
    storage: RegistryStorage.s3({
      bucket: 'images', region: 'us-east-1', regionEndpoint: 'http://minio.storage.svc:9000', forcePathStyle: true,
      credentials: { accessKey: SecretKey.fromSecret('s3', 'access-key'), secretKey: SecretKey.fromSecret('s3', 'secret-key') },
    }),
  });

  test('snapshot of an HA registry on S3', () => {
    expect(s3.objects).toMatchSnapshot();
  });

  test('S3 in config.yml, with explicit false values; credentials only as secretKeyRef env', () => {
    expect(s3.config.storage).toEqual({
      cache: { blobdescriptor: 'inmemory' },
      s3: { region: 'us-east-1', bucket: 'images', regionendpoint: 'http://minio.storage.svc:9000', forcepathstyle: true, encrypt: false, secure: true },
      maintenance: { uploadpurging: { enabled: true, age: '24h', interval: '1h', dryrun: false } },
    });
    expect(envMap(s3.c)).toEqual({
      REGISTRY_HTTP_SECRET: { secretKeyRef: { name: 'registry-http', key: 'secret' } },
      REGISTRY_STORAGE_S3_ACCESSKEY: { secretKeyRef: { name: 's3', key: 'access-key' } },
      REGISTRY_STORAGE_S3_SECRETKEY: { secretKeyRef: { name: 's3', key: 'secret-key' } },
    });
    expect(s3.deployment.spec.template.spec.volumes.map((v: any) => v.name)).toEqual(['config']);
    expect(s3.objects.filter(o => o.kind === 'PersistentVolumeClaim')).toEqual([]);
  });

  test('three replicas roll without downtime, spread over nodes, with a disruption budget', () => {
    expect(s3.deployment.spec.replicas).toBe(3);
    expect(s3.deployment.spec.strategy.type).toBe('RollingUpdate');
    expect(s3.deployment.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm)
      .toEqual({ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: s3.registry.selectorLabels } });
    expect(find(s3.objects, 'PodDisruptionBudget', 'registry').spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: s3.registry.selectorLabels } });
  });

  test('GCS key file is mounted exactly where config.yml points', () => {
    const gcs = build({ storage: RegistryStorage.gcs({ bucket: 'images', keyFile: SecretKey.fromSecret('gcs', 'sa.json') }) });
    expect(gcs.config.storage.gcs).toEqual({ bucket: 'images', keyfile: '/etc/registry-gcs/key.json' });
    const mount = gcs.c.volumeMounts.find((m: any) => m.name === 'gcs-key');
    const volume = gcs.deployment.spec.template.spec.volumes.find((v: any) => v.name === 'gcs-key');
    expect(`${mount.mountPath}/${volume.secret.items[0].path}`).toBe(gcs.config.storage.gcs.keyfile);
    expect(volume.secret).toEqual({ secretName: 'gcs', items: [{ key: 'sa.json', path: 'key.json' }] });
  });

  test('Azure: account key from a Secret', () => {
    const az = build({ storage: RegistryStorage.azure({ accountName: 'images01', container: 'registry', accountKey: SecretKey.fromSecret('az', 'key') }) });
    expect(az.config.storage.azure).toEqual({
      accountname: 'images01', container: 'registry', realm: 'core.windows.net', credentials: { type: 'shared_key' },
    });
    expect(envMap(az.c)).toEqual({ REGISTRY_STORAGE_AZURE_ACCOUNTKEY: { secretKeyRef: { name: 'az', key: 'key' } } });
    const v2 = build({ version: RegistryVersion.V2, storage: RegistryStorage.azure({ accountName: 'images01', container: 'registry', accountKey: SecretKey.fromSecret('az', 'key') }) });
    expect(v2.config.storage.azure).toEqual({ accountname: 'images01', container: 'registry', realm: 'core.windows.net' });
  });

  test('an existing claim is mounted and no claim is created', () => {
    const ex = build({ storage: RegistryStorage.existingClaim('registry-docker-registry') });
    expect(ex.deployment.spec.template.spec.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'registry-docker-registry' } });
    expect(ex.objects.filter(o => o.kind === 'PersistentVolumeClaim')).toEqual([]);
    expect(ex.deployment.spec.strategy).toEqual({ type: 'Recreate' });
  });
});

describe('auth, cache, pull-through, metrics, ingress, autoscaling, pod options', () => {
  test('htpasswd: the Secret key is projected to the exact file config.yml names', () => {
    const { config, c, deployment } = build({ auth: RegistryAuth.htpasswd({ secret: SecretKey.fromSecret('registry-users', 'htpasswd') }) });
    expect(config.auth).toEqual({ htpasswd: { realm: 'Registry Realm', path: '/auth/htpasswd' } });
    const mount = c.volumeMounts.find((m: any) => m.name === 'auth');
    const volume = deployment.spec.template.spec.volumes.find((v: any) => v.name === 'auth');
    expect(`${mount.mountPath}/${volume.secret.items[0].path}`).toBe(config.auth.htpasswd.path);
    expect(mount.readOnly).toBe(true);
  });

  test('TLS from a kubernetes.io/tls Secret: mounted where config.yml points, HTTPS probes', () => {
    const { config, c, deployment, registry } = build({ tls: RegistryTls.fromSecret('registry-tls') });
    expect(config.http.tls).toEqual({ certificate: '/etc/ssl/registry/tls.crt', key: '/etc/ssl/registry/tls.key' });
    expect(c.volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/ssl/registry', readOnly: true });
    expect(deployment.spec.template.spec.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'registry-tls' } });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/', port: 5000, scheme: 'HTTPS' });
    expect(registry.clusterUrl).toBe('https://registry.prod.svc:5000');
  });

  test('Service annotations', () => {
    const { objects } = build({ serviceAnnotations: { 'metallb.universe.tf/loadBalancerIPs': '10.0.0.50' } });
    expect(find(objects, 'Service', 'registry').metadata.annotations).toEqual({ 'metallb.universe.tf/loadBalancerIPs': '10.0.0.50' });
  });

  test('redis cache with a password from a Secret', () => {
    const { config, c } = build({ cache: RegistryCache.redis({ address: 'redis.cache.svc:6379', db: 2, password: SecretKey.fromSecret('redis', 'password') }) });
    expect(config.storage.cache).toEqual({ blobdescriptor: 'redis' });
    expect(config.redis).toEqual({ addrs: ['redis.cache.svc:6379'], db: 2 });
    expect(envMap(c)).toEqual({ REGISTRY_REDIS_PASSWORD: { secretKeyRef: { name: 'redis', key: 'password' } } });
    const v2 = build({ version: RegistryVersion.V2, cache: RegistryCache.redis({ address: 'redis.cache.svc:6379', db: 2 }) });
    expect(v2.config.redis).toEqual({ addr: 'redis.cache.svc:6379', db: 2 });
    expect(build({ cache: RegistryCache.none() }).config.storage.cache).toBeUndefined();
  });

  test('pull-through cache of another registry, with credentials', () => {
    const { config, c } = build({
      pullThrough: { remoteUrl: 'https://registry-1.docker.io', username: SecretKey.fromSecret('hub', 'user'), password: SecretKey.fromSecret('hub', 'token') },
    });
    expect(config.proxy).toEqual({ remoteurl: 'https://registry-1.docker.io' });
    expect(Object.keys(envMap(c))).toEqual(['REGISTRY_PROXY_USERNAME', 'REGISTRY_PROXY_PASSWORD']);
  });

  test('metrics: debug server with Prometheus, its own ClusterIP Service, a ServiceMonitor', () => {
    const { config, c, objects } = build({ metrics: { serviceMonitor: true } });
    expect(config.http.debug).toEqual({ addr: ':5001', prometheus: { enabled: true, path: '/metrics' } });
    expect(c.ports).toContainEqual({ name: 'metrics', containerPort: 5001, protocol: 'TCP' });
    const svc = find(objects, 'Service', 'registry-metrics');
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.ports).toEqual([{ name: 'metrics', protocol: 'TCP', port: 5001, targetPort: 'metrics' }]);
    expect(find(objects, 'Service', 'registry').spec.ports.map((p: any) => p.name)).toEqual(['registry']);
    const monitor = find(objects, 'ServiceMonitor', 'registry');
    expect(monitor.spec.selector.matchLabels).toEqual(Object.fromEntries(
      Object.entries(svc.metadata.labels).filter(([k]) => monitor.spec.selector.matchLabels[k] !== undefined)));
    expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
  });

  test('ingress with TLS and the body-size annotation ingress-nginx needs', () => {
    const { objects } = build({ ingress: { host: 'registry.example.com', className: 'nginx', tlsSecretName: 'registry-tls' } });
    const ingress = find(objects, 'Ingress', 'registry');
    expect(ingress.metadata.annotations['nginx.ingress.kubernetes.io/proxy-body-size']).toBe('0');
    expect(ingress.spec).toEqual({
      ingressClassName: 'nginx',
      tls: [{ hosts: ['registry.example.com'], secretName: 'registry-tls' }],
      rules: [{ host: 'registry.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'registry', port: { name: 'registry' } } } }] } }],
    });
  });

  test('autoscaling: an autoscaling/v2 HPA on CPU, the Deployment starts at minReplicas', () => {
    const { objects, deployment } = build({ httpSecret: http, storage: RegistryStorage.s3({ bucket: 'images', region: 'eu-west-1' }), autoscaling: { minReplicas: 2, maxReplicas: 6 } });
    expect(deployment.spec.replicas).toBe(2);
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'registry');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'registry' }, minReplicas: 2, maxReplicas: 6,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 75 } } }],
    });
    expect(find(objects, 'PodDisruptionBudget', 'registry')).toBeDefined();
  });

  test('pod options: scheduling, metadata, pull secrets, env and resources', () => {
    const { deployment, c } = build({
      resources: { cpuRequest: '250m', memoryLimit: '2Gi', cpuLimit: '2' },
      pod: {
        nodeSelector: { 'node-role/registry': 'true' }, tolerations: [{ key: 'dedicated', operator: TolerationOperator.EQUAL, value: 'registry', effect: TaintEffect.NO_SCHEDULE }],
        priorityClassName: 'platform', annotations: { team: 'platform' }, labels: { cost: 'shared' }, imagePullSecrets: ['mirror-pull'],
        env: { REGISTRY_LOG_LEVEL: 'debug' },
      },
    });
    const spec = deployment.spec.template.spec;
    expect(spec.nodeSelector).toEqual({ 'node-role/registry': 'true' });
    expect(spec.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'registry', effect: 'NoSchedule' }]);
    expect(spec.priorityClassName).toBe('platform');
    expect(spec.imagePullSecrets).toEqual([{ name: 'mirror-pull' }]);
    expect(deployment.spec.template.metadata.annotations.team).toBe('platform');
    expect(deployment.spec.template.metadata.labels.cost).toBe('shared');
    expect(deployment.spec.selector.matchLabels.cost).toBeUndefined();
    expect(c.env).toEqual([{ name: 'REGISTRY_LOG_LEVEL', value: 'debug' }]);
    expect(c.resources).toEqual({ requests: { cpu: '250m', memory: '128Mi' }, limits: { memory: '2Gi', cpu: '2' } });
  });
});

describe('deletion and garbage collection', () => {
  const { objects, config } = build({ deletion: true, garbageCollection: { schedule: '30 2 * * *' }, storage: RegistryStorage.persistentVolume() });
  const cron = find(objects, 'CronJob', 'registry-gc');
  const pod = cron.spec.jobTemplate.spec.template.spec;

  test('snapshot', () => {
    expect(objects.filter(o => o.metadata.name === 'registry-gc')).toMatchSnapshot();
  });

  test('deletion is on in config.yml', () => {
    expect(config.storage.delete).toEqual({ enabled: true });
  });

  test('the job stops its registry, collects with the registry\'s own image, config and volume, then starts it again', () => {
    expect(cron.spec.schedule).toBe('30 2 * * *');
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    const steps = [...pod.initContainers, ...pod.containers].map((c: any) => [c.name, c.image, c.command.join(' ')]);
    expect(steps).toEqual([
      ['stop-registry', 'registry.k8s.io/kubectl:v1.37.2', 'kubectl --namespace prod scale deployment/registry --replicas=0'],
      ['wait-stopped', 'registry.k8s.io/kubectl:v1.37.2', 'kubectl --namespace prod wait pod --for=delete ' +
        '--selector=app.kubernetes.io/name=docker-registry,app.kubernetes.io/instance=registry,app.kubernetes.io/component=registry --timeout=15m'],
      ['garbage-collect', 'registry:3.1.2', '/bin/sh -c /bin/registry "$@"; echo $? > /run/gc/exit-code garbage-collect ' +
        'garbage-collect /etc/distribution/config.yml'],
      ['start-registry', 'registry.k8s.io/kubectl:v1.37.2', 'kubectl --namespace prod scale deployment/registry --replicas=1'],
      ['report', 'registry:3.1.2', '/bin/sh -c code=$(cat /run/gc/exit-code); echo "registry garbage-collect exited with $code"; exit "$code" report'],
    ]);
    expect(pod.serviceAccountName).toBe('registry-gc');
    expect(pod.restartPolicy).toBe('Never');
    // The collector mounts what the registry mounts: its config and its data volume.
    expect(pod.initContainers[2].volumeMounts.map((m: any) => m.mountPath)).toEqual(['/etc/distribution', '/var/lib/registry', '/run/gc']);
    expect(pod.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'registry' } });
    // A ReadWriteOnce volume stays on the registry pod's node until the registry stops: the job starts there.
    expect(pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]).toEqual({
      topologyKey: 'kubernetes.io/hostname',
      labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'docker-registry', 'app.kubernetes.io/instance': 'registry', 'app.kubernetes.io/component': 'registry' } },
    });
  });

  test('RBAC: scale this one Deployment and read pods; no exec, no patch of any object, no delete', () => {
    const role = find(objects, 'Role', 'registry-gc');
    expect(role.rules).toEqual([
      { apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['registry'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['deployments/scale'], resourceNames: ['registry'], verbs: ['get', 'patch', 'update'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
    ]);
    const binding = find(objects, 'RoleBinding', 'registry-gc');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'registry-gc', namespace: 'prod' }]);
  });

  test('deleteUntagged on registry 3: --delete-untagged and the v3 config path', () => {
    const { objects: v3 } = build({
      version: RegistryVersion.V3, deletion: true, garbageCollection: { deleteUntagged: true }, storage: RegistryStorage.persistentVolume(),
    });
    const gc = find(v3, 'CronJob', 'registry-gc').spec.jobTemplate.spec.template.spec.initContainers[2];
    expect(gc.command.slice(4)).toEqual(['garbage-collect', '--delete-untagged', '/etc/distribution/config.yml']);
  });

  test('shared storage needs no same-node affinity, and the job scales back to autoscaling.minReplicas', () => {
    const { objects: shared } = build({
      httpSecret: http, deletion: true, garbageCollection: {}, autoscaling: { minReplicas: 2, maxReplicas: 4 },
      storage: RegistryStorage.s3({ bucket: 'b-1', region: 'eu-west-1' }),
    });
    const sharedPod = find(shared, 'CronJob', 'registry-gc').spec.jobTemplate.spec.template.spec;
    expect(sharedPod.affinity).toBeUndefined();
    expect(sharedPod.containers[0].command).toEqual(['kubectl', '--namespace', 'prod', 'scale', 'deployment/registry', '--replicas=2']);
  });
});

describe('no secret value is ever rendered', () => {
  test('every env var whose name looks secret comes from a secretKeyRef, and no Secret object is rendered', () => {
    const { objects } = build({
      httpSecret: http, replicas: 2,
      auth: RegistryAuth.htpasswd({ secret: SecretKey.fromSecret('users', 'htpasswd') }),
      storage: RegistryStorage.s3({ bucket: 'b-1', region: 'us-east-1', credentials: { accessKey: SecretKey.fromSecret('s3', 'a'), secretKey: SecretKey.fromSecret('s3', 's') } }),
      cache: RegistryCache.redis({ address: 'redis:6379', password: SecretKey.fromSecret('redis', 'pw') }),
    });
    expect(objects.filter(o => o.kind === 'Secret')).toEqual([]);
    const env = container(find(objects, 'Deployment', 'registry'), 'registry').env;
    for (const e of env.filter((x: any) => /SECRET|PASSWORD|KEY/.test(x.name))) {
      expect([e.name, e.value]).toEqual([e.name, undefined]);
      expect(e.valueFrom.secretKeyRef).toBeDefined();
    }
    expect(JSON.stringify(find(objects, 'ConfigMap', 'registry-config'))).not.toMatch(/secret|password/i);
  });
});

describe('Pod Security', () => {
  test('every pod the library renders meets `restricted`, but for the proxy\'s hostPort', () => {
    const { app, chart } = testChart('prod');
    const registry = new Registry(chart, 'registry', {
      deletion: true, garbageCollection: {}, metrics: {}, auth: RegistryAuth.htpasswd({ secret: SecretKey.fromSecret('u', 'htpasswd') }),
      storage: RegistryStorage.persistentVolume({ accessMode: VolumeAccessMode.READ_WRITE_ONCE }),
    });
    new RegistryProxyDaemonSet(chart, 'proxy', { registry });
    new RegistryUI(chart, 'ui', { registry });
    const specs = podSpecs(synthValidated(app));
    expect(specs.map(s => s.owner)).toEqual(['Deployment/registry', 'CronJob/registry-gc', 'DaemonSet/proxy', 'Deployment/ui']);
    for (const { owner, spec } of specs) {
      expect([owner, restrictedViolations(spec, { allowHostPorts: owner === 'DaemonSet/proxy' })]).toEqual([owner, []]);
    }
    const proxy = specs.find(s => s.owner === 'DaemonSet/proxy')!;
    expect(restrictedViolations(proxy.spec)).toEqual(['container nginx: hostPort']);
  });

  test('the node wiring pods break `restricted` only where their mode needs it', () => {
    const { app, chart } = testChart('kube-system');
    const registry = new Registry(chart, 'registry');
    new RegistryProxyDaemonSet(chart, 'proxy', { registry, network: RegistryProxyNetwork.HOST_NETWORK });
    new ContainerdRegistryHosts(chart, 'hosts', { hosts: [{ host: 'registry.local:5000', endpoint: NodeRegistryEndpoint.nodePort(registry) }] });
    const specs = podSpecs(synthValidated(app));
    expect(specs.map(s => [s.owner, restrictedViolations(s.spec)])).toEqual([
      ['Deployment/registry', []],
      ['DaemonSet/proxy', ['host namespaces', 'container nginx: hostPort']],
      ['DaemonSet/hosts', ['volume containerd-config of type hostPath', 'volume host-0 of type hostPath',
        'container write-hosts: runAsNonRoot must be true', 'container write-hosts: runs as uid 0']],
    ]);
  });

  test('the checker finds violations (it can fail)', () => {
    expect(restrictedViolations({ containers: [{ name: 'c', securityContext: { privileged: true } }], volumes: [{ name: 'h', hostPath: { path: '/' } }] })).toEqual([
      'volume h of type hostPath', 'container c: privileged', 'container c: allowPrivilegeEscalation must be false',
      'container c: must drop ALL capabilities', 'container c: runAsNonRoot must be true', 'container c: seccompProfile must be RuntimeDefault',
    ]);
  });
});

describe('production bad input', () => {
  const cases: Array<[string, Props, string]> = [
    ['replicas without httpSecret', { replicas: 2, storage: RegistryStorage.s3({ bucket: 'images', region: 'us-east-1' }) },
      'replicas is 2 but httpSecret is not set: every replica must share one http.secret, or an upload that moves between replicas fails; ' +
      'pass httpSecret: SecretKey.fromSecret(name, key) of a Secret holding a random string'],
    ['autoscaling with replicas', { replicas: 1, autoscaling: { minReplicas: 1, maxReplicas: 1 } },
      'replicas and autoscaling are both set; autoscaling.minReplicas sets the starting count, drop replicas'],
    ['autoscaling max below min', { autoscaling: { minReplicas: 3, maxReplicas: 2 }, httpSecret: http, storage: RegistryStorage.s3({ bucket: 'images', region: 'us-east-1' }) },
      'autoscaling.maxReplicas must be a whole number of at least minReplicas 3 (got 2)'],
    ['gc on emptyDir', { deletion: true, garbageCollection: {}, storage: RegistryStorage.emptyDir() },
      'garbageCollection cannot run on emptyDir storage: it stops the registry, which erases the data; use a volume or an object store'],
    ['gc deleteUntagged on 2.x', { version: RegistryVersion.V2, deletion: true, garbageCollection: { deleteUntagged: true }, storage: RegistryStorage.persistentVolume() },
      'garbageCollection.deleteUntagged on registry 2.x deletes the per-architecture manifests of tagged multi-arch images ' +
      '(distribution#3178), and those tags stop pulling; drop deleteUntagged, or use version: RegistryVersion.V3'],
    ['gc schedule', { deletion: true, garbageCollection: { schedule: 'weekly' }, storage: RegistryStorage.persistentVolume() },
      'garbageCollection.schedule must be a cron expression of 5 fields, such as "0 3 * * 0" (Sundays at 03:00) or "@weekly" (got "weekly")'],
    ['pull-through with deletion', { deletion: true, pullThrough: { remoteUrl: 'https://registry-1.docker.io' } },
      'deletion cannot be enabled on a pull-through cache, which only mirrors; drop deletion or pullThrough'],
    ['pull-through half credentials', { pullThrough: { remoteUrl: 'https://registry-1.docker.io', username: SecretKey.fromSecret('hub', 'user') } },
      'pullThrough.username and pullThrough.password go together: set both, or neither for anonymous pulls'],
    ['pull-through url', { pullThrough: { remoteUrl: 'docker.io' } },
      'pullThrough.remoteUrl must be a URL such as "https://registry-1.docker.io": http(s), a host and an optional port, no path (got "docker.io")'],
    ['redis address', { cache: RegistryCache.redis({ address: 'redis' }) },
      'cache redis address must be "host:port" with a port within 1-65535, such as "redis.cache.svc:6379" (got "redis")'],
    ['metrics on the registry port', { metrics: { port: 5000 } }, 'metrics.port must differ from the registry\'s own port 5000 (got 5000)'],
    ['ingress host', { ingress: { host: 'https://registry.example.com' } },
      'ingress.host must be a DNS name such as "registry.example.com" (or "*.example.com"), not an IP address or a URL (got "https://registry.example.com")'],
    ['catalogMaxEntries', { catalogMaxEntries: 0 }, 'catalogMaxEntries must be a whole number of at least 1 (got 0)'],
    ['resources', { resources: { memoryLimit: '2GB' } }, 'resources.memoryLimit must be a Kubernetes quantity such as "10Gi", "500Mi" or "250m" (got "2GB")'],
    ['secret-looking env', { pod: { env: { S3_ACCESS_TOKEN: 'hunter2' } } },
      'pod.env S3_ACCESS_TOKEN looks like a secret, and plain env values land in dist/; pass secrets through the props that take a SecretKey (httpSecret, auth, storage credentials)'],
    ['bad secret name', { httpSecret: SecretKey.fromSecret('Registry_HTTP', 'secret') },
      'httpSecret names Secret "Registry_HTTP", which is not a valid Secret name (lowercase letters, digits, "-" and ".")'],
    ['s3 bucket', { storage: RegistryStorage.s3({ bucket: 'My Bucket', region: 'us-east-1' }) },
      's3 bucket must be a bucket name: 3 or more lowercase letters, digits, "-", "." or "_" (got "My Bucket")'],
    ['azure account', { storage: RegistryStorage.azure({ accountName: 'Images', container: 'registry', accountKey: SecretKey.fromSecret('az', 'key') }) },
      'azure accountName must be 3-24 lowercase letters and digits (got "Images")'],
  ];

  test.each(cases)('%s', (_label, props, message) => {
    const { chart } = testChart('prod');
    expect(() => new Registry(chart, 'registry', props)).toThrow(new Error(`Registry at "test/registry": ${message}`));
  });
});

describe('garbage collection and deletion, in any order', () => {
  const gcRegistry = (chart: Chart) => new Registry(chart, 'registry', { garbageCollection: {}, storage: RegistryStorage.persistentVolume() });

  test('gc without deletion is refused when the app is synthesized, with nothing written', () => {
    const { app, chart } = testChart('prod');
    gcRegistry(chart);
    expect(() => app.synthYaml()).toThrow('[test/registry] Registry at "test/registry": garbageCollection needs deletion: true ' +
      '(or a linked UI that deletes images); without it nothing is ever unreferenced');
  });

  test('a UI that deletes images, added after the registry, turns deletion on for the collector', () => {
    const { app, chart } = testChart('prod');
    const registry = gcRegistry(chart);
    expect(registry.deletion).toBe(false);
    new RegistryUI(chart, 'ui', { registry, deleteImages: true });
    expect(registry.deletion).toBe(true);
    const config = parse(find(synthValidated(app), 'ConfigMap', 'registry-config').data['config.yml']);
    expect(config.storage.delete).toEqual({ enabled: true });
    expect(find(synthValidated(app), 'CronJob', 'registry-gc').kind).toBe('CronJob');
  });
});

describe('every option at once', () => {
  test('snapshot: what a reviewer sees for a fully loaded production registry', () => {
    const { objects } = build({
      replicas: 2,
      httpSecret: http,
      storage: RegistryStorage.s3({ bucket: 'images', region: 'eu-west-1', credentials: { accessKey: SecretKey.fromSecret('s3', 'a'), secretKey: SecretKey.fromSecret('s3', 's') } }),
      auth: RegistryAuth.htpasswd({ secret: SecretKey.fromSecret('users', 'htpasswd') }),
      tls: RegistryTls.fromSecret('registry-tls'),
      deletion: true,
      garbageCollection: {},
      cache: RegistryCache.redis({ address: 'redis.cache.svc:6379', password: SecretKey.fromSecret('redis', 'pw') }),
      metrics: { serviceMonitor: true },
      ingress: { host: 'registry.example.com', tlsSecretName: 'registry-ingress-tls' },
      networkPolicy: { allowNamespaces: ['ci'] },
      pod: { priorityClassName: 'platform' },
    });
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ConfigMap/registry-config', 'Deployment/registry', 'Service/registry', 'PodDisruptionBudget/registry',
      'NetworkPolicy/registry', 'Service/registry-metrics', 'ServiceMonitor/registry', 'Ingress/registry',
      'ServiceAccount/registry-gc', 'Role/registry-gc', 'RoleBinding/registry-gc', 'CronJob/registry-gc',
    ]);
    expect(objects).toMatchSnapshot();
  });
});
