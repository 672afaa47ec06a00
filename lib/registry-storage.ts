import { Construct } from 'constructs';
import * as k8s from '../imports/k8s';
import { Problems } from './internal';

/** How a PersistentVolume may be mounted. */
export enum VolumeAccessMode {
  /** One node at a time: one registry replica, `Recreate` strategy. */
  READ_WRITE_ONCE = 'ReadWriteOnce',
  /** Many nodes at once (NFS, CephFS, EFS): several replicas may share it. */
  READ_WRITE_MANY = 'ReadWriteMany',
}

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

export interface EmptyDirStorageOptions {
  /**
   * Upper bound on what the registry may store before the kubelet evicts the pod.
   * @default - no limit
   */
  readonly sizeLimit?: string;
}

/** What a storage choice contributes to a registry's objects. */
export interface RegistryStorageBinding {
  /** The pod volume that holds the data, named `data`. */
  readonly volume: k8s.Volume;
  /** Whether several pods on several nodes can share this storage. */
  readonly shared: boolean;
  /** Words for error messages: "a ReadWriteOnce volume, which one node at a time can mount". */
  readonly description: string;
  /** Creates the storage's own objects; called only after every prop has been checked. */
  readonly createObjects?: () => void;
}

/** The registry a storage is bound to. */
export interface RegistryStorageTarget {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

/** Where a registry keeps its blobs and manifests. */
export abstract class RegistryStorage {
  /**
   * A PersistentVolumeClaim created with the registry, named after it (as the Helm chart names it).
   */
  public static persistentVolume(options: PersistentVolumeStorageOptions = {}): RegistryStorage {
    return new PersistentVolumeStorage(options);
  }

  /** Pod-local scratch space: the data is lost whenever the pod goes. For throwaway registries. */
  public static emptyDir(options: EmptyDirStorageOptions = {}): RegistryStorage {
    return new EmptyDirStorage(options);
  }

  /**
   * Checks the options and creates the objects this storage needs. Called once by `Registry`.
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
    if (!QUANTITY.test(size)) {
      problems.add(`storage size must be a Kubernetes quantity such as "10Gi" or "500Mi" (got ${JSON.stringify(size)})`);
    }
    return {
      volume: { name: 'data', persistentVolumeClaim: { claimName: registry.name } },
      shared: accessMode === VolumeAccessMode.READ_WRITE_MANY,
      description: accessMode === VolumeAccessMode.READ_WRITE_MANY
        ? 'a ReadWriteMany volume'
        : 'a ReadWriteOnce volume, which one node at a time can mount',
      createObjects: () => {
        new k8s.KubePersistentVolumeClaim(scope, 'data', {
          metadata: { name: registry.name, namespace: registry.namespace, labels: registry.labels },
          spec: {
            accessModes: [accessMode],
            storageClassName: this.options.storageClassName,
            resources: { requests: { storage: k8s.Quantity.fromString(size) } },
          },
        });
      },
    };
  }
}

class EmptyDirStorage extends RegistryStorage {
  constructor(private readonly options: EmptyDirStorageOptions) {
    super();
  }

  public _bind(_scope: Construct, _registry: RegistryStorageTarget, problems: Problems): RegistryStorageBinding {
    const sizeLimit = this.options.sizeLimit;
    if (sizeLimit !== undefined && !QUANTITY.test(sizeLimit)) {
      problems.add(`storage sizeLimit must be a Kubernetes quantity such as "10Gi" or "500Mi" (got ${JSON.stringify(sizeLimit)})`);
    }
    return {
      volume: { name: 'data', emptyDir: sizeLimit ? { sizeLimit: k8s.Quantity.fromString(sizeLimit) } : {} },
      shared: false,
      description: 'an emptyDir, which is private to each pod',
    };
  }
}
