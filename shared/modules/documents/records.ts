import type { Role } from '../../platform/auth/roles.js';
import type { Tx } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';
import { documentErrors } from './errors.js';

/**
 * The kinds of record documents attach to. The documents module knows none of them itself: each is
 * registered (in `functions/documents.ts`) with the owning module's public getter, so that a record
 * is checked by the module that owns it and the documents module never reads another module's
 * tables.
 */
export interface RecordResolver {
  /** The `recordType` clients send: lowercase, words joined by `_` (`sales_order`). */
  type: string;
  /** Who may list and download the record's documents: those who may read the record. */
  readers: readonly Role[];
  /** Who may attach and delete: those who may change the record. */
  writers: readonly Role[];
  /**
   * Whether the record exists in the transaction's tenant. Throws nothing for a missing record:
   * returns false (the owning module's not-found errors are turned into false by `registerRecordType`).
   */
  exists(trx: Tx, id: string, tenantId: string): Promise<boolean>;
}

const RECORD_TYPE = /^[a-z][a-z0-9_]{0,49}$/;
// Documents that system code stored against a type no module registered (a report run, say) are
// visible to the tenant's administrators and auditors only.
const UNREGISTERED: Pick<RecordResolver, 'readers' | 'writers'> = {
  readers: ['Admin', 'Auditor'],
  writers: ['Admin'],
};

const resolvers = new Map<string, RecordResolver>();

/**
 * Registers a record type. `get` is the owning module's getter: it resolves when the record exists
 * in the tenant and throws a not-found AppError when it does not.
 */
export function registerRecordType(options: {
  type: string;
  readers: readonly Role[];
  writers: readonly Role[];
  get: (trx: Tx, id: string, tenantId: string) => Promise<unknown>;
}): void {
  if (!RECORD_TYPE.test(options.type)) throw new RangeError(`"${options.type}" is not a record type name.`);
  resolvers.set(options.type, {
    type: options.type,
    readers: options.readers,
    writers: options.writers,
    exists: async (trx, id, tenantId) => {
      try {
        await options.get(trx, id, tenantId);
        return true;
      } catch (error) {
        if (error instanceof AppError && error.kind === 'not_found') return false;
        throw error;
      }
    },
  });
}

export function recordTypes(): string[] {
  return [...resolvers.keys()].sort();
}

/** The resolver of a type a client names; 400 naming `recordType` for an unknown one. */
export function resolverOf(type: string, path = 'recordType'): RecordResolver {
  const resolver = resolvers.get(type);
  if (!resolver) throw documentErrors.unknownRecordType(recordTypes(), path);
  return resolver;
}

export function isRecordTypeName(type: string): boolean {
  return RECORD_TYPE.test(type);
}

/** Who may read and change documents of a stored record type, registered or not. */
export function accessOf(type: string): Pick<RecordResolver, 'readers' | 'writers'> {
  return resolvers.get(type) ?? UNREGISTERED;
}

export function assertMay(roles: readonly Role[], type: string, action: 'read' | 'change'): void {
  const access = accessOf(type);
  const allowed = action === 'read' ? access.readers : access.writers;
  if (!allowed.some((role) => roles.includes(role))) throw documentErrors.roleRequired(allowed, action);
}
