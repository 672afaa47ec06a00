import { SecretKey } from './secret-key';

/** Who may push and pull. */
export abstract class RegistryAuth {
  /**
   * Basic auth against an htpasswd file (bcrypt entries: `htpasswd -Bbn user password`) kept in a Secret.
   * The file is mounted exactly where config.yml points: if it were missing, registry 2.8 would silently
   * create one with a random password.
   */
  public static htpasswd(options: HtpasswdOptions): RegistryAuth {
    return new HtpasswdAuth(options);
  }

  /** @internal */
  public abstract readonly _htpasswd: HtpasswdOptions;
}

/** An htpasswd file in a Secret. */
export interface HtpasswdOptions {
  /** The Secret key holding the htpasswd file. */
  readonly secret: SecretKey;
  /**
   * Realm shown in the `WWW-Authenticate` challenge.
   * @default "Registry Realm"
   */
  readonly realm?: string;
}

class HtpasswdAuth extends RegistryAuth {
  constructor(public readonly _htpasswd: HtpasswdOptions) {
    super();
  }
}

/** Where the registry caches blob descriptors (digest → size and media type). */
export abstract class RegistryCache {
  /** In each pod's memory: the Helm chart's default. */
  public static inMemory(): RegistryCache {
    return new InMemoryCache();
  }

  /** In Redis, shared by all replicas. */
  public static redis(options: RedisCacheOptions): RegistryCache {
    return new RedisCache(options);
  }

  /** No cache. */
  public static none(): RegistryCache {
    return new NoCache();
  }

  /** @internal */
  public abstract readonly _kind: 'inmemory' | 'redis' | 'none';
  /** @internal */
  public readonly _redis?: RedisCacheOptions;
}

/** A Redis server for the blob descriptor cache. */
export interface RedisCacheOptions {
  /** `host:port` of the Redis server, e.g. "redis.cache.svc:6379". */
  readonly address: string;
  /**
   * Password, from a Secret.
   * @default - no password
   */
  readonly password?: SecretKey;
  /**
   * Database number.
   * @default 0
   */
  readonly db?: number;
}

class InMemoryCache extends RegistryCache {
  public readonly _kind = 'inmemory' as const;
}

class NoCache extends RegistryCache {
  public readonly _kind = 'none' as const;
}

class RedisCache extends RegistryCache {
  public readonly _kind = 'redis' as const;
  constructor(public readonly _redis: RedisCacheOptions) {
    super();
  }
}

/** A pull-through cache of another registry (`proxy.remoteurl`). Such a registry refuses pushes. */
export interface PullThroughOptions {
  /** URL of the registry to mirror, e.g. "https://registry-1.docker.io". */
  readonly remoteUrl: string;
  /**
   * User name for the remote registry, from a Secret.
   * @default - anonymous
   */
  readonly username?: SecretKey;
  /**
   * Password or token for the remote registry, from a Secret.
   * @default - anonymous
   */
  readonly password?: SecretKey;
}

/**
 * A CronJob that runs `registry garbage-collect` against the registry's own storage. The registry is scaled to 0
 * for the collection (so no push races it) and back up afterwards (so no pod serves from a stale in-memory blob
 * cache); the job's ServiceAccount may scale this one Deployment and read pods, nothing else.
 */
export interface GarbageCollectionOptions {
  /**
   * When to run, in cron syntax, in the cluster's time zone.
   * @default "0 3 * * 0" - Sundays at 03:00
   */
  readonly schedule?: string;
  /**
   * Also delete manifests that no tag points at (`--delete-untagged`). Refused on registry 2.x, whose collector
   * also deletes the per-architecture manifests of tagged multi-arch images (distribution#3178).
   * @default false
   */
  readonly deleteUntagged?: boolean;
  /**
   * Image with kubectl, which scales the registry down and up.
   * @default "registry.k8s.io/kubectl:v1.37.2"
   */
  readonly kubectlImage?: string;
}

/**
 * How long the registry keeps the bytes of uploads that never finished (`storage.maintenance.uploadpurging`): a
 * killed or failed push leaves its partial layer behind until then.
 */
