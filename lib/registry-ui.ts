import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

import * as k8s from '../imports/k8s';
import { assertShape, claimNodePort, claimObjectName, defaultNamespace, describe, objectLabels, Problems, restrictedContainerSecurity, restrictedPodSecurity, rootHttpProbe, selectorLabels } from './internal';
import { REGISTRY_REFERENCE } from './prop-shapes';
import { IRegistry } from './registry';
import { checkImage, checkImageHost, checkLabels, checkName, checkNamespace, checkNodePort, checkOrigin, checkReplicas } from './rules';
import { BOOLEAN, instanceOf, mapOf, required, STRING, struct, WHOLE_NUMBER } from './shape';

/** How the browser reaches the registry. */
export abstract class RegistryUIConnection {
  /**
   * The UI's own nginx forwards `/v2` to the registry's in-cluster URL (`NGINX_PROXY_PASS_URL`): one origin,
   * no CORS, works with auth. The default.
   */
  public static proxy(): RegistryUIConnection {
    return new ProxyConnection();
  }

  /**
   * The browser calls the registry itself (`REGISTRY_URL`). The linked `Registry` gets CORS headers for
   * `uiOrigin`; refused for a registry with auth, whose CORS preflight gets 401.
   */
  public static direct(options: DirectConnectionOptions): RegistryUIConnection {
    assertShape('RegistryUIConnection.direct', options, struct('DirectConnectionOptions', {
      browserUrl: required(STRING), uiOrigin: required(STRING),
    } satisfies Record<keyof DirectConnectionOptions, unknown>));
    return new DirectConnection(options);
  }

  /** @internal */
  public abstract readonly _direct?: DirectConnectionOptions;
}

/** Where the browser finds the registry in direct mode. */
export interface DirectConnectionOptions {
  /** The registry's URL as the browser reaches it, e.g. "http://10.0.0.5:31500" or "https://registry.example.com". */
  readonly browserUrl: string;
  /** The UI's origin as the browser sees it (scheme, host and port), e.g. "http://10.0.0.5:31000", or "*". */
  readonly uiOrigin: string;
}

class ProxyConnection extends RegistryUIConnection {
  public readonly _direct = undefined;
}

class DirectConnection extends RegistryUIConnection {
  constructor(public readonly _direct: DirectConnectionOptions) {
    super();
  }
}

/** Orders the UI accepts for `TAGLIST_ORDER`. */
const TAGLIST_ORDERS = [
  'asc', 'desc', 'alpha-asc', 'alpha-desc', 'num-asc', 'num-desc',
  ...['alpha-asc', 'alpha-desc'].flatMap(a => ['num-asc', 'num-desc'].flatMap(n => [`${a};${n}`, `${n};${a}`])),
];

/** Options of a `RegistryUI`: its props without the registry (`PrivateRegistry`'s `ui`). */
export interface RegistryUIOptions {
  /**
   * Name of the Service.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Name of the Deployment.
   * @default - the same as `name`
   */
  readonly deploymentName?: string;
  /**
   * The Deployment's selector, and labels its pods carry, to replace a live UI Deployment in place (a selector
   * cannot change): the second tutorial's hand-written manifest selects `{ app: 'registry-ui' }`.
   * @default - app.kubernetes.io/name, instance and component labels of this library
   */
  readonly selectorLabels?: { [key: string]: string };
  /**
   * Namespace of the Deployment and Service.
   * @default - the registry's namespace, else the chart's namespace, else "default"
   */
  readonly namespace?: string;
  /**
   * joxit/docker-registry-ui 2.x image, pinned (2.5.3 and 2.5.4 cannot resolve Kubernetes Service names).
   * @default "joxit/docker-registry-ui:2.6.0"
   */
  readonly image?: string;
  /**
   * Port on every node; must lie in 30000-32767 and be unique in the cluster.
   * @default 31000
   */
  readonly nodePort?: number;
  /**
   * Registry name shown in the page (`REGISTRY_TITLE`).
   * @default "Private registry"
   */
  readonly title?: string;
  /**
   * Host shown in the page's `docker pull` commands (`PULL_URL`).
   * @default - the host and port the browser used to open the UI
   */
  readonly pullHost?: string;
  /**
   * Number of UI pods.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * How the browser reaches the registry.
   * @default RegistryUIConnection.proxy()
   */
  readonly connection?: RegistryUIConnection;
  /**
   * Let users delete images from the UI (`DELETE_IMAGES`); turns on deletion on a linked `Registry`.
   * @default false
   */
  readonly deleteImages?: boolean;
  /**
   * Fewest and most levels of `/` the catalog groups repositories by (`CATALOG_MIN_BRANCHES`, `CATALOG_MAX_BRANCHES`).
   * @default - the UI's 1 and 1
   */
  readonly catalogBranches?: CatalogBranches;
  /**
   * Tag order (`TAGLIST_ORDER`), e.g. "num-desc;alpha-asc".
   * @default - the UI's "alpha-asc;num-desc"
   */
  readonly taglistOrder?: string;
  /**
   * Repositories the catalog page asks for (`CATALOG_ELEMENTS_LIMIT`); at most the linked registry's `catalogMaxEntries`.
   * @default - the UI's 1000
   */
  readonly catalogElementsLimit?: number;
  /**
   * Show each tag's content digest (`SHOW_CONTENT_DIGEST`).
   * @default false
   */
  readonly showContentDigest?: boolean;
}

