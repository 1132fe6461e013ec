# Klustera's image: the app (gunicorn), the workers and the `klustera` command, one image.
#   docker build -t klustera .
# compose.yaml runs the whole topology from it (README › Production › Docker).

# --- build: the virtualenv and the static files ----------------------------------------
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml requirements.lock README.md ./
COPY klustera ./klustera
RUN python -m venv /opt/klustera \
 && /opt/klustera/bin/pip install -c requirements.lock .
# Collected with production's storage (hashed names and a manifest); throwaway keys, build only.
RUN KLUSTERA_ENV=production KLUSTERA_VAR_DIR=/build/var STATIC_ROOT=/opt/klustera-static \
    SECRET_KEY=build-only-not-a-secret-0123456789-0123456789-0123456789 \
    ENCRYPTION_KEYS=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    /opt/klustera/bin/klustera collectstatic --no-input -v 0

# --- run: slim, with WeasyPrint's libraries and fonts, as a user of its own ------------
FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
      postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/klustera --create-home klustera
COPY --from=build /opt/klustera /opt/klustera
COPY --from=build /opt/klustera-static /opt/klustera-static
ENV PATH=/opt/klustera/bin:$PATH \
    KLUSTERA_ENV=production \
    KLUSTERA_VAR_DIR=/var/lib/klustera \
    STATIC_ROOT=/opt/klustera-static \
    PYTHONUNBUFFERED=1 \
    PORT=8000
USER klustera
WORKDIR /var/lib/klustera
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/readyz', timeout=2)"
CMD ["sh", "-c", "exec gunicorn klustera.wsgi -k gthread -w 2 --threads 4 -b 127.0.0.1:${PORT} --max-requests 5000 --max-requests-jitter 500 --timeout 30 --graceful-timeout 20 --config python:klustera.observability.gunicorn"]
