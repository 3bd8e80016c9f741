# Stand-in for the official python:<version>-slim image, built from a debootstrapped Debian
# (no registry is reachable). It offers what the generated Dockerfiles use: `python` on PATH,
# `python -m venv` with pip, groupadd/useradd, and pip that reaches the package index through
# this machine's CA bundle and pip settings.
FROM svcgen-standin/debian:bookworm

ENV LANG=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive

RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv python-is-python3 ca-certificates \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc/* /usr/share/man/*

COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY pip.conf /etc/pip.conf

CMD ["python3"]
