import { invalidOption } from "./adapter/option-checks.js";
import { SessionStoreError, toStoreError } from "./errors.js";
import { fromBase64, toBase64Url } from "./internal/base64.js";
import { isPlainRecord, serializeRecord } from "./internal/json.js";
import type { SessionStore } from "./store.js";
import type { Awaitable, JsonObject } from "./types.js";

/** Key material: 32 raw bytes, their base64/base64url text, or an imported AES-GCM `CryptoKey`. */
export type KeyMaterial = Uint8Array | string | CryptoKey;
/** A key, or a function that supplies it when first needed (a KMS, an OS keychain, an env var). */
export type KeySource = KeyMaterial | (() => Awaitable<KeyMaterial | undefined>);

/** Options for {@link withEncryption}. */
export interface EncryptionOptions {
  /**
   * Keys by id: an object, or a function from key id to key (called once per id
   * and cached). Keep retired keys here until no record uses them.
   */
  keys: Readonly<Record<string, KeySource>> | ((keyId: string) => Awaitable<KeyMaterial | undefined>);
  /** The id of the key new writes use. Rotation: add a key, make it active. */
  activeKeyId: string;
  /**
   * Read records written before encryption was turned on (they are encrypted on
   * their next write). Off, such a record is `ERR_DECRYPT`.
   * @default false
   */
  readPlaintext?: boolean;
}

const ALGORITHM = "A256GCM";
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** An encrypted record as stored: algorithm, key id, IV and ciphertext (base64url). */
interface Envelope {
  enc: typeof ALGORITHM;
  kid: string;
  iv: string;
  ct: string;
}

function isEnvelope(record: JsonObject): record is JsonObject & Envelope {
  return (
    record.enc === ALGORITHM &&
    typeof record.kid === "string" &&
    typeof record.iv === "string" &&
    typeof record.ct === "string"
  );
}

function subtle(): SubtleCrypto {
  const api = globalThis.crypto?.subtle;
  if (!api) throw new SessionStoreError("ERR_UNSUPPORTED", "WebCrypto (globalThis.crypto.subtle) is not available");
  return api;
}

function decryptError(keyId: string, why: string, cause?: unknown): SessionStoreError {
  return new SessionStoreError("ERR_DECRYPT", `cannot decrypt with key "${keyId}": ${why}`, cause ? { cause } : {});
}

async function importKey(keyId: string, material: KeyMaterial | undefined): Promise<CryptoKey> {
  if (material === undefined) throw decryptError(keyId, "no such key");
  if (typeof material === "object" && !(material instanceof Uint8Array)) return material;
  const bytes = typeof material === "string" ? fromBase64(material) : new Uint8Array(material);
  if (bytes?.length !== 32) {
    throw new SessionStoreError("ERR_INVALID_ARGUMENT", `key "${keyId}" must be 32 bytes (base64 or raw)`, {
      field: `keys.${keyId}`,
    });
  }
  return subtle().importKey("raw", bytes, "AES-GCM", false, ["encrypt", "decrypt"]);
}

/**
 * Wraps ANY store so records are encrypted at rest with AES-256-GCM through
 * WebCrypto (Node and browsers). Each record carries its key id; the record's
 * key (`namespace:subject:authType`) is bound as additional authenticated data,
 * so a ciphertext copied to another key does not decrypt. A wrong, missing or
 * tampered key/record is `ERR_DECRYPT` naming the key id; nothing is overwritten.
 *
 * Key generation: `node -e "console.log(crypto.randomBytes(32).toString('base64'))"`
 * or {@link generateEncryptionKey}.
 */
