// What kube-apiserver's validation refuses beyond the OpenAPI schema (which `schemaProblems` in util.ts checks):
// names, labels, annotations, quantities, ports, env and volume names, tolerations, cron schedules and Ingress hosts.
// Written independently of lib/ (which has its own checkers) so that the two can disagree: the property test holds
// every synthesized object to these rules.
//
// Sources, cited per rule below (Kubernetes 1.27, the API level of cdk8s-plus-27):
// - k8s.io/apimachinery/pkg/util/validation/validation.go (IsDNS1123Label, IsDNS1123Subdomain, IsDNS1035Label,
//   IsQualifiedName, IsValidLabelValue, IsValidPortNum, IsEnvVarName, IsWildcardDNS1123Subdomain, IsValidIP)
// - k8s.io/apimachinery/pkg/api/validation/objectmeta.go (ValidateObjectMeta, ValidateAnnotations,
//   TotalAnnotationSizeLimitB = 256 * (1 << 10))
// - k8s.io/apimachinery/pkg/apis/meta/v1/validation (ValidateLabels, ValidateLabelSelector)
// - k8s.io/apimachinery/pkg/api/resource/quantity.go (ParseQuantity)
// - kubernetes/pkg/apis/core/validation/validation.go (ValidateServiceName = NameIsDNS1035Label, ValidateNamespaceName
//   = NameIsDNSLabel, validateVolumes, validateVolumeMounts, ValidateEnv, validateContainerPorts, ValidateServiceSpec,
//   validateTolerations, ValidateResourceRequirements, ValidatePersistentVolumeClaimSpec, ValidateNodeSelector)
// - kubernetes/pkg/apis/batch/validation (ValidateCronJob: name ≤ 52, schedule parsed by robfig/cron ParseStandard)
// - kubernetes/pkg/apis/networking/validation (validateIngressRules: host not an IP, DNS subdomain or `*.` wildcard;
//   ValidateNetworkPolicySpec: LabelSelectors)
// - kubernetes/pkg/apis/rbac/validation (ValidateRBACName = path.IsValidPathSegmentName)
import type { KubeObject } from './util';

// apimachinery util/validation: dns1123LabelFmt, dns1123SubdomainFmt, dns1035LabelFmt and their length limits.
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
// apimachinery util/validation: qualifiedNameFmt (label and annotation key names) and labelValueFmt.
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
// apimachinery util/validation: envVarNameFmt (the strict rule; RelaxedEnvironmentVariableValidation is 1.30+).
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
// apimachinery util/validation: IsValidPortName, an IANA_SVC_NAME (RFC 6335): ≤ 15, a-z0-9 and '-', one letter.
const PORT_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

export function isDns1123Label(v: unknown): boolean {
  return typeof v === 'string' && v.length <= 63 && DNS1123_LABEL.test(v);
}

export function isDns1123Subdomain(v: unknown): boolean {
  return typeof v === 'string' && v.length <= 253 && DNS1123_SUBDOMAIN.test(v);
}

export function isDns1035Label(v: unknown): boolean {
  return typeof v === 'string' && v.length <= 63 && DNS1035_LABEL.test(v);
}

/** apimachinery IsQualifiedName: `[prefix/]name`, prefix a DNS-1123 subdomain (≤ 253), name ≤ 63. */
export function isQualifiedName(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  const parts = v.split('/');
  if (parts.length > 2) return false;
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined && (prefix.length === 0 || !isDns1123Subdomain(prefix))) return false;
  return name.length > 0 && name.length <= 63 && QUALIFIED_NAME.test(name);
}

/** apimachinery IsValidLabelValue: empty, or ≤ 63 of the qualified-name charset. */
export function isLabelValue(v: unknown): boolean {
  return typeof v === 'string' && v.length <= 63 && LABEL_VALUE.test(v);
}

/** apimachinery IsValidPortNum: 1-65535. */
export function isPortNum(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;
}

/** apimachinery IsValidPortName. */
export function isPortName(v: unknown): boolean {
  return typeof v === 'string' && v.length >= 1 && v.length <= 15 && PORT_NAME.test(v) && !v.includes('--') && /[a-z]/.test(v);
}

