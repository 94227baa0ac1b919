# fediverse-node for the scale-out set-up (docker-compose.yml): one image for web, worker, beat and migrations.
# Stage 1 builds the wheel and sdist; stage 2 installs the wheel with its declared dependencies and nothing of the
# source tree. tests/release/ runs this file's build, install and start commands (no Docker daemon there), so the
# image installs and starts the way the tested wheel does.
FROM python:3.11-slim AS build
WORKDIR /src
COPY . .
RUN pip install --no-cache-dir "build>=1.2,<2" && python -m build --outdir /dist .

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 FEDINODE_DATA_DIR=/data
COPY --from=build /dist/ /dist/
RUN pip install /dist/fediverse_node-*.whl && rm -r /dist && useradd --system --home /data fedinode && mkdir -p /data && chown fedinode /data
USER fedinode
WORKDIR /data
EXPOSE 8000
CMD ["fediverse-node", "run", "--bind", "0.0.0.0:8000", "--no-worker", "--no-demo"]
