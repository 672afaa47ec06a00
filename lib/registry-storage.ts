import { Construct } from 'constructs';

import * as k8s from '../imports/k8s';
import { assertShape, Problems, secretEnv } from './internal';
import { checkObjectReference, checkQuantity, checkRootUrl, isDnsSubdomain } from './rules';
import { S3_REGIONS } from './s3-regions';
import { SECRET_KEY, SecretKey, secretKeyProblems } from './secret-key';
import { BOOLEAN, enumOf, required, STRING, struct } from './shape';

/** How a PersistentVolume may be mounted. */
export enum VolumeAccessMode {
  /** One node at a time: one registry replica, `Recreate` strategy. */
  READ_WRITE_ONCE = 'ReadWriteOnce',
  /** Many nodes at once (NFS, CephFS, EFS): several replicas may share it. */
  READ_WRITE_MANY = 'ReadWriteMany',
}

/** A PersistentVolumeClaim created with the registry. */
export interface PersistentVolumeStorageOptions {
  /**
   * Size of the claim, as a Kubernetes quantity.
   * @default "10Gi"
   */
  readonly size?: string;
  /**
   * StorageClass of the claim; `""` asks for no class (a pre-provisioned volume).
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;
  /**
   * How the volume may be mounted.
   * @default VolumeAccessMode.READ_WRITE_ONCE
   */
  readonly accessMode?: VolumeAccessMode;
}

/** A PersistentVolumeClaim that exists already. */
export interface ExistingClaimStorageOptions {
  /**
   * Whether the claim is ReadWriteMany, so that several replicas may share it.
   * @default false
   */
  readonly readWriteMany?: boolean;
}

/** Pod-local scratch storage. */
export interface EmptyDirStorageOptions {
  /**
   * Upper bound on what the registry may store before the kubelet evicts the pod.
   * @default - no limit
   */
  readonly sizeLimit?: string;
}

/** An S3 bucket or S3-compatible store. */
export interface S3StorageOptions {
  /** Bucket name. */
  readonly bucket: string;
  /** AWS region, or the region your S3-compatible store expects (MinIO: any, e.g. "us-east-1"). */
  readonly region: string;
  /**
   * Endpoint of an S3-compatible store (MinIO, Ceph RGW, R2).
   * @default - AWS S3
   */
  readonly regionEndpoint?: string;
  /**
   * Path-style URLs (`endpoint/bucket`), which most S3-compatible stores need.
   * @default false
   */
  readonly forcePathStyle?: boolean;
  /**
   * Server-side encryption of stored objects.
   * @default false
   */
  readonly encrypt?: boolean;
  /**
   * HTTPS to the store.
   * @default true
   */
  readonly secure?: boolean;
  /**
   * Prefix of every object the registry writes.
   * @default - the bucket root
   */
  readonly rootDirectory?: string;
  /**
   * Access key id and secret key, from Secrets.
   * @default - the pod's own credentials (IRSA, instance profile)
   */
  readonly credentials?: S3Credentials;
}

/** S3 access key id and secret key, each from a Secret. */
export interface S3Credentials {
  /** Access key id (`REGISTRY_STORAGE_S3_ACCESSKEY`). */
  readonly accessKey: SecretKey;
  /** Secret access key (`REGISTRY_STORAGE_S3_SECRETKEY`). */
  readonly secretKey: SecretKey;
}

/** A Google Cloud Storage bucket. */
export interface GcsStorageOptions {
  /** Bucket name. */
  readonly bucket: string;
  /**
   * Service account key JSON, from a Secret; mounted as a file.
   * @default - the pod's own credentials (Workload Identity)
   */
  readonly keyFile?: SecretKey;
  /**
   * Prefix of every object the registry writes.
   * @default - the bucket root
   */
  readonly rootDirectory?: string;
}

/** An Azure Blob Storage container. */
export interface AzureStorageOptions {
  /** Storage account name. */
  readonly accountName: string;
  /** Account key, from a Secret. */
  readonly accountKey: SecretKey;
  /** Blob container name. */
  readonly container: string;
  /**
   * Domain of the blob service.
   * @default "core.windows.net"
   */
  readonly realm?: string;
}

/**
 * What a storage choice contributes to the registry's pods.
 * @internal
 */
