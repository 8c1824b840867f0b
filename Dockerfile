# syntax=docker/dockerfile:1
# Two images from one lock family and one base:
#   step     (the default, last stage): every pipeline step is `python -m mlpipeline.<step>` in it;
#   serving  (docker build --target serving): MLServer with its MLflow runtime, the image of the
#            project's ServingRuntime (k8s/base/servingruntime-mlserver.yaml), so a model is served
#            with the mlflow, scikit-learn, numpy, scipy, pandas and cloudpickle it was trained with.
# requirements/step.lock and requirements/serving.lock are both resolved against
# requirements/dev.lock (make lock), so the two images agree on every shared pin.
# Build stages keep the installers out of the final images. Base pinned by
# published tag; Renovate proposes updates.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
COPY requirements/step.lock requirements/step.lock
# --require-hashes: every wheel must match the lock's hash; --no-deps: the lock
# already lists the whole closure, so nothing unlocked can slip in.
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --require-hashes --no-deps -r requirements/step.lock
# The package is plain source on PYTHONPATH: no build backend needed, and
# bytecode is compiled here because the running container cannot write it.
COPY src/mlpipeline /opt/app/mlpipeline
RUN /opt/venv/bin/python -m compileall -q /opt/app

FROM ${PYTHON_IMAGE} AS serving-build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
COPY requirements/serving.lock requirements/serving.lock
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --require-hashes --no-deps -r requirements/serving.lock

FROM ${PYTHON_IMAGE} AS serving
# The same uid:gid as the step image and the pods' securityContext. The venv is
# root-owned and world-readable (pip's default modes), so the server needs no
# write access outside /tmp, unlike the stock seldonio/mlserver image whose
# /opt/mlserver is 1000:0 mode 776 (policy/serving-images.yaml).
RUN groupadd --gid 10001 mlserver \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin mlserver
COPY --from=serving-build /opt/venv /opt/venv
# Everything MLServer writes goes under /tmp, the pod's emptyDir: its metrics
# and environments directories default to <cwd>/.metrics and <cwd>/.envs
# (mlserver/settings.py), matplotlib (an mlflow dependency) caches under
# MPLCONFIGDIR, the rest under HOME. The root filesystem stays read-only.
# No parallel workers: MLServer 1.7.1's worker processes die at start with the
# locked uvloop ("There is no current event loop", mlserver/parallel/worker.py),
# and one model per pod needs no pool; the local demo serves the same way.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    MPLCONFIGDIR=/tmp/matplotlib \
    MLSERVER_PARALLEL_WORKERS=0 \
    MLSERVER_METRICS_DIR=/tmp/.metrics \
    MLSERVER_ENVIRONMENTS_DIR=/tmp/.envs
USER 10001:10001
WORKDIR /tmp
# KServe mounts the model at /mnt/models and sets MLSERVER_MODEL_NAME/URI; the
# ServingRuntime sets the ports (HTTP 8080, metrics 8082).
CMD ["mlserver", "start", "/mnt/models"]

FROM ${PYTHON_IMAGE} AS step
# git: the deploy step commits the pin file and pushes a branch.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 steps \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin steps
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/app /opt/app
# HOME and every cache under /tmp: pods mount an emptyDir there and keep the
# root filesystem read-only.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/opt/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    MPLCONFIGDIR=/tmp/matplotlib \
    GIT_CONFIG_NOSYSTEM=1
USER 10001:10001
WORKDIR /tmp
ENTRYPOINT ["python", "-m"]
CMD ["mlpipeline.train"]
