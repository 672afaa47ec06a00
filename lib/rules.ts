// One checker per rule, shared by every construct: what the API server, the registry, nginx or the CronJob controller
// refuse, checked at synth time. Each adds a message naming the prop, the value and the fix. Sources of the rules:
// k8s.io/apimachinery/pkg/util/validation (names, labels), apimachinery/pkg/api/resource (quantities),
// pkg/apis/core/validation and networking/validation (tolerations, CIDRs, Ingress hosts), robfig/cron v3 ParseStandard
// (CronJob schedules), and the registry's own config parsing.
import { isIP } from 'net';

import { Problems } from './internal';

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

// Service names must be DNS-1035 labels; using that rule for every name keeps one rule to learn.
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

export function checkName(problems: Problems, prop: string, value: string, maxLength = 63): void {
  if (!DNS_1035_LABEL.test(value) || value.length > maxLength) {
    problems.add(`${prop} must be a DNS-1035 label of at most ${maxLength} characters: lowercase letters, digits and "-", ` +
      `starting with a letter and ending with a letter or digit (got ${JSON.stringify(value)})`);
  }
}

export function checkNamespace(problems: Problems, value: string, prop = 'namespace'): void {
  if (!DNS_1123_LABEL.test(value) || value.length > 63) {
    problems.add(`${prop} must be a DNS-1123 label of at most 63 characters: lowercase letters, digits and "-", ` +
      `starting and ending with a letter or digit (got ${JSON.stringify(value)})`);
  }
}

export function isDnsSubdomain(value: string): boolean {
  return value.length <= 253 && DNS_1123_SUBDOMAIN.test(value);
}

/** The name of an object the user refers to (a Secret, a StorageClass, a PriorityClass, an IngressClass). */
export function checkObjectReference(problems: Problems, prop: string, value: string, kind: string): void {
  if (!isDnsSubdomain(value)) {
    problems.add(`${prop} must be the name of a ${kind}: at most 253 lowercase letters, digits, "-" and ".", starting and ending ` +
      `with a letter or digit (got ${JSON.stringify(value)})`);
  }
}

/** A label or annotation key: an optional DNS-subdomain prefix and "/", then a name of at most 63 characters. */
function isQualifiedName(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  return (prefix === undefined || (prefix.length > 0 && isDnsSubdomain(prefix))) && name.length <= 63 && QUALIFIED_NAME.test(name);
}

function keyProblem(prop: string, key: string, what: string): string {
  return `${prop} key ${JSON.stringify(key)} is not ${what} key: an optional DNS prefix and "/", then at most 63 letters, ` +
    'digits, "-", "_" or ".", starting and ending with a letter or digit';
}

/** Label keys and values as the API server checks them, wherever labels or selectors are passed. */
export function checkLabels(problems: Problems, prop: string, labels: Record<string, string>): void {
  for (const [key, value] of Object.entries(labels)) {
    if (!isQualifiedName(key)) problems.add(keyProblem(prop, key, 'a label'));
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      problems.add(`${prop} value ${JSON.stringify(value)} of ${JSON.stringify(key)} is not a label value: a string of at most 63 ` +
        'letters, digits, "-", "_" or ".", starting and ending with a letter or digit');
    }
  }
}

/** Annotation keys (values are any strings, 256 KiB in all). */
export function checkAnnotations(problems: Problems, prop: string, annotations: Record<string, string>): void {
  let size = 0;
  for (const [key, value] of Object.entries(annotations)) {
    if (!isQualifiedName(key)) problems.add(keyProblem(prop, key, 'an annotation'));
    size += key.length + String(value).length;
  }
  if (size > 256 * 1024) problems.add(`${prop} total ${size} bytes; the API server takes at most 262144 bytes of annotations`);
}