export interface RegistryStorageBinding {
  /** The driver's section under `storage:` in config.yml, e.g. `{ s3: { ... } }`. */
  readonly config: Record<string, unknown>;
  /** Env vars with secret values (`REGISTRY_STORAGE_*` from `secretKeyRef`). */
  readonly env: k8s.EnvVar[];
  readonly volumes: k8s.Volume[];
  readonly mounts: k8s.VolumeMount[];
  /** Whether several pods on several nodes can share this storage. */
  readonly shared: boolean;
  /** Words for error messages: "a ReadWriteOnce volume, which one node at a time can mount". */
  readonly description: string;
  /** Whether the data goes with the pod (emptyDir): then no rollout may be triggered on purpose. */
  readonly ephemeral: boolean;
  /** Creates the storage's own objects; called only after every prop has been checked. */
  readonly createObjects?: () => void;
}

/**
 * The registry a storage is bound to.
 * @internal
 */
export interface RegistryStorageTarget {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Names objects in error messages and claims. */
  readonly claimName: string;
  /** The registry's major version, "2" or "3": some drivers' settings differ. */
  readonly version: string;
}

/** Where filesystem storage is mounted in the registry container (the image's own default). */
const DATA_DIR = '/var/lib/registry';
const GCS_KEY_DIR = '/etc/registry-gcs';

function filesystem(volume: k8s.Volume, shared: boolean, description: string, createObjects?: () => void): RegistryStorageBinding {
  const ephemeral = volume.emptyDir !== undefined;
  return {
    config: { filesystem: { rootdirectory: DATA_DIR } },
    env: [],
    volumes: [volume],
    mounts: [{ name: 'data', mountPath: DATA_DIR }],
    shared,
    description,
    ephemeral,
    createObjects,
  };
}

/** Where a registry keeps its blobs and manifests. */
export abstract class RegistryStorage {
  /**
   * A PersistentVolumeClaim created with the registry, named after it (as the Helm chart names it).
   */
  public static persistentVolume(options: PersistentVolumeStorageOptions = {}): RegistryStorage {
    assertShape('RegistryStorage.persistentVolume', options, struct('PersistentVolumeStorageOptions', {
      size: STRING, storageClassName: STRING, accessMode: enumOf('VolumeAccessMode', VolumeAccessMode),
    } satisfies Record<keyof PersistentVolumeStorageOptions, unknown>));
    return new PersistentVolumeStorage(options);
  }

  /** A PersistentVolumeClaim that already exists, e.g. the one a Helm release created. */
  public static existingClaim(claimName: string, options: ExistingClaimStorageOptions = {}): RegistryStorage {
    assertShape('RegistryStorage.existingClaim', { claimName, options }, struct('arguments', {
      claimName: required(STRING),
      options: struct('ExistingClaimStorageOptions', { readWriteMany: BOOLEAN } satisfies Record<keyof ExistingClaimStorageOptions, unknown>),
    }));
    return new ExistingClaimStorage(claimName, options);
  }

  /** Pod-local scratch space: the data is lost whenever the pod goes. For throwaway registries. */
  public static emptyDir(options: EmptyDirStorageOptions = {}): RegistryStorage {
    assertShape('RegistryStorage.emptyDir', options, struct('EmptyDirStorageOptions', {
      sizeLimit: STRING,
    } satisfies Record<keyof EmptyDirStorageOptions, unknown>));
    return new EmptyDirStorage(options);
  }

  /** An S3 bucket, or an S3-compatible store (MinIO, Ceph RGW, R2). Shared: replicas may scale out. */
  public static s3(options: S3StorageOptions): RegistryStorage {
    assertShape('RegistryStorage.s3', options, struct('S3StorageOptions', {
      bucket: required(STRING),
      region: required(STRING),
      regionEndpoint: STRING,
      forcePathStyle: BOOLEAN,
      encrypt: BOOLEAN,
      secure: BOOLEAN,
      rootDirectory: STRING,
      credentials: struct('S3Credentials', {
        accessKey: required(SECRET_KEY), secretKey: required(SECRET_KEY),
      } satisfies Record<keyof S3Credentials, unknown>),
    } satisfies Record<keyof S3StorageOptions, unknown>));
    return new S3Storage(options);
  }

  /** A Google Cloud Storage bucket. Shared: replicas may scale out. */
  public static gcs(options: GcsStorageOptions): RegistryStorage {
    assertShape('RegistryStorage.gcs', options, struct('GcsStorageOptions', {
      bucket: required(STRING), keyFile: SECRET_KEY, rootDirectory: STRING,
    } satisfies Record<keyof GcsStorageOptions, unknown>));
    return new GcsStorage(options);
  }

