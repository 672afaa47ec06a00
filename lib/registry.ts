import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { stringify } from 'yaml';

import { assertShape, claim, claimNodePort, claimObjectName, describe, Problems } from './internal';
import { REGISTRY_PROPS } from './prop-shapes';
import { ConfigSection, mergeConfig, mergePod, RegistryConfig } from './registry-config';
import { RegistrySettings, renderedObjectNames, resolveRegistry } from './registry-model';
import { UploadPurgingOptions } from './registry-options';
import { RegistryProps, RegistryServiceType, RegistryVersion } from './registry-props';
import { createRegistryObjects, RegistryObjects, RegistryPeer } from './registry-workload';
import { parseRootUrl } from './rules';
import { BOOLEAN, struct } from './shape';

/** What other constructs need to reach a registry, and how they tell it what they need from it. */
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
  /**
   * The application that constructs linked to this registry are part of (their `app.kubernetes.io/part-of` label):
   * the registry's name, when it is a `Registry` of this app.
   * @default - undefined for an external registry (`Registry.fromUrl`): each linked construct is its own application
   */
  readonly partOf?: string;

  /**
   * Registers a construct whose pods or pages call this registry, with what it needs: the registry admits its pods
   * through its NetworkPolicy, sends CORS headers to its browser origin, and allows DELETE for it. Throws, naming the
   * client and the reason, when the registry cannot serve it (a browser origin against a registry with auth,
   * deletes against a pull-through cache). Linked proxies and UIs call this themselves.
   */
  addClient(client: RegistryClient): void;
}

/** A construct that calls a registry, and what it needs from it. */
export interface RegistryClient {
  /** Names the client in error messages, e.g. `RegistryUI at "app/ui"`. */
  readonly description: string;
  /**
   * The client construct: a client of another app is refused, since that app would never render what it needs.
   * @default - not checked
   */
  readonly construct?: IConstruct;
  /** Namespace of the client's pods. */
  readonly namespace: string;
  /**
   * Labels that select the client's pods, when its pods call the registry: the NetworkPolicy admits them.
   * @default - its pods do not call the registry (a browser does)
   */
  readonly podSelector?: Record<string, string>;
  /**
   * Origin of a browser page that calls the registry itself, e.g. "http://10.0.0.5:31000" or "*": it gets CORS headers.
   * @default - no browser calls the registry
   */
  readonly browserOrigin?: string;
  /**
   * Whether the client deletes manifests: the registry then allows `DELETE` (`storage.delete.enabled`).
   * @default false
   */
  readonly deletes?: boolean;
  /**
   * Most repositories the client asks for in one catalog page (`/v2/_catalog?n=`).
   * @default - the registry's own page size
   */
  readonly catalogPageSize?: number;
}

/** What is known of a registry this app does not create. */
export interface ExternalRegistryOptions {
  /**
   * Whether that registry allows `DELETE` (`storage.delete.enabled`): clients that delete are refused otherwise.
   * @default false
   */
  readonly deletion?: boolean;
}

/** A registry outside this app: clients are checked against what its owner said of it, nothing is rendered. */
class ExternalRegistry implements IRegistry {
  public readonly serviceHost: string;
  public readonly port: number;
  public readonly clusterUrl: string;

  constructor(url: URL, private readonly options: ExternalRegistryOptions) {
    this.serviceHost = url.hostname;
    this.port = url.port ? Number(url.port) : (url.protocol === 'https:' ? 443 : 80);
    this.clusterUrl = `${url.protocol}//${url.host}`;
  }

  public addClient(client: RegistryClient): void {
    if (client.deletes && !this.options.deletion) {
      throw new Error(`${client.description}: deletes images, but the registry at ${this.clusterUrl} was not declared to allow DELETE; ` +
        `pass Registry.fromUrl(${JSON.stringify(this.clusterUrl)}, { deletion: true }) if its config has storage.delete.enabled`);
    }
  }
}

/**
 * A private container registry (distribution 3.x or 2.8): ConfigMap with `config.yml`, Deployment, Service and
 * storage, plus whatever the production options add. Replaces the `stable/docker-registry` chart.
 *
 * Each feature (storage, auth, cache, TLS, pull-through, metrics...) binds itself once, in the constructor, and
 * contributes its part of config.yml and of the pod; linked clients register through `addClient`. config.yml is
 * rendered once, at synth time, from the merged contributions.
 */
