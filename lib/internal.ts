// Helpers shared by the constructs in this library. Not exported from lib/index.ts: not API.
import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

import * as k8s from '../imports/k8s';
import { SecretKey } from './secret-key';
import { Shape, shapeProblems } from './shape';

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

/** An env var whose value comes from a Secret key, never from a literal. */
export function secretEnv(name: string, ref: SecretKey): k8s.EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: ref.secretName, key: ref.key } } };
}

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
