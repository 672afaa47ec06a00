// The props of a `Registry`, and the enums and option structs only it takes.
import {
  AutoscalingOptions, GarbageCollectionOptions, IngressOptions, MetricsOptions, PodOptions, PullThroughOptions,
  RegistryAuth, RegistryCache, RegistryTls, ResourceOptions, UploadPurgingOptions,
} from './registry-options';
import { RegistryStorage } from './registry-storage';
import { SecretKey } from './secret-key';

/** How the registry's Service is exposed. */
export enum RegistryServiceType {
  /** Reachable on every node's address at `nodePort`, as the classic setup does. */
  NODE_PORT = 'NodePort',
  /** Reachable inside the cluster only. */
  CLUSTER_IP = 'ClusterIP',
}

/** Props of a `Registry`. */
export interface RegistryProps {
  /**
   * Name of the Deployment and Service; the ConfigMap is `<name>-config`. Renaming replaces live objects.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Namespace of every object.
   * @default - the chart's namespace, else "default"
   */
  readonly namespace?: string;
  /**
   * Registry image, pinned.
   * @default "registry:2.8.3"
   */
  readonly image?: string;
  /**
   * Number of registry pods. More than one needs shared storage and `httpSecret`.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Where blobs and manifests are kept. The default is the `stable/docker-registry` chart's (`persistence.enabled=false`)
   * and runs on any cluster, but loses every image when the pod is replaced: for data that survives, use
   * `RegistryStorage.persistentVolume()` (needs a default StorageClass, or `storageClassName`) or an object store.
   * @default RegistryStorage.emptyDir() - an emptyDir, private to the pod
   */
  readonly storage?: RegistryStorage;
  /**
   * How the Service is exposed.
   * @default RegistryServiceType.NODE_PORT
   */
  readonly serviceType?: RegistryServiceType;
  /**
   * Port on every node when `serviceType` is NodePort; must lie in 30000-32767 and be unique in the cluster.
   * @default 31500
   */
  readonly nodePort?: number;
  /**
   * Port of the Service inside the cluster.
   * @default 5000
   */
  readonly port?: number;
  /**
   * The `http.secret` that signs upload state, from a Secret; every replica must share it.
   * @default - each pod picks a random one (fine for one replica)
   */
  readonly httpSecret?: SecretKey;
  /**
   * Who may push and pull.
   * @default - anyone who reaches the registry
   */
  readonly auth?: RegistryAuth;
  /**
   * Allow `DELETE` of manifests and blobs (`storage.delete.enabled`).
   * @default false
   */
  readonly deletion?: boolean;
  /**
   * A garbage-collection CronJob; needs `deletion`.
   * @default - none
   */
  readonly garbageCollection?: GarbageCollectionOptions;
  /**
   * Blob descriptor cache.
   * @default RegistryCache.inMemory()
   */
  readonly cache?: RegistryCache;
  /**
   * Mirror another registry instead of accepting pushes.
   * @default - a normal registry
   */
  readonly pullThrough?: PullThroughOptions;
  /**
   * Prometheus metrics on the debug port, with a ClusterIP Service `<name>-metrics`.
   * @default - no metrics
   */
  readonly metrics?: MetricsOptions;
  /**
   * Scale on CPU between `minReplicas` and `maxReplicas`.
   * @default - a fixed number of replicas
   */
  readonly autoscaling?: AutoscalingOptions;
  /**
   * An Ingress in front of the Service.
   * @default - none
   */
  readonly ingress?: IngressOptions;
  /**
   * Serve HTTPS, e.g. `RegistryTls.fromSecret(name)` of a `kubernetes.io/tls` Secret. Linked proxies and UIs then
   * speak HTTPS to it.
   * @default - plain HTTP (terminate TLS at an Ingress, or rely on the node proxy's localhost)
   */
  readonly tls?: RegistryTls;
  /**
   * CPU and memory.
   * @default - requests 100m CPU and 128Mi, memory limit 1Gi
   */
  readonly resources?: ResourceOptions;
  /**
   * Scheduling, metadata and extra env of the registry pods.
   * @default - no constraints
   */
  readonly pod?: PodOptions;
  /**
   * Render the names and selector labels of a live `helm install <release> stable/docker-registry`, so that
   * these objects replace it in place (see the README's migration steps). Deployment selectors are immutable.
   * @default - this library's own names and labels
   */
  readonly helmRelease?: string;
  /**
   * The release's `nameOverride` value, if it was installed with one: it changes the names and the `app` label.
   * @default - none, the chart's name "docker-registry"
   */
  readonly helmNameOverride?: string;
  /**
   * The release's `fullnameOverride` value, if it was installed with one: the objects' name.
   * @default - none, `<release>-docker-registry` (or the release name when it contains "docker-registry")
   */
  readonly helmFullnameOverride?: string;
  /**
   * Registry major version: what differs between 2.x and 3.x (config path, redis keys, default image). 2.8 is end of
   * life (no fixes since January 2024); the end-to-end suite runs both, 3.1.2 built from its Go module.
   * @default RegistryVersion.V3 - registry:3.1.2
   */
  readonly version?: RegistryVersion;
  /**
   * A NetworkPolicy that admits only linked proxies and UIs, the listed namespaces and CIDRs.
   * @default - no NetworkPolicy
   */
  readonly networkPolicy?: NetworkPolicyOptions;
  /**
   * Most repositories one `/v2/_catalog` page may list (`catalog.maxentries`); a UI's catalog limit must not exceed it.
   * @default 1000 - the registry's own default since 2.8.2
   */
  readonly catalogMaxEntries?: number;
  /**
   * When the bytes of unfinished uploads are deleted. The registry's own default keeps them 168h, checked every 24h:
   * killed pushes can fill the volume, which then refuses every push.
   * @default - uploads older than 24h, checked every hour
   */
  readonly uploadPurging?: UploadPurgingOptions;
  /**
   * Annotations of the registry Service, e.g. for a cloud or MetalLB load balancer setting.
   * @default - none
   */
  readonly serviceAnnotations?: Record<string, string>;
}

/** Major version of the distribution registry. */
export enum RegistryVersion {
  /** distribution 2.8 (end of life): config at /etc/docker/registry. */
  V2 = '2',
  /** distribution 3.x, the default: config at /etc/distribution, redis `addrs`, no swift or oss drivers. */
  V3 = '3',
}

/** Who may reach the registry pods, when a NetworkPolicy is wanted. */
export interface NetworkPolicyOptions {
  /**
   * Namespaces whose pods may reach the registry (CI runners, build pods).
   * @default - none beyond linked proxies and UIs
   */
  readonly allowNamespaces?: string[];
  /**
   * Source CIDRs that may reach the registry: nodes for NodePort traffic, the ingress controller's range.
   * @default - none
   */
  readonly allowCidrs?: string[];
}
