/** Documents: files attached to any record, kept in Blob storage, checked by their bytes. */
import './tables.js';

export {
  DOCUMENTS_CONTAINER,
  UPLOADS_CONTAINER,
  storeDocument,
  documentReadUrl,
  readDocumentBytes,
  uploadDocument,
  createUploadSession,
  completeUpload,
  getDocument,
  listDocuments,
  downloadUrl,
  deleteDocument,
  expireStaleUploads,
} from './service.js';
export type { DocumentActor, StoreDocumentInput, UploadInput } from './service.js';
export type { Document } from './repository.js';
export { registerRecordType, recordTypes } from './records.js';
export { ALLOWED_CONTENT_TYPES, detectContentType, sanitizeFileName } from './content.js';
export { documentErrors } from './errors.js';
export * from './schemas.js';
export type { DocumentStatus } from './tables.js';