export function isEnvVarName(v: unknown): boolean {
  return typeof v === 'string' && ENV_VAR_NAME.test(v);
}

/** apimachinery util/validation IsValidIP (net.ParseIP): dotted IPv4 or IPv6. */
export function isIp(v: string): boolean {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(v);
  if (v4) return v4.slice(1).every(o => Number(o) <= 255);
  return v.includes(':') && /^[0-9a-fA-F:.]+$/.test(v);
}

// api/resource/quantity.go: <signedNumber><suffix>, suffix one of binarySI (Ki..Ei), decimalSI (n u m "" k M G T P E)
// or a decimal exponent (e|E followed by a signed integer). ParseQuantity refuses anything else.
const QUANTITY = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;
const SUFFIX: Record<string, number> = {
  'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40, 'Pi': 2 ** 50, 'Ei': 2 ** 60,
  'n': 1e-9, 'u': 1e-6, 'm': 1e-3, '': 1, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'P': 1e15, 'E': 1e18,
};

/** The value of a Kubernetes quantity (as a float: enough to compare), or undefined if ParseQuantity refuses it. */
export function quantityValue(v: unknown): number | undefined {
  // Integers in the API are also accepted where a quantity belongs (IntOrString in JSON): ParseQuantity of its text.
  const text = typeof v === 'number' ? String(v) : v;
  if (typeof text !== 'string') return undefined;
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const suffix = m[2] ?? '';
  const factor = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : SUFFIX[suffix];
  return Number(m[1]) * factor;
}

/**
 * robfig/cron ParseStandard, as kubernetes/pkg/apis/batch/validation validateScheduleFormat calls it: five fields
 * (minute 0-59, hour 0-23, day of month 1-31, month 1-12 or JAN-DEC, day of week 0-6 or SUN-SAT), each a list of
 * `*`, `?`, `a`, `a-b` with an optional `/step`; or a descriptor (@yearly... @every <duration>). TZ in the schedule
 * is refused by ValidateCronJobSpec (use spec.timeZone).
 */
