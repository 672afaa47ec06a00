// The run-time shapes of every construct's props (see shape.ts). Each mirrors its TypeScript interface field for
// field; test/shapes.test.ts fails when one drifts from its interface.
import {
  AutoscalingOptions, GarbageCollectionOptions, IngressOptions, MetricsOptions, PodOptions, PullThroughOptions, RegistryAuth,
  RegistryCache, RegistryTls, ResourceOptions, TaintEffect, Toleration, TolerationOperator, UploadPurgingOptions,
} from './registry-options';
import { NetworkPolicyOptions, RegistryProps, RegistryServiceType, RegistryVersion } from './registry-props';
import { RegistryStorage } from './registry-storage';
import { SECRET_KEY } from './secret-key';
import {
arrayOf,   BOOLEAN, enumOf, instanceOf, mapOf, required, satisfying, Shape, STRING, struct,
WHOLE_NUMBER, } from './shape';

const STRING_MAP = mapOf(STRING);

/** A `Registry` of this app, or `Registry.fromUrl(...)`: anything with the `IRegistry` members. */
export const REGISTRY_REFERENCE = satisfying('a Registry of this app, or Registry.fromUrl("http://host:port")', v => {
  const r = v as Record<string, unknown> | null;
  return typeof r === 'object' && r !== null && typeof r.serviceHost === 'string' && typeof r.port === 'number' &&
    typeof r.clusterUrl === 'string' && typeof r.addClient === 'function';
});

const TOLERATION = struct('Toleration', {
  key: STRING,
  operator: enumOf('TolerationOperator', TolerationOperator),
  value: STRING,
  effect: enumOf('TaintEffect', TaintEffect),
} satisfies Record<keyof Toleration, unknown>);

export const REGISTRY_PROPS: Shape = struct('RegistryProps', {
  name: STRING,
  namespace: STRING,
  image: STRING,
  replicas: WHOLE_NUMBER,
  storage: instanceOf('RegistryStorage', RegistryStorage, 'RegistryStorage.persistentVolume()'),
  serviceType: enumOf('RegistryServiceType', RegistryServiceType),
  nodePort: WHOLE_NUMBER,
  port: WHOLE_NUMBER,
  httpSecret: SECRET_KEY,
  auth: instanceOf('RegistryAuth', RegistryAuth, 'RegistryAuth.htpasswd({ secret })'),
  deletion: BOOLEAN,
  garbageCollection: struct('GarbageCollectionOptions', { schedule: STRING, deleteUntagged: BOOLEAN, kubectlImage: STRING } satisfies Record<keyof GarbageCollectionOptions, unknown>),
  cache: instanceOf('RegistryCache', RegistryCache, 'RegistryCache.redis({ address: "redis.cache.svc:6379" })'),
  pullThrough: struct('PullThroughOptions', { remoteUrl: required(STRING), username: SECRET_KEY, password: SECRET_KEY } satisfies Record<keyof PullThroughOptions, unknown>),
  metrics: struct('MetricsOptions', { port: WHOLE_NUMBER, serviceMonitor: BOOLEAN } satisfies Record<keyof MetricsOptions, unknown>),
  autoscaling: struct('AutoscalingOptions', {
    minReplicas: required(WHOLE_NUMBER), maxReplicas: required(WHOLE_NUMBER), cpuUtilization: WHOLE_NUMBER,
  } satisfies Record<keyof AutoscalingOptions, unknown>),
  ingress: struct('IngressOptions', { host: required(STRING), className: STRING, tlsSecretName: STRING, annotations: STRING_MAP } satisfies Record<keyof IngressOptions, unknown>),
  tls: instanceOf('RegistryTls', RegistryTls, 'RegistryTls.fromSecret("registry-tls")'),
  resources: struct('ResourceOptions', { cpuRequest: STRING, cpuLimit: STRING, memoryRequest: STRING, memoryLimit: STRING } satisfies Record<keyof ResourceOptions, unknown>),
  pod: struct('PodOptions', {
    nodeSelector: STRING_MAP,
    tolerations: arrayOf(TOLERATION),
    spreadAcrossNodes: BOOLEAN,
    priorityClassName: STRING,
    annotations: STRING_MAP,
    labels: STRING_MAP,
    imagePullSecrets: arrayOf(STRING),
    env: STRING_MAP,
  } satisfies Record<keyof PodOptions, unknown>),
  helmRelease: STRING,
  helmNameOverride: STRING,
  helmFullnameOverride: STRING,
  version: enumOf('RegistryVersion', RegistryVersion),
  networkPolicy: struct('NetworkPolicyOptions', { allowNamespaces: arrayOf(STRING), allowCidrs: arrayOf(STRING) } satisfies Record<keyof NetworkPolicyOptions, unknown>),
  catalogMaxEntries: WHOLE_NUMBER,
  uploadPurging: struct('UploadPurgingOptions', { age: STRING, interval: STRING } satisfies Record<keyof UploadPurgingOptions, unknown>),
  serviceAnnotations: STRING_MAP,
} satisfies Record<keyof RegistryProps, unknown>);
