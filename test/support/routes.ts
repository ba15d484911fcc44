import type { FastifyInstance, HTTPMethods } from 'fastify';

export interface RouteKey {
  method: string;
  /** The path pattern as registered, e.g. /movements/:id. */
  path: string;
}

const LINE = /^([│ ]*(?:[├└]── )?)(.*?)(?: \(([A-Z, ]+)\))?$/;

/**
 * Every route of a ready Fastify instance, read from its router: the Nest controllers, the web
 * pages and whatever plugins registered outside Nest (Swagger UI, dashboards...). Fastify keeps
 * its router private, so this reads `printRoutes({ commonPrefix: false })` — one tree line per
 * path segment — rebuilds each full path, and confirms every (method, path) with `hasRoute`, so
 * a misread line fails loudly instead of silently dropping a route.
 *
 * HEAD routes that Fastify adds for every GET (exposeHeadRoutes) are left out: they run the
 * same handler and guards as their GET.
 */
export function listRoutes(fastify: FastifyInstance): RouteKey[] {
  const tree = fastify.printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const found = new Map<string, RouteKey>();
  for (const line of tree.split('\n')) {
    if (!line.trim()) continue;
    const match = LINE.exec(line);
    if (!match) throw new Error(`unreadable router line: ${JSON.stringify(line)}`);
    const [, indent, segment, methods] = match;
    const depth = Math.round([...indent].length / 4);
    const path = (depth > 0 ? (stack[depth - 1] ?? '') : '') + segment;
    stack[depth] = path;
    stack.length = depth + 1;
    if (!methods) continue;
    const list = methods.split(',').map((m) => m.trim());
    for (const method of list) {
      if (method === 'HEAD' && list.includes('GET')) continue;
      const confirmed = candidates(path).find((p) =>
        fastify.hasRoute({ method: method as HTTPMethods, url: p }),
      );
      if (!confirmed) {
        throw new Error(
          `router line ${JSON.stringify(line)} read as ${method} ${path}: no such route`,
        );
      }
      found.set(`${method} ${confirmed}`, { method, path: confirmed });
    }
  }
  return [...found.values()].sort((a, b) =>
    a.path === b.path ? a.method.localeCompare(b.method) : a.path.localeCompare(b.path),
  );
}

/** The tree drops the slash before a wildcard child (`/admin/queues` + `*`). */
function candidates(path: string): string[] {
  const out = [path];
  if (path.endsWith('*') && !path.endsWith('/*')) out.push(`${path.slice(0, -1)}/*`);
  return out;
}
