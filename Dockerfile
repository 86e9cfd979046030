# The production image: gunicorn serving config.wsgi, static files served by WhiteNoise.
# The same image runs the Celery worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH="/opt/venv/bin:$PATH"

RUN pip install --no-cache-dir uv==0.13.9 \
    && useradd --create-home --uid 10001 --user-group app

WORKDIR /app

# Dependencies first, from the lock alone, so code changes reuse this layer.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project --no-cache

COPY . .

# Production's settings with placeholders for the secrets it requires at run time
# (config/settings/build.py): collectstatic uses none of them.
RUN DJANGO_SETTINGS_MODULE=config.settings.build python manage.py collectstatic --noinput

USER app

ENV DJANGO_SETTINGS_MODULE=config.settings.production \
    PORT=8000
EXPOSE 8000

# gunicorn.conf.py: WEB_CONCURRENCY workers of GUNICORN_THREADS threads each.
CMD ["sh", "-c", "exec gunicorn config.wsgi --bind 0.0.0.0:${PORT} --access-logfile -"]