  /** An Azure Blob Storage container. Shared: replicas may scale out. */
  public static azure(options: AzureStorageOptions): RegistryStorage {
    assertShape('RegistryStorage.azure', options, struct('AzureStorageOptions', {
      accountName: required(STRING), accountKey: required(SECRET_KEY), container: required(STRING), realm: STRING,
    } satisfies Record<keyof AzureStorageOptions, unknown>));
    return new AzureStorage(options);
  }

  /**
   * Checks the options and says what this storage adds to the registry. Called once by `Registry`.
   * @internal
   */
  public abstract _bind(scope: Construct, registry: RegistryStorageTarget, problems: Problems): RegistryStorageBinding;
}

class PersistentVolumeStorage extends RegistryStorage {
  constructor(private readonly options: PersistentVolumeStorageOptions) {
    super();
  }

  public _bind(scope: Construct, registry: RegistryStorageTarget, problems: Problems): RegistryStorageBinding {
    const size = this.options.size ?? '10Gi';
    const accessMode = this.options.accessMode ?? VolumeAccessMode.READ_WRITE_ONCE;
    // The API server refuses a claim for nothing.
    checkQuantity(problems, 'storage size', size, { positive: true });
    const storageClassName = this.options.storageClassName;
    if (storageClassName !== undefined && storageClassName !== '') {
      checkObjectReference(problems, 'storage storageClassName', storageClassName, 'StorageClass (or "" for none)');
    }
    const shared = accessMode === VolumeAccessMode.READ_WRITE_MANY;
    return filesystem(
      { name: 'data', persistentVolumeClaim: { claimName: registry.claimName } },
      shared,
      shared ? 'a ReadWriteMany volume' : 'a ReadWriteOnce volume, which one node at a time can mount',
      () => {
        new k8s.KubePersistentVolumeClaim(scope, 'data', {
          metadata: { name: registry.claimName, namespace: registry.namespace, labels: registry.labels },
          spec: {
            accessModes: [accessMode],
            storageClassName: this.options.storageClassName,
            resources: { requests: { storage: k8s.Quantity.fromString(size) } },
          },
        });
      });
  }
}

class ExistingClaimStorage extends RegistryStorage {
  constructor(private readonly claimName: string, private readonly options: ExistingClaimStorageOptions) {
    super();
  }

  public _bind(_scope: Construct, _registry: RegistryStorageTarget, problems: Problems): RegistryStorageBinding {
    checkObjectReference(problems, 'storage claim name', this.claimName, 'PersistentVolumeClaim');
    const shared = this.options.readWriteMany ?? false;
    return filesystem(
      { name: 'data', persistentVolumeClaim: { claimName: this.claimName } },
      shared,
      shared ? `the ReadWriteMany claim "${this.claimName}"` : `the claim "${this.claimName}", which is not marked readWriteMany`);
  }
}

class EmptyDirStorage extends RegistryStorage {
  constructor(private readonly options: EmptyDirStorageOptions) {
    super();
  }

  public _bind(_scope: Construct, _registry: RegistryStorageTarget, problems: Problems): RegistryStorageBinding {
    const sizeLimit = this.options.sizeLimit;
    if (sizeLimit !== undefined) checkQuantity(problems, 'storage sizeLimit', sizeLimit, { positive: true });
    return filesystem(
      { name: 'data', emptyDir: sizeLimit ? { sizeLimit: k8s.Quantity.fromString(sizeLimit) } : {} },
      false,
      'an emptyDir, which is private to each pod');
  }
}

function checkBucket(problems: Problems, driver: string, bucket: string): void {
  if (!/^[a-z0-9][-a-z0-9._]{1,220}[a-z0-9]$/.test(bucket)) {
    problems.add(`${driver} bucket must be a bucket name: 3 or more lowercase letters, digits, "-", "." or "_" (got ${JSON.stringify(bucket)})`);
  }
}

class S3Storage extends RegistryStorage {
  constructor(private readonly options: S3StorageOptions) {
    super();
  }

