import {
  type CustomerProfile,
  type CustomerRef,
  PLAIN_KEYING,
  type ProfileSnapshot,
  type RefKeying,
} from '@vocflow/contracts';

/** A reference kind and its normalized value: how unlinked items are filed and found. */
export interface RefKey {
  readonly kind: 'id' | 'email' | 'handle';
  readonly value: string;
}

export { normalizeEmail, normalizeHandle, PLAIN_KEYING, type RefKeying } from '@vocflow/contracts';

/** The references of a feedback item, in resolution order: id, then email, then handle. */
export function refKeys(ref: CustomerRef, keying: RefKeying = PLAIN_KEYING): RefKey[] {
  const keys: RefKey[] = [];
  if (ref.id) keys.push({ kind: 'id', value: ref.id });
  if (ref.email) keys.push({ kind: 'email', value: keying.email(ref.email) });
  if (ref.handle) keys.push({ kind: 'handle', value: keying.handle(ref.handle) });
  return keys;
}

/** The references that name a profile: its id, its email, each handle. */
export function profileRefKeys(profile: CustomerProfile, keying: RefKeying = PLAIN_KEYING): RefKey[] {
  const keys: RefKey[] = [{ kind: 'id', value: profile.id }];
  if (profile.email) keys.push({ kind: 'email', value: keying.email(profile.email) });
  for (const handle of profile.handles) keys.push({ kind: 'handle', value: keying.handle(handle) });
  return keys;
}

/** The profile fields that travel with an enriched item: no email, no handles. */
export function snapshotOf(profile: CustomerProfile): ProfileSnapshot {
  return {
    ...(profile.name === undefined ? {} : { name: profile.name }),
    ...(profile.tier === undefined ? {} : { tier: profile.tier }),
    ...(profile.region === undefined ? {} : { region: profile.region }),
    ...(profile.industry === undefined ? {} : { industry: profile.industry }),
    ...(profile.plan === undefined ? {} : { plan: profile.plan }),
    attributes: { ...profile.attributes },
  };
}

export interface CustomerLookup {
  /** The profile a reference names: by id, then email, then handle; undefined when none is known. */
  resolve(ref: CustomerRef): CustomerProfile | undefined;
}

/** The local copy of `customers.v1`: profiles by id, with indexes by keyed email and handle. */
export class CustomerTable implements CustomerLookup {
  readonly #byId = new Map<string, CustomerProfile>();
  readonly #byEmail = new Map<string, string>();
  readonly #byHandle = new Map<string, string>();

  /** How emails and handles are indexed and looked up (default: normalized). */
  readonly keying: RefKeying;

  constructor(keying: RefKeying = PLAIN_KEYING) {
    this.keying = keying;
  }

  get size(): number {
    return this.#byId.size;
  }

  upsert(profile: CustomerProfile): void {
    this.delete(profile.id);
    this.#byId.set(profile.id, profile);
    if (profile.email) this.#byEmail.set(this.keying.email(profile.email), profile.id);
    for (const handle of profile.handles) this.#byHandle.set(this.keying.handle(handle), profile.id);
  }

  delete(id: string): void {
    const old = this.#byId.get(id);
    if (!old) return;
    this.#byId.delete(id);
    if (old.email) {
      const email = this.keying.email(old.email);
      if (this.#byEmail.get(email) === id) this.#byEmail.delete(email);
    }
    for (const handle of old.handles) {
      const h = this.keying.handle(handle);
      if (this.#byHandle.get(h) === id) this.#byHandle.delete(h);
    }
  }

  get(id: string): CustomerProfile | undefined {
    return this.#byId.get(id);
  }

  resolve(ref: CustomerRef): CustomerProfile | undefined {
    if (ref.id) {
      const byId = this.#byId.get(ref.id);
      if (byId) return byId;
    }
    if (ref.email) {
      const id = this.#byEmail.get(this.keying.email(ref.email));
      if (id) return this.#byId.get(id);
    }
    if (ref.handle) {
      const id = this.#byHandle.get(this.keying.handle(ref.handle));
      if (id) return this.#byId.get(id);
    }
    return undefined;
  }
}
