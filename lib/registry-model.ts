// From a Registry's props to what it renders: every default resolved and every prop checked once, here, and every
// feature bound to its contribution. After this, nothing reads the props again.
import { Construct } from 'constructs';

import { defaultNamespace, helmNames, objectLabels, Problems, selectorLabels } from './internal';
import { RegistryContribution, RegistryTarget } from './registry-config';
import {
  bindCatalog, bindCore, bindHttpSecret, bindMetrics, bindPodEnv, bindPullThrough, bindUploadPurging,
} from './registry-features';
import { KUBECTL_IMAGE } from './registry-gc';
import {
  AutoscalingOptions, GarbageCollectionOptions, IngressOptions, MetricsOptions, PodOptions, RegistryCache, ResourceOptions,
  TolerationOperator,
} from './registry-options';
import { NetworkPolicyOptions, RegistryProps, RegistryServiceType, RegistryVersion } from './registry-props';
import { RegistryStorage, RegistryStorageBinding } from './registry-storage';
import { checkAnnotations, checkCidr, checkCronSchedule, checkHelmName, checkHelmRelease, checkImage, checkIngressHost, checkLabels, checkName, checkNamespace, checkNodePort, checkObjectReference, checkPort, checkQuantity, checkReplicas, checkRequestWithinLimit } from './rules';

const CONFIG_DIRS: Record<RegistryVersion, string> = { [RegistryVersion.V2]: '/etc/docker/registry', [RegistryVersion.V3]: '/etc/distribution' };
const DEFAULT_IMAGES: Record<RegistryVersion, string> = { [RegistryVersion.V2]: 'registry:2.8.3', [RegistryVersion.V3]: 'registry:3.1.2' };

/**
 * Everything a Registry renders, resolved from its props.
 * @internal
 */
export interface RegistrySettings extends RegistryTarget {
  readonly version: RegistryVersion;
  readonly image: string;
  readonly configDir: string;
  readonly configMapName: string;
  /** Replicas of the Deployment (with autoscaling, its minimum), and the most there may ever be. */
  readonly replicas: number;
  readonly maxReplicas: number;
  readonly serviceType: RegistryServiceType;
  readonly nodePort?: number;
  readonly port: number;
  readonly serviceAnnotations?: Record<string, string>;
  readonly podLabels: Record<string, string>;
  readonly https: boolean;
  readonly authEnabled: boolean;
  readonly pullThroughCache: boolean;
  /** The `deletion` prop; clients that delete turn deletion on as well. */
  readonly deletion: boolean;
  readonly catalogMaxEntries: number;
  readonly metricsPort?: number;
  readonly uploadPurging: { readonly age: string; readonly interval: string };
  readonly storage: RegistryStorageBinding;
  /** Every feature's contribution, in the order their env, volumes and ports appear in the pod. */
  readonly contributions: RegistryContribution[];
  readonly pod: PodOptions;
  readonly resources: ResourceOptions;
  readonly metrics?: MetricsOptions;
  readonly autoscaling?: AutoscalingOptions;
  readonly ingress?: IngressOptions;
  readonly networkPolicy?: NetworkPolicyOptions;
  readonly garbageCollection?: GarbageCollectionOptions;
}

/**
 * Resolves and checks a Registry's props, and binds its features. Problems are collected, never thrown here.
 * @internal
 */
