// What a prop must look like at run time. TypeScript callers are held to the types by the compiler, JavaScript (and
// jsii) callers are not: every construct checks its props against a shape first, so that a wrong type, an unknown
// key or a missing required prop gets the same clear error as any other bad input, never a TypeError from deep inside
// and never a silent default. The shapes mirror the TypeScript interfaces; test/shapes.test.ts keeps them in step.

/** A rule for one value: what it must be, in words, and its check. */
export interface Shape {
  /** What the value must be, for messages: "a whole number", "a RegistryStorage such as RegistryStorage.emptyDir()". */
  readonly expected: string;
  /** Adds a message to `out` for every way `value` (at `path`) breaks the rule. */
  readonly check: (value: unknown, path: string, out: string[]) => void;
}

/** A field of a struct: its shape, and whether it must be given. */
interface Field {
  readonly shape: Shape;
  readonly required: boolean;
}

/** How a message shows a value: its JSON, and what kind of value it is when that could surprise. */
export function show(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `${JSON.stringify(value)}, a string`;
  if (typeof value === 'number' || typeof value === 'bigint') return `${String(value)}, a number`;
  if (typeof value === 'boolean') return `${value}, a boolean`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array ${brief(value)}`;
  if (value instanceof Date) return 'a Date';
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name;
    return name && name !== 'Object' ? `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}` : `an object ${brief(value)}`;
  }
  return typeof value;
}

function brief(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? '';
  } catch {
    text = '';
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function wrong(path: string, expected: string, value: unknown, out: string[]): void {
  out.push(`${path} must be ${expected} (got ${show(value)})`);
}

function simple(expected: string, test: (value: unknown) => boolean): Shape {
  return { expected, check: (value, path, out) => { if (!test(value)) wrong(path, expected, value, out); } };
}

export const STRING: Shape = simple('a string', v => typeof v === 'string');
export const WHOLE_NUMBER: Shape = simple('a whole number', v => typeof v === 'number' && Number.isInteger(v));
export const BOOLEAN: Shape = simple('true or false', v => typeof v === 'boolean');

/** One of an enum's values, named the way callers write them: `RegistryServiceType.NODE_PORT`. */
export function enumOf(name: string, values: Record<string, string>): Shape {
  const allowed = Object.values(values);
  const expected = `one of ${Object.keys(values).map(k => `${name}.${k}`).join(', ')} ` +
    `(${allowed.map(v => JSON.stringify(v)).join(', ')})`;
  return simple(expected, v => typeof v === 'string' && allowed.includes(v));
}

/** An object made by one of the library's classes, e.g. a `SecretKey` from `SecretKey.fromSecret(...)`. */
 
export function instanceOf(name: string, cls: Function, example: string): Shape {
  return simple(`a ${name} such as ${example}`, v => v instanceof cls);
}

/** A value that passes `test`, described by `expected`: for interfaces such as `IRegistry`. */
export function satisfying(expected: string, test: (value: unknown) => boolean): Shape {
  return simple(expected, test);
}

export function arrayOf(item: Shape): Shape {
  const expected = `a list, each ${item.expected}`;
  return {
    expected,
    check: (value, path, out) => {
      if (!Array.isArray(value)) return wrong(path, expected, value, out);
      value.forEach((v, i) => item.check(v, `${path}[${i}]`, out));
    },
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A map of names to values, such as labels: `{ "team": "ci" }`. */
export function mapOf(item: Shape): Shape {
  const expected = `a map of names to ${item.expected.replace(/^an? /, '')} values`;
  return {
    expected,
    check: (value, path, out) => {
      if (!isPlainObject(value)) return wrong(path, expected, value, out);
      for (const [key, v] of Object.entries(value)) item.check(v, `${path}.${key}`, out);
    },
  };
}

/** Marks a struct field as one that must be given. */
export function required(shape: Shape): Field {
  return { shape, required: true };
}

/** Levenshtein distance, for "did you mean": small strings only. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j];
      row[j] = next;
    }
  }
  return row[b.length];
}

function suggestion(key: string, known: string[]): string {
  const close = known.find(k => k.toLowerCase() === key.toLowerCase())
    ?? known.map(k => ({ k, d: distance(key, k) })).filter(x => x.d <= 2).sort((x, y) => x.d - y.d)[0]?.k;
  return close ? `did you mean ${close}?` : `the known ones are ${known.join(', ')}`;
}

/** A plain object with the given fields: unknown keys and missing required ones are reported. */
export function struct(name: string, fields: Record<string, Shape | Field>): Shape {
  const entries = Object.entries(fields).map(([key, f]): [string, Field] => [key, 'check' in f ? { shape: f, required: false } : f]);
  const known = entries.map(([key]) => key);
  return {
    expected: `an object (${name})`,
    check: (value, path, out) => {
      if (!isPlainObject(value)) return wrong(path || 'props', `an object (${name})`, value, out);
      const at = (key: string) => (path ? `${path}.${key}` : key);
      for (const key of Object.keys(value)) {
        if (!known.includes(key)) out.push(`${at(key)} is not a field of ${name}: ${suggestion(key, known)}`);
      }
      for (const [key, field] of entries) {
        const v = value[key];
        if (v === undefined) {
          if (field.required) out.push(`${at(key)} is required: ${field.shape.expected}`);
        } else {
          field.shape.check(v, at(key), out);
        }
      }
    },
  };
}

/** The problems of `props` against the construct's shape: an empty list when it fits. */
export function shapeProblems(props: unknown, shape: Shape): string[] {
  const out: string[] = [];
  shape.check(props === undefined ? {} : props, '', out);
  return out;
}