export class Registry extends Construct implements IRegistry {
  /**
   * A registry that this app does not create, for proxies and UIs to point at.
   * @param url `http://host:port` as pods in the cluster reach it
   * @param options what is known of that registry
   */
  public static fromUrl(url: string, options: ExternalRegistryOptions = {}): IRegistry {
    const parsed = parseRootUrl(url);
    if (!parsed) {
      throw new Error(`Registry.fromUrl: url must look like "http://host:port" with no path, credentials or port 0 (got ${JSON.stringify(url)})`);
    }
    assertShape('Registry.fromUrl', { options }, struct('arguments', {
      options: struct('ExternalRegistryOptions', { deletion: BOOLEAN } satisfies Record<keyof ExternalRegistryOptions, unknown>),
    }));
    return new ExternalRegistry(parsed, options);
  }

  /** Name of the Deployment, the Service and (with a suffix) every other object. */
  public readonly name: string;
  /** Namespace of every object; always set (optional only as `IRegistry` declares it, for external registries). */
  public readonly namespace?: string;
  /** The registry image. */
  public readonly image: string;
  /** Replicas of the Deployment (with autoscaling, its minimum). */
  public readonly replicas: number;
  /** When unfinished uploads are purged (`storage.maintenance.uploadpurging`). */
  public readonly uploadPurging: UploadPurgingOptions;
  /** How the Service is exposed. */
  public readonly serviceType: RegistryServiceType;
  /** The node port, or undefined for a ClusterIP Service. */
  public readonly nodePort?: number;
  /** Port of the Service inside the cluster. */
  public readonly port: number;
  /** Name of the Service. */
  public readonly serviceName: string;
  /** Name of the ConfigMap holding `config.yml`. */
  public readonly configMapName: string;
  /** `<service>.<namespace>.svc`. */
  public readonly serviceHost: string;
  /** `http(s)://<serviceHost>:<port>`. */
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
  /** The `app.kubernetes.io/part-of` label of linked constructs: this registry's name (always set). */
  public readonly partOf?: string;
  /** Major version of the registry. */
  public readonly version: RegistryVersion;
  /** Directory of config.yml in the container. */
  public readonly configDir: string;
  /** The Deployment (also `node.defaultChild`): an escape hatch for fields this library does not offer. */
  public readonly deployment: ApiObject;
  /** The Service: an escape hatch. */
  public readonly service: ApiObject;
  /** The ConfigMap with `config.yml`: an escape hatch. */
  public readonly configMap: ApiObject;

  private readonly settings: RegistrySettings;
  private readonly clients: RegistryClient[] = [];
  private renderedYaml?: string;

  constructor(scope: Construct, id: string, props: RegistryProps = {}) {
    super(scope, id);
    const owner = describe('Registry', this);
    const problems = new Problems(owner);
    // JavaScript callers skip the type system: wrong types and unknown props stop here, before anything reads them.
    assertShape(owner, props, REGISTRY_PROPS);
    const s = resolveRegistry(this, id, props, problems);
    problems.throwIfAny();
    this.settings = s;
    ({ name: this.name, namespace: this.namespace, image: this.image, replicas: this.replicas } = s);
    ({ serviceType: this.serviceType, nodePort: this.nodePort, port: this.port, version: this.version } = s);
    ({ configMapName: this.configMapName, configDir: this.configDir, podLabels: this.podLabels } = s);
    ({ authEnabled: this.authEnabled, metricsPort: this.metricsPort, pullThroughCache: this.pullThroughCache } = s);
    ({ catalogMaxEntries: this.catalogMaxEntries, uploadPurging: this.uploadPurging, selectorLabels: this.selectorLabels } = s);
    this.serviceName = s.name;
    this.partOf = s.name;
    this.serviceHost = `${s.name}.${s.namespace}.svc`;
    this.clusterUrl = `${s.https ? 'https' : 'http'}://${this.serviceHost}:${s.port}`;

    for (const [kind, name] of renderedObjectNames(s)) claimObjectName(this, kind, s.namespace, name, owner);
    if (s.nodePort !== undefined) claimNodePort(this, s.nodePort, owner);
    if (s.ingress) {
      claim(this, `ingress:${s.ingress.host}/`, `Ingress host ${s.ingress.host} path /`, owner,
        'an ingress controller routes one host and path to one backend: give each registry its own host');
    }
    // Checks that depend on clients run once every construct exists, whatever order they were added in.
    this.node.addValidation({ validate: () => this.clientProblems() });

    const objects: RegistryObjects = createRegistryObjects(s, mergePod(s.contributions), {
      configYaml: () => this.configYaml,
      peers: () => this.clients.flatMap((c): RegistryPeer[] => c.podSelector ? [{ namespace: c.namespace, labels: { ...c.podSelector } }] : []),
    });
    ({ deployment: this.deployment, service: this.service, configMap: this.configMap } = objects);
  }

