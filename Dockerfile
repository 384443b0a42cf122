# Alliance Monitor: one image for the web process (gunicorn), the Celery worker and Celery beat.
#   docker build -t alliance-monitor .        (or: docker-compose build)
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=alliance_monitor.settings \
    DEBUG=false \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/data/media

# The libraries WeasyPrint loads at run time, and fonts for the PDF reports.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        fonts-liberation2 \
        fonts-symbola \
    && rm -rf /var/lib/apt/lists/*

# An unprivileged user; it owns only the reports directory, not the code.
RUN groupadd --system --gid 1000 app \
    && useradd --system --uid 1000 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app \
    && mkdir -p /data/media \
    && chown app:app /data/media

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so that a code change does not reinstall them.
# (No app package is here yet, so `pip install .` installs the dependencies only; the code runs from /app.
# An empty README.md stands in for the one pyproject.toml names, so that setuptools does not warn and a
# change to the README does not reinstall the dependencies; COPY . . brings the real one.)
COPY pyproject.toml ./
RUN touch README.md && pip install .

COPY . .

# Static files are collected into the image (WhiteNoise serves them, with the manifest that DEBUG=false
# needs). The settings refuse to load without SECRET_KEY when DEBUG is off: this throwaway value exists
# for this one command only and is not kept in the image's environment.
ARG COLLECTSTATIC_SECRET_KEY=collectstatic-only-not-a-real-secret
RUN chmod 0755 docker/entrypoint.sh \
    && SECRET_KEY="$COLLECTSTATIC_SECRET_KEY" python manage.py collectstatic --noinput

# Generated PDF reports go to MEDIA_ROOT=/data/media: mount a volume there (docker-compose.yml does).
# A new named volume starts out owned by `app`, copied from this directory.
USER app

EXPOSE 8000

# Meaningful for the web process; docker-compose.yml sets the worker's and beat's own checks.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["/app/docker/entrypoint.sh", "healthcheck"]

ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