export function cronProblem(schedule: unknown): string | undefined {
  if (typeof schedule !== 'string') return 'is not a string';
  const s = schedule.trim();
  if (/^(CRON_)?TZ=/.test(s)) return 'sets a time zone in the schedule (use spec.timeZone)';
  if (s.startsWith('@')) {
    if (['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'].includes(s)) return undefined;
    if (/^@every (\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(s)) return undefined;
    return `has an unknown descriptor ${JSON.stringify(s)}`;
  }
  const fields = s.split(/\s+/);
  if (fields.length !== 5) return `has ${fields.length} fields, not 5`;
  const months = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
  const days = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
  const bounds: Array<[string, number, number, string[]]> = [
    ['minute', 0, 59, []], ['hour', 0, 23, []], ['day of month', 1, 31, []], ['month', 1, 12, months], ['day of week', 0, 6, days],
  ];
  for (let i = 0; i < 5; i++) {
    const [what, min, max, names] = bounds[i];
    const num = (t: string): number | undefined => {
      const byName = names.indexOf(t.toUpperCase());
      if (byName >= 0) return byName + (what === 'month' ? 1 : 0);
      return /^\d+$/.test(t) ? Number(t) : undefined;
    };
    for (const part of fields[i].split(',')) {
      const m = /^([^/]+)(?:\/(\d+))?$/.exec(part);
      if (!m) return `${what} ${JSON.stringify(part)} is not a range`;
      if (m[2] !== undefined && Number(m[2]) === 0) return `${what} step is 0`;
      if (m[1] === '*' || (m[1] === '?' && (what === 'day of month' || what === 'day of week'))) continue;
      const [a, b, extra] = m[1].split('-');
      if (extra !== undefined) return `${what} ${JSON.stringify(part)} has two dashes`;
      const lo = num(a);
      const hi = b === undefined ? (m[2] !== undefined ? max : lo) : num(b);
      if (lo === undefined || hi === undefined || lo < min || hi > max || lo > hi) {
        return `${what} ${JSON.stringify(part)} is outside ${min}-${max}`;
      }
    }
  }
  return undefined;
}

/** Per kind, the name rule ValidateObjectMeta is given (and extra limits). */
function nameProblem(kind: string, name: unknown): string | undefined {
  switch (kind) {
    // core/validation ValidateServiceName = apimachinery NameIsDNS1035Label.
    case 'Service':
      return isDns1035Label(name) ? undefined : 'must be a DNS-1035 label (≤ 63, a-z0-9 and "-", starting with a letter)';
    // core/validation ValidateNamespaceName = NameIsDNSLabel.
    case 'Namespace':
      return isDns1123Label(name) ? undefined : 'must be a DNS-1123 label (≤ 63, a-z0-9 and "-")';
    // batch/validation ValidateCronJob: the controller appends an 11-character `-<timestamp>` to Job names.
    case 'CronJob':
      if (!isDns1123Subdomain(name)) return 'must be a DNS-1123 subdomain';
      return (name as string).length <= 52 ? undefined : 'must be no more than 52 characters';
    // rbac/validation ValidateRBACName = path.IsValidPathSegmentName: anything but "." "..", "/" and "%".
    case 'Role': case 'RoleBinding': case 'ClusterRole': case 'ClusterRoleBinding':
      return typeof name === 'string' && name !== '' && name !== '.' && name !== '..' && !/[/%]/.test(name)
        ? undefined : 'must be a valid path segment name';
    // Every other kind here (ConfigMap, Secret, Deployment, DaemonSet, PVC, ServiceAccount, Ingress, HPA,
    // NetworkPolicy, PDB, custom resources): NameIsDNSSubdomain.
    default:
      return isDns1123Subdomain(name) ? undefined : 'must be a DNS-1123 subdomain (≤ 253, a-z0-9, "-" and ".")';
  }
}

/** Problems of a label map: apimachinery meta/v1/validation ValidateLabels (keys IsQualifiedName, values IsValidLabelValue). */
export function labelProblems(where: string, labels: unknown): string[] {
  if (labels === undefined || labels === null) return [];
  if (typeof labels !== 'object' || Array.isArray(labels)) return [`${where}: is not a map of strings`];
  return Object.entries(labels).flatMap(([k, v]) => [
    ...(isQualifiedName(k) ? [] : [`${where}: key ${JSON.stringify(k)} is not a qualified name`]),
    ...(isLabelValue(v) ? [] : [`${where}: value ${JSON.stringify(v)} of ${JSON.stringify(k)} is not a label value`]),
  ]);
}

/** A LabelSelector: ValidateLabelSelector (matchLabels as labels; matchExpressions keys and values). */
function selectorProblems(where: string, selector: any): string[] {
  if (!selector) return [];
  return [
    ...labelProblems(`${where}.matchLabels`, selector.matchLabels),
    ...(selector.matchExpressions ?? []).flatMap((e: any, i: number) => [
      ...(isQualifiedName(e.key) ? [] : [`${where}.matchExpressions[${i}].key ${JSON.stringify(e.key)} is not a qualified name`]),
      ...((e.values ?? []) as unknown[]).filter(v => !isLabelValue(v))
        .map(v => `${where}.matchExpressions[${i}] value ${JSON.stringify(v)} is not a label value`),
    ]),
  ];
}

/** ObjectMeta: name per kind, namespace, labels, annotations (ValidateObjectMeta). */
function metadataProblems(where: string, kind: string, meta: any, withName = true): string[] {
  const p: string[] = [];
  if (!meta) return withName ? [`${where}: metadata is missing`] : [];
  if (withName) {
    const problem = nameProblem(kind, meta.name);
    if (problem) p.push(`${where}: metadata.name ${JSON.stringify(meta.name)} ${problem}`);
  }
  // ValidateObjectMeta: ValidateNamespaceName on metadata.namespace.
  if (meta.namespace !== undefined && !isDns1123Label(meta.namespace)) {
    p.push(`${where}: metadata.namespace ${JSON.stringify(meta.namespace)} must be a DNS-1123 label`);
  }
  if (kind === 'Namespace' && meta.namespace !== undefined) p.push(`${where}: a Namespace must not have metadata.namespace`);
  p.push(...labelProblems(`${where}: metadata.labels`, meta.labels));
  p.push(...annotationProblems(`${where}: metadata.annotations`, meta.annotations));
  return p;
}

/** apimachinery api/validation ValidateAnnotations: keys are qualified names, values strings, ≤ 256 KiB in all. */
export function annotationProblems(where: string, annotations: unknown): string[] {
  if (annotations === undefined || annotations === null) return [];
  if (typeof annotations !== 'object' || Array.isArray(annotations)) return [`${where}: is not a map of strings`];
  const p: string[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    if (!isQualifiedName(k)) p.push(`${where}: key ${JSON.stringify(k)} is not a qualified name`);
    if (typeof v !== 'string') p.push(`${where}: value of ${JSON.stringify(k)} is not a string (got ${JSON.stringify(v)})`);
    size += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  if (size > 256 * 1024) p.push(`${where}: total size ${size} B exceeds 262144 B`);
  return p;
}

/** core/validation ValidateResourceRequirements: quantities parse, are ≥ 0, and each request ≤ its limit. */
function resourcesProblems(where: string, resources: any): string[] {
  if (!resources) return [];
  const p: string[] = [];
  const values: Record<string, Record<string, number>> = { requests: {}, limits: {} };
  for (const side of ['requests', 'limits'] as const) {
    for (const [name, q] of Object.entries(resources[side] ?? {})) {
      const value = quantityValue(q);
      if (value === undefined) p.push(`${where}.${side}.${name} ${JSON.stringify(q)} is not a quantity`);
      else if (value < 0) p.push(`${where}.${side}.${name} ${JSON.stringify(q)} must be ≥ 0`);
      else values[side][name] = value;
    }
  }
  for (const [name, request] of Object.entries(values.requests)) {
    const limit = values.limits[name];
    if (limit !== undefined && request > limit) {
      p.push(`${where}.requests.${name} ${JSON.stringify(resources.requests[name])} must be ≤ the limit ${JSON.stringify(resources.limits[name])}`);
    }
  }
  return p;
}

/** A pod spec: volumes, containers (ports, env, mounts, resources), nodeSelector, tolerations, image pull secrets. */
export function podSpecProblems(where: string, spec: any): string[] {
  if (!spec) return [];
  const p: string[] = [];
  // core/validation validateVolumes: each name a DNS-1123 label, unique.
  const volumeNames = new Set<string>();
  for (const [i, v] of (spec.volumes ?? []).entries()) {
    const at = `${where}.volumes[${i}]`;
    if (!isDns1123Label(v.name)) p.push(`${at}.name ${JSON.stringify(v.name)} must be a DNS-1123 label`);
    if (volumeNames.has(v.name)) p.push(`${at}.name ${JSON.stringify(v.name)} is not unique`);
    volumeNames.add(v.name);
    // validateSecretVolumeSource / validateConfigMapVolumeSource / PVC claimName: ValidateSecretName etc. (subdomain).
    if (v.secret && !isDns1123Subdomain(v.secret.secretName)) p.push(`${at}.secret.secretName ${JSON.stringify(v.secret.secretName)} must be a DNS-1123 subdomain`);
    if (v.configMap && !isDns1123Subdomain(v.configMap.name)) p.push(`${at}.configMap.name ${JSON.stringify(v.configMap.name)} must be a DNS-1123 subdomain`);
    if (v.persistentVolumeClaim && !isDns1123Subdomain(v.persistentVolumeClaim.claimName)) {
      p.push(`${at}.persistentVolumeClaim.claimName ${JSON.stringify(v.persistentVolumeClaim.claimName)} must be a DNS-1123 subdomain`);
    }
    if (v.emptyDir?.sizeLimit !== undefined) {
      const q = quantityValue(v.emptyDir.sizeLimit);
      if (q === undefined || q < 0) p.push(`${at}.emptyDir.sizeLimit ${JSON.stringify(v.emptyDir.sizeLimit)} is not a non-negative quantity`);
    }
  }
  const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  const containerNames = new Set<string>();
  const portNames = new Set<string>();
  for (const c of containers) {
    const at = `${where} container ${c.name}`;
    // validateContainers: name a DNS-1123 label, unique across init and regular containers.
    if (!isDns1123Label(c.name)) p.push(`${at}: name must be a DNS-1123 label`);
    if (containerNames.has(c.name)) p.push(`${at}: name is not unique`);
    containerNames.add(c.name);
    // validateContainerPorts: containerPort 1-65535, hostPort 0 (unset) or 1-65535, name IANA_SVC_NAME, unique.
    for (const port of c.ports ?? []) {
      if (!isPortNum(port.containerPort)) p.push(`${at}: containerPort ${port.containerPort} is outside 1-65535`);
      if (port.hostPort !== undefined && port.hostPort !== 0 && !isPortNum(port.hostPort)) p.push(`${at}: hostPort ${port.hostPort} is outside 1-65535`);
      if (port.name !== undefined) {
        if (!isPortName(port.name)) p.push(`${at}: port name ${JSON.stringify(port.name)} is not an IANA service name`);
        if (portNames.has(port.name)) p.push(`${at}: port name ${JSON.stringify(port.name)} is not unique in the pod`);
        portNames.add(port.name);
      }
    }
    // ValidateEnv: IsEnvVarName; valueFrom refs name Secrets and ConfigMaps (subdomains) and keys (IsConfigMapKey).
    for (const e of c.env ?? []) {
      if (!isEnvVarName(e.name)) p.push(`${at}: env name ${JSON.stringify(e.name)} is not a valid variable name`);
      if (e.value !== undefined && typeof e.value !== 'string') p.push(`${at}: env ${e.name} value is not a string`);
      for (const ref of [e.valueFrom?.secretKeyRef, e.valueFrom?.configMapKeyRef]) {
        if (!ref) continue;
        if (!isDns1123Subdomain(ref.name)) p.push(`${at}: env ${e.name} refers to ${JSON.stringify(ref.name)}, not a DNS-1123 subdomain`);
        if (typeof ref.key !== 'string' || ref.key.length > 253 || !/^[-._a-zA-Z0-9]+$/.test(ref.key)) {
          p.push(`${at}: env ${e.name} key ${JSON.stringify(ref.key)} is not a valid key`);
        }
      }
    }
    // validateVolumeMounts: the name must be a volume of the pod; mountPath set.
    for (const m of c.volumeMounts ?? []) {
      if (!volumeNames.has(m.name)) p.push(`${at}: volumeMount ${JSON.stringify(m.name)} names no volume of the pod`);
      if (!m.mountPath) p.push(`${at}: volumeMount ${JSON.stringify(m.name)} has no mountPath`);
    }
    p.push(...resourcesProblems(`${at}: resources`, c.resources));
  }
  // ValidatePodSpec: nodeSelector through ValidateLabels.
  p.push(...labelProblems(`${where}.nodeSelector`, spec.nodeSelector));
  // validateTolerations: key a qualified name (or empty with Exists); Exists ⇒ no value; Equal ⇒ value a label value.
  for (const [i, t] of (spec.tolerations ?? []).entries()) {
    const at = `${where}.tolerations[${i}]`;
    if (t.key !== undefined && t.key !== '' && !isQualifiedName(t.key)) p.push(`${at}.key ${JSON.stringify(t.key)} is not a qualified name`);
    if ((t.key === undefined || t.key === '') && t.operator !== 'Exists') p.push(`${at}: operator must be Exists when key is empty`);
    if (t.operator === 'Exists' && t.value !== undefined && t.value !== '') p.push(`${at}: value must be empty when operator is Exists`);
    if ((t.operator === undefined || t.operator === 'Equal') && !isLabelValue(t.value ?? '')) p.push(`${at}.value ${JSON.stringify(t.value)} is not a label value`);
    if (t.operator !== undefined && !['Equal', 'Exists'].includes(t.operator)) p.push(`${at}.operator ${JSON.stringify(t.operator)} is not Equal or Exists`);
    if (t.effect !== undefined && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)) p.push(`${at}.effect ${JSON.stringify(t.effect)} is not supported`);
  }
  // ValidatePodSpec: priorityClassName and serviceAccountName are DNS-1123 subdomains; imagePullSecrets name Secrets.
  if (spec.priorityClassName !== undefined && !isDns1123Subdomain(spec.priorityClassName)) {
    p.push(`${where}.priorityClassName ${JSON.stringify(spec.priorityClassName)} must be a DNS-1123 subdomain`);
  }
  if (spec.serviceAccountName !== undefined && !isDns1123Subdomain(spec.serviceAccountName)) {
    p.push(`${where}.serviceAccountName ${JSON.stringify(spec.serviceAccountName)} must be a DNS-1123 subdomain`);
  }
  for (const s of spec.imagePullSecrets ?? []) {
    if (!isDns1123Subdomain(s.name)) p.push(`${where}.imagePullSecrets ${JSON.stringify(s.name)} must be a DNS-1123 subdomain`);
  }
  if (spec.affinity) {
    for (const term of spec.affinity.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
      p.push(...selectorProblems(`${where}.affinity labelSelector`, term.podAffinityTerm?.labelSelector));
    }
  }
  return p;
}

/** A pod template: its labels and spec; the workload's selector must select them (ValidateDeploymentSpec etc.). */
function templateProblems(where: string, selector: any, template: any): string[] {
  if (!template) return [];
  const p = [
    ...metadataProblems(`${where}.template`, 'Pod', template.metadata, false),
    ...selectorProblems(`${where}.selector`, selector),
    ...podSpecProblems(`${where}.template.spec`, template.spec),
  ];
  const labels = template.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(selector?.matchLabels ?? {})) {
    if (labels[k] !== v) p.push(`${where}: selector ${k}=${v} does not match the template labels`);
  }
  return p;
}

