import { fileTypeFromBuffer } from 'file-type';

/**
 * What a document's bytes are, decided by the bytes alone (magic numbers, and for office files the
 * parts inside the zip), never by the file name or the Content-Type a client declares. Only types
 * that browsers do not execute or render as active content are accepted; markup (HTML, SVG, XML)
 * is refused even though it is text, because a browser that sniffs it would run its scripts.
 */

export const ALLOWED_CONTENT_TYPES: ReadonlySet<string> = new Set([
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/tiff',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
]);

export const TEXT_PLAIN = 'text/plain; charset=utf-8';
export const TEXT_CSV = 'text/csv; charset=utf-8';

/** Types never stored, whatever says so: they would run in a browser that opened them inline. */
const ACTIVE_CONTENT =
  /^(text\/html|application\/xhtml\+xml|image\/svg\+xml|application\/xml|text\/xml|text\/javascript|application\/javascript)\b/i;

// Browsers sniff HTML from these within the first bytes; a text file that starts with markup is
// refused as markup.
const MARKUP = /<\s*(!doctype|html|head|body|script|svg|iframe|object|embed|\?xml|!--|meta|style|img|a\s)/i;
const MARKUP_SNIFF_BYTES = 1024;

export type Detection = { accepted: true; contentType: string } | { accepted: false; reason: string };

export async function detectContentType(bytes: Uint8Array, fileName: string): Promise<Detection> {
  if (bytes.length === 0) return { accepted: false, reason: 'The file is empty.' };
  const detected = await fileTypeFromBuffer(bytes);
  if (detected) {
    if (ALLOWED_CONTENT_TYPES.has(detected.mime)) return { accepted: true, contentType: detected.mime };
    return {
      accepted: false,
      reason: `Files of type ${detected.mime} (.${detected.ext}) are not accepted; send PDF, images, office documents, plain text or CSV.`,
    };
  }
  return detectText(bytes, fileName);
}

function detectText(bytes: Uint8Array, fileName: string): Detection {
  if (bytes.includes(0))
    return { accepted: false, reason: 'The file is neither a known document type nor text.' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { accepted: false, reason: 'The file is neither a known document type nor UTF-8 text.' };
  }
  const head = text
    .slice(0, MARKUP_SNIFF_BYTES)
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (head.startsWith('<') || MARKUP.test(head)) {
    return {
      accepted: false,
      reason: 'HTML, SVG and XML files are not accepted: a browser could run scripts in them.',
    };
  }
  // The subtype only tells a spreadsheet how to open plain text; both are inert.
  return { accepted: true, contentType: /\.csv$/i.test(fileName) ? TEXT_CSV : TEXT_PLAIN };
}

/** Whether trusted system code may store a document of this declared type. */
export function isStorableContentType(contentType: string): boolean {
  return (
    /^[a-z]+\/[a-z0-9.+-]+(\s*;\s*[a-z-]+=[a-z0-9-]+)*$/i.test(contentType) &&
    !ACTIVE_CONTENT.test(contentType)
  );
}

const FILE_NAME_LENGTH_MAX = 200;
// Controls (C0, DEL, C1) and the bidirectional marks and overrides that make `evil‮fdp.exe` read as
// `evil.exe.pdf`.
const isUnsafe = (c: string): boolean => {
  const code = c.codePointAt(0) ?? 0;
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
};

/**
 * The display name kept for a file: path separators become `_`, control and direction characters
 * go, leading dots and spaces go (no hidden or relative names), and at most 200 characters remain,
 * keeping the extension. It is only ever shown and offered as the download name; blobs are named by
 * the document id.
 */
export function sanitizeFileName(name: string): string {
  let cleaned = name
    .normalize('NFC')
    .replace(/[\s\S]/gu, (c) => (isUnsafe(c) ? '' : c))
    .replace(/[\\/]/g, '_')
    .replace(/^[.\s]+/, '')
    .trim();
  if ([...cleaned].length > FILE_NAME_LENGTH_MAX) {
    const chars = [...cleaned];
    const dot = cleaned.lastIndexOf('.');
    const extension = dot > 0 && cleaned.length - dot <= 11 ? [...cleaned.slice(dot)] : [];
    cleaned = [...chars.slice(0, FILE_NAME_LENGTH_MAX - extension.length), ...extension].join('').trim();
  }
  return cleaned.length > 0 ? cleaned : 'document';
}
