/**
 * Writes the Teams app package's two icons as PNGs, with nothing but Node's zlib: `color.png`
 * (192×192, the Tessera tile on the brand colour) and `outline.png` (32×32, white on transparent,
 * as Teams requires). Run `node teams/make-icons.mjs` after changing the drawing.
 */
import { Buffer } from 'node:buffer';
import { writeFileSync } from 'node:fs';
import { URL } from 'node:url';
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** An RGBA PNG of `size`×`size` whose pixel colours come from `paint(x, y)`. */
function png(size, paint) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const rows = [];
  for (let y = 0; y < size; y++) {
    rows.push(0); // no filter
    for (let x = 0; x < size; x++) rows.push(...paint(x, y));
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A 2×2 mosaic of tiles (tessera) with a gap, in a square of side `size`. */
function inTile(x, y, size) {
  const margin = size * 0.2;
  const gap = Math.max(1, size * 0.06);
  const inner = size - 2 * margin;
  const half = (inner - gap) / 2;
  const u = x - margin;
  const v = y - margin;
  if (u < 0 || v < 0 || u >= inner || v >= inner) return false;
  const inU = u < half || u >= half + gap;
  const inV = v < half || v >= half + gap;
  return inU && inV;
}

const here = new URL('./appPackage/', import.meta.url);
writeFileSync(
  new URL('color.png', here),
  png(192, (x, y) => (inTile(x, y, 192) ? [255, 255, 255, 255] : [0x1f, 0x4e, 0x79, 255])),
);
writeFileSync(
  new URL('outline.png', here),
  png(32, (x, y) => (inTile(x, y, 32) ? [255, 255, 255, 255] : [0, 0, 0, 0])),
);
