# Stand-in for the official python:<version>-slim-<debian> images, built from a debootstrapped
# Debian (no registry is reachable). It offers what the generated Dockerfiles use: `python` on
# PATH with pip, groupadd/useradd, pip that reaches the package index through this machine's CA
# bundle and pip settings, and the same CA bundle for the uv that pip installs (SSL_CERT_FILE:
# uv does not read pip's settings).
FROM svcgen-standin/debian:bookworm

ENV LANG=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt

RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv python-is-python3 ca-certificates \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc/* /usr/share/man/*

COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY pip.conf /etc/pip.conf

CMD ["python3"]