// k8s.io/apimachinery/pkg/api/resource: a signed decimal with a binary suffix, a decimal SI suffix or an exponent.
const QUANTITY = /^([+-]?)(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const SUFFIX: Record<string, number> = {
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
  n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
};

/** The value of a quantity, or undefined when it is not one. */
export function parseQuantity(value: string): number | undefined {
  const m = QUANTITY.exec(value);
  if (!m) return undefined;
  const number = Number(`${m[1]}${m[2]}`);
  const suffix = m[4];
  if (suffix === undefined) return number;
  return /^[eE]/.test(suffix) ? number * 10 ** Number(suffix.slice(1)) : number * SUFFIX[suffix];
}

/** A non-negative Kubernetes quantity ("10Gi", "500m", "5e9"); with `positive`, above zero (a volume size). */
export function checkQuantity(problems: Problems, prop: string, value: string, options: { positive?: boolean } = {}): number | undefined {
  const n = parseQuantity(value);
  if (n === undefined || n < 0 || (options.positive && n <= 0)) {
    problems.add(`${prop} must be a Kubernetes quantity${options.positive ? ' above zero' : ''} such as "10Gi", "500Mi" or "250m" ` +
      `(got ${JSON.stringify(value)})`);
    return undefined;
  }
  return n;
}

/** Requests may not exceed limits: the API server refuses the pod. */
export function checkRequestWithinLimit(problems: Problems, what: string, request: [string, string], limit: [string, string]): void {
  const r = parseQuantity(request[1]);
  const l = parseQuantity(limit[1]);
  if (r !== undefined && l !== undefined && r > l) {
    problems.add(`${request[0]} ${JSON.stringify(request[1])} is above ${limit[0]} ${JSON.stringify(limit[1])}: the API server ` +
      `refuses a ${what} request above its limit; raise the limit or lower the request`);
  }
}

export function checkPort(problems: Problems, prop: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    problems.add(`${prop} must be a whole number within 1-65535 (got ${value})`);
  }
}

/** An IPv4 or IPv6 CIDR as Go's net.ParseCIDR reads it. */
export function checkCidr(problems: Problems, prop: string, value: string): void {
  const [address, bits, ...rest] = value.split('/');
  const family = isIP(address ?? '');
  const max = family === 4 ? 32 : 128;
  if (rest.length > 0 || family === 0 || !/^\d{1,3}$/.test(bits ?? '') || Number(bits) > max) {
    problems.add(`${prop} must be a CIDR such as "10.0.0.0/16" or "fd00::/8" (got ${JSON.stringify(value)})`);
  }
}

// robfig/cron v3 ParseStandard, which the CronJob controller uses: 5 fields, or a descriptor.
const CRON_FIELDS: Array<{ name: string; min: number; max: number; names?: string[] }> = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day of week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

function cronValue(text: string, field: typeof CRON_FIELDS[number]): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const i = field.names?.indexOf(text.toLowerCase()) ?? -1;
  return i >= 0 ? i + field.min : undefined;
}

function cronFieldProblem(text: string, field: typeof CRON_FIELDS[number]): string | undefined {
  for (const part of text.split(',')) {
    const [range, step, ...extra] = part.split('/');
    if (extra.length > 0 || (step !== undefined && (!/^\d+$/.test(step) || Number(step) < 1))) return `bad step in "${part}"`;
    if (range === '*' || range === '?') continue;
    const [from, to, ...more] = range.split('-');
    const a = cronValue(from, field);
    const b = to === undefined ? a : cronValue(to, field);
    if (more.length > 0 || a === undefined || b === undefined) return `"${part}" is not a number or range`;
    if (a < field.min || b > field.max || a > b) return `"${part}" is outside ${field.min}-${field.max}`;
  }
  return undefined;
}

/** A CronJob schedule the CronJob controller parses. */
export function checkCronSchedule(problems: Problems, prop: string, value: string): void {
  const schedule = value.trim();
  const example = 'such as "0 3 * * 0" (Sundays at 03:00) or "@weekly"';
  if (/^(CRON_)?TZ=/.test(schedule)) {
    problems.add(`${prop} must not set a time zone (got ${JSON.stringify(value)}); the CronJob runs in the controller's time zone`);
    return;
  }
  if (schedule.startsWith('@')) {
    if (!/^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(schedule) && !/^@every \S+$/.test(schedule)) {
      problems.add(`${prop} must be a cron expression of 5 fields or a descriptor, ${example} (got ${JSON.stringify(value)})`);
    }
    return;
  }
  const fields = schedule.split(/\s+/);
  if (fields.length !== 5) {
    problems.add(`${prop} must be a cron expression of 5 fields, ${example} (got ${JSON.stringify(value)})`);
    return;
  }
  fields.forEach((text, i) => {
    const problem = cronFieldProblem(text, CRON_FIELDS[i]);
    if (problem) problems.add(`${prop} ${CRON_FIELDS[i].name} field: ${problem} (got ${JSON.stringify(value)}), ${example}`);
  });
}

