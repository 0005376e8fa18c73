# Prometheus for docker-compose.yml: Debian's package on a Debian base (a local one when no
# registry is reachable: deploy/docker/base-image), with labwatch's rules and a scrape config for
# labwatch in the host's network.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
LABEL io.labwatch.image=prometheus
RUN apt-get update -qq && \
    DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq --no-install-recommends \
      prometheus curl ca-certificates >/dev/null && \
    rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/* && \
    mkdir -p /prometheus && chown prometheus:prometheus /prometheus
COPY prometheus/labwatch-rules.yml /etc/prometheus/labwatch-rules.yml
COPY docker/prometheus.yml /etc/prometheus/prometheus.yml
USER prometheus
EXPOSE 9090
ENTRYPOINT ["/usr/bin/prometheus"]
