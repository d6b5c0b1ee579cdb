# Build the production command, cmd/recrubo-carerix, as a static binary,
# then ship it alone on a minimal, non-root image. The demo and the
# emulators (cmd/recrubo-demo) are not built: .dockerignore keeps them, the
# tests, .git and local data out of the context (TestDockerContext checks it).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/recrubo/recrubo-carerix.Version=${VERSION}" \
      -o /out/recrubo-carerix ./cmd/recrubo-carerix \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/recrubo-carerix /usr/local/bin/recrubo-carerix
COPY --from=build --chown=nonroot:nonroot /out/data /data
USER nonroot:nonroot
ENV ADDR=:8080 DATA_DIR=/data
EXPOSE 8080
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/recrubo-carerix", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/recrubo-carerix"]
CMD ["serve"]
