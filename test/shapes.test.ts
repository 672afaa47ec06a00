// Props as JavaScript callers pass them: wrong types, unknown and misspelt keys, missing required props. Each gets one
// clear error naming the prop, the value and what it must be; never a TypeError from deep inside, never a silent default.
import {
  LocalRegistryHosting, PrivateRegistry, Registry, RegistryAuth, RegistryCache, RegistryNamespace, RegistryProxyDaemonSet, RegistryStorage,
  RegistryTls, RegistryUI, RegistryUIConnection, SecretKey,
} from '../lib';
import { testChart } from './util';

const js = (v: unknown) => v as any;

describe('wrong JavaScript types', () => {
  const cases: Array<[string, () => unknown, string]> = [
    ['nodePort as a string', () => new Registry(testChart().chart, 'r', js({ nodePort: '31500' })),
      'Registry at "test/r": nodePort must be a whole number (got "31500", a string)'],
    ['deletion as the string "false" (which is truthy)', () => new Registry(testChart().chart, 'r', js({ deletion: 'false' })),
      'Registry at "test/r": deletion must be true or false (got "false", a string)'],
    ['storage as a string', () => new Registry(testChart().chart, 'r', js({ storage: 'emptyDir' })),
      'Registry at "test/r": storage must be a RegistryStorage such as RegistryStorage.persistentVolume() (got "emptyDir", a string)'],
    ['cache as a string', () => new Registry(testChart().chart, 'r', js({ cache: 'redis' })),
      'Registry at "test/r": cache must be a RegistryCache such as RegistryCache.redis({ address: "redis.cache.svc:6379" }) (got "redis", a string)'],
    ['httpSecret as a string', () => new Registry(testChart().chart, 'r', js({ httpSecret: 'abc' })),
      'Registry at "test/r": httpSecret must be a SecretKey such as SecretKey.fromSecret("registry-secrets", "http-secret") (got "abc", a string)'],
    ['allowNamespaces as a string', () => new Registry(testChart().chart, 'r', js({ networkPolicy: { allowNamespaces: 'builds' } })),
      'Registry at "test/r": networkPolicy.allowNamespaces must be a list (of a string) (got "builds", a string)'],
    ['a Date for a name', () => new Registry(testChart().chart, 'r', js({ name: new Date(0) })),
      'Registry at "test/r": name must be a string (got a Date)'],
    ['a plain object for a SecretKey', () => new Registry(testChart().chart, 'r', js({ httpSecret: { secretName: 's', key: 'k' } })),
      'Registry at "test/r": httpSecret must be a SecretKey such as SecretKey.fromSecret("registry-secrets", "http-secret") ' +
      '(got an object {"secretName":"s","key":"k"})'],
    ['serviceType in lower case', () => new Registry(testChart().chart, 'r', js({ serviceType: 'nodeport' })),
      'Registry at "test/r": serviceType must be one of RegistryServiceType.NODE_PORT, RegistryServiceType.CLUSTER_IP ("NodePort", "ClusterIP") ' +
      '(got "nodeport", a string)'],
    ['a version that does not exist', () => new Registry(testChart().chart, 'r', js({ version: 'v9' })),
      'Registry at "test/r": version must be one of RegistryVersion.V2, RegistryVersion.V3 ("2", "3") (got "v9", a string)'],
    ['props that are not an object', () => new Registry(testChart().chart, 'r', js('registry')),
      'Registry at "test/r": props must be an object (RegistryProps) (got "registry", a string)'],
    ['a label value that is a number', () => new Registry(testChart().chart, 'r', js({ pod: { labels: { team: 7 } } })),
      'Registry at "test/r": pod.labels.team must be a string (got 7, a number)'],
  ];
  test.each(cases)('%s', (_label, make, message) => {
    expect(make).toThrow(new Error(message));
  });
});