function serviceProblems(where: string, spec: any): string[] {
  if (!spec) return [];
  const p: string[] = [];
  // ValidateServiceSpec: selector through ValidateLabels.
  p.push(...labelProblems(`${where}.selector`, spec.selector));
  const names = new Set<string>();
  for (const port of spec.ports ?? []) {
    const at = `${where} port ${port.name ?? port.port}`;
    if (!isPortNum(port.port)) p.push(`${at}: port ${port.port} is outside 1-65535`);
    // nodePort: 30000-32767 is the default --service-node-port-range; 0 or absent lets the API server pick.
    if (port.nodePort !== undefined && port.nodePort !== 0) {
      if (spec.type !== 'NodePort' && spec.type !== 'LoadBalancer') p.push(`${at}: nodePort set on a ${spec.type ?? 'ClusterIP'} Service`);
      if (!(Number.isInteger(port.nodePort) && port.nodePort >= 30000 && port.nodePort <= 32767)) p.push(`${at}: nodePort ${port.nodePort} is outside 30000-32767`);
    }
    if (port.targetPort !== undefined) {
      const ok = typeof port.targetPort === 'number' ? isPortNum(port.targetPort) : isPortName(port.targetPort);
      if (!ok) p.push(`${at}: targetPort ${JSON.stringify(port.targetPort)} is neither 1-65535 nor a port name`);
    }
    if (port.name !== undefined && !isDns1123Label(port.name)) p.push(`${at}: name must be a DNS-1123 label`);
    if (spec.ports.length > 1 && port.name === undefined) p.push(`${at}: every port of a multi-port Service needs a name`);
    if (port.name !== undefined) {
      if (names.has(port.name)) p.push(`${at}: name is not unique`);
      names.add(port.name);
    }
  }
  return p;
}

