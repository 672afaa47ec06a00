import { createHash } from 'crypto';
import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import * as k8s from '../imports/k8s';
import {
  Problems, checkHelmName, checkHelmRelease, checkImage, checkName, checkNamespace, checkNodePort, checkPort, checkReplicas, claimNodePort,
  claimObjectName, defaultNamespace, describe, isQuantity, objectLabels, restrictedContainerSecurity, restrictedPodSecurity,
  helmNames, rootHttpProbe, secretEnv, selectorLabels,
} from './internal';
import { KUBECTL_IMAGE, garbageCollectionJob } from './registry-gc';
import {
  AutoscalingOptions, GarbageCollectionOptions, IngressOptions, MetricsOptions, PodOptions, PullThroughOptions,
  RegistryAuth, RegistryCache, ResourceOptions, UploadPurgingOptions,
} from './registry-options';
import { RegistryStorage, RegistryStorageBinding } from './registry-storage';
import { SecretKey, secretKeyProblems } from './secret-key';

/** What other constructs need to reach a registry. */
export interface IRegistry {
  /** Host name that pods in the cluster use: `<service>.<namespace>.svc`, or an external host. */
  readonly serviceHost: string;
  /** Port of the registry's Service (or of the external registry). */
  readonly port: number;
  /** `http://<serviceHost>:<port>`: the registry as seen from inside the cluster. */
  readonly clusterUrl: string;
  /**
   * Namespace of the registry's objects, when it is a `Registry` of this app.
   * @default - undefined for an external registry (`Registry.fromUrl`)
   */
  readonly namespace?: string;
}

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
   * Serve HTTPS with the certificate of a `kubernetes.io/tls` Secret (keys `tls.crt`, `tls.key`). Linked
   * proxies and UIs then speak HTTPS to it.
   * @default - plain HTTP (terminate TLS at an Ingress, or rely on the node proxy's localhost)
   */
  readonly tlsSecretName?: string;
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

/** Port the registry process listens on inside its pod (`http.addr` in config.yml). */
const CONTAINER_PORT = 5000;
const CONFIG_DIRS: Record<RegistryVersion, string> = { [RegistryVersion.V2]: '/etc/docker/registry', [RegistryVersion.V3]: '/etc/distribution' };
const DEFAULT_IMAGES: Record<RegistryVersion, string> = { [RegistryVersion.V2]: 'registry:2.8.3', [RegistryVersion.V3]: 'registry:3.1.2' };
const AUTH_DIR = '/auth';
const TLS_DIR = '/etc/ssl/registry';
/** The registry image runs as root by default; the Helm chart runs it as 1000, and so do we. */
const REGISTRY_UID = 1000;
/** Env var names whose plain values would put a secret into dist/. */
const SECRET_LIKE_ENV = /(SECRET|PASSWORD|ACCESSKEY|ACCOUNTKEY|TOKEN|CREDENTIAL)/i;

/**
 * A registry 2.x `config.yml`, as far as this library writes it.
 * @internal
 */
export interface RegistryConfig {
  /** Config format version, always "0.1". */
  readonly version: string;
  /** Fields added to every log line. */
  readonly log: { readonly fields: Record<string, string> };
  /** Driver section, cache, delete. */
  readonly storage: Record<string, unknown>;
  /** Listener, headers, TLS and the debug (metrics) server. */
  readonly http: {
    readonly addr: string;
    readonly headers: Record<string, string[]>;
    readonly tls?: { readonly certificate: string; readonly key: string };
    readonly debug?: { readonly addr: string; readonly prometheus: { readonly enabled: boolean; readonly path: string } };
  };
  /**
   * htpasswd auth.
   * @default - no auth
   */
  readonly auth?: { readonly htpasswd: { readonly realm: string; readonly path: string } };
  /**
   * Redis for the blob descriptor cache (`addrs` on 3.x).
   * @default - no redis
   */
  readonly redis?: { readonly addr?: string; readonly addrs?: string[]; readonly db: number };
  /**
   * Pull-through cache of a remote registry.
   * @default - a normal registry
   */
  readonly proxy?: { readonly remoteurl: string };
  /**
   * Catalog paging limit.
   * @default - the registry's 1000
   */
  readonly catalog?: { readonly maxentries: number };
  /** Storage driver health check. */
  readonly health: {
    readonly storagedriver: { readonly enabled: boolean; readonly interval: string; readonly threshold: number };
  };
}


/**
 * A private container registry (distribution 2.x): ConfigMap with `config.yml`, Deployment,
 * Service and storage, plus whatever the production options add. Replaces the `stable/docker-registry` chart.
 */
export class Registry extends Construct implements IRegistry {
  /**
   * A registry that this app does not create, for proxies and UIs to point at.
   * @param url `http://host:port` as pods in the cluster reach it
   */
  public static fromUrl(url: string): IRegistry {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.pathname !== '/' || parsed.search) {
      throw new Error(`Registry.fromUrl: url must look like "http://host:port" with no path (got ${JSON.stringify(url)})`);
    }
    const port = parsed.port ? Number(parsed.port) : (parsed.protocol === 'https:' ? 443 : 80);
    return {
      serviceHost: parsed.hostname,
      port,
      clusterUrl: `${parsed.protocol}//${parsed.host}`,
    };
  }

  public readonly name: string;
  /** Namespace of every object; always set (optional only as `IRegistry` declares it, for external registries). */
  public readonly namespace?: string;
  public readonly image: string;
  /** Replicas of the Deployment (with autoscaling, its minimum). */
  public readonly replicas: number;
  /** When unfinished uploads are purged (`storage.maintenance.uploadpurging`). */
  public readonly uploadPurging: UploadPurgingOptions;
  public readonly serviceType: RegistryServiceType;
  /** The node port, or undefined for a ClusterIP Service. */
  public readonly nodePort?: number;
  public readonly port: number;
  public readonly serviceName: string;
  public readonly configMapName: string;
  public readonly serviceHost: string;
  public readonly clusterUrl: string;
  /** Labels on the registry's pods; the Service selects on a subset of them. */
  public readonly podLabels: Record<string, string>;
  /** Labels the Service and Deployment select on. */
  public readonly selectorLabels: Record<string, string>;
  /** Whether clients must authenticate. */
  public readonly authEnabled: boolean;
  /** Port of the metrics (debug) server, when metrics are on. */
  public readonly metricsPort?: number;
  /** Whether this registry mirrors another (`pullThrough`) and so refuses pushes and deletes. */
  public readonly pullThroughCache: boolean;
  /** Most repositories one catalog page may list. */
  public readonly catalogMaxEntries: number;
  public readonly version: RegistryVersion;
  /** Directory of config.yml in the container. */
  public readonly configDir: string;

  private deletionEnabled: boolean;
  private readonly corsOrigins: string[] = [];
  private readonly peers: Array<{ namespace: string; labels: Record<string, string> }> = [];
  private readonly storage: RegistryStorageBinding;
  private readonly props: RegistryProps;

  constructor(scope: Construct, id: string, props: RegistryProps = {}) {
    super(scope, id);
    this.props = props;
    this.version = props.version ?? RegistryVersion.V3;
    this.configDir = CONFIG_DIRS[this.version];
    // The chart's fullname: the release name alone when it already says "docker-registry" (see helmNames).
    const helm = typeof props.helmRelease === 'string' ? helmNames(props.helmRelease, 'docker-registry', {
      nameOverride: props.helmNameOverride, fullnameOverride: props.helmFullnameOverride,
    }) : undefined;
    const helmName = helm?.fullname;
    this.name = props.name ?? helmName ?? id;
    this.namespace = props.namespace ?? defaultNamespace(this);
    const defaultImage = DEFAULT_IMAGES[this.version];
    this.image = props.image ?? defaultImage;
    this.replicas = props.autoscaling?.minReplicas ?? props.replicas ?? 1;
    this.uploadPurging = { age: props.uploadPurging?.age ?? '24h', interval: props.uploadPurging?.interval ?? '1h' };
    this.serviceType = props.serviceType ?? RegistryServiceType.NODE_PORT;
    this.nodePort = this.serviceType === RegistryServiceType.NODE_PORT ? props.nodePort ?? 31500 : undefined;
    this.port = props.port ?? 5000;
    this.serviceName = this.name;
    this.configMapName = `${this.name}-config`;
    this.serviceHost = `${this.serviceName}.${this.namespace}.svc`;
    this.clusterUrl = `${props.tlsSecretName ? 'https' : 'http'}://${this.serviceHost}:${this.port}`;
    this.deletionEnabled = props.deletion ?? false;
    this.authEnabled = props.auth !== undefined;
    this.pullThroughCache = props.pullThrough !== undefined;
    this.catalogMaxEntries = props.catalogMaxEntries ?? 1000;
    this.metricsPort = props.metrics ? props.metrics.port ?? 5001 : undefined;

    const owner = describe('Registry', this);
    const problems = new Problems(owner);
    checkName(problems, 'name', this.name);
    // Names derived from it have their own limits: a Service name 63 characters, a CronJob's 52.
    if (props.metrics && this.name.length > 63 - '-metrics'.length) {
      problems.add(`name must be at most 55 characters with metrics: the Service "<name>-metrics" may have 63 (got ${this.name.length})`);
    }
    if (props.garbageCollection && this.name.length > 52 - '-gc'.length) {
      problems.add(`name must be at most 49 characters with garbageCollection: the CronJob "<name>-gc" may have 52 (got ${this.name.length})`);
    }
    checkNamespace(problems, this.namespace);
    checkImage(problems, this.image, defaultImage);
    checkHelmName(problems, props.name, helmName, 'object');
    if (props.helmRelease !== undefined) checkHelmRelease(problems, 'helmRelease', props.helmRelease);
    if ((props.helmNameOverride !== undefined || props.helmFullnameOverride !== undefined) && props.helmRelease === undefined) {
      problems.add('helmNameOverride and helmFullnameOverride describe a Helm release: set helmRelease too, or drop them');
    }
    checkPort(problems, 'port', this.port);
    if (this.nodePort !== undefined) {
      checkNodePort(problems, 'nodePort', this.nodePort);
    } else if (props.nodePort !== undefined) {
      problems.add(`nodePort is set (${props.nodePort}) but serviceType is ClusterIP; drop nodePort or use RegistryServiceType.NODE_PORT`);
    }

    // A live Helm release's Deployment selects on `app` and `release`, and a selector cannot change.
    this.selectorLabels = helm !== undefined
      ? { app: helm.name, release: props.helmRelease! }
      : { ...selectorLabels('docker-registry', this.name), 'app.kubernetes.io/component': 'registry' };
    const labels = objectLabels('docker-registry', this.name, 'registry', this.name);
    this.podLabels = { ...props.pod?.labels, ...labels, ...this.selectorLabels };

    this.storage = (props.storage ?? RegistryStorage.emptyDir())._bind(this, {
      name: this.name, namespace: this.namespace, labels, claimName: this.name, version: this.version,
    }, problems);
    const maxReplicas = this.checkScaling(problems);
    this.checkOptions(problems);
    problems.throwIfAny();

    for (const kind of ['Deployment', 'Service']) {
      claimObjectName(this, kind, this.namespace, this.name, owner);
    }
    claimObjectName(this, 'ConfigMap', this.namespace, this.configMapName, owner);
    if (this.nodePort !== undefined) {
      claimNodePort(this, this.nodePort, owner);
    }

    this.storage.createObjects?.();

    // config.yml is rendered at synth time, so that linked constructs (a UI that deletes images, a browser
    // origin that needs CORS) can still add what they need to it.
    new k8s.KubeConfigMap(this, 'config', {
      metadata: { name: this.configMapName, namespace: this.namespace, labels },
      data: { 'config.yml': Lazy.any({ produce: () => this.configYaml }) },
    });

    new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name: this.name, namespace: this.namespace, labels },
      spec: {
        replicas: this.replicas,
        minReadySeconds: 5,
        selector: { matchLabels: this.selectorLabels },
        // A ReadWriteOnce volume cannot be mounted by the new pod while the old one holds it.
        strategy: this.storage.shared
          ? { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } }
          : { type: 'Recreate' },
        template: {
          metadata: {
            labels: this.podLabels,
            // A change of config.yml changes this hash, which rolls the pods.
            annotations: {
              ...props.pod?.annotations,
              'checksum/config': Lazy.any({ produce: () => createHash('sha256').update(this.configYaml).digest('hex') }),
            },
          },
          spec: this.podSpec(maxReplicas),
        },
      },
    });

    new k8s.KubeService(this, 'service', {
      metadata: { name: this.serviceName, namespace: this.namespace, labels, annotations: props.serviceAnnotations },
      spec: {
        type: this.serviceType,
        selector: this.selectorLabels,
        ports: [{
          name: 'registry',
          protocol: 'TCP',
          port: this.port,
          targetPort: k8s.IntOrString.fromNumber(CONTAINER_PORT),
          nodePort: this.nodePort,
        }],
      },
    });

    this.createAvailabilityObjects(labels, maxReplicas);
    this.createNetworkPolicy(labels);
    this.createMetricsObjects(labels);
    this.createIngress(labels);
    if (props.garbageCollection) {
      garbageCollectionJob(this, {
        registryName: this.name,
        namespace: this.namespace,
        labels,
        selectorLabels: this.selectorLabels,
        replicas: this.replicas,
        image: this.image,
        uid: REGISTRY_UID,
        configMapName: this.configMapName,
        configDir: this.configDir,
        env: this.storage.env,
        volumes: this.storage.volumes,
        mounts: this.storage.mounts,
        sameNode: !this.storage.shared,
        options: props.garbageCollection,
      });
    }
  }

  /**
   * The config model rendered into the ConfigMap's `config.yml`.
   * @internal
   */
  public get _config(): RegistryConfig {
    const p = this.props;
    const cacheKind = p.cache?._kind ?? 'inmemory';
    const headers: Record<string, string[]> = { 'X-Content-Type-Options': ['nosniff'] };
    if (this.corsOrigins.length > 0) {
      // What a browser on another origin needs to list, read digests and (with deletion) delete.
      headers['Access-Control-Allow-Origin'] = [...this.corsOrigins];
      headers['Access-Control-Allow-Methods'] = ['HEAD', 'GET', 'OPTIONS', ...(this.deletionEnabled ? ['DELETE'] : [])];
      headers['Access-Control-Allow-Headers'] = ['Authorization', 'Accept', 'Cache-Control'];
      headers['Access-Control-Expose-Headers'] = ['Docker-Content-Digest'];
    }
    return {
      version: '0.1',
      log: { fields: { service: 'registry' } },
      storage: {
        ...(cacheKind !== 'none' ? { cache: { blobdescriptor: cacheKind } } : {}),
        ...this.storage.config,
        ...(this.deletionEnabled ? { delete: { enabled: true } } : {}),
        maintenance: {
          uploadpurging: { enabled: true, age: this.uploadPurging.age!, interval: this.uploadPurging.interval!, dryrun: false },
        },
      },
      http: {
        addr: `:${CONTAINER_PORT}`,
        headers,
        ...(p.tlsSecretName ? { tls: { certificate: `${TLS_DIR}/tls.crt`, key: `${TLS_DIR}/tls.key` } } : {}),
        ...(this.metricsPort !== undefined
          ? { debug: { addr: `:${this.metricsPort}`, prometheus: { enabled: true, path: '/metrics' } } } : {}),
      },
      ...(p.auth ? { auth: { htpasswd: { realm: p.auth._htpasswd.realm ?? 'Registry Realm', path: `${AUTH_DIR}/htpasswd` } } } : {}),
      // Registry 3 takes a list of addresses (`addrs`), 2.x one (`addr`).
      ...(p.cache?._redis ? {
        redis: this.version === RegistryVersion.V3
          ? { addrs: [p.cache._redis.address], db: p.cache._redis.db ?? 0 }
          : { addr: p.cache._redis.address, db: p.cache._redis.db ?? 0 },
      } : {}),
      ...(p.pullThrough ? { proxy: { remoteurl: p.pullThrough.remoteUrl } } : {}),
      ...(p.catalogMaxEntries !== undefined ? { catalog: { maxentries: p.catalogMaxEntries } } : {}),
      health: { storagedriver: { enabled: true, interval: '10s', threshold: 3 } },
    };
  }

  /** The exact text of `config.yml`. */
  public get configYaml(): string {
    return stringify(this._config, { lineWidth: 0 });
  }

  /** Whether `DELETE` is allowed (`storage.delete.enabled`). */
  public get deletion(): boolean {
    return this.deletionEnabled;
  }

  /** Turns on `storage.delete.enabled`, e.g. for a UI that deletes images. */
  public enableDeletion(): void {
    if (this.pullThroughCache) {
      throw new Error(`${describe('Registry', this)}: deletion cannot be enabled on a pull-through cache, which only mirrors`);
    }
    this.deletionEnabled = true;
  }

  /**
   * Adds the CORS headers that a browser page on `origin` needs to call the registry directly. Refused
   * with auth: the registry answers the browser's preflight with 401.
   */
  public allowBrowserOrigin(origin: string): void {
    if (this.authEnabled) {
      throw new Error(`${describe('Registry', this)}: a browser on ${origin} cannot call a registry that requires auth ` +
        '(it answers the CORS preflight with 401); use the UI\'s proxy mode instead');
    }
    if (!this.corsOrigins.includes(origin)) {
      this.corsOrigins.push(origin);
    }
  }

  /**
   * Admits pods with `labels` in `namespace` through the NetworkPolicy, when there is one. Linked
   * proxies and UIs call this themselves.
   */
  public allowPeer(namespace: string, labels: Record<string, string>): void {
    this.peers.push({ namespace, labels: { ...labels } });
  }

  private createNetworkPolicy(labels: Record<string, string>): void {
    const np = this.props.networkPolicy;
    if (!np) {
      return;
    }
    const ports = [CONTAINER_PORT, ...(this.metricsPort !== undefined ? [this.metricsPort] : [])].map(port => ({ protocol: 'TCP', port }));
    const byNamespace = (ns: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': ns } });
    // A plain ApiObject: peers register while the app is built, so the rules are produced at synth time,
    // and the generated KubeNetworkPolicy cannot carry a value that is produced later.
    new ApiObject(this, 'network-policy', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: this.name, namespace: this.namespace, labels },
      spec: {
        podSelector: { matchLabels: this.selectorLabels },
        policyTypes: ['Ingress'],
        ingress: Lazy.any({
          produce: () => [{
            from: [
              ...this.peers.map(peer => ({ namespaceSelector: byNamespace(peer.namespace), podSelector: { matchLabels: peer.labels } })),
              ...(np.allowNamespaces ?? []).map(ns => ({ namespaceSelector: byNamespace(ns) })),
              ...(np.allowCidrs ?? []).map(cidr => ({ ipBlock: { cidr } })),
            ],
            ports,
          }],
        }),
      },
    });
  }

  private checkScaling(problems: Problems): number {
    const p = this.props;
    let max = this.replicas;
    if (p.autoscaling) {
      const a = p.autoscaling;
      if (p.replicas !== undefined) {
        problems.add('replicas and autoscaling are both set; autoscaling.minReplicas sets the starting count, drop replicas');
      }
      checkReplicas(problems, a.minReplicas);
      if (!Number.isInteger(a.maxReplicas) || a.maxReplicas < a.minReplicas) {
        problems.add(`autoscaling.maxReplicas must be a whole number of at least minReplicas ${a.minReplicas} (got ${a.maxReplicas})`);
      }
      const cpu = a.cpuUtilization ?? 75;
      if (!Number.isInteger(cpu) || cpu < 1 || cpu > 100) {
        problems.add(`autoscaling.cpuUtilization must be a whole percentage within 1-100 (got ${cpu})`);
      }
      max = Math.max(max, a.maxReplicas);
    } else {
      checkReplicas(problems, this.replicas);
    }
    if (Number.isInteger(max) && max > 1) {
      const what = p.autoscaling ? `autoscaling.maxReplicas is ${max}` : `replicas is ${max}`;
      if (!this.storage.shared) {
        problems.add(`${what} but storage is ${this.storage.description}; ` +
          'use replicas: 1, or storage that several nodes share (an object store or a ReadWriteMany volume)');
      }
      if (!p.httpSecret) {
        problems.add(`${what} but httpSecret is not set: every replica must share one http.secret, or an upload that ` +
          'moves between replicas fails; pass httpSecret: SecretKey.fromSecret(name, key) of a Secret holding a random string');
      }
    }
    return max;
  }

  private checkOptions(problems: Problems): void {
    const p = this.props;
    if (p.httpSecret) problems.addAll(secretKeyProblems('httpSecret', p.httpSecret));
    if (p.tlsSecretName !== undefined && (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(p.tlsSecretName) || p.tlsSecretName.length > 253)) {
      problems.add(`tlsSecretName must be a Secret name (got ${JSON.stringify(p.tlsSecretName)})`);
    }
    if (p.auth) problems.addAll(secretKeyProblems('auth htpasswd secret', p.auth._htpasswd.secret));
    const realm = p.auth?._htpasswd.realm;
    if (realm !== undefined && (realm.trim() === '' || /["\n]/.test(realm))) {
      problems.add(`auth htpasswd realm must be non-empty text without quotes or line breaks (got ${JSON.stringify(realm)})`);
    }
    const redis = p.cache?._redis;
    if (redis) {
      if (!/^[^\s:/]+:\d{1,5}$/.test(redis.address)) {
        problems.add(`cache redis address must be "host:port" such as "redis.cache.svc:6379" (got ${JSON.stringify(redis.address)})`);
      }
      if (redis.db !== undefined && (!Number.isInteger(redis.db) || redis.db < 0 || redis.db > 15)) {
        problems.add(`cache redis db must be a whole number within 0-15 (got ${redis.db})`);
      }
      if (redis.password) problems.addAll(secretKeyProblems('cache redis password', redis.password));
    }
    const pull = p.pullThrough;
    if (pull) {
      if (!/^https?:\/\/[^\s/]+\/?$/.test(pull.remoteUrl)) {
        problems.add(`pullThrough.remoteUrl must be a registry URL such as "https://registry-1.docker.io" (got ${JSON.stringify(pull.remoteUrl)})`);
      }
      if ((pull.username === undefined) !== (pull.password === undefined)) {
        problems.add('pullThrough.username and pullThrough.password go together: set both, or neither for anonymous pulls');
      }
      if (pull.username) problems.addAll(secretKeyProblems('pullThrough.username', pull.username));
      if (pull.password) problems.addAll(secretKeyProblems('pullThrough.password', pull.password));
      if (p.deletion) {
        problems.add('deletion cannot be enabled on a pull-through cache, which only mirrors; drop deletion or pullThrough');
      }
    }
    for (const key of ['age', 'interval'] as const) {
      const value: unknown = p.uploadPurging?.[key];
      // Go's time.ParseDuration, and more than nothing: the registry panics on "1 day" and purges constantly at 0.
      if (value !== undefined && (typeof value !== 'string' || !/^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/.test(value) || !/[1-9]/.test(value))) {
        problems.add(`uploadPurging.${key} must be a Go duration above zero such as "24h" or "90m" (got ${JSON.stringify(value)})`);
      }
    }
    if (p.garbageCollection?.kubectlImage !== undefined) {
      checkImage(problems, p.garbageCollection.kubectlImage, KUBECTL_IMAGE, 'garbageCollection.kubectlImage');
    }
    if (p.garbageCollection) {
      if (!this.deletionEnabled) {
        problems.add('garbageCollection needs deletion: true; without it nothing is ever unreferenced');
      }
      if (p.garbageCollection.deleteUntagged && this.version === RegistryVersion.V2) {
        problems.add('garbageCollection.deleteUntagged on registry 2.x deletes the per-architecture manifests of tagged ' +
          'multi-arch images (distribution#3178), and those tags stop pulling; drop deleteUntagged, or use version: RegistryVersion.V3');
      }
      if (this.storage.ephemeral) {
        problems.add('garbageCollection cannot run on emptyDir storage: it stops the registry, which erases the data; use a volume or an object store');
      }
      const schedule = p.garbageCollection.schedule;
      if (schedule !== undefined && !/^(@(yearly|annually|monthly|weekly|daily|hourly)|(\S+\s+){4}\S+)$/.test(schedule.trim())) {
        problems.add(`garbageCollection.schedule must be a cron expression of 5 fields such as "0 3 * * 0" (got ${JSON.stringify(schedule)})`);
      }
    }
    if (this.metricsPort !== undefined) {
      checkPort(problems, 'metrics.port', this.metricsPort);
      if (this.metricsPort === CONTAINER_PORT) {
        problems.add(`metrics.port must differ from the registry's own port ${CONTAINER_PORT} (got ${this.metricsPort})`);
      }
    }
    if (p.catalogMaxEntries !== undefined && (!Number.isInteger(p.catalogMaxEntries) || p.catalogMaxEntries < 1)) {
      problems.add(`catalogMaxEntries must be a whole number of at least 1 (got ${p.catalogMaxEntries})`);
    }
    for (const cidr of p.networkPolicy?.allowCidrs ?? []) {
      if (!/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$|^[0-9a-fA-F:]+\/\d{1,3}$/.test(cidr)) {
        problems.add(`networkPolicy.allowCidrs entry must be a CIDR such as "10.0.0.0/16" (got ${JSON.stringify(cidr)})`);
      }
    }
    for (const ns of p.networkPolicy?.allowNamespaces ?? []) {
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns) || ns.length > 63) {
        problems.add(`networkPolicy.allowNamespaces entry must be a namespace name (got ${JSON.stringify(ns)})`);
      }
    }
    if (p.ingress) {
      const host = p.ingress.host;
      if (!/^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(host)) {
        problems.add(`ingress.host must be a DNS name such as "registry.example.com" (got ${JSON.stringify(host)})`);
      }
    }
    for (const [key, value] of Object.entries(p.resources ?? {})) {
      if (value !== undefined && !isQuantity(value)) {
        problems.add(`resources.${key} must be a Kubernetes quantity such as "500m" or "256Mi" (got ${JSON.stringify(value)})`);
      }
    }
    for (const name of Object.keys(p.pod?.env ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        problems.add(`pod.env name must be a shell-style variable name (got ${JSON.stringify(name)})`);
      } else if (SECRET_LIKE_ENV.test(name)) {
        problems.add(`pod.env ${name} looks like a secret, and plain env values land in dist/; ` +
          'pass secrets through the props that take a SecretKey (httpSecret, auth, storage credentials)');
      }
    }
  }

  private podSpec(maxReplicas: number): k8s.PodSpec {
    const p = this.props;
    const env: k8s.EnvVar[] = [
      ...(p.httpSecret ? [secretEnv('REGISTRY_HTTP_SECRET', p.httpSecret)] : []),
      ...this.storage.env,
      ...(p.cache?._redis?.password ? [secretEnv('REGISTRY_REDIS_PASSWORD', p.cache._redis.password)] : []),
      ...(p.pullThrough?.username ? [secretEnv('REGISTRY_PROXY_USERNAME', p.pullThrough.username)] : []),
      ...(p.pullThrough?.password ? [secretEnv('REGISTRY_PROXY_PASSWORD', p.pullThrough.password)] : []),
      ...Object.entries(p.pod?.env ?? {}).map(([name, value]) => ({ name, value })),
    ];
    const volumes: k8s.Volume[] = [
      { name: 'config', configMap: { name: this.configMapName } },
      ...this.storage.volumes,
    ];
    const mounts: k8s.VolumeMount[] = [
      { name: 'config', mountPath: this.configDir, readOnly: true },
      ...this.storage.mounts,
    ];
    if (p.tlsSecretName) {
      volumes.push({ name: 'tls', secret: { secretName: p.tlsSecretName } });
      mounts.push({ name: 'tls', mountPath: TLS_DIR, readOnly: true });
    }
    if (p.auth) {
      // Only the one key is projected, to the file name config.yml points at.
      const secret = p.auth._htpasswd.secret;
      volumes.push({ name: 'auth', secret: { secretName: secret.secretName, items: [{ key: secret.key, path: 'htpasswd' }] } });
      mounts.push({ name: 'auth', mountPath: AUTH_DIR, readOnly: true });
    }
    const r = p.resources ?? {};
    const q = (v: string) => k8s.Quantity.fromString(v);
    const spread = maxReplicas > 1 && (p.pod?.spreadAcrossNodes ?? true);
    return {
      automountServiceAccountToken: false,
      // No <SERVICE>_PORT=tcp://... env vars: the registry reads every REGISTRY_* variable as config.
      enableServiceLinks: false,
      securityContext: restrictedPodSecurity(REGISTRY_UID),
      priorityClassName: p.pod?.priorityClassName,
      nodeSelector: p.pod?.nodeSelector,
      tolerations: p.pod?.tolerations?.map(t => ({ ...t })),
      imagePullSecrets: p.pod?.imagePullSecrets?.map(name => ({ name })),
      affinity: spread ? {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [{
            weight: 100,
            podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: this.selectorLabels } },
          }],
        },
      } : undefined,
      containers: [{
        name: 'registry',
        image: this.image,
        imagePullPolicy: 'IfNotPresent',
        command: ['/bin/registry', 'serve', `${this.configDir}/config.yml`],
        env: env.length > 0 ? env : undefined,
        ports: [
          { name: 'registry', containerPort: CONTAINER_PORT, protocol: 'TCP' },
          ...(this.metricsPort !== undefined ? [{ name: 'metrics', containerPort: this.metricsPort, protocol: 'TCP' }] : []),
        ],
        readinessProbe: rootHttpProbe(CONTAINER_PORT, 3, p.tlsSecretName !== undefined),
        livenessProbe: rootHttpProbe(CONTAINER_PORT, 6, p.tlsSecretName !== undefined),
        resources: {
          requests: { cpu: q(r.cpuRequest ?? '100m'), memory: q(r.memoryRequest ?? '128Mi') },
          limits: { memory: q(r.memoryLimit ?? '1Gi'), ...(r.cpuLimit ? { cpu: q(r.cpuLimit) } : {}) },
        },
        securityContext: restrictedContainerSecurity(true),
        volumeMounts: mounts,
      }],
      volumes,
    };
  }

  private createAvailabilityObjects(labels: Record<string, string>, maxReplicas: number): void {
    const a = this.props.autoscaling;
    if (maxReplicas > 1) {
      // Voluntary disruptions (node drains) take one registry pod at a time.
      new k8s.KubePodDisruptionBudget(this, 'pdb', {
        metadata: { name: this.name, namespace: this.namespace, labels },
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: this.selectorLabels } },
      });
    }
    if (a) {
      new k8s.KubeHorizontalPodAutoscalerV2(this, 'hpa', {
        metadata: { name: this.name, namespace: this.namespace, labels },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name },
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

  private createMetricsObjects(labels: Record<string, string>): void {
    const m = this.props.metrics;
    if (!m || this.metricsPort === undefined) {
      return;
    }
    // A Service of its own: on the NodePort Service the metrics port would be opened on every node.
    const metricsLabels = { ...labels, 'app.kubernetes.io/component': 'registry-metrics' };
    new k8s.KubeService(this, 'metrics-service', {
      metadata: { name: `${this.name}-metrics`, namespace: this.namespace, labels: metricsLabels },
      spec: {
        type: 'ClusterIP',
        selector: this.selectorLabels,
        ports: [{ name: 'metrics', protocol: 'TCP', port: this.metricsPort, targetPort: k8s.IntOrString.fromString('metrics') }],
      },
    });
    if (m.serviceMonitor) {
      new ApiObject(this, 'service-monitor', {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: { name: this.name, namespace: this.namespace, labels },
        spec: {
          selector: { matchLabels: { ...selectorLabels('docker-registry', this.name), 'app.kubernetes.io/component': 'registry-metrics' } },
          endpoints: [{ port: 'metrics', path: '/metrics', interval: '30s' }],
        },
      });
    }
  }

  private createIngress(labels: Record<string, string>): void {
    const i = this.props.ingress;
    if (!i) {
      return;
    }
    new k8s.KubeIngress(this, 'ingress', {
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels,
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
          http: {
            paths: [{
              path: '/',
              pathType: 'Prefix',
              backend: { service: { name: this.serviceName, port: { name: 'registry' } } },
            }],
          },
        }],
      },
    });
  }
}