  public _bind(_scope: Construct, _registry: RegistryStorageTarget, problems: Problems): RegistryStorageBinding {
    const o = this.options;
    checkBucket(problems, 's3', o.bucket);
    if (o.region.trim() === '') {
      problems.add('s3 region must not be empty; S3-compatible stores such as MinIO accept "us-east-1"');
    } else if (o.regionEndpoint === undefined && !S3_REGIONS.includes(o.region)) {
      // Without an endpoint the driver refuses at start any region its AWS SDK does not know ("invalid region provided").
      problems.add(`s3 region ${JSON.stringify(o.region)} is not an AWS region the registry knows, such as "us-east-1"; for an ` +
        'S3-compatible store (MinIO, Ceph RGW, R2) give its regionEndpoint too');
    }
    if (o.regionEndpoint !== undefined) checkRootUrl(problems, 's3 regionEndpoint', o.regionEndpoint, 'https://minio.storage.svc:9000');
    if (o.credentials) {
      problems.addAll(secretKeyProblems('s3 credentials.accessKey', o.credentials.accessKey));
      problems.addAll(secretKeyProblems('s3 credentials.secretKey', o.credentials.secretKey));
    }
    return {
      // Explicit false values are written: the driver's own defaults differ between registry versions.
      config: {
        s3: {
          region: o.region,
          bucket: o.bucket,
          ...(o.regionEndpoint !== undefined ? { regionendpoint: o.regionEndpoint } : {}),
          forcepathstyle: o.forcePathStyle ?? false,
          encrypt: o.encrypt ?? false,
          secure: o.secure ?? true,
          ...(o.rootDirectory !== undefined ? { rootdirectory: o.rootDirectory } : {}),
        },
      },
      env: o.credentials ? [
        secretEnv('REGISTRY_STORAGE_S3_ACCESSKEY', o.credentials.accessKey),
        secretEnv('REGISTRY_STORAGE_S3_SECRETKEY', o.credentials.secretKey),
      ] : [],
      volumes: [],
      mounts: [],
      shared: true,
      description: 'an S3 bucket',
      ephemeral: false,
    };
  }
}

class GcsStorage extends RegistryStorage {
  constructor(private readonly options: GcsStorageOptions) {
    super();
  }

  public _bind(_scope: Construct, _registry: RegistryStorageTarget, problems: Problems): RegistryStorageBinding {
    const o = this.options;
    checkBucket(problems, 'gcs', o.bucket);
    if (o.keyFile) {
      problems.addAll(secretKeyProblems('gcs keyFile', o.keyFile));
    }
    return {
      config: {
        gcs: {
          bucket: o.bucket,
          ...(o.keyFile ? { keyfile: `${GCS_KEY_DIR}/key.json` } : {}),
          ...(o.rootDirectory !== undefined ? { rootdirectory: o.rootDirectory } : {}),
        },
      },
      env: [],
      // Only the one key is projected, at the path config.yml names.
      volumes: o.keyFile ? [{ name: 'gcs-key', secret: { secretName: o.keyFile.secretName, items: [{ key: o.keyFile.key, path: 'key.json' }] } }] : [],
      mounts: o.keyFile ? [{ name: 'gcs-key', mountPath: GCS_KEY_DIR, readOnly: true }] : [],
      shared: true,
      description: 'a GCS bucket',
      ephemeral: false,
    };
  }
}

class AzureStorage extends RegistryStorage {
  constructor(private readonly options: AzureStorageOptions) {
    super();
  }

  public _bind(_scope: Construct, registry: RegistryStorageTarget, problems: Problems): RegistryStorageBinding {
    const o = this.options;
    if (!/^[a-z0-9]{3,24}$/.test(o.accountName)) {
      problems.add(`azure accountName must be 3-24 lowercase letters and digits (got ${JSON.stringify(o.accountName)})`);
    }
    if (!/^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$/.test(o.container)) {
      problems.add(`azure container must be 3-63 lowercase letters, digits and single "-" (got ${JSON.stringify(o.container)})`);
    }
    problems.addAll(secretKeyProblems('azure accountKey', o.accountKey));
    if (o.realm !== undefined && !isDnsSubdomain(o.realm)) {
      problems.add(`azure realm must be the blob service's domain such as "core.windows.net" or "core.chinacloudapi.cn", not a URL ` +
        `(got ${JSON.stringify(o.realm)})`);
    }
    return {
      config: {
        azure: {
          accountname: o.accountName, container: o.container, realm: o.realm ?? 'core.windows.net',
          // Registry 3 needs the kind of credentials named: without it the real 3.1.2 panics ("invalid credentials type").
          ...(registry.version === '3' ? { credentials: { type: 'shared_key' } } : {}),
        },
      },
      env: [secretEnv('REGISTRY_STORAGE_AZURE_ACCOUNTKEY', o.accountKey)],
      volumes: [],
      mounts: [],
      shared: true,
      description: 'an Azure container',
      ephemeral: false,
    };
  }
}
