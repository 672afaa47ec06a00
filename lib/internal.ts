// Helpers shared by the constructs in this library. Not exported from lib/index.ts: not API.
import * as k8s from '../imports/k8s';
import { isDnsSubdomain } from './rules';
import { SecretKey } from './secret-key';
import { Shape, shapeProblems } from './shape';
import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

/** Collects the problems found in one construct's props and throws them as one Error. */
export class Problems {
  private readonly list: string[] = [];

  constructor(private readonly owner: string) {}

  public add(message: string): void {
    this.list.push(message);
  }

  public addAll(messages: string[]): void {
    this.list.push(...messages);
  }

  /** Throws when any problem was added: nothing of the construct is rendered. */
  public throwIfAny(): void {
    if (this.list.length === 1) {
      throw new Error(`${this.owner}: ${this.list[0]}`);
    }
    if (this.list.length > 1) {
      throw new Error(`${this.owner} has ${this.list.length} problems:\n- ${this.list.join('\n- ')}`);
    }
  }
}

/**
 * Throws one error listing every way `props` breaks `shape` (wrong JavaScript types, unknown or missing props), before
 * anything reads them. `owner` names the construct or factory, e.g. `Registry at "app/registry"`.
 */
export function assertShape(owner: string, props: unknown, shape: Shape): void {
  const problems = new Problems(owner);
  problems.addAll(shapeProblems(props, shape));
  problems.throwIfAny();
}

/** `Kind at "path"`: how error messages name a construct. */
export function describe(kind: string, scope: IConstruct): string {
  return `${kind} at "${scope.node.path}"`;
}

/** Namespaces a cluster has from the start: this library never creates or owns them. */
export const CLUSTER_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export const NODE_PORT_RANGE = { min: 30000, max: 32767 };

export function checkNodePort(problems: Problems, prop: string, value: number): void {
  if (!Number.isInteger(value) || value < NODE_PORT_RANGE.min || value > NODE_PORT_RANGE.max) {
    problems.add(`${prop} must be a whole number within ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}, ` +
      `the cluster's default NodePort range (got ${value}); pick a free port in that range`);
  }
}

export function checkReplicas(problems: Problems, value: number, prop = 'replicas'): void {
  if (!Number.isInteger(value) || value < 1) {
    problems.add(`${prop} must be a whole number of at least 1 (got ${value})`);
  }
}

// The image reference grammar of distribution/reference: [host[:port]/]path[:tag][@algorithm:hex].
const IMAGE_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const IMAGE_DOMAIN = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?';
const IMAGE_REFERENCE = new RegExp(`^(?:${IMAGE_DOMAIN}/)?${IMAGE_COMPONENT}(?:/${IMAGE_COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$`);

/** An image reference a kubelet can pull: `name`, `name:tag`, or pinned, `name:tag@sha256:<64 hex digits>`. */
export function checkImage(problems: Problems, value: unknown, defaultImage: string, prop = 'image'): void {
  if (typeof value !== 'string' || !IMAGE_REFERENCE.test(value) || value.split('@')[0].length > 255) {
    problems.add(`${prop} must be an image reference such as "${defaultImage}", or pinned by digest as ` +
      `"${defaultImage}@sha256:<64 hex digits>" (got ${JSON.stringify(value)}); omit it to use "${defaultImage}"`);
  }
}

/** A Kubernetes quantity: "10Gi", "500Mi", "250m", "2". */
export function isQuantity(value: string): boolean {
  return /^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.test(value);
}

/** An env var whose value comes from a Secret key, never from a literal. */
export function secretEnv(name: string, ref: SecretKey): k8s.EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: ref.secretName, key: ref.key } } };
}

/**
 * When a construct takes over a live Helm release, its object name is the release's: a different explicit
 * `name` would create a second object beside the live one instead of replacing it.
 */
/** Helm's `trunc 63 | trimSuffix "-"`. */
function helmTrunc(value: string): string {
  return value.slice(0, 63).replace(/-$/, '');
}

/**
 * The object name and `app` label a chart's usual helpers give a release: `fullnameOverride` as is; else the release
 * name alone when it already contains the chart's name (or `nameOverride`), else `<release>-<name>`; each cut to 63
 * characters. `containsRule: false` for charts whose fullname is always `<release>-<name>`.
 */
export function helmNames(release: string, chartName: string, options: { nameOverride?: string; fullnameOverride?: string; containsRule?: boolean } = {}):
{ fullname: string; name: string } {
  const name = options.nameOverride || chartName;
  let fullname: string;
  if (options.fullnameOverride) {
    fullname = helmTrunc(options.fullnameOverride);
  } else if ((options.containsRule ?? true) && release.includes(name)) {
    fullname = helmTrunc(release);
  } else {
    fullname = helmTrunc(`${release}-${name}`);
  }
  return { fullname, name: helmTrunc(name) };
}

/** Helm's own rule for release names: at most 53 characters, lowercase letters, digits, "-" and ".". */
export function checkHelmRelease(problems: Problems, prop: string, value: unknown): void {
  if (typeof value !== 'string' || value.length > 53 || !isDnsSubdomain(value)) {
    problems.add(`${prop} must be a Helm release name: at most 53 lowercase letters, digits, "-" or ".", starting and ending ` +
      `with a letter or digit (got ${JSON.stringify(value)})`);
  }
}

