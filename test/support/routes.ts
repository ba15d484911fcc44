import type { FastifyInstance, HTTPMethods } from 'fastify';
import FindMyWay from 'find-my-way';

export interface RouteKey {
  method: string;
  /** The path pattern as registered, e.g. /movements/:id. */
  path: string;
}

/** The constraint under which find-my-way's merged tree keeps each route's HTTP method. */
const METHOD_CONSTRAINT = '__fmw_internal_strategy_merged_tree_http_method__';

interface RouterRoute {
  path: string;
  opts: { constraints?: Record<string, unknown> };
}

/**
 * Every route of a ready Fastify instance, read from its router: the Nest controllers, the web
 * pages and whatever plugins registered outside Nest (Swagger UI, dashboards...).
 *
 * Fastify keeps its router (find-my-way) private and only prints it, and the printed tree is
 * not enough: it drops the static segments above a wildcard (`/admin/queues/static/*` prints as
 * a `*` under `/admin/queues/`). So this asks for the print and, while find-my-way builds it,
 * takes the router's own list of routes (method and path exactly as registered) — the list it
 * rebuilds the printed tree from. Each (method, path) is then confirmed with `hasRoute`, and
 * the count is checked against the printed tree, so a change in find-my-way fails loudly
 * instead of silently dropping a route.
 *
 * HEAD routes that Fastify adds for every GET (exposeHeadRoutes) are left out: they run the
 * same handler and guards as their GET.
 */
export function listRoutes(fastify: FastifyInstance): RouteKey[] {
  const proto = FindMyWay.prototype as unknown as { _rebuild(routes: RouterRoute[]): void };
  const rebuild = proto._rebuild;
  let routes: RouterRoute[] | undefined;
  proto._rebuild = function (this: unknown, list: RouterRoute[]) {
    routes ??= list;
    return rebuild.call(this, list);
  };
  let tree: string;
  try {
    tree = fastify.printRoutes({ commonPrefix: false });
  } finally {
    proto._rebuild = rebuild;
  }
  if (!routes) throw new Error('find-my-way no longer rebuilds its routes to print them');

  const byPath = new Map<string, Set<string>>();
  for (const route of routes) {
    const method = route.opts.constraints?.[METHOD_CONSTRAINT];
    if (typeof method !== 'string') throw new Error(`no method for route ${route.path}`);
    if (!byPath.has(route.path)) byPath.set(route.path, new Set());
    byPath.get(route.path)?.add(method);
  }
  const found = new Map<string, RouteKey>();
  for (const [path, methods] of byPath) {
    for (const method of methods) {
      if (method === 'HEAD' && methods.has('GET')) continue;
      if (!fastify.hasRoute({ method: method as HTTPMethods, url: path })) {
        throw new Error(`router route ${method} ${path}: hasRoute does not know it`);
      }
      found.set(`${method} ${path}`, { method, path });
    }
  }
  // Every method printed in the tree is one of the routes read (HEADs of GETs aside).
  const printed = [...tree.matchAll(/\(([A-Z, ]+)\)$/gm)]
    .map((m) => m[1].split(',').map((s) => s.trim()))
    .reduce((n, list) => n + list.filter((m) => !(m === 'HEAD' && list.includes('GET'))).length, 0);
  if (printed !== found.size) {
    throw new Error(`the router prints ${printed} routes but lists ${found.size}`);
  }
  return [...found.values()].sort((a, b) =>
    a.path === b.path ? a.method.localeCompare(b.method) : a.path.localeCompare(b.path),
  );
}
