import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
};

/** Serves a built single-page app: files under `root`, anything else falls back to index.html. */
export function staticFiles(root: string) {
  const base = resolve(root);
  return async (pathname: string, res: ServerResponse): Promise<void> => {
    const candidate = resolve(join(base, normalize(decodeURIComponent(pathname))));
    const inside = candidate === base || candidate.startsWith(base + sep);
    const file = inside && (await isFile(candidate)) ? candidate : join(base, 'index.html');
    if (!(await isFile(file))) {
      res.writeHead(404).end();
      return;
    }
    const immutable = file.includes(`${sep}assets${sep}`);
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    createReadStream(file).pipe(res);
  };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
