import { AppError } from '../../platform/errors.js';

/** Failures of the documents module, each with its stable code. */
export const documentErrors = {
  notFound: () => new AppError('not_found', 'documents.not_found', 'The document does not exist.'),
  recordNotFound: (recordType: string, path = 'recordId') =>
    new AppError(
      'not_found',
      'documents.record_not_found',
      `The ${recordType.replace(/_/g, ' ')} does not exist.`,
      {
        errors: [{ path, message: 'Not found' }],
      },
    ),
  unknownRecordType: (known: readonly string[], path = 'recordType') =>
    new AppError(
      'validation',
      'documents.unknown_record_type',
      `Documents attach to one of: ${known.join(', ')}.`,
      { errors: [{ path, message: 'Unknown record type' }] },
    ),
  roleRequired: (roles: readonly string[], action: 'read' | 'change') =>
    new AppError(
      'forbidden',
      'documents.role_required',
      `To ${action} documents of this record you need one of the roles: ${roles.join(', ')}.`,
    ),
  tooLarge: (limitBytes: number, path: string) =>
    new AppError(
      'payload_too_large',
      'documents.too_large',
      `A document may have at most ${limitBytes} bytes.`,
      {
        errors: [{ path, message: `Larger than ${limitBytes} bytes` }],
      },
    ),
  empty: () =>
    new AppError('validation', 'documents.empty', 'The file is empty.', {
      errors: [{ path: 'file', message: 'Empty file' }],
    }),
  typeRefused: (reason: string) =>
    new AppError('unsupported_media_type', 'documents.type_refused', reason, {
      errors: [{ path: 'file', message: reason }],
    }),
  uploadRefused: (reason: string) =>
    new AppError('business_rule', 'documents.upload_refused', reason, {
      errors: [{ path: 'file', message: reason }],
    }),
  notUploaded: () =>
    new AppError(
      'business_rule',
      'documents.not_uploaded',
      'Nothing was uploaded to the upload URL yet; PUT the file there, then complete.',
      { errors: [{ path: 'file', message: 'Not uploaded' }] },
    ),
  notAvailable: (status: string) =>
    new AppError('conflict', 'documents.not_available', `The document is ${status}, not available.`),
  notPending: (status: string) =>
    new AppError(
      'conflict',
      'documents.not_pending',
      `The document is ${status}; only a pending upload can be completed.`,
    ),
  keyReused: () =>
    new AppError(
      'business_rule',
      'platform.idempotency_key_reused',
      'This Idempotency-Key was already used for a different request; use a new key for a new request.',
      { errors: [{ path: 'header.Idempotency-Key', message: 'Key reused with a different request' }] },
    ),
};
