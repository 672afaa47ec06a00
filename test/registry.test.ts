import { parse } from 'yaml';

import { Registry, RegistryServiceType, RegistryStorage, SecretKey, VolumeAccessMode } from '../lib';
import { container, find, schemaProblems, selects, synthValidated, testChart } from './util';

function registryObjects(props: ConstructorParameters<typeof Registry>[2] = {}, namespace = 'tools') {
  const { app, chart } = testChart(namespace);
  const registry = new Registry(chart, 'registry', props);
  return { registry, objects: synthValidated(app) };
}

describe('Registry defaults', () => {
  const { registry, objects } = registryObjects();

  test('unfinished uploads are purged after 24h, checked hourly (the registry keeps them 168h by default)', () => {
    const config = parse(find(objects, 'ConfigMap', 'registry-config').data['config.yml']);
    expect(config.storage.maintenance).toEqual({ uploadpurging: { enabled: true, age: '24h', interval: '1h', dryrun: false } });
    expect(registry.uploadPurging).toEqual({ age: '24h', interval: '1h' });
    const { objects: custom } = registryObjects({ uploadPurging: { age: '6h' } });
    expect(parse(find(custom, 'ConfigMap', 'registry-config').data['config.yml']).storage.maintenance.uploadpurging)
      .toEqual({ enabled: true, age: '6h', interval: '1h', dryrun: false });
  });

  test('snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  test('renders a ConfigMap, Deployment and Service, all valid', () => {
    expect(objects.map(o => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'ConfigMap/tools/registry-config',
      'Deployment/tools/registry',
      'Service/tools/registry',
    ]);
    expect(schemaProblems(objects)).toEqual([]);
  });

  test('exposes resolved values for other constructs', () => {
    expect(registry.name).toBe('registry');
    expect(registry.namespace).toBe('tools');
    expect(registry.serviceHost).toBe('registry.tools.svc');
    expect(registry.port).toBe(5000);
    expect(registry.nodePort).toBe(31500);
    expect(registry.clusterUrl).toBe('http://registry.tools.svc:5000');
  });

  test('the Service selects the registry pods and targets the port the registry listens on', () => {
    const service = find(objects, 'Service', 'registry');
    const deployment = find(objects, 'Deployment', 'registry');
    expect(service.spec.type).toBe('NodePort');
    expect(service.spec.ports).toEqual([{ name: 'registry', protocol: 'TCP', port: 5000, targetPort: 5000, nodePort: 31500 }]);
    expect(selects(service.spec.selector, deployment.spec.template.metadata.labels)).toBe(true);
    expect(deployment.spec.selector.matchLabels).toEqual(service.spec.selector);
    const config = parse(find(objects, 'ConfigMap', 'registry-config').data['config.yml']);
    expect(config.http.addr).toBe(':5000');
    expect(container(deployment, 'registry').ports).toEqual([{ name: 'registry', containerPort: 5000, protocol: 'TCP' }]);
  });

  test('config.yml starts from the stable chart defaults and is mounted where the command reads it', () => {
    const configMap = find(objects, 'ConfigMap', 'registry-config');
    const config = parse(configMap.data['config.yml']);
    expect(config).toEqual({
      version: '0.1',
      log: { fields: { service: 'registry' } },
      storage: {
        cache: { blobdescriptor: 'inmemory' }, filesystem: { rootdirectory: '/var/lib/registry' },
        maintenance: { uploadpurging: { enabled: true, age: '24h', interval: '1h', dryrun: false } },
      },
      http: { addr: ':5000', headers: { 'X-Content-Type-Options': ['nosniff'] } },
      health: { storagedriver: { enabled: true, interval: '10s', threshold: 3 } },
    });
    const deployment = find(objects, 'Deployment', 'registry');
    const c = container(deployment, 'registry');
    expect(c.command).toEqual(['/bin/registry', 'serve', '/etc/distribution/config.yml']);
    expect(c.volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/distribution', readOnly: true });
    expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/registry' });
    expect(deployment.spec.template.spec.volumes).toContainEqual({ name: 'config', configMap: { name: 'registry-config' } });
  });

  test('probes hit / on the registry port', () => {
    const c = container(find(objects, 'Deployment', 'registry'), 'registry');
    for (const probe of [c.readinessProbe, c.livenessProbe]) {
      expect(probe.httpGet).toEqual({ path: '/', port: 5000 });
    }
  });

  test('storage is the chart\'s emptyDir, so it runs on a cluster without a StorageClass', () => {
    expect(objects.filter(o => o.kind === 'PersistentVolumeClaim')).toEqual([]);
    const deployment = find(objects, 'Deployment', 'registry');
    expect(deployment.spec.template.spec.volumes).toContainEqual({ name: 'data', emptyDir: {} });
    expect(container(deployment, 'registry').volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/registry' });
  });

  test('persistentVolume(): a 10Gi ReadWriteOnce claim, mounted with the Recreate strategy', () => {
    const { app, chart } = testChart('tools');
    new Registry(chart, 'registry', { storage: RegistryStorage.persistentVolume() });
    const rendered = synthValidated(app);
    const pvc = find(rendered, 'PersistentVolumeClaim', 'registry');
    expect(pvc.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } });
    const deployment = find(rendered, 'Deployment', 'registry');
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(deployment.spec.template.spec.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'registry' } });
  });

  test('cdk8s-plus defaults are set deliberately: 1 replica, IfNotPresent, pinned image, modest requests', () => {
    const deployment = find(objects, 'Deployment', 'registry');
    const c = container(deployment, 'registry');
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.minReadySeconds).toBe(5);
    expect(c.image).toBe('registry:3.1.2');
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '1Gi' } });
    expect(JSON.stringify(objects)).not.toContain('cdk8s.io/metadata.addr');
  });

  test('runs as uid 1000 with a read-only root, no privilege escalation, no capabilities', () => {
    const deployment = find(objects, 'Deployment', 'registry');
    expect(deployment.spec.template.spec.securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container(deployment, 'registry').securityContext).toEqual({
      allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true,
    });
  });

  test('the pod template carries a checksum of config.yml', () => {
    const deployment = find(objects, 'Deployment', 'registry');
    const { createHash } = require('crypto');
    const text = find(objects, 'ConfigMap', 'registry-config').data['config.yml'];
    expect(text).toBe(registry.configYaml);
    expect(deployment.spec.template.metadata.annotations['checksum/config']).toBe(createHash('sha256').update(text).digest('hex'));
  });

  test('the same code gives the same bytes', () => {
    expect(JSON.stringify(registryObjects().objects)).toBe(JSON.stringify(objects));
  });
});