export function resolveRegistry(scope: Construct, id: string, props: RegistryProps, problems: Problems): RegistrySettings {
  const version = props.version ?? RegistryVersion.V3;
  // The chart's fullname: the release name alone when it already says "docker-registry" (see helmNames).
  const helm = typeof props.helmRelease === 'string' ? helmNames(props.helmRelease, 'docker-registry', {
    nameOverride: props.helmNameOverride, fullnameOverride: props.helmFullnameOverride,
  }) : undefined;
  const name = props.name ?? helm?.fullname ?? id;
  const namespace = props.namespace ?? defaultNamespace(scope);
  const image = props.image ?? DEFAULT_IMAGES[version];
  const serviceType = props.serviceType ?? RegistryServiceType.NODE_PORT;
  const nodePort = serviceType === RegistryServiceType.NODE_PORT ? props.nodePort ?? 31500 : undefined;
  const port = props.port ?? 5000;
  checkIdentity(problems, props, { name, namespace, image, nodePort, port, helmName: helm?.fullname, defaultImage: DEFAULT_IMAGES[version] });

  // A live Helm release's Deployment selects on `app` and `release`, and a selector cannot change.
  const selector: Record<string, string> = helm !== undefined
    ? { app: helm.name, release: props.helmRelease! }
    : { ...selectorLabels('docker-registry', name), 'app.kubernetes.io/component': 'registry' };
  const labels = objectLabels('docker-registry', name, 'registry', name);
  const target: RegistryTarget = { scope, name, namespace, labels, selectorLabels: selector, version };
  const configMapName = `${name}-config`;
  const configDir = CONFIG_DIRS[version];

  const storage = (props.storage ?? RegistryStorage.emptyDir())._bind(scope, { ...target, claimName: name }, problems);
  const metrics = bindMetrics(props.metrics, problems);
  const contributions = [
    bindCore(configMapName, configDir),
    bindHttpSecret(props.httpSecret, problems),
    // The driver's section goes under `storage:`.
    { ...storage, config: { storage: storage.config } },
    (props.cache ?? RegistryCache.inMemory())._bind(target, problems),
    bindPullThrough(props.pullThrough, problems),
    props.tls?._bind(problems) ?? {},
    props.auth?._bind(problems) ?? {},
    metrics,
    bindUploadPurging(props.uploadPurging, problems),
    bindCatalog(props.catalogMaxEntries, problems),
    bindPodEnv(props.pod?.env, problems),
  ];
  const replicas = props.autoscaling?.minReplicas ?? props.replicas ?? 1;
  const settings: RegistrySettings = {
    ...target,
    version,
    image,
    configDir,
    configMapName,
    replicas,
    maxReplicas: checkScaling(problems, props, replicas, storage),
    serviceType,
    nodePort,
    port,
    serviceAnnotations: props.serviceAnnotations,
    podLabels: { ...props.pod?.labels, ...labels, ...selector },
    https: props.tls !== undefined,
    authEnabled: props.auth !== undefined,
    pullThroughCache: props.pullThrough !== undefined,
    deletion: props.deletion ?? false,
    catalogMaxEntries: props.catalogMaxEntries ?? 1000,
    metricsPort: metrics.port,
    uploadPurging: { age: props.uploadPurging?.age ?? '24h', interval: props.uploadPurging?.interval ?? '1h' },
    storage,
    contributions,
    pod: props.pod ?? {},
    resources: props.resources ?? {},
    metrics: props.metrics,
    autoscaling: props.autoscaling,
    ingress: props.ingress,
    networkPolicy: props.networkPolicy,
    garbageCollection: props.garbageCollection,
  };
  checkAddOns(problems, props, settings);
  return settings;
}

/**
 * Every object a registry renders, by kind and name: each is claimed app-wide, so that two constructs never render one
 * object (Registry `hub` with metrics and Registry `hub-metrics` would both render a Service `hub-metrics`).
 * @internal
 */
export function renderedObjectNames(s: RegistrySettings): Array<[string, string]> {
  const names: Array<[string, string]> = [['Deployment', s.name], ['Service', s.name], ['ConfigMap', s.configMapName]];
  if (s.storage.createObjects) names.push(['PersistentVolumeClaim', s.name]);
  if (s.maxReplicas > 1) names.push(['PodDisruptionBudget', s.name]);
  if (s.autoscaling) names.push(['HorizontalPodAutoscaler', s.name]);
  if (s.networkPolicy) names.push(['NetworkPolicy', s.name]);
  if (s.metrics) names.push(['Service', `${s.name}-metrics`]);
  if (s.metrics?.serviceMonitor) names.push(['ServiceMonitor', s.name]);
  if (s.ingress) names.push(['Ingress', s.name]);
  if (s.garbageCollection) {
    for (const kind of ['CronJob', 'ServiceAccount', 'Role', 'RoleBinding']) names.push([kind, `${s.name}-gc`]);
  }
  return names;
}

