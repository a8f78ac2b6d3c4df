import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Keys for one purpose each, derived (HKDF-SHA256) from APP_SECRET, which the database never
 * holds: what is sealed with them is unreadable to anyone with the database, a dump, a backup or
 * the WAL but not the secret.
 */
const keys = new Map<string, Buffer>();

export function derivedKey(appSecret: string, purpose: string): Buffer {
  const id = `${purpose}\n${appSecret}`;
  let key = keys.get(id);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', appSecret, 'inpulse', purpose, 32));
    keys.set(id, key);
  }
  return key;
}

/**
 * AES-256-GCM under the purpose's key: 12-byte random IV, 16-byte tag, ciphertext. With
 * `padTo`, the plaintext is padded with zero bytes to a multiple of that many bytes first, so
 * that the length of what is sealed says little about what it holds.
 */
export function seal(appSecret: string, purpose: string, plaintext: Buffer, padTo = 0): Buffer {
  const body =
    padTo > 0
      ? Buffer.concat([
          plaintext,
          Buffer.alloc(padTo - ((plaintext.length + 1) % padTo || padTo) + 1, 0),
        ])
      : plaintext;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', derivedKey(appSecret, purpose), iv);
  const sealed = Buffer.concat([cipher.update(body), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]);
}

/** What `seal` sealed (padding included), or undefined when it cannot be opened. */
export function open(appSecret: string, purpose: string, sealed: Buffer): Buffer | undefined {
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      derivedKey(appSecret, purpose),
      sealed.subarray(0, 12),
    );
    decipher.setAuthTag(sealed.subarray(12, 28));
    return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
  } catch {
    return undefined;
  }
}

/** A JSON value sealed, padded to a multiple of `padTo` bytes. */
export function sealJson(appSecret: string, purpose: string, value: unknown, padTo = 0): Buffer {
  return seal(appSecret, purpose, Buffer.from(JSON.stringify(value), 'utf8'), padTo);
}

/**
 * A JSON value sealed with exactly `size` bytes of plaintext (zero bytes after the JSON), so that
 * everything sealed at one size is as long as everything else; undefined when it does not fit.
 * The caller chooses a size no value it seals can exceed, and refuses a value that does.
 */
export function sealJsonAtSize(
  appSecret: string,
  purpose: string,
  value: unknown,
  size: number,
): Buffer | undefined {
  const plaintext = Buffer.from(JSON.stringify(value), 'utf8');
  if (plaintext.length > size) return undefined;
  return seal(
    appSecret,
    purpose,
    Buffer.concat([plaintext, Buffer.alloc(size - plaintext.length, 0)]),
  );
}

/** The JSON value `sealJson` or `sealJsonAtSize` sealed, or undefined when it cannot be opened. */
export function openJson<T>(appSecret: string, purpose: string, sealed: Buffer): T | undefined {
  const bytes = open(appSecret, purpose, sealed);
  if (!bytes) return undefined;
  const end = bytes.indexOf(0);
  try {
    return JSON.parse(bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

/** HMAC-SHA256 of `value` under the purpose's key: the same input, the same output. */
export function keyedHash(appSecret: string, purpose: string, value: string): Buffer {
  return createHmac('sha256', derivedKey(appSecret, purpose)).update(value, 'utf8').digest();
}