describe('Registry options', () => {
  test('emptyDir storage, ClusterIP service, custom port', () => {
    const { registry, objects } = registryObjects({
      name: 'scratch', storage: RegistryStorage.emptyDir({ sizeLimit: '5Gi' }),
      serviceType: RegistryServiceType.CLUSTER_IP, port: 80,
    });
    expect(registry.nodePort).toBeUndefined();
    expect(registry.clusterUrl).toBe('http://scratch.tools.svc:80');
    expect(objects.map(o => o.kind)).toEqual(['ConfigMap', 'Deployment', 'Service']);
    const service = find(objects, 'Service', 'scratch');
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.ports).toEqual([{ name: 'registry', protocol: 'TCP', port: 80, targetPort: 5000 }]);
    const deployment = find(objects, 'Deployment', 'scratch');
    expect(deployment.spec.template.spec.volumes).toContainEqual({ name: 'data', emptyDir: { sizeLimit: '5Gi' } });
    expect(schemaProblems(objects)).toEqual([]);
  });

  test('a ReadWriteMany volume allows replicas and rolls without surge deadlock', () => {
    const { objects } = registryObjects({
      replicas: 3,
      httpSecret: SecretKey.fromSecret('registry-http', 'secret'),
      storage: RegistryStorage.persistentVolume({ size: '100Gi', storageClassName: 'nfs', accessMode: VolumeAccessMode.READ_WRITE_MANY }),
    });
    const deployment = find(objects, 'Deployment', 'registry');
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    expect(find(objects, 'PersistentVolumeClaim', 'registry').spec).toEqual({
      accessModes: ['ReadWriteMany'], storageClassName: 'nfs', resources: { requests: { storage: '100Gi' } },
    });
  });

  test('namespace defaults to "default" outside a namespaced chart', () => {
    const { app, chart } = testChart();
    const registry = new Registry(chart, 'hub');
    expect(registry.namespace).toBe('default');
    expect(find(synthValidated(app), 'Service', 'hub').metadata.namespace).toBe('default');
  });

  test('Registry.fromUrl describes an external registry', () => {
    expect(Registry.fromUrl('http://registry.example.internal:5000')).toMatchObject({
      serviceHost: 'registry.example.internal', port: 5000, clusterUrl: 'http://registry.example.internal:5000',
    });
    expect(Registry.fromUrl('http://registry.example.internal:5000').namespace).toBeUndefined();
    expect(Registry.fromUrl('http://registry.example.internal:5000').partOf).toBeUndefined();
    expect(Registry.fromUrl('https://mirror.example').port).toBe(443);
  });
});