export interface UploadPurgingOptions {
  /**
   * Unfinished uploads older than this are deleted, as a Go duration ("24h", "90m").
   * @default "24h"
   */
  readonly age?: string;
  /**
   * How often the registry looks for them, as a Go duration.
   * @default "1h"
   */
  readonly interval?: string;
}

/** Prometheus metrics from the registry's debug server. */
export interface MetricsOptions {
  /**
   * Port of the debug server (`http.debug.addr`), also exposed on the Service as `metrics`.
   * @default 5001
   */
  readonly port?: number;
  /**
   * Also render a `monitoring.coreos.com/v1` ServiceMonitor (needs the Prometheus Operator's CRDs).
   * @default false
   */
  readonly serviceMonitor?: boolean;
}

/** A HorizontalPodAutoscaler (autoscaling/v2) on CPU. Needs shared storage and `httpSecret`. */
export interface AutoscalingOptions {
  /** Fewest replicas. */
  readonly minReplicas: number;
  /** Most replicas. */
  readonly maxReplicas: number;
  /**
   * Target average CPU use, in percent of the CPU request.
   * @default 75
   */
  readonly cpuUtilization?: number;
}

/** An Ingress (networking.k8s.io/v1) in front of the registry Service. */
export interface IngressOptions {
  /** Host name clients push to, e.g. "registry.example.com". */
  readonly host: string;
  /**
   * IngressClass.
   * @default - the cluster's default IngressClass
   */
  readonly className?: string;
  /**
   * Secret of type kubernetes.io/tls for the host; the Ingress terminates TLS.
   * @default - plain HTTP
   */
  readonly tlsSecretName?: string;
  /**
   * Extra annotations. `nginx.ingress.kubernetes.io/proxy-body-size: "0"` is always set: ingress-nginx
   * otherwise refuses layers over 1 MiB.
   * @default - none
   */
  readonly annotations?: Record<string, string>;
}

/** CPU and memory of the registry container, as Kubernetes quantities. */
export interface ResourceOptions {
  /** @default "100m" */
  readonly cpuRequest?: string;
  /** @default - no CPU limit (throttling slows pushes more than it protects) */
  readonly cpuLimit?: string;
  /** @default "128Mi" */
  readonly memoryRequest?: string;
  /** @default "1Gi" */
  readonly memoryLimit?: string;
}

/** How a toleration matches a taint's value. */
export enum TolerationOperator {
  /** The taint's value must equal the toleration's `value`. */
  EQUAL = 'Equal',
  /** Any value of the taint's key. */
  EXISTS = 'Exists',
}

/** What a taint does to pods that do not tolerate it. */
export enum TaintEffect {
  /** New pods are not scheduled on the node. */
  NO_SCHEDULE = 'NoSchedule',
  /** The scheduler avoids the node. */
  PREFER_NO_SCHEDULE = 'PreferNoSchedule',
  /** Running pods are evicted as well. */
  NO_EXECUTE = 'NoExecute',
}

/** A toleration, in the words of the Kubernetes API. */
export interface Toleration {
  /**
   * Taint key.
   * @default - every key (with operator Exists)
   */
  readonly key?: string;
  /** @default TolerationOperator.EQUAL */
  readonly operator?: TolerationOperator;
  /**
   * Taint value, with operator Equal.
   * @default - empty
   */
  readonly value?: string;
  /** @default - every effect */
  readonly effect?: TaintEffect;
}

/** Where and how the registry pods are scheduled, and what they carry. */
export interface PodOptions {
  /** @default - any node */
  readonly nodeSelector?: Record<string, string>;
  /** @default - none */
  readonly tolerations?: Toleration[];
  /** Spread replicas over nodes (preferred pod anti-affinity on the hostname). @default true */
  readonly spreadAcrossNodes?: boolean;
  /** @default - the cluster's default priority */
  readonly priorityClassName?: string;
  /** Extra pod annotations. @default - none */
  readonly annotations?: Record<string, string>;
  /** Extra pod labels (never used by selectors). @default - none */
  readonly labels?: Record<string, string>;
  /** Secrets of type kubernetes.io/dockerconfigjson for pulling the registry image. @default - none */
  readonly imagePullSecrets?: string[];
  /** Extra plain env vars for the registry container, e.g. `REGISTRY_LOG_LEVEL`. @default - none */
  readonly env?: Record<string, string>;
}
