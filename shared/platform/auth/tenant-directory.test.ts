import { describe, expect, it } from 'vitest';
import { cachedTenantDirectory, type TenantDirectory, type TenantRef } from './tenant-directory.js';

const demo: TenantRef = {
  id: 'c8a4b2f0-1d3e-4f5a-8b6c-7d8e9f0a1b2c',
  slug: 'demo',
  entraTenantId: 'tid-demo',
  status: 'active',
};

/** A directory that counts its lookups and whose answers a test can change. */
function countingDirectory(initial: TenantRef[]) {
  const state = { tenants: initial, calls: 0, fail: false };
  const directory: TenantDirectory = {
    async byEntraTenantId(tid) {
      state.calls += 1;
      if (state.fail) throw new Error('database unavailable');
      return state.tenants.find((tenant) => tenant.entraTenantId === tid);
    },
    async bySlug(slug) {
      state.calls += 1;
      if (state.fail) throw new Error('database unavailable');
      return state.tenants.find((tenant) => tenant.slug === slug);
    },
  };
  return { state, directory };
}

describe('cachedTenantDirectory', () => {
  it('answers repeated lookups from the cache until the entry expires', async () => {
    let now = 0;
    const { state, directory } = countingDirectory([demo]);
    const cached = cachedTenantDirectory(directory, { ttlMs: 1_000, now: () => now });
    expect(await cached.byEntraTenantId('tid-demo')).toEqual(demo);
    expect(await cached.byEntraTenantId('tid-demo')).toEqual(demo);
    expect(state.calls).toBe(1);

    state.tenants = [{ ...demo, status: 'suspended' }];
    now = 1_001;
    expect(await cached.byEntraTenantId('tid-demo')).toMatchObject({ status: 'suspended' });
    expect(state.calls).toBe(2);
  });

  it('remembers a miss for a shorter time than a hit', async () => {
    let now = 0;
    const { state, directory } = countingDirectory([]);
    const cached = cachedTenantDirectory(directory, { ttlMs: 60_000, missTtlMs: 100, now: () => now });
    expect(await cached.bySlug('demo')).toBeUndefined();
    expect(await cached.bySlug('demo')).toBeUndefined();
    expect(state.calls).toBe(1);
    state.tenants = [demo];
    now = 101;
    expect(await cached.bySlug('demo')).toEqual(demo);
  });

  it('shares one lookup between concurrent callers', async () => {
    const { state, directory } = countingDirectory([demo]);
    const cached = cachedTenantDirectory(directory);
    await Promise.all([cached.bySlug('demo'), cached.bySlug('demo'), cached.bySlug('demo')]);
    expect(state.calls).toBe(1);
  });

  it('does not cache failures', async () => {
    const { state, directory } = countingDirectory([demo]);
    const cached = cachedTenantDirectory(directory);
    state.fail = true;
    await expect(cached.bySlug('demo')).rejects.toThrow('database unavailable');
    state.fail = false;
    expect(await cached.bySlug('demo')).toEqual(demo);
  });

  it('holds at most entriesMax entries, evicting the least recently used', async () => {
    const tenants = ['a', 'b', 'c'].map((slug) => ({ ...demo, slug, entraTenantId: `tid-${slug}` }));
    const { state, directory } = countingDirectory(tenants);
    const cached = cachedTenantDirectory(directory, { entriesMax: 2 });
    await cached.bySlug('a');
    await cached.bySlug('b');
    await cached.bySlug('a');
    await cached.bySlug('c');
    expect(state.calls).toBe(3);
    await cached.bySlug('a');
    expect(state.calls).toBe(3);
    await cached.bySlug('b');
    expect(state.calls).toBe(4);
  });

  it('forgets everything on clear, and hands out copies no caller can change', async () => {
    const { state, directory } = countingDirectory([demo]);
    const cached = cachedTenantDirectory(directory);
    const first = await cached.bySlug('demo');
    expect(Object.isFrozen(first)).toBe(true);
    cached.clear();
    await cached.bySlug('demo');
    expect(state.calls).toBe(2);
  });
});
