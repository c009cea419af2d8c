import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

/** k6 writes `--out json=FILE.gz` gzipped; the two magic bytes tell, whatever the file is called. */
function isGzip(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** A file's lines, streamed (an `--out json` file of a long run does not fit in memory). */
export function readLines(file: string): AsyncIterable<string> {
  const raw = createReadStream(file);
  const input = isGzip(file) ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (err) => input.destroy(err));
  return createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
}
