# syntax=docker/dockerfile:1
#
# One Dockerfile for every service; `docker compose build` and CI pick a target:
#
#   docker build --target service --build-arg SERVICE=sequencer -t lfsync/sequencer .
#   docker build --target service --build-arg SERVICE=persister -t lfsync/persister .
#   docker build --target gateway --build-arg SERVICE=gateway   -t lfsync/gateway .
#
# The services run their TypeScript directly with tsx (`node --import tsx src/main.ts`), the same
# code path as `npm start`; there is no compile step to drift from what the tests ran. tsx is a root
# devDependency, so the runtime install omits dev dependencies and then adds tsx alone, at the exact
# version package-lock.json pins (esbuild comes with it, ~10 MB). The gateway image also carries the
# built web app (clients/web/dist), served on `/` through STATIC_DIR.

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS base
WORKDIR /app

# Package manifests only: the npm layers below stay cached while only sources change
# (BuildKit keys `COPY --from` on content, so an unchanged set of manifests is a cache hit).
FROM base AS manifests
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json -delete \
 && find . -mindepth 1 -type d -empty -delete

# Production dependencies of one service (and of the workspace libraries it links), plus tsx.
FROM base AS prod-deps
ARG SERVICE
RUN test -n "${SERVICE}" || { echo 'build with --build-arg SERVICE=gateway|sequencer|persister' >&2; exit 1; }
COPY --from=manifests /app/ ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --workspace "@lfsync/${SERVICE}" --no-audit --no-fund \
 && TSX_VERSION="$(node -p "require('./package-lock.json').packages['node_modules/tsx'].version")" \
 && npm install --no-save --omit=dev --workspace "@lfsync/${SERVICE}" --no-audit --no-fund "tsx@${TSX_VERSION}" \
 && node --import tsx --eval 'process.exit(0)'

# The web app, built with the full (dev) toolchain of its workspace.
FROM base AS web
COPY --from=manifests /app/ ./
RUN test -f clients/web/package.json || { echo 'clients/web/package.json is missing: the gateway image serves the built web app' >&2; exit 1; }
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --workspace clients/web --include-workspace-root --no-audit --no-fund
COPY . .
RUN npm run build --workspace clients/web && test -f clients/web/dist/index.html

# Runtime for one service. Sources stay owned by root, so the `node` user cannot rewrite them.
FROM base AS service
ARG SERVICE
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json tsconfig.json tsconfig.base.json ./
COPY libs/ libs/
COPY services/${SERVICE}/ services/${SERVICE}/
WORKDIR /app/services/${SERVICE}
USER node
# node is PID 1 and handles SIGTERM itself (stopOnSignals): no npm/npx/tsx-cli wrapper in between,
# which would swallow or delay the signal and the 1001 closes that follow it.
CMD ["node", "--import", "tsx", "src/main.ts"]

FROM service AS gateway
ARG SERVICE
RUN test "${SERVICE}" = gateway || { echo 'the gateway target needs --build-arg SERVICE=gateway' >&2; exit 1; }
COPY --from=web /app/clients/web/dist /app/clients/web/dist
EXPOSE 8080
# V8's young generation at most 32 MiB (semi-spaces of 16 MB), as Node 20 sized it: Node 24 lets it grow to
# 128 MiB, which cost the gateway 7 KiB of RSS per idle session; no CPU cost measured on the fan-out
# (bench/results/2026-11-30-session8-ab.md). Kept in step with serviceNodeFlags in libs/testkit.
CMD ["node", "--max-semi-space-size=16", "--import", "tsx", "src/main.ts"]
