# syntax=docker/dockerfile:1
# The step image: every pipeline step is `python -m mlpipeline.<step>` in it.
# Two stages so the final image has the locked dependencies and nothing used
# to install them. Base pinned by published tag; Renovate proposes updates.
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

FROM ${PYTHON_IMAGE}
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
