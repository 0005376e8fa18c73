# labwatch in a container: a build stage makes the shaded jar with Maven, a runtime stage runs it
# as a non-root user. Both FROM images are build arguments, so that a box without a registry can
# build FROM a locally made Debian image (deploy/docker/base-image):
#
#   docker build -t labwatch .                                           # with Docker Hub
#   deploy/docker/base-image && docker build -t labwatch \
#     --build-arg BUILD_IMAGE=labwatch-base:bookworm --build-arg BASE_IMAGE=labwatch-base:bookworm .
#
# An image without Java or Maven gets Debian's (openjdk-17, maven) installed in its stage.
# --build-arg PREBUILT=1 takes the jar that `mvn package` made on the host (app/target/labwatch.jar)
# instead of building it in the container (the compose test: its jar is the one just tested).

ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG BASE_IMAGE=eclipse-temurin:17-jre

# the runtime first: it needs no jar, so it can be built (and cached) before there is one
# (docker build --target runtime; the tests do, while Maven builds)
FROM ${BASE_IMAGE} AS runtime
LABEL io.labwatch.image=labwatch
# Java when the base has none; libpcap for capture; curl for the health check
RUN apt-get update -qq && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      $(command -v java >/dev/null || echo openjdk-17-jre-headless) libpcap0.8 curl ca-certificates \
      >/dev/null && \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc/* /usr/share/man/* && \
    useradd --system --uid 10001 --home-dir /var/lib/labwatch --create-home labwatch && \
    mkdir -p /etc/labwatch /opt/labwatch/app/target && \
    ln -s /opt/labwatch/labwatch /usr/local/bin/labwatch
# the same launcher as on a host (its JVM defaults for each command), the jar where it looks
COPY labwatch /opt/labwatch/labwatch
COPY labwatch.example.yml /etc/labwatch/labwatch.example.yml
ENV LABWATCH_DATA_DIR=/var/lib/labwatch
VOLUME /var/lib/labwatch
USER labwatch
WORKDIR /var/lib/labwatch
EXPOSE 9464
HEALTHCHECK --interval=5s --timeout=5s --start-period=60s --retries=6 \
  CMD curl -fsS http://127.0.0.1:9464/-/healthy >/dev/null || exit 1
ENTRYPOINT ["labwatch"]
CMD ["run", "--no-capture"]

FROM ${BUILD_IMAGE} AS build
ARG PREBUILT=
LABEL io.labwatch.image=build
# a TLS-intercepting proxy's certificate (deploy/docker/ca-certificates/*.crt), when there is one
COPY deploy/docker/ca-certificates/ /usr/local/share/ca-certificates/
RUN if [ -z "$PREBUILT" ] && { ! command -v mvn >/dev/null || ! command -v javac >/dev/null; }; then \
      apt-get update -qq && \
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        openjdk-17-jdk-headless maven ca-certificates-java >/dev/null && \
      rm -rf /var/lib/apt/lists/*; \
    fi && \
    if [ -z "$PREBUILT" ] && ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then \
      update-ca-certificates >/dev/null 2>&1 || true; \
      for c in /usr/local/share/ca-certificates/*.crt; do \
        keytool -importcert -noprompt -cacerts -storepass changeit -alias "$(basename "$c")" \
          -file "$c" >/dev/null 2>&1 || true; \
      done; \
    fi
WORKDIR /src
# the poms first: the dependencies are a layer of their own, downloaded again only when a pom
# changes (the reactor's own modules are not downloadable: go-offline skips them)
COPY pom.xml ./
COPY events/pom.xml events/
COPY producers/pom.xml producers/
COPY streams/pom.xml streams/
COPY sinks/pom.xml sinks/
COPY app/pom.xml app/
COPY bench/pom.xml bench/
RUN [ -n "$PREBUILT" ] || \
    mvn -B -q -ntp -pl app -am dependency:go-offline -DexcludeGroupIds=io.labwatch >/dev/null 2>&1 || true
COPY events events
COPY producers producers
COPY streams streams
COPY sinks sinks
COPY app app
RUN if [ -n "$PREBUILT" ]; then \
      [ -f app/target/labwatch.jar ] || { echo "PREBUILT: app/target/labwatch.jar is missing (mvn package)" >&2; exit 1; }; \
    else \
      mvn -B -q -ntp -pl app -am package -DskipTests -Dspotless.check.skip=true; \
    fi && cp app/target/labwatch.jar /labwatch.jar

FROM runtime
COPY --from=build /labwatch.jar /opt/labwatch/app/target/labwatch.jar