describe('Registry bad input', () => {
  const cases: Array<[string, ConstructorParameters<typeof Registry>[2], string]> = [
    ['nodePort out of range', { nodePort: 80 },
      'Registry at "test/registry": nodePort must be a whole number within 30000-32767, the cluster\'s default NodePort range (got 80); pick a free port in that range'],
    ['port out of range', { port: 70000 },
      'Registry at "test/registry": port must be a whole number within 1-65535 (got 70000)'],
    ['replicas below 1', { replicas: 0 },
      'Registry at "test/registry": replicas must be a whole number of at least 1 (got 0)'],
    ['replicas not an integer', { replicas: 1.5 },
      'Registry at "test/registry": replicas must be a whole number (got 1.5, a number)'],
    ['replicas on ReadWriteOnce', { replicas: 2, httpSecret: SecretKey.fromSecret('http', 'secret'), storage: RegistryStorage.persistentVolume() },
      'Registry at "test/registry": replicas is 2 but storage is a ReadWriteOnce volume, which one node at a time can mount; ' +
      'use replicas: 1, or storage that several nodes share (an object store or a ReadWriteMany volume)'],
    ['replicas on emptyDir', { replicas: 2, httpSecret: SecretKey.fromSecret('http', 'secret'), storage: RegistryStorage.emptyDir() },
      'Registry at "test/registry": replicas is 2 but storage is an emptyDir, which is private to each pod; ' +
      'use replicas: 1, or storage that several nodes share (an object store or a ReadWriteMany volume)'],
    ['invalid name', { name: 'My_Registry' },
      'Registry at "test/registry": name must be a DNS-1035 label of at most 63 characters: lowercase letters, digits and "-", ' +
      'starting with a letter and ending with a letter or digit (got "My_Registry")'],
    ['a 56-character name with metrics', { name: 'r'.repeat(56), metrics: {} },
      'Registry at "test/registry": name must be at most 55 characters with metrics: the Service "<name>-metrics" may have 63 (got 56)'],
    ['a 50-character name with garbage collection', { name: 'r'.repeat(50), deletion: true, garbageCollection: {}, storage: RegistryStorage.persistentVolume() },
      'Registry at "test/registry": name must be at most 49 characters with garbageCollection: the CronJob "<name>-gc" may have 52 (got 50)'],
    ['invalid namespace', { namespace: 'Kube System' },
      'Registry at "test/registry": namespace must be a DNS-1123 label of at most 63 characters: lowercase letters, digits and "-", ' +
      'starting and ending with a letter or digit (got "Kube System")'],
    ['size not a quantity', { storage: RegistryStorage.persistentVolume({ size: '10GB' }) },
      'Registry at "test/registry": storage size must be a Kubernetes quantity above zero such as "10Gi", "500Mi" or "250m" (got "10GB")'],
    ['upload purging age in words', { uploadPurging: { age: '1 day' } },
      'Registry at "test/registry": uploadPurging.age must be a Go duration above zero such as "24h" or "90m" (got "1 day")'],
    ['upload purging interval zero', { uploadPurging: { interval: '0s' } },
      'Registry at "test/registry": uploadPurging.interval must be a Go duration above zero such as "24h" or "90m" (got "0s")'],
    ['upload purging age as a number', { uploadPurging: { age: 24 as any } },
      'Registry at "test/registry": uploadPurging.age must be a string (got 24, a number)'],
    ['emptyDir sizeLimit not a quantity', { storage: RegistryStorage.emptyDir({ sizeLimit: 'lots' }) },
      'Registry at "test/registry": storage sizeLimit must be a Kubernetes quantity above zero such as "10Gi", "500Mi" or "250m" (got "lots")'],
    ['empty image', { image: '' },
      'Registry at "test/registry": image must be an image reference such as "registry:3.1.2", or pinned by digest as ' +
      '"registry:3.1.2@sha256:<64 hex digits>" (got ""); omit it to use "registry:3.1.2"'],
    ['nodePort with ClusterIP', { serviceType: RegistryServiceType.CLUSTER_IP, nodePort: 31500 },
      'Registry at "test/registry": nodePort is set (31500) but serviceType is ClusterIP; drop nodePort or use RegistryServiceType.NODE_PORT'],
  ];

  test.each(cases)('%s', (_label, props, message) => {
    const { chart } = testChart('tools');
    expect(() => new Registry(chart, 'registry', props)).toThrow(new Error(message));
  });

  test('several problems come in one message, and nothing is rendered', () => {
    const { app, chart } = testChart('tools');
    expect(() => new Registry(chart, 'registry', { nodePort: 1, replicas: 0 })).toThrow(new Error(
      'Registry at "test/registry" has 2 problems:\n' +
      '- nodePort must be a whole number within 30000-32767, the cluster\'s default NodePort range (got 1); pick a free port in that range\n' +
      '- replicas must be a whole number of at least 1 (got 0)'));
    expect(app.charts.flatMap(c => c.toJson())).toEqual([]);
  });

  test('Registry.fromUrl refuses what is not http(s)://host[:port]', () => {
    expect(() => Registry.fromUrl('registry:5000/v2')).toThrow(new Error(
      'Registry.fromUrl: url must look like "http://host:port" with no path, credentials or port 0 (got "registry:5000/v2")'));
  });
});