const UI_OPTION_FIELDS = {
  name: STRING,
  deploymentName: STRING,
  selectorLabels: mapOf(STRING),
  namespace: STRING,
  image: STRING,
  nodePort: WHOLE_NUMBER,
  title: STRING,
  pullHost: STRING,
  replicas: WHOLE_NUMBER,
  connection: instanceOf('RegistryUIConnection', RegistryUIConnection, 'RegistryUIConnection.proxy()'),
  deleteImages: BOOLEAN,
  catalogBranches: struct('CatalogBranches', { min: required(WHOLE_NUMBER), max: required(WHOLE_NUMBER) }),
  taglistOrder: STRING,
  catalogElementsLimit: WHOLE_NUMBER,
  showContentDigest: BOOLEAN,
} satisfies Record<keyof RegistryUIOptions, unknown>;

/** @internal */
export const UI_OPTIONS = struct('RegistryUIOptions', UI_OPTION_FIELDS);

/** Props of a `RegistryUI`. */
export interface RegistryUIProps extends RegistryUIOptions {
  /** The registry to browse: the UI's own nginx forwards `/v2` to its in-cluster URL (no CORS needed). */
  readonly registry: IRegistry;
}

/** Fewest and most levels of `/` the UI's catalog groups repositories by. */
export interface CatalogBranches {
  /** Fewest levels (`CATALOG_MIN_BRANCHES`). */
  readonly min: number;
  /** Most levels (`CATALOG_MAX_BRANCHES`). */
  readonly max: number;
}

/** One variable of the UI container's environment. */
export interface RegistryUIEnvVar {
  /** Variable name. */
  readonly name: string;
  /** Plain value. */
  readonly value: string;
}

