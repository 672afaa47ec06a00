// The registry's config.yml, and the one way a feature reaches the registry: each feature (storage, auth, cache,
// TLS, pull-through, metrics...) binds itself and returns a `RegistryContribution`; `Registry` merges them, in the
// order they are listed, into one config.yml and one pod. Nothing else adds to either.
import { Construct } from 'constructs';

import * as k8s from '../imports/k8s';

/**
 * A registry `config.yml`, as far as this library writes it.
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
 * A part of config.yml: nested sections, merged key by key with the other contributions'.
 * @internal
 */
export type ConfigSection = { [key: string]: unknown };

/**
 * What one feature adds to the registry: config.yml sections, and env, volumes, mounts and ports of the registry
 * container. Secrets only ever arrive as `secretKeyRef` env or Secret volumes.
 * @internal
 */
export interface RegistryContribution {
  readonly config?: ConfigSection;
  readonly env?: k8s.EnvVar[];
  readonly volumes?: k8s.Volume[];
  readonly mounts?: k8s.VolumeMount[];
  readonly ports?: k8s.ContainerPort[];
}

/**
 * The registry container's lists, merged from every contribution.
 * @internal
 */
export type RegistryPod = Required<Omit<RegistryContribution, 'config'>>;

/**
 * What a feature knows of the registry it binds to.
 * @internal
 */
export interface RegistryTarget {
  /** The registry construct: the scope of the objects a feature creates. */
  readonly scope: Construct;
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly selectorLabels: Record<string, string>;
  /** The registry's major version, "2" or "3": some settings differ. */
  readonly version: string;
}

/** Where each key goes in config.yml, as the registry's own documentation orders them; `*` is every other key. */
const KEY_ORDER: Record<string, string[]> = {
  '': ['version', 'log', 'storage', 'http', 'auth', 'redis', 'proxy', 'catalog', 'health'],
  'storage': ['cache', '*', 'delete', 'maintenance'],
  'http': ['addr', 'headers', 'tls', 'debug'],
};

function isSection(value: unknown): value is ConfigSection {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergeInto(target: ConfigSection, source: ConfigSection, path: string): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isSection(existing) && isSection(value)) {
      mergeInto(existing, value, path ? `${path}.${key}` : key);
    } else if (existing !== undefined) {
      // Two features writing one setting is a bug of this library, never a user's mistake.
      throw new Error(`internal: two features both set config.yml ${path ? `${path}.` : ''}${key}`);
    } else if (isSection(value)) {
      // A copy: a contribution's own objects are never changed by a later merge.
      const copy: ConfigSection = {};
      mergeInto(copy, value, path ? `${path}.${key}` : key);
      target[key] = copy;
    } else {
      target[key] = value;
    }
  }
}

function ordered(section: ConfigSection, path: string): ConfigSection {
  const order = KEY_ORDER[path];
  const rank = (key: string) => {
    const i = order?.indexOf(key) ?? -1;
    return i >= 0 ? i : order?.indexOf('*') ?? 0;
  };
  const keys = Object.keys(section).map((key, i) => ({ key, i })).sort((a, b) => rank(a.key) - rank(b.key) || a.i - b.i);
  const out: ConfigSection = {};
  for (const { key } of keys) {
    const value = section[key];
    out[key] = isSection(value) && KEY_ORDER[path ? `${path}.${key}` : key] ? ordered(value, path ? `${path}.${key}` : key) : value;
  }
  return out;
}

/**
 * The contributions' config.yml sections merged into one, keys in the registry documentation's order.
 * @internal
 */
export function mergeConfig(contributions: RegistryContribution[]): ConfigSection {
  const config: ConfigSection = {};
  for (const c of contributions) {
    if (c.config) mergeInto(config, c.config, '');
  }
  return ordered(config, '');
}

/**
 * The container's env, volumes, mounts and ports from the contributions, each list in the order of the contributions.
 * @internal
 */
export function mergePod(contributions: RegistryContribution[]): RegistryPod {
  return {
    env: contributions.flatMap(c => c.env ?? []),
    volumes: contributions.flatMap(c => c.volumes ?? []),
    mounts: contributions.flatMap(c => c.mounts ?? []),
    ports: contributions.flatMap(c => c.ports ?? []),
  };
}