export function withEncryption(store: SessionStore, options: EncryptionOptions): SessionStore {
  if (typeof options?.activeKeyId !== "string" || !KEY_ID.test(options.activeKeyId)) {
    throw invalidOption("activeKeyId", "must be 1-64 of [A-Za-z0-9._-]");
  }
  const { keys, activeKeyId } = options;
  if (typeof keys !== "function" && (typeof keys !== "object" || keys === null || !(activeKeyId in keys))) {
    throw invalidOption("keys", `has no entry for activeKeyId "${activeKeyId}"`);
  }
  const cache = new Map<string, Promise<CryptoKey>>();
  const keyFor = (keyId: string): Promise<CryptoKey> => {
    let pending = cache.get(keyId);
    if (!pending) {
      pending = (async () => {
        let material: KeyMaterial | undefined;
        try {
          const source =
            typeof keys === "function" ? await keys(keyId) : Object.hasOwn(keys, keyId) ? keys[keyId] : undefined;
          material = typeof source === "function" ? await source() : source;
        } catch (error) {
          // The key source (a KMS, a keychain) failed: an outage, not a wrong key.
          throw toStoreError(error, `key lookup for "${keyId}"`);
        }
        return importKey(keyId, material);
      })();
      // A failed lookup (KMS down) is retried next time instead of cached.
      pending.catch(() => cache.delete(keyId));
      cache.set(keyId, pending);
    }
    return pending;
  };
  const encoder = new TextEncoder();

  return {
    get capabilities() {
      return store.capabilities;
    },
    get kind() {
      return store.kind;
    },
    async get(key) {
      const record = await store.get(key);
      if (record === undefined) return undefined;
      if (!isEnvelope(record)) {
        if (options.readPlaintext && !("enc" in record)) return record;
        throw new SessionStoreError("ERR_DECRYPT", `record at key "${key}" is not encrypted`);
      }
      // The stored id is data from whoever can write the store: it reaches no key
      // function (a KMS path) and no message unless it obeys activeKeyId's rule.
      if (!KEY_ID.test(record.kid)) {
        throw new SessionStoreError("ERR_DECRYPT", `record at key "${key}" names an invalid key id`);
      }
      const cryptoKey = await keyFor(record.kid);
      const iv = fromBase64(record.iv);
      const ciphertext = fromBase64(record.ct);
      if (!iv || !ciphertext) throw decryptError(record.kid, "the envelope is not base64");
      let plaintext: ArrayBuffer;
      try {
        plaintext = await subtle().decrypt(
          { name: "AES-GCM", iv, additionalData: encoder.encode(key) },
          cryptoKey,
          ciphertext,
        );
      } catch (error) {
        throw decryptError(record.kid, "wrong key, or the record was tampered with or moved", error);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(new TextDecoder().decode(plaintext));
      } catch {
        // Not chained: the SyntaxError would quote the decrypted text (the tokens).
        throw new SessionStoreError("ERR_CORRUPT_RECORD", `record at key "${key}" decrypted to invalid JSON`);
      }
      if (!isPlainRecord(parsed))
        throw new SessionStoreError("ERR_CORRUPT_RECORD", `record at key "${key}" is not an object`);
      return parsed as JsonObject;
    },
    async set(key, record, setOptions) {
      // The plain stores' rule, checked before anything is encrypted or written:
      // a non-object (null, [], "x", 7) or what JSON cannot carry (1n) is
      // ERR_INVALID_ARGUMENT, not ciphertext that reads back as corrupt forever.
      const plaintext = serializeRecord(record);
      const cryptoKey = await keyFor(activeKeyId);
      const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
      let ciphertext: ArrayBuffer;
      try {
        ciphertext = await subtle().encrypt(
          { name: "AES-GCM", iv, additionalData: encoder.encode(key) },
          cryptoKey,
          encoder.encode(plaintext),
        );
      } catch (error) {
        throw toStoreError(error, "encrypt");
      }
      const envelope: Envelope = {
        enc: ALGORITHM,
        kid: activeKeyId,
        iv: toBase64Url(iv),
        ct: toBase64Url(new Uint8Array(ciphertext)),
      };
      await store.set(key, { ...envelope }, setOptions);
    },
    delete: (key) => store.delete(key),
    ...(store.lock ? { lock: store.lock.bind(store) } : {}),
    ...(store.list ? { list: store.list.bind(store) } : {}),
    // Keys are not encrypted, so pages pass through as they are.
    ...(store.listPage ? { listPage: store.listPage.bind(store) } : {}),
    ...(store.watch ? { watch: store.watch.bind(store) } : {}),
    close: () => store.close(),
  };
}

/** A new random 256-bit key, base64: what {@link withEncryption} takes. */
export function generateEncryptionKey(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(32));
  return toBase64Url(bytes);
}

/**
 * A key source reading an environment variable when first needed (Node; in a
 * browser there is no environment and the key is reported missing).
 */
export function keyFromEnv(variable: string): () => string | undefined {
  return () => (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[variable];
}