/** The UI image's nginx user; as non-root it must listen above 1024. */
const UI_UID = 101;
const CONTAINER_PORT = 8080;
const DEFAULT_IMAGE = 'joxit/docker-registry-ui:2.6.0';
/** The image's entrypoint substitutes values with `sed s~…~…~` and `s^…^…^` into HTML and nginx config. */
const UNSAFE_VALUE = /[&~^"\\\n\r]/;

/**
 * The joxit/docker-registry-ui web interface in proxy mode: a Deployment and a NodePort Service.
 */
export class RegistryUI extends Construct {
  /** Name of the Service. */
  public readonly name: string;
  /** Name of the Deployment. */
  public readonly deploymentName: string;
  /** The Deployment's selector and the Service's: the pods carry these labels. */
  public readonly selectorLabels: { [key: string]: string };
  /** Namespace of the UI's objects. */
  public readonly namespace: string;
  /** The UI image. */
  public readonly image: string;
  /** Port on every node where browsers reach the UI. */
  public readonly nodePort: number;
  /** Title shown on the page. */
  public readonly title: string;
  /** Replicas of the Deployment. */
  public readonly replicas: number;
  /** The registry URL the UI's nginx forwards `/v2` to (`NGINX_PROXY_PASS_URL`), in proxy mode. */
  public readonly proxyPassUrl?: string;
  /** The registry URL the browser calls (`REGISTRY_URL`), in direct mode. */
  public readonly browserRegistryUrl?: string;
  /** Whether the UI offers to delete images. */
  public readonly deleteImages: boolean;
  /** Environment of the UI container, in order. */
  public readonly env: RegistryUIEnvVar[];
  /** The Deployment (also `node.defaultChild`): an escape hatch for fields this library does not offer. */
  public readonly deployment: ApiObject;
  /** The NodePort Service: an escape hatch. */
  public readonly service: ApiObject;

  constructor(scope: Construct, id: string, props: RegistryUIProps) {
    super(scope, id);
    const owner = describe('RegistryUI', this);
    // JavaScript callers skip the type system: wrong types and unknown props stop here, before anything reads them.
    assertShape(owner, props, struct('RegistryUIProps', {
      ...UI_OPTION_FIELDS, registry: required(REGISTRY_REFERENCE),
    } satisfies Record<keyof RegistryUIProps, unknown>));
    this.name = props.name ?? id;
    this.deploymentName = props.deploymentName ?? this.name;
    this.selectorLabels = props.selectorLabels !== undefined ? { ...props.selectorLabels }
      : { ...selectorLabels('docker-registry-ui', this.name), 'app.kubernetes.io/component': 'ui' };
    this.namespace = props.namespace ?? props.registry.namespace ?? defaultNamespace(this);
    this.image = props.image ?? DEFAULT_IMAGE;
    this.nodePort = props.nodePort ?? 31000;
    this.title = props.title ?? 'Private registry';
    this.replicas = props.replicas ?? 1;
    const direct = props.connection?._direct;
    this.proxyPassUrl = direct ? undefined : props.registry.clusterUrl;
    this.browserRegistryUrl = direct?.browserUrl;
    this.deleteImages = props.deleteImages ?? false;
    const problems = new Problems(owner);
    checkUI(problems, this, props, direct);
    problems.throwIfAny();

    claimObjectName(this, 'Service', this.namespace, this.name, owner);
    claimObjectName(this, 'Deployment', this.namespace, this.deploymentName, owner);
    claimNodePort(this, this.nodePort, owner);
    this.env = uiEnv(this, props, direct);
    // Only now that every prop is valid does the UI tell the registry what it needs. In proxy mode the UI's nginx
    // calls the registry (its pods are peers); in direct mode the browser does (its origin needs CORS).
    props.registry.addClient({
      description: owner,
      construct: this,
      namespace: this.namespace,
      podSelector: direct ? undefined : this.selectorLabels,
      browserOrigin: direct?.uiOrigin,
      deletes: this.deleteImages,
      catalogPageSize: props.catalogElementsLimit,
    });
    // Part of the registry it shows; a UI of an external registry is an application of its own.
    const labels = objectLabels('docker-registry-ui', this.name, 'ui', props.registry.partOf ?? this.name);
    ({ deployment: this.deployment, service: this.service } = createUIObjects(this, labels));
  }
}

/** Checks the UI's own props; what depends on the registry, the registry checks (`addClient`). */
function checkUI(problems: Problems, ui: RegistryUI, props: RegistryUIProps, direct?: DirectConnectionOptions): void {
  checkName(problems, 'name', ui.name);
  checkName(problems, 'deploymentName', ui.deploymentName);
  if (props.selectorLabels !== undefined) {
    if (Object.keys(props.selectorLabels).length === 0) {
      problems.add('selectorLabels must be a non-empty map of label keys to values such as { app: "registry-ui" } (got {}); ' +
        'omit it to use the library\'s labels');
    }
    checkLabels(problems, 'selectorLabels', props.selectorLabels);
  }
  checkNamespace(problems, ui.namespace);
  checkImage(problems, ui.image, DEFAULT_IMAGE);
  checkNodePort(problems, 'nodePort', ui.nodePort);
  checkReplicas(problems, ui.replicas);
  if (UNSAFE_VALUE.test(ui.title)) {
    problems.add(`title must not contain &, ~, ^, ", \\ or a line break, which the UI image's entrypoint cannot substitute ` +
      `(got ${JSON.stringify(ui.title)}); write "and" for "&"`);
  }
  if (props.pullHost !== undefined) checkImageHost(problems, 'pullHost', props.pullHost);
  if (/docker-registry-ui:2\.5\.[34]$/.test(ui.image)) {
    problems.add(`image ${ui.image} cannot resolve Kubernetes Service names (joxit/docker-registry-ui#339); use 2.5.5 or later`);
  }
  if (direct) checkDirectConnection(problems, direct);
  const branches = props.catalogBranches;
  if (branches && (![branches.min, branches.max].every(n => Number.isInteger(n) && n >= 0) || branches.min > branches.max)) {
    problems.add(`catalogBranches must be whole numbers with 0 <= min <= max (got min ${branches.min}, max ${branches.max})`);
  }
  if (props.taglistOrder !== undefined && !TAGLIST_ORDERS.includes(props.taglistOrder)) {
    problems.add(`taglistOrder must be one of ${TAGLIST_ORDERS.join(', ')} (got ${JSON.stringify(props.taglistOrder)})`);
  }
  const limit = props.catalogElementsLimit;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    problems.add(`catalogElementsLimit must be a whole number of at least 1 (got ${limit})`);
  }
}

