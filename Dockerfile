# The stylesheet: GOV.UK Frontend compiled from frontend/app.scss, with its
# script and every file the stylesheet names (frontend/build.mjs).
FROM node:22-slim AS frontend
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ frontend/
RUN npm run build

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app

# WeasyPrint (the PDF downloads) needs Pango; the PDF stylesheet asks for
# DejaVu Sans. Debian 12, as on the development machines.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

COPY pyproject.toml ./
RUN pip install --no-cache-dir .

COPY . .
# collectstatic needs the built stylesheet and everything it names.
COPY --from=frontend /build/static/dist/ static/dist/
RUN SECRET_KEY=build-only python manage.py collectstatic --no-input

EXPOSE 8000
# Gunicorn's three workers write their Prometheus numbers to one folder and
# /metrics adds them up; it is emptied on every start (README, Operating).
ENV PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus
# DDaT's scale of levels is loaded (or left as it is) on every start, so a
# published profile page imports on a fresh installation.
CMD ["sh", "-c", "rm -rf \"$PROMETHEUS_MULTIPROC_DIR\" && mkdir -p \"$PROMETHEUS_MULTIPROC_DIR\" && python manage.py migrate --no-input && python manage.py load_ddat_scale && gunicorn competency.wsgi --bind 0.0.0.0:8000 --workers 3"]
