# syntax=docker/dockerfile:1
# Build: docker build --build-arg CHECKLISTS_COMMIT="$(git log -1 --format=%H -- checklists)" -t preflight .
# (the image has no .git: the argument is how a post-mortem names the checklists' commit).

# Stage 1: install everything and compile TypeScript to dist/.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Stage 2: production dependencies only (no tsx, esbuild, TypeScript or test tools).
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# Stage 3: the compiled bot on a slim Node 24 runtime, as the unprivileged node user.
FROM node:24-bookworm-slim
ARG CHECKLISTS_COMMIT=""
# Node's warnings reach the JSON log through main.ts, not as plain text as well.
# MALLOC_ARENA_MAX=2: glibc keeps two malloc arenas instead of one per thread (~15 MiB less RSS).
ENV NODE_ENV=production PORT=3000 NODE_NO_WARNINGS=1 MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY checklists ./checklists
# The checklists' commit, read by the loader where git is missing (src/checklists/load-checklists.ts).
RUN if [ -n "$CHECKLISTS_COMMIT" ]; then echo "$CHECKLISTS_COMMIT" > checklists/.commit; fi
USER node
EXPOSE 3000
# Docker's own check is liveness (/healthz); orchestrators route traffic on /readyz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + process.env.PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# Node receives SIGTERM itself (no npm in between) and shuts down within SHUTDOWN_DEADLINE_MS.
# The heap flags are `npm run start:dist`'s: a small old space and young generation keep the
# resident size small and steady (see the README on memory).
CMD ["node", "--max-old-space-size=128", "--max-semi-space-size=4", "dist/main.js"]
