import { assertShape, Problems, secretEnv } from './internal';
import { RegistryContribution, RegistryTarget } from './registry-config';
import { checkHostAndPort, checkObjectReference } from './rules';
import { SECRET_KEY, SecretKey, secretKeyProblems } from './secret-key';
import { required, STRING, struct, WHOLE_NUMBER } from './shape';

/** Who may push and pull. */
export abstract class RegistryAuth {
  /**
   * Basic auth against an htpasswd file (bcrypt entries: `htpasswd -Bbn user password`) kept in a Secret.
   * The file is mounted exactly where config.yml points: if it were missing, registry 2.8 would silently
   * create one with a random password.
   */
  public static htpasswd(options: HtpasswdOptions): RegistryAuth {
    assertShape('RegistryAuth.htpasswd', options, struct('HtpasswdOptions', {
      secret: required(SECRET_KEY), realm: STRING,
    } satisfies Record<keyof HtpasswdOptions, unknown>));
    return new HtpasswdAuth(options);
  }

  /**
   * Checks the options and says what this auth adds to the registry. Called once by `Registry`.
   * @internal
   */
  public abstract _bind(problems: Problems): RegistryContribution;
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

const AUTH_DIR = '/auth';

class HtpasswdAuth extends RegistryAuth {
  constructor(private readonly options: HtpasswdOptions) {
    super();
  }

  public _bind(problems: Problems): RegistryContribution {
    const { secret, realm } = this.options;
    problems.addAll(secretKeyProblems('auth htpasswd secret', secret));
    if (realm !== undefined && (typeof realm !== 'string' || realm.trim() === '' || /["\n]/.test(realm))) {
      problems.add(`auth htpasswd realm must be non-empty text without quotes or line breaks (got ${JSON.stringify(realm)})`);
    }
    return {
      config: { auth: { htpasswd: { realm: realm ?? 'Registry Realm', path: `${AUTH_DIR}/htpasswd` } } },
      // Only the one key is projected, to the file name config.yml points at.
      volumes: [{ name: 'auth', secret: { secretName: secret.secretName, items: [{ key: secret.key, path: 'htpasswd' }] } }],
      mounts: [{ name: 'auth', mountPath: AUTH_DIR, readOnly: true }],
    };
  }
}

/** Where the registry caches blob descriptors (digest → size and media type). */
export abstract class RegistryCache {
  /** In each pod's memory: the Helm chart's default. */
  public static inMemory(): RegistryCache {
    return new BlobDescriptorCache('inmemory');
  }

  /** In Redis, shared by all replicas. */
  public static redis(options: RedisCacheOptions): RegistryCache {
    assertShape('RegistryCache.redis', options, struct('RedisCacheOptions', {
      address: required(STRING), password: SECRET_KEY, db: WHOLE_NUMBER,
    } satisfies Record<keyof RedisCacheOptions, unknown>));
    return new BlobDescriptorCache('redis', options);
  }

  /** No cache. */
  public static none(): RegistryCache {
    return new BlobDescriptorCache('none');
  }

  /**
   * Checks the options and says what this cache adds to the registry. Called once by `Registry`.
   * @internal
   */
  public abstract _bind(registry: RegistryTarget, problems: Problems): RegistryContribution;
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

class BlobDescriptorCache extends RegistryCache {
  constructor(private readonly kind: 'inmemory' | 'redis' | 'none', private readonly redis?: RedisCacheOptions) {
    super();
  }

  public _bind(registry: RegistryTarget, problems: Problems): RegistryContribution {
    const cache = this.kind === 'none' ? {} : { cache: { blobdescriptor: this.kind } };
    const redis = this.redis;
    if (!redis) {
      return { config: { storage: cache } };
    }
    checkHostAndPort(problems, 'cache redis address', redis.address, 'redis.cache.svc:6379');
    if (redis.db !== undefined && (!Number.isInteger(redis.db) || redis.db < 0 || redis.db > 15)) {
      problems.add(`cache redis db must be a whole number within 0-15 (got ${redis.db})`);
    }
    if (redis.password) problems.addAll(secretKeyProblems('cache redis password', redis.password));
    const db = redis.db ?? 0;
    return {
      config: {
        storage: cache,
        // Registry 3 takes a list of addresses (`addrs`), 2.x one (`addr`).
        redis: registry.version === '3' ? { addrs: [redis.address], db } : { addr: redis.address, db },
      },
      env: redis.password ? [secretEnv('REGISTRY_REDIS_PASSWORD', redis.password)] : [],
    };
  }
}

/** The certificate a registry serves HTTPS with. */
export abstract class RegistryTls {
  /**
   * The certificate and key of a `kubernetes.io/tls` Secret (keys `tls.crt` and `tls.key`), mounted read-only.
   * @param secretName name of the Secret, in the registry's namespace
   */
  public static fromSecret(secretName: string): RegistryTls {
    assertShape('RegistryTls.fromSecret', { secretName }, struct('arguments', { secretName: required(STRING) }));
    return new SecretTls(secretName);
  }

  /**
   * Checks the Secret name and says what TLS adds to the registry. Called once by `Registry`.
   * @internal
   */
  public abstract _bind(problems: Problems): RegistryContribution;
}

const TLS_DIR = '/etc/ssl/registry';

class SecretTls extends RegistryTls {
  constructor(private readonly secretName: string) {
    super();
  }

  public _bind(problems: Problems): RegistryContribution {
    const name = this.secretName;
    checkObjectReference(problems, 'tls secret', name, 'Secret');
    return {
      config: { http: { tls: { certificate: `${TLS_DIR}/tls.crt`, key: `${TLS_DIR}/tls.key` } } },
      volumes: [{ name: 'tls', secret: { secretName: name } }],
      mounts: [{ name: 'tls', mountPath: TLS_DIR, readOnly: true }],
    };
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
