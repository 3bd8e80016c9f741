# Stand-in for the official postgres image, from the same debootstrapped Debian as the Python
# one: Debian's PostgreSQL server, an entrypoint that creates the cluster from POSTGRES_USER,
# POSTGRES_PASSWORD and POSTGRES_DB on first start, and pg_isready for healthchecks.
FROM svcgen-standin/debian:bookworm

ENV LANG=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive \
    PGDATA=/var/lib/postgresql/data

# No default cluster: the entrypoint creates the one the environment asks for, in PGDATA.
RUN mkdir -p /etc/postgresql-common \
    && echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf \
    && apt-get update \
    && apt-get install -y --no-install-recommends postgresql \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc/* /usr/share/man/* \
    && ln -s "$(ls -d /usr/lib/postgresql/*/bin)" /usr/local/lib/pgbin \
    && mkdir -p "$PGDATA" /var/run/postgresql \
    && chown postgres:postgres "$PGDATA" /var/run/postgresql \
    && chmod 700 "$PGDATA"

ENV PATH=/usr/local/lib/pgbin:$PATH
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh

USER postgres
VOLUME /var/lib/postgresql/data
EXPOSE 5432
# Fast shutdown, as the official image does: SIGTERM would wait for every client to leave.
STOPSIGNAL SIGINT
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["postgres"]
