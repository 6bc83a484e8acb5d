/** What the app gives as key material: a passphrase (PBKDF2), raw bytes (HKDF) or a ready AES-GCM CryptoKey. */
export type E2eeKeyMaterial = string | Uint8Array | CryptoKey;

const PBKDF2_ITERATIONS = 100_000;
const DEFAULT_SALT = 'parley-e2ee-v1';

/**
 * Turns key material into a non-extractable AES-GCM-128 key. Every member must use the same
 * material and salt; the salt defaults to a fixed string (pass the meeting id to vary it per room).
 */
export async function deriveFrameKey(material: E2eeKeyMaterial, salt: string = DEFAULT_SALT): Promise<CryptoKey> {
  if (!(typeof material === 'string' || material instanceof Uint8Array)) {
    if (material.algorithm.name !== 'AES-GCM') throw new TypeError('an E2EE CryptoKey must be an AES-GCM key');
    return material;
  }
  const saltBytes = new TextEncoder().encode(salt);
  if (typeof material === 'string') {
    if (!material) throw new TypeError('an E2EE passphrase must not be empty');
    const base = await crypto.subtle.importKey('raw', new TextEncoder().encode(material), 'PBKDF2', false, ['deriveKey']);
    return crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt: saltBytes, iterations: PBKDF2_ITERATIONS }, base, { name: 'AES-GCM', length: 128 }, false, ['encrypt', 'decrypt']);
  }
  if (material.length < 16) throw new TypeError('raw E2EE key material must be at least 16 bytes');
  const base = await crypto.subtle.importKey('raw', material as Uint8Array<ArrayBuffer>, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: saltBytes, info: new TextEncoder().encode('parley frame key') }, base, { name: 'AES-GCM', length: 128 }, false, ['encrypt', 'decrypt']);
}
