# The portal's production image: gunicorn behind a TLS-terminating proxy, whitenoise for
# static files; the same image runs the Celery worker and beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# WeasyPrint needs Pango; libharfbuzz-subset0 makes PDF font subsetting ~5x faster.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-dejavu-core curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
# Collected as production serves them (DEBUG off): the manifest storage hashes each file's
# name and writes staticfiles.json, without which every page fails. The key is a
# placeholder for this one command; the real one comes from the environment at run time.
RUN DEBUG=false SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
 && useradd --system --home /app portal && mkdir -p /data/media && chown portal /data/media
USER portal
EXPOSE 8000
CMD ["gunicorn", "attendance_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