describe('unknown, misspelt and missing props', () => {
  test('a misspelt prop is named, with the one that was meant', () => {
    expect(() => new Registry(testChart().chart, 'r', js({ nodeport: 31501 })))
      .toThrow(new Error('Registry at "test/r": nodeport is not a field of RegistryProps: did you mean nodePort?'));
  });

  test('an unknown prop with nothing close lists the known ones', () => {
    expect(() => new RegistryNamespace(testChart().chart, 'ns', js({ name: 'tools', colour: 'blue' })))
      .toThrow(new Error('RegistryNamespace at "test/ns": colour is not a field of RegistryNamespaceProps: the known ones are name, podSecurity'));
  });

  test('nested structs are checked too', () => {
    expect(() => new Registry(testChart().chart, 'r', js({ autoscaling: { minReplicas: 2, maxReplica: 4 } })))
      .toThrow(new Error('Registry at "test/r" has 2 problems:\n' +
        '- autoscaling.maxReplica is not a field of AutoscalingOptions: did you mean maxReplicas?\n' +
        '- autoscaling.maxReplicas is required: a whole number'));
  });

  test.each([
    ['a proxy', () => new RegistryProxyDaemonSet(testChart().chart, 'p', js({})), 'RegistryProxyDaemonSet at "test/p"'],
    ['a UI', () => new RegistryUI(testChart().chart, 'ui', js({ title: 'x' })), 'RegistryUI at "test/ui"'],
    ['a discovery ConfigMap', () => new LocalRegistryHosting(testChart().chart, 'd', js({})), 'LocalRegistryHosting at "test/d"'],
  ])('%s with no registry', (_label, make, owner) => {
    expect(make).toThrow(new Error(`${owner}: registry is required: a Registry of this app, or Registry.fromUrl("http://host:port")`));
  });

  test('a registry that is not one', () => {
    expect(() => new RegistryUI(testChart().chart, 'ui', js({ registry: 'http://r:5000' })))
      .toThrow(new Error('RegistryUI at "test/ui": registry must be a Registry of this app, or Registry.fromUrl("http://host:port") ' +
        '(got "http://r:5000", a string)'));
  });

  test('PrivateRegistry checks the props of every part it passes on', () => {
    expect(() => new PrivateRegistry(testChart().chart, 'hub', js({ ui: { nodeport: 31001 }, registry: { replicas: '2' } })))
      .toThrow(new Error('PrivateRegistry at "test/hub" has 2 problems:\n' +
        '- registry.replicas must be a whole number (got "2", a string)\n' +
        '- ui.nodeport is not a field of RegistryUIOptions: did you mean nodePort?'));
  });
});

describe('factories check their options where they are called', () => {
  test.each([
    ['s3 bucket', () => RegistryStorage.s3(js({ bucket: 5, region: 'r' })), 'RegistryStorage.s3: bucket must be a string (got 5, a number)'],
    ['s3 without region', () => RegistryStorage.s3(js({ bucket: 'b' })), 'RegistryStorage.s3: region is required: a string'],
    ['pv access mode', () => RegistryStorage.persistentVolume(js({ accessMode: 'RWX' })),
      'RegistryStorage.persistentVolume: accessMode must be one of VolumeAccessMode.READ_WRITE_ONCE, VolumeAccessMode.READ_WRITE_MANY ' +
      '("ReadWriteOnce", "ReadWriteMany") (got "RWX", a string)'],
    ['existing claim with no name', () => RegistryStorage.existingClaim(js(undefined)), 'RegistryStorage.existingClaim: claimName is required: a string'],
    ['htpasswd secret as a string', () => RegistryAuth.htpasswd(js({ secret: 'users/htpasswd' })),
      'RegistryAuth.htpasswd: secret must be a SecretKey such as SecretKey.fromSecret("registry-secrets", "http-secret") (got "users/htpasswd", a string)'],
    ['redis db as a string', () => RegistryCache.redis(js({ address: 'r:6379', db: '1' })), 'RegistryCache.redis: db must be a whole number (got "1", a string)'],
    ['tls secret as an object', () => RegistryTls.fromSecret(js({ name: 'tls' })),
      'RegistryTls.fromSecret: secretName must be a string (got an object {"name":"tls"})'],
    ['secret key as a number', () => SecretKey.fromSecret(js(1), 'k'), 'SecretKey.fromSecret: secretName and key must be strings (got 1, a number and "k", a string)'],
    ['direct connection without origin', () => RegistryUIConnection.direct(js({ browserUrl: 'http://10.0.0.5:31500' })),
      'RegistryUIConnection.direct: uiOrigin is required: a string'],
    ['fromUrl options', () => Registry.fromUrl('http://r:5000', js({ deletion: 'yes' })),
      'Registry.fromUrl: options.deletion must be true or false (got "yes", a string)'],
    ['fromUrl with port 0', () => Registry.fromUrl('http://r:0'),
      'Registry.fromUrl: url must look like "http://host:port" with no path, credentials or port 0 (got "http://r:0")'],
  ])('%s', (_label, make, message) => {
    expect(make).toThrow(new Error(message));
  });
});
