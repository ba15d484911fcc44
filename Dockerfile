# syntax=docker/dockerfile:1
# CMCoord HNS: one image for the API (default), the worker and the CLI.
#   docker build -t cmcoord-hns .
#   docker run cmcoord-hns                                     # API on port 3000
#   docker run cmcoord-hns node --max-old-space-size=192 dist/apps/worker/src/main.js   # worker (health/metrics on 3001)
#   docker run cmcoord-hns node dist/apps/cli/src/main.js migrate
# The image runs with NODE_ENV=production: set DATABASE_URL, REDIS_URL, APP_URL, SMTP_URL and
# JWT_SECRET (see config/.env.example). docker-compose.yml runs a complete local installation.
#
# Stages: base (Node + npm + a compiler for native modules) → deps (every dependency) → build
# (tsc → dist/) and, apart, prod-deps (`npm ci --omit=dev`); the runtime image gets only dist/,
# config/ and the production node_modules, and runs as the unprivileged user `node`.

ARG NODE_IMAGE=node:20-bookworm-slim

# The npm major the project uses, so `npm ci` reads package-lock.json as it was written.
# python3, make and g++ build argon2 from source when its prebuilt binary does not load on this
# platform (its install script tries the prebuilt one first); they never reach the runtime image.
FROM ${NODE_IMAGE} AS base
ARG NPM_VERSION=11
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/* \
  && npm install --global --no-audit --no-fund "npm@${NPM_VERSION}"
WORKDIR /app

# Every dependency, dev included, to compile.
FROM base AS deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

# dist/ holds everything the processes load: compiled apps and libraries (migrations included)
# and the web pages' own assets (copied by `npm run build`); leaflet and htmx come from
# node_modules, the review policy from config/.
FROM deps AS build
COPY . .
RUN npm run build

# Production dependencies only.
FROM base AS prod-deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund \
  && node -e "require('argon2')"

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
  PORT=3000 \
  WORKER_HTTP_PORT=3001
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
COPY config ./config
# var/ holds what a process writes at run time (development mail sink, generated dev secret);
# everything else stays owned by root and read-only to the process.
RUN mkdir -p var && chown node:node var
USER node
# 3000: the API; 3001: the worker's health and metrics (WORKER_HTTP_PORT).
EXPOSE 3000 3001
# Liveness of whichever process this container runs: the API's port, else the worker's.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const ports=[process.env.PORT||3000,process.env.WORKER_HTTP_PORT||3001];Promise.any(ports.map(p=>fetch('http://127.0.0.1:'+p+'/health/live',{signal:AbortSignal.timeout(4000)}).then(r=>{if(!r.ok)throw new Error(String(r.status))}))).then(()=>process.exit(0),()=>process.exit(1))"]
CMD ["node", "--max-old-space-size=256", "dist/apps/api/src/main.js"]
