# One image for all five services; SERVICE chooses which app the container runs.
# The dashboard's front-end packages (Designsystemet's CSS) come from npm at build time, never at run time.
FROM node:20-slim AS frontend
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts

FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY shared ./shared
COPY services ./services
RUN pip install . && useradd --system --uid 10001 imdi
COPY --from=frontend /build/node_modules /app/node_modules
ENV IMDI_NODE_MODULES=/app/node_modules
USER imdi
ENV IMDI_ENVIRONMENT=production
EXPOSE 8000
# Migrations run in the app's lifespan before it accepts requests (IMDI_RUN_MIGRATIONS=true).
CMD ["sh", "-c", "exec uvicorn --factory ${SERVICE}.main:app --host 0.0.0.0 --port 8000 --no-access-log"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health/ready', timeout=2).status == 200 else 1)"
