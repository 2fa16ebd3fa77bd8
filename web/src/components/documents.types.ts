/** The documents API's answers, as `shared/modules/documents/schemas.ts` defines them. */

export type DocumentStatus = 'pending' | 'available' | 'rejected' | 'deleted';

/** A file attached to a record. Lists hold available documents only. */
export interface StoredDocument {
  id: string;
  recordType: string;
  recordId: string;
  /** The name shown and offered for the download, cleaned by the server. */
  fileName: string;
  /** Detected from the bytes by the server, never taken from the file name. */
  contentType: string | null;
  sizeBytes: number | null;
  sha256: string | null;
  status: DocumentStatus;
  rejection: string | null;
  /** A person, or system code (`system:invoicing` files the tax invoice of an issued invoice). */
  uploadedBy: { objectId: string; name: string };
  createdAt: string;
  availableAt: string | null;
  deletedAt: string | null;
  deletedBy: string | null;
  version: number;
}

/** `GET /documents/{id}/download`: a short-lived URL that serves the file as an attachment. */
export interface DocumentUrl {
  url: string;
  expiresAt: string;
}
