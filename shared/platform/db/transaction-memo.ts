/**
 * Values read once per transaction: the tenant's books, say, which a single request reads from
 * several modules. A memo lives as long as its transaction object; code that changes what a memo
 * holds forgets it in the same transaction.
 */
const memos = new WeakMap<object, Map<string, Promise<unknown>>>();

export function memoInTransaction<T>(
  trx: { readonly isTransaction: boolean },
  key: string,
  load: () => Promise<T>,
): Promise<T> {
  // A connection pool is shared by every tenant: only a transaction is one unit of work.
  if (!trx.isTransaction) return load();
  let memo = memos.get(trx);
  if (!memo) memos.set(trx, (memo = new Map()));
  const known = memo.get(key);
  if (known) return known as Promise<T>;
  const loading = load();
  memo.set(key, loading);
  // A failed read is not remembered (the transaction is usually over anyway).
  loading.catch(() => memo.delete(key));
  return loading;
}

export function forgetInTransaction(trx: object, key: string): void {
  memos.get(trx)?.delete(key);
}

/** The memo key of the tenant's books (base currency, time zone, fiscal year). */
export const TENANT_BOOKS = 'tenant-books';
