# One image for every SentinelIQ role: the command picks it (coordinator, node, keys, ...).
FROM node:24-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY . .
ENTRYPOINT ["node", "bin/sentineliq.ts"]
