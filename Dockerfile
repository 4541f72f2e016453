# The mothership and the example fleet in one image: a static binary on a
# minimal base, run by a user without privileges.
#
#   docker build -t mothership .
#   docker run --rm -p 8080:8080 mothership
#
# The default command runs examples/ship-manifest.toml, listening on every
# interface of the container (HTTP_ADDR); mount your own manifest and
# programs and pass -c to run yours.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/mothership . \
 && CGO_ENABLED=0 go build -trimpath -o /out/app/bin/shipd ./examples/shipd \
 && CGO_ENABLED=0 go build -trimpath -o /out/app/bin/bayd ./examples/bayd \
 && cp -r examples/ship-manifest.toml examples/public /out/app/

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/mothership /usr/local/bin/mothership
COPY --from=build --chown=nonroot:nonroot /out/app /app
WORKDIR /app
ENV HTTP_ADDR=0.0.0.0:8080
EXPOSE 8080
USER nonroot
ENTRYPOINT ["/usr/local/bin/mothership"]
CMD ["run", "-c", "/app/ship-manifest.toml"]