export function checkHelmName(problems: Problems, name: string | undefined, helmName: string | undefined, objectWord: string): void {
  if (helmName !== undefined && name !== undefined && name !== helmName) {
    problems.add(`name ${JSON.stringify(name)} differs from the Helm release's ${objectWord} name ${JSON.stringify(helmName)}; ` +
      'drop name to take over the release in place');
  }
}

/** An HTTP GET probe on `/` every 10 s with a 3 s timeout; HTTPS when the server speaks TLS. */
export function rootHttpProbe(port: number, failureThreshold: number, https = false): k8s.Probe {
  return {
    httpGet: { path: '/', port: k8s.IntOrString.fromNumber(port), scheme: https ? 'HTTPS' : undefined },
    periodSeconds: 10,
    timeoutSeconds: 3,
    failureThreshold,
  };
}

/** The namespace a construct renders into when its props name none. */
export function defaultNamespace(scope: IConstruct): string {
  return Chart.of(scope).namespace ?? 'default';
}

/** Readable selector labels: never the hashed `cdk8s.io/metadata.addr` label that cdk8s-plus uses. */
export function selectorLabels(appName: string, instance: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': appName,
    'app.kubernetes.io/instance': instance,
  };
}

export function objectLabels(appName: string, instance: string, component: string, partOf: string): Record<string, string> {
  return {
    ...selectorLabels(appName, instance),
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': partOf,
  };
}

/** The pod-level security settings of the Pod Security `restricted` profile. */
export function restrictedPodSecurity(uid: number) {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function restrictedContainerSecurity(readOnlyRootFilesystem: boolean) {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    readOnlyRootFilesystem,
  };
}

/**
 * App-wide claims on things that must be unique in a cluster (a nodePort, an object's name).
 * Each root gets one validation that checks all its claims in one pass, so an app with N
 * constructs costs O(N), not O(N^2).
 */
interface Claim { readonly what: string; readonly owners: string[]; readonly fix: string }
const claimsByRoot = new WeakMap<IConstruct, Map<string, Claim>>();

export function claim(scope: IConstruct, key: string, what: string, owner: string, fix: string): void {
  const root = scope.node.root;
  let claims = claimsByRoot.get(root);
  if (!claims) {
    const created = new Map<string, Claim>();
    claims = created;
    claimsByRoot.set(root, created);
    root.node.addValidation({
      validate: () => [...created.values()]
        .filter(c => c.owners.length > 1)
        .map(c => `${c.what} is claimed by ${c.owners.length} constructs: ${c.owners.join(', ')}; ${c.fix}`),
    });
  }
  const existing = claims.get(key);
  if (existing) {
    existing.owners.push(owner);
  } else {
    claims.set(key, { what, owners: [owner], fix });
  }
}

export function claimNodePort(scope: IConstruct, nodePort: number, owner: string): void {
  claim(scope, `nodePort:${nodePort}`, `nodePort ${nodePort}`, owner,
    'two Services in one cluster cannot share a nodePort: give each its own');
}

export function claimObjectName(scope: IConstruct, kind: string, namespace: string, name: string, owner: string): void {
  claim(scope, `object:${kind}/${namespace}/${name}`, `${kind} "${namespace}/${name}"`, owner,
    'give each construct its own name or namespace');
}

interface HostPortClaim { readonly ip: string; readonly port: number; readonly owner: string }
const hostPortsByRoot = new WeakMap<IConstruct, HostPortClaim[]>();
const WILDCARD = new Set(['0.0.0.0', '::', '']);

/**
 * A hostPort every node must give a DaemonSet's pod. Two claims clash as the scheduler's NodePorts filter sees it:
 * the same port on the same address, or on the wildcard address and any other; the second DaemonSet's pods would
 * stay Pending on every node.
 */
export function claimHostPort(scope: IConstruct, ip: string, port: number, owner: string): void {
  const root = scope.node.root;
  let claims = hostPortsByRoot.get(root);
  if (!claims) {
    const created: HostPortClaim[] = [];
    claims = created;
    hostPortsByRoot.set(root, created);
    root.node.addValidation({
      validate: () => {
        const byPort = new Map<number, HostPortClaim[]>();
        for (const c of created) {
          if (!byPort.has(c.port)) byPort.set(c.port, []);
          byPort.get(c.port)!.push(c); // in place: copying the list for every claim was O(N^2) on one port
        }
        const problems: string[] = [];
        for (const [p, list] of byPort) {
          for (let i = 0; i < list.length; i++) {
            for (let j = i + 1; j < list.length; j++) {
              const [a, b] = [list[i], list[j]];
              if (a.ip === b.ip || WILDCARD.has(a.ip) || WILDCARD.has(b.ip)) {
                problems.push(`hostPort ${p} is claimed on every node by ${a.owner} (hostIP ${a.ip}) and ${b.owner} (hostIP ${b.ip}); ` +
                  'the second DaemonSet\'s pods would stay Pending ("didn\'t have free ports"): give each its own hostPort');
              }
            }
          }
        }
        return problems;
      },
    });
  }
  claims.push({ ip, port, owner });
}
