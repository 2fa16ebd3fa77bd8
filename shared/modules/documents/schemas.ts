import { z } from 'zod';
import { pageQuery } from '../../platform/http/pagination.js';

const recordType = z.string().min(1).max(50);
const fileName = z.string().min(1).max(1000);

export const documentSchema = z.object({
  id: z.uuid(),
  recordType: z.string(),
  recordId: z.uuid(),
  fileName: z.string(),
  contentType: z.string().nullable(),
  sizeBytes: z.number().int().nullable(),
  sha256: z.string().nullable(),
  status: z.enum(['pending', 'available', 'rejected', 'deleted']),
  rejection: z.string().nullable(),
  uploadedBy: z.object({ objectId: z.string(), name: z.string() }),
  createdAt: z.string(),
  availableAt: z.string().nullable(),
  deletedAt: z.string().nullable(),
  deletedBy: z.string().nullable(),
  version: z.number().int(),
});

/** `POST /documents` with the file's bytes as the body: what it attaches to, as query parameters. */
export const binaryUploadQuerySchema = z.object({
  recordType,
  recordId: z.uuid(),
  fileName,
});

/** `POST /documents` as JSON: a small file inline, base64-encoded (within the JSON body limit). */
export const inlineUploadSchema = z.strictObject({
  recordType,
  recordId: z.uuid(),
  fileName,
  contentBase64: z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'Expected base64'),
});

export const uploadSessionSchema = z.strictObject({
  recordType,
  recordId: z.uuid(),
  fileName,
  /** The exact size of the file in bytes; the upload is refused on completion if it differs. */
  size: z.number().int().min(1),
});

export const uploadSessionResponseSchema = z.object({
  id: z.uuid(),
  uploadUrl: z.string(),
  method: z.literal('PUT'),
  headers: z.object({ 'x-ms-blob-type': z.literal('BlockBlob') }),
  expiresAt: z.string(),
  document: documentSchema,
});

export const documentListQuerySchema = z.object({
  recordType,
  recordId: z.uuid(),
  ...pageQuery,
});

export const documentUrlSchema = z.object({ url: z.string(), expiresAt: z.string() });

export type InlineUpload = z.infer<typeof inlineUploadSchema>;
export type UploadSessionRequest = z.infer<typeof uploadSessionSchema>;
export type DocumentListQuery = z.infer<typeof documentListQuerySchema>;
export const idParamsSchema = z.strictObject({ id: z.uuid() });
