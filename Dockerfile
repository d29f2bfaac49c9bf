# syntax=docker/dockerfile:1
# github-tracker: one image for every replica. Build: docker build --build-arg GIT_COMMIT=$(git rev-parse HEAD) .
ARG BUN_VERSION=1.4

FROM oven/bun:${BUN_VERSION}-slim AS deps
WORKDIR /app
COPY package.json bun.lock ./
RUN bun install --frozen-lockfile --production

FROM oven/bun:${BUN_VERSION}-slim AS runtime
ARG GIT_COMMIT=""
ENV NODE_ENV=production \
    GIT_COMMIT=${GIT_COMMIT} \
    PORT=8080 \
    HOST=0.0.0.0 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json bun.lock tsconfig.json ./
COPY src ./src
COPY drizzle ./drizzle
# The embedded database (used when DATABASE_URL is unset) lives on a volume; the bun user owns it.
RUN mkdir -p /data && chown -R bun:bun /data
USER bun
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["bun", "-e", "const r = await fetch('http://127.0.0.1:' + (process.env.PORT ?? 8080) + '/health/ready'); process.exit(r.ok ? 0 : 1)"]
# SIGTERM lets the service release its repository leases so another replica takes over at once.
STOPSIGNAL SIGTERM
CMD ["bun", "run", "src/main.ts"]