interface Identity {
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  readonly nodePort?: number;
  readonly port: number;
  readonly helmName?: string;
  readonly defaultImage: string;
}

function checkIdentity(problems: Problems, props: RegistryProps, id: Identity): void {
  checkName(problems, 'name', id.name);
  // Names derived from it have their own limits: a Service name 63 characters, a CronJob's 52.
  if (props.metrics && id.name.length > 63 - '-metrics'.length) {
    problems.add(`name must be at most 55 characters with metrics: the Service "<name>-metrics" may have 63 (got ${id.name.length})`);
  }
  if (props.garbageCollection && id.name.length > 52 - '-gc'.length) {
    problems.add(`name must be at most 49 characters with garbageCollection: the CronJob "<name>-gc" may have 52 (got ${id.name.length})`);
  }
  checkNamespace(problems, id.namespace);
  checkImage(problems, id.image, id.defaultImage);
  checkHelmName(problems, props.name, id.helmName, 'object');
  if (props.helmRelease !== undefined) checkHelmRelease(problems, 'helmRelease', props.helmRelease);
  if ((props.helmNameOverride !== undefined || props.helmFullnameOverride !== undefined) && props.helmRelease === undefined) {
    problems.add('helmNameOverride and helmFullnameOverride describe a Helm release: set helmRelease too, or drop them');
  }
  checkPort(problems, 'port', id.port);
  if (id.nodePort !== undefined) {
    checkNodePort(problems, 'nodePort', id.nodePort);
  } else if (props.nodePort !== undefined) {
    problems.add(`nodePort is set (${props.nodePort}) but serviceType is ClusterIP; drop nodePort or use RegistryServiceType.NODE_PORT`);
  }
}

/** The most replicas there may be; more than one needs shared storage and one http.secret. */
function checkScaling(problems: Problems, props: RegistryProps, replicas: number, storage: RegistryStorageBinding): number {
  let max = replicas;
  const a = props.autoscaling;
  if (a) {
    if (props.replicas !== undefined) {
      problems.add('replicas and autoscaling are both set; autoscaling.minReplicas sets the starting count, drop replicas');
    }
    checkReplicas(problems, a.minReplicas, 'autoscaling.minReplicas');
    if (!Number.isInteger(a.maxReplicas) || a.maxReplicas < a.minReplicas) {
      problems.add(`autoscaling.maxReplicas must be a whole number of at least minReplicas ${a.minReplicas} (got ${a.maxReplicas})`);
    }
    const cpu = a.cpuUtilization ?? 75;
    // Above 100 is valid: the target is a share of the CPU request, which pods may exceed up to their limit.
    if (!Number.isInteger(cpu) || cpu < 1) {
      problems.add(`autoscaling.cpuUtilization must be a whole percentage of the CPU request, at least 1 (got ${cpu})`);
    }
    max = Math.max(max, a.maxReplicas);
  } else {
    checkReplicas(problems, replicas);
  }
  if (Number.isInteger(max) && max > 1) {
    const what = a ? `autoscaling.maxReplicas is ${max}` : `replicas is ${max}`;
    if (!storage.shared) {
      problems.add(`${what} but storage is ${storage.description}; ` +
        'use replicas: 1, or storage that several nodes share (an object store or a ReadWriteMany volume)');
    }
    if (!props.httpSecret) {
      problems.add(`${what} but httpSecret is not set: every replica must share one http.secret, or an upload that ` +
        'moves between replicas fails; pass httpSecret: SecretKey.fromSecret(name, key) of a Secret holding a random string');
    }
  }
  return max;
}

