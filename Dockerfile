# The image of every certcenter container in compose.yaml (web servers, workers, beat). Untested here: this
# machine has no container runtime. Installed in place (-e) because templates/ and static/ are read beside the package.
FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
      fonts-noto-core fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY certcenter certcenter
COPY workers workers
COPY templates templates
COPY static static
RUN pip install --no-cache-dir -e . \
 && pybabel compile --use-fuzzy -d certcenter/translations
ENV CERTCENTER_INSTANCE_PATH=/var/lib/certcenter
RUN useradd --system --home /var/lib/certcenter --create-home certcenter
USER certcenter
EXPOSE 8000
# gthread, 2 workers x 4 threads, each warmed up before it takes a request: certcenter/core/gunicorn_config.py
CMD ["gunicorn", "--config", "python:certcenter.core.gunicorn_config", "--bind", "0.0.0.0:8000", "certcenter:create_app()"]