function checkDirectConnection(problems: Problems, direct: DirectConnectionOptions): void {
  const url = /^(https?):\/\/([^\s/:]+)(:\d+)?\/?$/.exec(direct.browserUrl);
  if (!url) {
    problems.add(`connection browserUrl must be "http(s)://host[:port]" (got ${JSON.stringify(direct.browserUrl)})`);
  } else if (/\.svc(\.|$)|\.cluster\.local$/.test(url[2]) || !url[2].includes('.') && url[2] !== 'localhost') {
    problems.add(`connection browserUrl ${direct.browserUrl} is an in-cluster name that a browser cannot resolve; ` +
      'give the NodePort or Ingress URL, or use RegistryUIConnection.proxy()');
  }
  // CORS compares the Origin header byte for byte: an origin with a path or a trailing "/" never matches.
  checkOrigin(problems, 'connection uiOrigin', direct.uiOrigin);
  if (direct.uiOrigin.startsWith('https:') && direct.browserUrl.startsWith('http:')) {
    problems.add(`connection browserUrl ${direct.browserUrl} is plain HTTP but the UI is served over HTTPS: browsers block such mixed content`);
  }
}

/** The UI container's environment, in the order the image's entrypoint documents it. */
function uiEnv(ui: RegistryUI, props: RegistryUIProps, direct?: DirectConnectionOptions): RegistryUIEnvVar[] {
  const branches = props.catalogBranches;
  const limit = props.catalogElementsLimit;
  return [
    // Proxy mode: the UI's nginx forwards /v2 to the registry, so the browser needs no CORS. Never both.
    direct
      ? { name: 'REGISTRY_URL', value: direct.browserUrl.replace(/\/$/, '') }
      : { name: 'NGINX_PROXY_PASS_URL', value: props.registry.clusterUrl },
    { name: 'NGINX_LISTEN_PORT', value: String(CONTAINER_PORT) },
    { name: 'SINGLE_REGISTRY', value: 'true' },
    { name: 'REGISTRY_TITLE', value: ui.title },
    { name: 'DELETE_IMAGES', value: String(ui.deleteImages) },
    ...(branches ? [
      { name: 'CATALOG_MIN_BRANCHES', value: String(branches.min) },
      { name: 'CATALOG_MAX_BRANCHES', value: String(branches.max) },
    ] : []),
    ...(props.taglistOrder ? [{ name: 'TAGLIST_ORDER', value: props.taglistOrder }] : []),
    ...(limit !== undefined ? [{ name: 'CATALOG_ELEMENTS_LIMIT', value: String(limit) }] : []),
    ...(props.showContentDigest !== undefined ? [{ name: 'SHOW_CONTENT_DIGEST', value: String(props.showContentDigest) }] : []),
    // Clusters with a private registry are often offline; the page would call api.github.com weekly.
    { name: 'ENABLE_VERSION_NOTIFICATION', value: 'false' },
    ...(props.pullHost !== undefined ? [{ name: 'PULL_URL', value: props.pullHost }] : []),
  ];
}

function createUIObjects(ui: RegistryUI, labels: Record<string, string>): { deployment: ApiObject; service: ApiObject } {
  const selector = ui.selectorLabels;
  // `Resource` is the id cdk8s takes for `node.defaultChild`: the object escape hatches patch.
  const deployment = new k8s.KubeDeployment(ui, 'Resource', {
    metadata: { name: ui.deploymentName, namespace: ui.namespace, labels },
    spec: {
      replicas: ui.replicas,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...labels, ...selector } },
        spec: {
          automountServiceAccountToken: false,
          // No <SERVICE>_PORT=tcp://... env vars from the namespace's Services: only what is written here.
          enableServiceLinks: false,
          securityContext: restrictedPodSecurity(UI_UID),
          containers: [{
            name: 'ui',
            image: ui.image,
            imagePullPolicy: 'IfNotPresent',
            env: ui.env.map(e => ({ ...e })),
            ports: [{ name: 'http', containerPort: CONTAINER_PORT, protocol: 'TCP' }],
            readinessProbe: rootHttpProbe(CONTAINER_PORT, 3),
            livenessProbe: rootHttpProbe(CONTAINER_PORT, 6),
            resources: {
              requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('32Mi') },
              limits: { memory: k8s.Quantity.fromString('128Mi') },
            },
            // The image's entrypoint edits index.html and its nginx config in place at every start.
            securityContext: restrictedContainerSecurity(false),
          }],
        },
      },
    },
  });
  const service = new k8s.KubeService(ui, 'service', {
    metadata: { name: ui.name, namespace: ui.namespace, labels },
    spec: {
      type: 'NodePort',
      selector,
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: k8s.IntOrString.fromNumber(CONTAINER_PORT), nodePort: ui.nodePort }],
    },
  });
  return { deployment, service };
}
