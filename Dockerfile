# syntax=docker/dockerfile:1
# CMCoord HNS: one image for the API (default), the worker and the CLI.
#   docker build -t cmcoord-hns .
#   docker run cmcoord-hns                                     # API on port 3000
#   docker run cmcoord-hns node dist/apps/worker/src/main.js   # worker
#   docker run cmcoord-hns node dist/apps/cli/src/main.js migrate
# The image runs with NODE_ENV=production: set DATABASE_URL, REDIS_URL, APP_URL, SMTP_URL and
# JWT_SECRET (see config/.env.example). docker-compose.yml runs a complete local installation.

ARG NODE_IMAGE=node:20-bookworm-slim

# The npm major the project uses, so `npm ci` reads package-lock.json as it was written.
FROM ${NODE_IMAGE} AS base
ARG NPM_VERSION=11
RUN npm install --global --no-audit --no-fund "npm@${NPM_VERSION}"
WORKDIR /app

# Every dependency, dev included, to compile.
FROM base AS deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
RUN npm run build

# Production dependencies only; argon2 loads from its prebuilt binaries, nothing is compiled.
FROM base AS prod-deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
COPY config ./config
# var/ holds what a process writes at run time (development mail sink, generated dev secret).
RUN mkdir -p var && chown node:node var
USER node
EXPOSE 3000
CMD ["node", "dist/apps/api/src/main.js"]