/** An Ingress rule's host: a DNS name (a wildcard only as the whole first label), never an IP address or a URL. */
export function checkIngressHost(problems: Problems, prop: string, value: string): void {
  const name = value.startsWith('*.') ? value.slice(2) : value;
  if (isIP(value) !== 0 || !isDnsSubdomain(name) || value.length > 253) {
    problems.add(`${prop} must be a DNS name such as "registry.example.com" (or "*.example.com"), not an IP address or a URL ` +
      `(got ${JSON.stringify(value)})`);
  }
}

/** Go's time.ParseDuration, above zero. */
export function checkGoDuration(problems: Problems, prop: string, value: string): void {
  if (!/^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/.test(value) || !/[1-9]/.test(value)) {
    problems.add(`${prop} must be a Go duration above zero such as "24h" or "90m" (got ${JSON.stringify(value)})`);
  }
}

/** An image reference's registry part, `host` or `host:port` (a port within 1-65535), with no scheme or path. */
export function checkImageHost(problems: Problems, prop: string, value: string): void {
  const m = /^([^\s/:]+|\[[0-9a-fA-F:.]+\])(:(\d{1,5}))?$/.exec(value);
  if (!m || (m[3] !== undefined && (Number(m[3]) < 1 || Number(m[3]) > 65535))) {
    problems.add(`${prop} must be "host[:port]" with a port within 1-65535 and no scheme, such as "localhost:5000" (got ${JSON.stringify(value)})`);
  }
}

/** `host:port` as the registry's redis client dials it. */
export function checkHostAndPort(problems: Problems, prop: string, value: string, example: string): void {
  const m = /^([^\s:/]+|\[[0-9a-fA-F:.]+\]):(\d{1,5})$/.exec(value);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
    problems.add(`${prop} must be "host:port" with a port within 1-65535, such as ${JSON.stringify(example)} (got ${JSON.stringify(value)})`);
  }
}

/** `value` as a URL, or undefined when it is not a string or not a URL. */
export function parseUrl(value: unknown): URL | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/**
 * `value` as the root URL of a registry or store: http(s), a host and an optional port other than 0; no path, query,
 * fragment or credentials. Undefined when it is not one.
 */
export function parseRootUrl(value: unknown): URL | undefined {
  const url = parseUrl(value);
  const root = url !== undefined && ['http:', 'https:'].includes(url.protocol) && url.pathname === '/' && !url.search && !url.hash &&
    !url.username && !url.password && url.port !== '0';
  return root ? url : undefined;
}

/** The root URL of a registry or store, written with its scheme in lower case. */
export function checkRootUrl(problems: Problems, prop: string, value: string, example: string): void {
  if (!parseRootUrl(value) || !/^https?:\/\//.test(value)) {
    problems.add(`${prop} must be a URL such as ${JSON.stringify(example)}: http(s), a host and an optional port, no path ` +
      `(got ${JSON.stringify(value)})`);
  }
}

/** A browser origin as CORS compares it: scheme, host and port, nothing else; or "*". */
export function checkOrigin(problems: Problems, prop: string, value: string): void {
  if (value === '*') return;
  const url = parseUrl(value);
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== value) {
    problems.add(`${prop} must be "*" or an origin "scheme://host[:port]" with no path or trailing "/", as browsers send it ` +
      `(got ${JSON.stringify(value)})`);
  }
}

/** An env var name a shell and the kubelet accept. */
export function checkEnvName(problems: Problems, prop: string, value: string): boolean {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) {
    problems.add(`${prop} name must be a shell-style variable name (got ${JSON.stringify(value)})`);
    return false;
  }
  return true;
}

const NODE_PORT_RANGE = { min: 30000, max: 32767 };

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

/** Helm's own rule for release names: at most 53 characters, lowercase letters, digits, "-" and ".". */
export function checkHelmRelease(problems: Problems, prop: string, value: unknown): void {
  if (typeof value !== 'string' || value.length > 53 || !isDnsSubdomain(value)) {
    problems.add(`${prop} must be a Helm release name: at most 53 lowercase letters, digits, "-" or ".", starting and ending ` +
      `with a letter or digit (got ${JSON.stringify(value)})`);
  }
}

/**
 * When a construct takes over a live Helm release, its object name is the release's: a different explicit
 * `name` would create a second object beside the live one instead of replacing it.
 */
export function checkHelmName(problems: Problems, name: string | undefined, helmName: string | undefined, objectWord: string): void {
  if (helmName !== undefined && name !== undefined && name !== helmName) {
    problems.add(`name ${JSON.stringify(name)} differs from the Helm release's ${objectWord} name ${JSON.stringify(helmName)}; ` +
      'drop name to take over the release in place');
  }
}