function ingressProblems(where: string, spec: any): string[] {
  if (!spec) return [];
  const p: string[] = [];
  const hostProblem = (host: unknown): string | undefined => {
    if (typeof host !== 'string') return 'is not a string';
    if (isIp(host)) return 'must be a DNS name, not an IP address';
    // networking/validation: IsWildcardDNS1123Subdomain when the host contains "*", else IsDNS1123Subdomain.
    if (host.includes('*')) return host.startsWith('*.') && isDns1123Subdomain(host.slice(2)) && host.length <= 253 ? undefined : 'is not a wildcard DNS-1123 subdomain';
    return isDns1123Subdomain(host) ? undefined : 'is not a DNS-1123 subdomain';
  };
  for (const rule of spec.rules ?? []) {
    if (rule.host !== undefined) {
      const problem = hostProblem(rule.host);
      if (problem) p.push(`${where}.rules host ${JSON.stringify(rule.host)} ${problem}`);
    }
    for (const path of rule.http?.paths ?? []) {
      const svc = path.backend?.service;
      if (svc && !isDns1035Label(svc.name)) p.push(`${where}: backend service ${JSON.stringify(svc.name)} is not a Service name`);
      if (path.pathType !== 'ImplementationSpecific' && (typeof path.path !== 'string' || !path.path.startsWith('/'))) {
        p.push(`${where}: path ${JSON.stringify(path.path)} must be absolute`);
      }
    }
  }
  for (const tls of spec.tls ?? []) {
    if (tls.secretName !== undefined && !isDns1123Subdomain(tls.secretName)) p.push(`${where}.tls secretName ${JSON.stringify(tls.secretName)} must be a DNS-1123 subdomain`);
    for (const host of tls.hosts ?? []) {
      const problem = hostProblem(host);
      if (problem) p.push(`${where}.tls host ${JSON.stringify(host)} ${problem}`);
    }
  }
  // ValidateIngressClassName: a DNS-1123 subdomain.
  if (spec.ingressClassName !== undefined && !isDns1123Subdomain(spec.ingressClassName)) {
    p.push(`${where}.ingressClassName ${JSON.stringify(spec.ingressClassName)} must be a DNS-1123 subdomain`);
  }
  return p;
}

