# syntax=docker/dockerfile:1

# ---- build: all dependencies, compile TypeScript to dist/ ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies and the compiled app only ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY views ./views
COPY public ./public
# Only the embedded PostgreSQL (demo mode, no DATABASE_URL) writes here.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 3000
# The same heap limit as `npm start` (see README, "Memory").
CMD ["node", "--max-old-space-size=192", "dist/src/main.js"]
