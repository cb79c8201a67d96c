# syntax=docker/dockerfile:1
# tollgate's image: `docker build -t tollgate .`, then `docker run -p 8080:8080 -v tollgate-data:/data tollgate`
# (or `docker compose up`, see compose.yaml). Two stages: the first installs everything and builds the
# server (tsc → dist/src) and the dashboard (Vite → dist/web), then drops the devDependencies; the second
# carries only what the server runs: dist/, the production node_modules, the seed price catalog, package.json.
# test/e2e/package.test.ts checks this file's stages, user, paths and healthcheck without Docker.

FROM node:22-slim AS build
WORKDIR /app
# better-sqlite3 installs a prebuilt binary for linux-x64/arm64 glibc (downloaded from its GitHub releases);
# only where none fits (another architecture, no access to github.com) does it compile, which needs
# python3, make and g++: build with `--build-arg NATIVE_BUILD_TOOLS=1` then.
ARG NATIVE_BUILD_TOOLS=0
RUN if [ "$NATIVE_BUILD_TOOLS" = "1" ]; then \
      apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*; \
    fi
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY web ./web
RUN npm run build
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:22-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/data \
    DATABASE_URL=sqlite:/data/tollgate.db
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/web ./dist/web
COPY data/catalog/*.json ./data/catalog/
# The files above stay root's (read-only to the server); the SQLite file and its -wal live in /data.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# slim has no curl: Node's own fetch asks /health (200 while the process serves).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM (docker stop) reaches node itself: it drains in-flight calls for DRAIN_TIMEOUT_MS, then exits.
CMD ["node", "dist/src/main.js"]
