import { isDnsSubdomain } from './rules';
import { instanceOf, show } from './shape';

/**
 * A reference to one key of a Kubernetes Secret that already exists (made by your secret manager,
 * sealed-secrets, external-secrets or `kubectl create secret`). The value never passes through this
 * library: it reaches the pod as `secretKeyRef` env or a mounted file, never a ConfigMap or `dist/`.
 */
export class SecretKey {
  /**
   * One key of a Secret that exists in the namespace of the pod that reads it.
   * @param secretName name of the Secret, in the namespace of the pod that reads it
   * @param key key inside the Secret
   */
  public static fromSecret(secretName: string, key: string): SecretKey {
    // JavaScript callers skip the type system; the names themselves are checked where the key is used.
    if (typeof secretName !== 'string' || typeof key !== 'string') {
      throw new Error(`SecretKey.fromSecret: secretName and key must be strings (got ${show(secretName)} and ${show(key)})`);
    }
    return new SecretKey(secretName, key);
  }

  private constructor(public readonly secretName: string, public readonly key: string) {}

  /** `secret/key`, for error messages. */
  public toString(): string {
    return `${this.secretName}/${this.key}`;
  }
}

/**
 * A `SecretKey` prop, for the run-time shapes of props.
 * @internal
 */
export const SECRET_KEY = instanceOf('SecretKey', SecretKey, 'SecretKey.fromSecret("registry-secrets", "http-secret")');

const SECRET_KEY_NAME = /^[-._a-zA-Z0-9]+$/;

/** Problems with a SecretKey given as `prop`, in the words of the other validation messages. */
export function secretKeyProblems(prop: string, ref: SecretKey): string[] {
  const problems: string[] = [];
  if (!isDnsSubdomain(ref.secretName)) {
    problems.push(`${prop} names Secret ${JSON.stringify(ref.secretName)}, which is not a valid Secret name ` +
      '(lowercase letters, digits, "-" and ".")');
  }
  if (!SECRET_KEY_NAME.test(ref.key) || ref.key.length > 253) {
    problems.push(`${prop} names key ${JSON.stringify(ref.key)}, which is not a valid Secret key (letters, digits, "-", "_" and ".")`);
  }
  return problems;
}
