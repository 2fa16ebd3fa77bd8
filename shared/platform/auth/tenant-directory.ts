/** What authentication needs to know about one of our tenants. */
export interface TenantRef {
  id: string;
  slug: string;
  entraTenantId: string;
  status: 'active' | 'suspended';
}

/**
 * The port the token validator (and the devhost's issuer) uses to map an Entra tenant or a slug
 * to one of our tenants. The database implementation lives in the tenancy module.
 */
export interface TenantDirectory {
  byEntraTenantId(tid: string): Promise<TenantRef | undefined>;
  bySlug(slug: string): Promise<TenantRef | undefined>;
}

export interface TenantDirectoryCacheOptions {
  /** How long a found tenant is remembered; a suspension takes effect within this time. */
  ttlMs?: number;
  /** How long a miss is remembered; a newly onboarded tenant is recognised within this time. */
  missTtlMs?: number;
  entriesMax?: number;
  /** The clock, replaceable in tests. */
  now?: () => number;
}

export interface CachedTenantDirectory extends TenantDirectory {
  /** Forgets everything, for example after a tenant was suspended or onboarded. */
  clear(): void;
}

interface CacheEntry {
  pending: Promise<TenantRef | undefined>;
  expiresAt: number;
}

/**
 * Wraps a directory so that authenticating a request costs no database round trip most of the
 * time. Entries live for a short, bounded time, the cache holds a bounded number of them (least
 * recently used first out), concurrent lookups of the same key share one call, and failures are
 * never cached.
 */
export function cachedTenantDirectory(
  inner: TenantDirectory,
  options: TenantDirectoryCacheOptions = {},
): CachedTenantDirectory {
  const ttlMs = options.ttlMs ?? 60_000;
  const missTtlMs = Math.min(options.missTtlMs ?? 5_000, ttlMs);
  const entriesMax = Math.max(1, options.entriesMax ?? 1_000);
  const now = options.now ?? Date.now;
  const entries = new Map<string, CacheEntry>();

  const lookup = (
    key: string,
    load: () => Promise<TenantRef | undefined>,
  ): Promise<TenantRef | undefined> => {
    const startedAt = now();
    const hit = entries.get(key);
    if (hit) {
      entries.delete(key);
      if (hit.expiresAt > startedAt) {
        // Re-inserting moves the key to the end of the map's order, which makes eviction LRU.
        entries.set(key, hit);
        return hit.pending;
      }
    }
    const entry: CacheEntry = {
      // A frozen copy, so that no caller can change what the next caller is given.
      pending: load().then((ref) => (ref ? Object.freeze({ ...ref }) : undefined)),
      expiresAt: startedAt + ttlMs,
    };
    entries.set(key, entry);
    while (entries.size > entriesMax) {
      const oldest = entries.keys().next().value as string;
      entries.delete(oldest);
    }
    entry.pending.then(
      (ref) => {
        if (!ref) entry.expiresAt = startedAt + missTtlMs;
      },
      () => {
        if (entries.get(key) === entry) entries.delete(key);
      },
    );
    return entry.pending;
  };

  return {
    byEntraTenantId: (tid) => lookup(`tid:${tid}`, () => inner.byEntraTenantId(tid)),
    bySlug: (slug) => lookup(`slug:${slug}`, () => inner.bySlug(slug)),
    clear: () => entries.clear(),
  };
}

/** A directory over a fixed list of tenants, for tests and tools that have no database. */
export function inMemoryTenantDirectory(tenants: readonly TenantRef[]): TenantDirectory {
  const copies = tenants.map((tenant) => Object.freeze({ ...tenant }));
  return {
    byEntraTenantId: async (tid) => copies.find((tenant) => tenant.entraTenantId === tid),
    bySlug: async (slug) => copies.find((tenant) => tenant.slug === slug),
  };
}
