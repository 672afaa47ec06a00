// The Kubernetes objects of a Registry, rendered from its resolved settings (registry-model.ts) and merged
// contributions (registry-config.ts). Values that linked clients can still change (config.yml, its checksum, the
// NetworkPolicy's peers) are produced at synth time through the callbacks.
import { Lazy } from 'cdk8s';
import { createHash } from 'crypto';

import * as k8s from '../imports/k8s';
import { restrictedContainerSecurity, restrictedPodSecurity, rootHttpProbe } from './internal';
import { RegistryPod } from './registry-config';
import { CONTAINER_PORT, createMetricsObjects } from './registry-features';
import { garbageCollectionJob } from './registry-gc';
import { RegistrySettings } from './registry-model';

/** The registry image runs as root by default; the Helm chart runs it as 1000, and so do we. */
const REGISTRY_UID = 1000;

/**
 * Pods of another construct that call the registry.
 * @internal
 */
export interface RegistryPeer {
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

/**
 * What is produced at synth time, once every construct of the app exists.
 * @internal
 */
export interface RegistryLateValues {
  /** The exact text of config.yml. */
  readonly configYaml: () => string;
  readonly peers: () => RegistryPeer[];
}

/**
 * The objects a user may change through escape hatches.
 * @internal
 */
export interface RegistryObjects {
  readonly configMap: k8s.KubeConfigMap;
  readonly deployment: k8s.KubeDeployment;
  readonly service: k8s.KubeService;
  readonly networkPolicy?: k8s.KubeNetworkPolicy;
}

/**
 * Creates every object of the registry, in the order they appear in the output.
 * @internal
 */
export function createRegistryObjects(s: RegistrySettings, pod: RegistryPod, late: RegistryLateValues): RegistryObjects {
  const scope = s.scope;
  s.storage.createObjects?.();
  const configMap = new k8s.KubeConfigMap(scope, 'config', {
    metadata: { name: s.configMapName, namespace: s.namespace, labels: s.labels },
    data: { 'config.yml': Lazy.any({ produce: late.configYaml }) },
  });
  // `Resource` is the id cdk8s takes for `node.defaultChild`: the object escape hatches patch.
  const deployment = new k8s.KubeDeployment(scope, 'Resource', {
    metadata: { name: s.name, namespace: s.namespace, labels: s.labels },
    spec: {
      replicas: s.replicas,
      minReadySeconds: 5,
      selector: { matchLabels: s.selectorLabels },
      // A ReadWriteOnce volume cannot be mounted by the new pod while the old one holds it.
      strategy: s.storage.shared
        ? { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } }
        : { type: 'Recreate' },
      template: {
        metadata: {
          labels: s.podLabels,
          // A change of config.yml changes this hash, which rolls the pods.
          annotations: {
            ...s.pod.annotations,
            'checksum/config': Lazy.any({ produce: () => createHash('sha256').update(late.configYaml()).digest('hex') }),
          },
        },
        spec: podSpec(s, pod),
      },
    },
  });
  const service = new k8s.KubeService(scope, 'service', {
    metadata: { name: s.name, namespace: s.namespace, labels: s.labels, annotations: s.serviceAnnotations },
    spec: {
      type: s.serviceType,
      selector: s.selectorLabels,
      ports: [{
        name: 'registry', protocol: 'TCP', port: s.port, targetPort: k8s.IntOrString.fromNumber(CONTAINER_PORT), nodePort: s.nodePort,
      }],
    },
  });
  createAvailabilityObjects(s);
  const networkPolicy = createNetworkPolicy(s, late);
  if (s.metrics && s.metricsPort !== undefined) createMetricsObjects(s, s.metrics, s.metricsPort);
  createIngress(s);
  if (s.garbageCollection) {
    garbageCollectionJob(scope, {
      registryName: s.name,
      namespace: s.namespace,
      labels: s.labels,
      selectorLabels: s.selectorLabels,
      replicas: s.replicas,
      image: s.image,
      uid: REGISTRY_UID,
      configMapName: s.configMapName,
      configDir: s.configDir,
      env: s.storage.env,
      volumes: s.storage.volumes,
      mounts: s.storage.mounts,
      sameNode: !s.storage.shared,
      options: s.garbageCollection,
    });
  }
  return { configMap, deployment, service, networkPolicy };
}

