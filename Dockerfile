# One image for every listing-sync role; for now the command line (later: api, worker, scheduler).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LISTING_SYNC_DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY catalog ./catalog
COPY connectors ./connectors
COPY fingerprints ./fingerprints
COPY workers ./workers
RUN pip install . && useradd --create-home --uid 10001 listing-sync && mkdir /data && chown listing-sync /data

USER listing-sync
VOLUME ["/data"]
ENTRYPOINT ["listing-sync"]
CMD ["--help"]