/** networking/validation ValidateIPBlock: a CIDR, and except entries inside it. */
export function cidrProblem(cidr: unknown): string | undefined {
  if (typeof cidr !== 'string') return 'is not a string';
  const m = /^(.+)\/(\d{1,3})$/.exec(cidr);
  if (!m) return 'is not a CIDR';
  const [, ip, bits] = m;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return isIp(ip) && Number(bits) <= 32 ? undefined : 'is not an IPv4 CIDR';
  return isIp(ip) && ip.includes(':') && Number(bits) <= 128 ? undefined : 'is not a CIDR';
}

function networkPolicyProblems(where: string, spec: any): string[] {
  if (!spec) return [];
  const p = selectorProblems(`${where}.podSelector`, spec.podSelector);
  for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) {
    for (const port of rule.ports ?? []) {
      if (typeof port.port === 'number' && !isPortNum(port.port)) p.push(`${where}: port ${port.port} is outside 1-65535`);
      if (typeof port.port === 'string' && !isPortName(port.port)) p.push(`${where}: port ${JSON.stringify(port.port)} is not a port name`);
    }
    for (const peer of [...(rule.from ?? []), ...(rule.to ?? [])]) {
      p.push(...selectorProblems(`${where} peer podSelector`, peer.podSelector));
      p.push(...selectorProblems(`${where} peer namespaceSelector`, peer.namespaceSelector));
      if (peer.ipBlock) {
        const problem = cidrProblem(peer.ipBlock.cidr);
        if (problem) p.push(`${where} peer ipBlock.cidr ${JSON.stringify(peer.ipBlock.cidr)} ${problem}`);
      }
    }
  }
  return p;
}