  /**
   * The config model rendered into the ConfigMap's `config.yml`: the contributions of every feature and client, merged;
   * final once the app is built.
   * @internal
   */
  public get _config(): RegistryConfig {
    const origins = [...new Set(this.clients.flatMap(c => c.browserOrigin !== undefined ? [c.browserOrigin] : []))];
    const headers: ConfigSection = origins.length === 0 ? {} : {
      // What a browser on another origin needs to list, read digests and (with deletion) delete.
      'Access-Control-Allow-Origin': origins,
      'Access-Control-Allow-Methods': ['HEAD', 'GET', 'OPTIONS', ...(this.deletion ? ['DELETE'] : [])],
      'Access-Control-Allow-Headers': ['Authorization', 'Accept', 'Cache-Control'],
      'Access-Control-Expose-Headers': ['Docker-Content-Digest'],
    };
    const clients = {
      config: {
        storage: this.deletion ? { delete: { enabled: true } } : {},
        http: { headers },
      },
    };
    return mergeConfig([...this.settings.contributions, clients]) as unknown as RegistryConfig;
  }

  /** The exact text of `config.yml`. */
  public get configYaml(): string {
    // Read twice per synth (the ConfigMap and its checksum): rendered once, until a client changes it.
    this.renderedYaml ??= stringify(this._config, { lineWidth: 0 });
    return this.renderedYaml;
  }

  /** Whether `DELETE` is allowed (`storage.delete.enabled`): the `deletion` prop, or a client that deletes. */
  public get deletion(): boolean {
    return this.settings.deletion || this.clients.some(c => c.deletes);
  }

  public addClient(client: RegistryClient): void {
    const reason = this.refusal(client);
    if (reason) {
      throw new Error(`${client.description}: ${reason}`);
    }
    this.clients.push({ ...client });
    this.renderedYaml = undefined;
  }

  private refusal(client: RegistryClient): string | undefined {
    const registry = describe('Registry', this);
    if (client.construct && client.construct.node.root !== this.node.root) {
      return `registry ${registry} belongs to another app, which renders its config and NetworkPolicy; pass as registry a ` +
        'Registry of this app, or Registry.fromUrl(...)';
    }
    if (client.browserOrigin !== undefined && this.authEnabled) {
      return `a browser on ${client.browserOrigin} (a direct connection) cannot call ${registry}, which requires auth: it answers ` +
        'the CORS preflight with 401; use RegistryUIConnection.proxy()';
    }
    if (client.deletes && this.pullThroughCache) {
      return `deletes images (deleteImages), but ${registry} is a pull-through cache, which refuses deletes; drop deleteImages`;
    }
    if (client.catalogPageSize !== undefined && client.catalogPageSize > this.catalogMaxEntries) {
      return `catalog pages of ${client.catalogPageSize} (catalogElementsLimit) exceed the catalogMaxEntries ${this.catalogMaxEntries} of ${registry}: ` +
        'the registry would answer PAGINATION_NUMBER_INVALID; raise catalogMaxEntries on the Registry or lower the limit';
    }
    return undefined;
  }

  private clientProblems(): string[] {
    if (this.settings.garbageCollection && !this.deletion) {
      return [`${describe('Registry', this)}: garbageCollection needs deletion: true (or a linked UI that deletes images); ` +
        'without it nothing is ever unreferenced'];
    }
    return [];
  }
}
