# One image for every vocflow service; docker-compose.yml picks the service with
# `node packages/cli/bin/vocflow.js start --only <service>`.
FROM node:24-slim

ENV NODE_ENV=production \
    KAFKAJS_NO_PARTITIONER_WARNING=1
WORKDIR /app

# Manifests first, so dependency installation is cached while only sources change.
COPY package.json package-lock.json .npmrc ./
COPY packages/analysis/package.json packages/analysis/
COPY packages/cli/package.json packages/cli/
COPY packages/clients/package.json packages/clients/
COPY packages/config/package.json packages/config/
COPY packages/contracts/package.json packages/contracts/
COPY packages/http/package.json packages/http/
COPY packages/kafka/package.json packages/kafka/
COPY packages/observability/package.json packages/observability/
COPY packages/rollups/package.json packages/rollups/
COPY packages/sources/package.json packages/sources/
COPY packages/stack/package.json packages/stack/
COPY packages/steps/package.json packages/steps/
COPY packages/testing/package.json packages/testing/
COPY services/aggregation/package.json services/aggregation/
COPY services/api/package.json services/api/
COPY services/enrichment/package.json services/enrichment/
COPY services/ingest/package.json services/ingest/
# Node runs the TypeScript sources directly (type stripping), so there is no build step. The root's
# devDependencies (typescript, vitest, the `node` package) are not needed at run time.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

COPY packages packages
COPY services services
COPY infra infra
# The install skipped scripts: apply the kafkajs patches of the root `postinstall` here.
RUN node packages/kafka/patches/kafkajs.mjs

USER node
ENTRYPOINT []
CMD ["node", "packages/cli/bin/vocflow.js", "--help"]