/** Problems the API server would report for one object, beyond its OpenAPI schema. */
export function objectApiServerProblems(obj: KubeObject): string[] {
  const where = `${obj.kind} ${obj.metadata?.name}`;
  const p = metadataProblems(where, obj.kind, obj.metadata);
  const spec = obj.spec;
  switch (obj.kind) {
    case 'Deployment': case 'DaemonSet': case 'StatefulSet': case 'ReplicaSet':
      p.push(...templateProblems(`${where} spec`, spec?.selector, spec?.template));
      break;
    case 'CronJob': {
      const problem = cronProblem(spec?.schedule);
      if (problem) p.push(`${where}: schedule ${JSON.stringify(spec?.schedule)} ${problem}`);
      p.push(...templateProblems(`${where} spec.jobTemplate.spec`, spec?.jobTemplate?.spec?.selector, spec?.jobTemplate?.spec?.template));
      p.push(...labelProblems(`${where} spec.jobTemplate.metadata.labels`, spec?.jobTemplate?.metadata?.labels));
      break;
    }
    case 'Service':
      p.push(...serviceProblems(`${where} spec`, spec));
      break;
    case 'Ingress':
      p.push(...ingressProblems(`${where} spec`, spec));
      break;
    case 'NetworkPolicy':
      p.push(...networkPolicyProblems(`${where} spec`, spec));
      break;
    case 'PersistentVolumeClaim': {
      // ValidatePersistentVolumeClaimSpec: storage request required and > 0; storageClassName "" or a subdomain.
      const storage = spec?.resources?.requests?.storage;
      const value = quantityValue(storage);
      if (value === undefined || value <= 0) p.push(`${where}: spec.resources.requests.storage ${JSON.stringify(storage)} must be a quantity > 0`);
      if (spec?.storageClassName !== undefined && spec.storageClassName !== '' && !isDns1123Subdomain(spec.storageClassName)) {
        p.push(`${where}: spec.storageClassName ${JSON.stringify(spec.storageClassName)} must be a DNS-1123 subdomain`);
      }
      p.push(...resourcesProblems(`${where} spec.resources`, spec?.resources));
      break;
    }
    case 'HorizontalPodAutoscaler': {
      // autoscaling/validation: minReplicas ≥ 1, maxReplicas ≥ minReplicas, utilization > 0 (may exceed 100).
      const min = spec?.minReplicas ?? 1;
      if (!(Number.isInteger(min) && min >= 1)) p.push(`${where}: spec.minReplicas ${min} must be ≥ 1`);
      if (!(Number.isInteger(spec?.maxReplicas) && spec.maxReplicas >= min)) p.push(`${where}: spec.maxReplicas ${spec?.maxReplicas} must be ≥ minReplicas`);
      for (const m of spec?.metrics ?? []) {
        const u = m.resource?.target?.averageUtilization;
        if (u !== undefined && !(Number.isInteger(u) && u > 0)) p.push(`${where}: averageUtilization ${u} must be > 0`);
      }
      if (spec?.scaleTargetRef && !isDns1123Subdomain(spec.scaleTargetRef.name)) p.push(`${where}: scaleTargetRef.name is not a DNS-1123 subdomain`);
      break;
    }
    case 'PodDisruptionBudget':
      p.push(...selectorProblems(`${where} spec.selector`, spec?.selector));
      break;
    case 'ConfigMap':
    case 'Secret':
      // core/validation ValidateConfigMap: keys IsConfigMapKey; total size ≤ 1 MiB.
      for (const field of ['data', 'binaryData', 'stringData']) {
        for (const key of Object.keys(obj[field] ?? {})) {
          if (key.length > 253 || !/^[-._a-zA-Z0-9]+$/.test(key)) p.push(`${where}: ${field} key ${JSON.stringify(key)} is not a valid key`);
        }
      }
      if (obj.kind === 'ConfigMap' && Buffer.byteLength(JSON.stringify(obj.data ?? {})) > 1024 * 1024) p.push(`${where}: data exceeds 1 MiB`);
      break;
    case 'RoleBinding': case 'ClusterRoleBinding':
      for (const s of obj.subjects ?? []) {
        if (s.kind === 'ServiceAccount' && !isDns1123Subdomain(s.name)) p.push(`${where}: subject ${JSON.stringify(s.name)} is not a ServiceAccount name`);
      }
      break;
    case 'ServiceMonitor':
      p.push(...selectorProblems(`${where} spec.selector`, spec?.selector));
      break;
  }
  return p;
}

/** Every problem the API server's own validation would report for these objects, named by kind and name. */
export function apiServerProblems(objects: KubeObject[]): string[] {
  return objects.flatMap(objectApiServerProblems);
}
