# fediverse-node for the scale-out set-up (docker-compose.yml): one image for web, worker, beat and migrations.
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 FEDINODE_DATA_DIR=/data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY fediverse_node ./fediverse_node
COPY actors ./actors
COPY posts ./posts
COPY inbox ./inbox
COPY outbox ./outbox
COPY clientapi ./clientapi
COPY community ./community
COPY mapview ./mapview
RUN pip install . && useradd --system --home /data fedinode && mkdir -p /data && chown fedinode /data
USER fedinode
EXPOSE 8000
CMD ["fediverse-node", "run", "--bind", "0.0.0.0:8000", "--no-worker", "--no-demo"]
