# syntax=docker/dockerfile:1
# Build: docker build -t cadre-api .   Run with a database: docker compose up
# The image has no PostgreSQL server: set DATABASE_URL (the embedded-PostgreSQL mode is for dev/test machines).

# Base images pinned to exact versions (pin digests too where the registry is reachable).
FROM rust:1.95.0-bookworm AS builder
WORKDIR /src
COPY . .
# Cache mounts keep the crates.io registry and target dir between builds (BuildKit).
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin cadre-api \
 && install -m 0755 target/release/cadre-api /usr/local/bin/cadre-api

FROM debian:12.8-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/cadre --create-home cadre \
 && install -d -o cadre -g cadre /var/lib/cadre/evidence
COPY --from=builder /usr/local/bin/cadre-api /usr/local/bin/cadre-api
USER cadre
WORKDIR /var/lib/cadre
ENV CADRE_BIND=0.0.0.0:8080 \
    CADRE_EVIDENCE_STORE=/var/lib/cadre/evidence
EXPOSE 8080 9464
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=6 \
  CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
CMD ["cadre-api", "serve"]