function podSpec(s: RegistrySettings, pod: RegistryPod): k8s.PodSpec {
  const r = s.resources;
  const q = (v: string) => k8s.Quantity.fromString(v);
  const spread = s.maxReplicas > 1 && (s.pod.spreadAcrossNodes ?? true);
  return {
    automountServiceAccountToken: false,
    // No <SERVICE>_PORT=tcp://... env vars: the registry reads every REGISTRY_* variable as config.
    enableServiceLinks: false,
    securityContext: restrictedPodSecurity(REGISTRY_UID),
    priorityClassName: s.pod.priorityClassName,
    nodeSelector: s.pod.nodeSelector,
    tolerations: s.pod.tolerations?.map(t => ({ ...t })),
    imagePullSecrets: s.pod.imagePullSecrets?.map(name => ({ name })),
    affinity: spread ? {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{
          weight: 100,
          podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: s.selectorLabels } },
        }],
      },
    } : undefined,
    containers: [{
      name: 'registry',
      image: s.image,
      imagePullPolicy: 'IfNotPresent',
      command: ['/bin/registry', 'serve', `${s.configDir}/config.yml`],
      env: pod.env.length > 0 ? pod.env : undefined,
      ports: pod.ports,
      readinessProbe: rootHttpProbe(CONTAINER_PORT, 3, s.https),
      livenessProbe: rootHttpProbe(CONTAINER_PORT, 6, s.https),
      resources: {
        requests: { cpu: q(r.cpuRequest ?? '100m'), memory: q(r.memoryRequest ?? '128Mi') },
        limits: { memory: q(r.memoryLimit ?? '1Gi'), ...(r.cpuLimit ? { cpu: q(r.cpuLimit) } : {}) },
      },
      securityContext: restrictedContainerSecurity(true),
      volumeMounts: pod.mounts,
    }],
    volumes: pod.volumes,
  };
}

function createAvailabilityObjects(s: RegistrySettings): void {
  const meta = { name: s.name, namespace: s.namespace, labels: s.labels };
  if (s.maxReplicas > 1) {
    // Voluntary disruptions (node drains) take one registry pod at a time.
    new k8s.KubePodDisruptionBudget(s.scope, 'pdb', {
      metadata: meta,
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: s.selectorLabels } },
    });
  }
  const a = s.autoscaling;
  if (a) {
    new k8s.KubeHorizontalPodAutoscalerV2(s.scope, 'hpa', {
      metadata: meta,
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: s.name },
        minReplicas: a.minReplicas,
        maxReplicas: a.maxReplicas,
        metrics: [{
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: a.cpuUtilization ?? 75 } },
        }],
      },
    });
  }
}

function createNetworkPolicy(s: RegistrySettings, late: RegistryLateValues): k8s.KubeNetworkPolicy | undefined {
  const np = s.networkPolicy;
  if (!np) return undefined;
  const ports = [CONTAINER_PORT, ...(s.metricsPort !== undefined ? [s.metricsPort] : [])]
    .map(port => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }));
  const byNamespace = (ns: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': ns } });
  return new k8s.KubeNetworkPolicy(s.scope, 'network-policy', {
    metadata: { name: s.name, namespace: s.namespace, labels: s.labels },
    spec: {
      podSelector: { matchLabels: s.selectorLabels },
      policyTypes: ['Ingress'],
      // Linked clients register while the app is built: the rules are produced at synth time.
      ingress: Lazy.any({
        produce: () => [{
          from: [
            ...late.peers().map(peer => ({ namespaceSelector: byNamespace(peer.namespace), podSelector: { matchLabels: peer.labels } })),
            ...(np.allowNamespaces ?? []).map(ns => ({ namespaceSelector: byNamespace(ns) })),
            ...(np.allowCidrs ?? []).map(cidr => ({ ipBlock: { cidr } })),
          ],
          ports,
        }],
      }),
    },
  });
}

function createIngress(s: RegistrySettings): void {
  const i = s.ingress;
  if (!i) return;
  new k8s.KubeIngress(s.scope, 'ingress', {
    metadata: {
      name: s.name,
      namespace: s.namespace,
      labels: s.labels,
      annotations: {
        // ingress-nginx refuses bodies over 1 MiB and spools them to disk unless told otherwise.
        'nginx.ingress.kubernetes.io/proxy-body-size': '0',
        'nginx.ingress.kubernetes.io/proxy-request-buffering': 'off',
        ...i.annotations,
      },
    },
    spec: {
      ingressClassName: i.className,
      tls: i.tlsSecretName ? [{ hosts: [i.host], secretName: i.tlsSecretName }] : undefined,
      rules: [{
        host: i.host,
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: s.name, port: { name: 'registry' } } } }] },
      }],
    },
  });
}