/** Checks of the add-on objects' options, and of options that exclude each other. */
function checkAddOns(problems: Problems, props: RegistryProps, s: RegistrySettings): void {
  if (props.pullThrough && props.deletion) {
    problems.add('deletion cannot be enabled on a pull-through cache, which only mirrors; drop deletion or pullThrough');
  }
  const gc = props.garbageCollection;
  if (gc) {
    if (gc.kubectlImage !== undefined) checkImage(problems, gc.kubectlImage, KUBECTL_IMAGE, 'garbageCollection.kubectlImage');
    if (gc.deleteUntagged && s.version === RegistryVersion.V2) {
      problems.add('garbageCollection.deleteUntagged on registry 2.x deletes the per-architecture manifests of tagged ' +
        'multi-arch images (distribution#3178), and those tags stop pulling; drop deleteUntagged, or use version: RegistryVersion.V3');
    }
    if (s.storage.ephemeral) {
      problems.add('garbageCollection cannot run on emptyDir storage: it stops the registry, which erases the data; use a volume or an object store');
    }
  }
  if (gc?.schedule !== undefined) checkCronSchedule(problems, 'garbageCollection.schedule', gc.schedule);
  (props.networkPolicy?.allowCidrs ?? []).forEach((cidr, i) => checkCidr(problems, `networkPolicy.allowCidrs[${i}]`, cidr));
  (props.networkPolicy?.allowNamespaces ?? []).forEach((ns, i) => checkNamespace(problems, ns, `networkPolicy.allowNamespaces[${i}]`));
  const ingress = props.ingress;
  if (ingress) {
    checkIngressHost(problems, 'ingress.host', ingress.host);
    if (ingress.className !== undefined) checkObjectReference(problems, 'ingress.className', ingress.className, 'IngressClass');
    if (ingress.tlsSecretName !== undefined) checkObjectReference(problems, 'ingress.tlsSecretName', ingress.tlsSecretName, 'Secret');
    if (ingress.annotations) checkAnnotations(problems, 'ingress.annotations', ingress.annotations);
  }
  if (props.serviceAnnotations) checkAnnotations(problems, 'serviceAnnotations', props.serviceAnnotations);
  checkResources(problems, props.resources ?? {});
  checkPod(problems, props.pod ?? {});
}

/** Quantities, and requests within limits, of the defaults and the given values together. */
function checkResources(problems: Problems, r: ResourceOptions): void {
  const given = Object.entries(r).filter(([, v]) => v !== undefined).map(([key, v]) => [key, checkQuantity(problems, `resources.${key}`, v!)]);
  if (given.some(([, n]) => n === undefined)) return;
  checkRequestWithinLimit(problems, 'memory', ['resources.memoryRequest', r.memoryRequest ?? '128Mi'], ['resources.memoryLimit', r.memoryLimit ?? '1Gi']);
  if (r.cpuLimit !== undefined) {
    checkRequestWithinLimit(problems, 'CPU', ['resources.cpuRequest', r.cpuRequest ?? '100m'], ['resources.cpuLimit', r.cpuLimit]);
  }
}

/** Scheduling and metadata of the registry pods, as the API server checks them. */
function checkPod(problems: Problems, pod: PodOptions): void {
  if (pod.labels) checkLabels(problems, 'pod.labels', pod.labels);
  if (pod.nodeSelector) checkLabels(problems, 'pod.nodeSelector', pod.nodeSelector);
  if (pod.annotations) checkAnnotations(problems, 'pod.annotations', pod.annotations);
  if (pod.priorityClassName !== undefined) checkObjectReference(problems, 'pod.priorityClassName', pod.priorityClassName, 'PriorityClass');
  (pod.imagePullSecrets ?? []).forEach((name, i) => checkObjectReference(problems, `pod.imagePullSecrets[${i}]`, name, 'Secret'));
  (pod.tolerations ?? []).forEach((t, i) => {
    const at = `pod.tolerations[${i}]`;
    if (t.key !== undefined) checkLabels(problems, `${at}.key`, { [t.key]: '' });
    if (t.operator === TolerationOperator.EXISTS && t.value !== undefined && t.value !== '') {
      problems.add(`${at} has operator Exists and value ${JSON.stringify(t.value)}: Exists matches any value; drop value, or use operator Equal`);
    }
    if (t.key === undefined && t.operator !== TolerationOperator.EXISTS) {
      problems.add(`${at} has no key, which needs operator Exists (it then tolerates every taint); give a key, or operator: TolerationOperator.EXISTS`);
    }
  });
}
