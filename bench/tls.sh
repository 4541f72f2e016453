#!/usr/bin/env bash
# tls.sh: TLS termination side by side on this machine: the mothership,
# nginx and Caddy on one certificate, in front of one backend.
#
# Measures, for each target, round-robin so that machine noise hits all of
# them alike, the median of the rounds of:
#   keep-alive  wrk -t1 -cC on https://…/ping over connections kept open:
#               HTTP/1.1 over TLS (the handshake cost is paid once);
#   handshakes  the same with "Connection: close", so that every request is
#               a new TCP connection and a full TLS handshake (wrk does not
#               resume sessions): handshakes per second, and the proxy's CPU
#               per handshake, whose inverse is handshakes per second per
#               core.
# CPU is the proxy's process tree's utime+stime over the run, from /proc.
# Every process it starts is stopped by pid on exit. See README.md.
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BACKEND_DIR=${BACKEND_DIR:-$ROOT/../shared/bench/backend}
BACKEND_ADDR=127.0.0.1:18080
NAMES=(mothership nginx caddy)
PORTS=(18190 18191 18192)
DURATION=8
CONNS=32
ROUNDS=3
WARMUP=2
MOTHERSHIP=""

usage() {
	cat <<EOF
usage: bench/tls.sh [--mothership BINARY] [--duration S] [--conns C]
                    [--rounds N] [--warmup S]

Starts the harness backend (from $BACKEND_DIR, on $BACKEND_ADDR),
then the mothership, nginx and Caddy on ${PORTS[*]} with one ECDSA P-256
certificate made for the run, TLS 1.2 and 1.3 allowed (wrk negotiates 1.3),
and measures keep-alive HTTPS and full handshakes with wrk -t1.

  --mothership BINARY  the binary to measure (default: go build of this tree)
  --duration S         seconds per wrk run (default $DURATION)
  --conns C            wrk connections (default $CONNS)
  --rounds N           rounds over all targets (default $ROUNDS)
  --warmup S           unrecorded warm-up seconds per target and test (default $WARMUP)
EOF
}

log() { printf '%s\n' "$*" >&2; }
die() {
	log "tls.sh: $*"
	exit 1
}
is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

while (($#)); do
	case $1 in
	--mothership)
		(($# >= 2)) || die "--mothership needs a binary"
		[[ -x $2 ]] || die "--mothership '$2': not an executable file"
		MOTHERSHIP=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
		shift 2
		;;
	--duration | --conns | --rounds | --warmup)
		(($# >= 2)) || die "$1 needs a value"
		is_uint "$2" || die "$1 '$2': want a whole number"
		case $1 in
		--duration) DURATION=$2 ;;
		--conns) CONNS=$2 ;;
		--rounds) ROUNDS=$2 ;;
		--warmup) WARMUP=$2 ;;
		esac
		shift 2
		;;
	-h | --help) usage && exit 0 ;;
	*) usage >&2 && die "unknown argument '$1'" ;;
	esac
done
((DURATION >= 1)) || die "--duration must be at least 1"
((ROUNDS >= 1)) || die "--rounds must be at least 1"
((CONNS >= 1)) || die "--conns must be at least 1"

for tool in wrk nginx caddy openssl go curl ss; do
	command -v "$tool" >/dev/null || die "$tool is not installed (apt-get install wrk nginx caddy openssl curl iproute2)"
done
[[ -f $BACKEND_DIR/main.go ]] || die "no backend at $BACKEND_DIR (set BACKEND_DIR to the harness's bench/backend)"
for port in 18080 "${PORTS[@]}"; do
	! ss -Hltn "sport = :$port" | grep -q . || die "port $port is taken: stop what listens there"
done

RUN=$(mktemp -d /tmp/mothership-tls-bench.XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$RUN"
}
trap cleanup EXIT

# start NAME CMD...: runs CMD in the background with its log in the run dir.
start() {
	local name=$1
	shift
	"$@" >"$RUN/$name.log" 2>&1 &
	PIDS+=($!)
	eval "PID_$name=$!"
}

# wait_https PORT NAME: waits until the target answers /ping over TLS.
wait_https() {
	for _ in $(seq 100); do
		curl -fsS -k --max-time 1 "https://127.0.0.1:$1/ping" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	log "--- $2's log:"
	cat "$RUN/$2.log" >&2 || true
	die "$2 does not answer https://127.0.0.1:$1/ping"
}

log "building the backend${MOTHERSHIP:+ }${MOTHERSHIP:- and the mothership} into $RUN"
(cd "$BACKEND_DIR" && go build -o "$RUN/backend" .) || die "building the backend failed"
if [[ -z $MOTHERSHIP ]]; then
	(cd "$ROOT" && CGO_ENABLED=0 go build -buildvcs=auto -o "$RUN/mothership" .) || die "building the mothership failed"
	MOTHERSHIP=$RUN/mothership
fi

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
	-keyout "$RUN/site.key" -out "$RUN/site.pem" 2>"$RUN/openssl.log" || die "openssl could not make a certificate"

cat >"$RUN/mothership.toml" <<EOF
[mothership]
access_log = false

[mothership.bind]
https = { addr = "127.0.0.1:${PORTS[0]}", tls = { cert = "site.pem", key = "site.key" } }

[[mothership.upstreams]]
name = "backend"
binds = ["$BACKEND_ADDR"]
routes = ["/*"]
EOF

mkdir -p "$RUN/nginx/tmp"
cat >"$RUN/nginx/nginx.conf" <<EOF
worker_processes $(nproc);
pid $RUN/nginx/nginx.pid;
error_log $RUN/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $RUN/nginx/tmp/body;
    proxy_temp_path       $RUN/nginx/tmp/proxy;
    fastcgi_temp_path     $RUN/nginx/tmp/fastcgi;
    uwsgi_temp_path       $RUN/nginx/tmp/uwsgi;
    scgi_temp_path        $RUN/nginx/tmp/scgi;
    upstream backend { server $BACKEND_ADDR; keepalive 64; }
    server {
        listen 127.0.0.1:${PORTS[1]} ssl;
        ssl_certificate     $RUN/site.pem;
        ssl_certificate_key $RUN/site.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
EOF

cat >"$RUN/Caddyfile" <<EOF
{
	admin off
	auto_https off
	log default {
		level ERROR
	}
}
https://127.0.0.1:${PORTS[2]} {
	tls $RUN/site.pem $RUN/site.key
	reverse_proxy $BACKEND_ADDR
}
EOF

start backend "$RUN/backend" -addr "$BACKEND_ADDR"
start mothership "$MOTHERSHIP" run -c "$RUN/mothership.toml"
start nginx nginx -p "$RUN/nginx/" -c "$RUN/nginx/nginx.conf" -g 'daemon off;'
start caddy env XDG_DATA_HOME="$RUN/caddy-data" XDG_CONFIG_HOME="$RUN/caddy-config" caddy run --config "$RUN/Caddyfile" --adapter caddyfile
for i in "${!NAMES[@]}"; do wait_https "${PORTS[$i]}" "${NAMES[$i]}"; done

# tree_ticks PID: utime+stime clock ticks of PID and its descendants.
tree_ticks() {
	local total=0 p stat f
	for p in $(ps -e -o pid=,ppid= | awk -v root="$1" '
		{ parent[$1] = $2 }
		END { keep[root] = 1
			do { grew = 0; for (p in parent) if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; grew = 1 } } while (grew)
			for (p in keep) print p }'); do
		stat=$(cat "/proc/$p/stat" 2>/dev/null) || continue
		stat=${stat##*) }
		read -r -a f <<<"$stat"
		total=$((total + f[11] + f[12]))
	done
	echo "$total"
}

TICK=$(getconf CLK_TCK)
RESULTS=$RUN/results.txt

# measure NAME PORT TEST SECONDS [record]: one wrk run; with record, a line
# "NAME TEST req/s cpu_us_per_req errors" goes to the results.
measure() {
	local name=$1 port=$2 test=$3 secs=$4 record=${5:-} pid hdr=() out before after n errs
	pid=$(eval "echo \$PID_$name")
	[[ $test == handshakes ]] && hdr=(-H "Connection: close")
	before=$(tree_ticks "$pid")
	out=$(wrk -t1 -c"$CONNS" -d"${secs}s" "${hdr[@]}" "https://127.0.0.1:$port/ping" 2>&1) || die "wrk against $name failed: $out"
	after=$(tree_ticks "$pid")
	[[ -n $record ]] || return 0
	n=$(awk '/requests in/ { print $1 }' <<<"$out")
	errs=$(awk '/Socket errors|Non-2xx/ { gsub(/[^0-9 ]/, " "); for (i = 1; i <= NF; i++) s += $i } END { print s + 0 }' <<<"$out")
	[[ -n $n && $n -gt 0 ]] || die "wrk against $name ($test) completed no request: $out"
	awk -v name="$name" -v test="$test" -v n="$n" -v s="$secs" -v t=$((after - before)) -v hz="$TICK" -v e="$errs" \
		'BEGIN { printf "%s %s %.0f %.1f %d\n", name, test, n / s, t / hz * 1e6 / n, e }' >>"$RESULTS"
}

log "warming up ($WARMUP s per target and test)"
for test in keep-alive handshakes; do
	for i in "${!NAMES[@]}"; do measure "${NAMES[$i]}" "${PORTS[$i]}" "$test" "$WARMUP"; done
done
for r in $(seq "$ROUNDS"); do
	log "round $r of $ROUNDS"
	for test in keep-alive handshakes; do
		for i in "${!NAMES[@]}"; do measure "${NAMES[$i]}" "${PORTS[$i]}" "$test" "$DURATION" record; done
	done
done

echo "# bench/tls.sh, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, wrk -t1 -c$CONNS, ${DURATION}s x $ROUNDS rounds, median"
echo "# $(nginx -v 2>&1 | sed 's/^nginx version: //'), caddy $(caddy version | cut -d' ' -f1), mothership $("$MOTHERSHIP" version 2>/dev/null | head -1)"
awk '
	{ key = $1 " " $2; n[key]++; rps[key, n[key]] = $3; cpu[key, n[key]] = $4; err[key] += $5; seen[$1] = 1; order[++m] = $1 }
	function median(arr, key, c,   i, j, t, v) {
		for (i = 1; i <= c; i++) v[i] = arr[key, i]
		for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		return c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2
	}
	END {
		printf "| target | keep-alive req/s | vs nginx | CPU µs/req | handshakes/s | vs nginx | CPU µs/handshake | handshakes/s per core | errors |\n"
		printf "|---|---|---|---|---|---|---|---|---|\n"
		ka = median(rps, "nginx keep-alive", n["nginx keep-alive"]); hs = median(rps, "nginx handshakes", n["nginx handshakes"])
		for (i = 1; i <= m; i++) {
			t = order[i]; if (done[t]++) continue
			k = t " keep-alive"; h = t " handshakes"
			r1 = median(rps, k, n[k]); c1 = median(cpu, k, n[k]); r2 = median(rps, h, n[h]); c2 = median(cpu, h, n[h])
			printf "| %s | %.0f | %.2f | %.1f | %.0f | %.2f | %.1f | %.0f | %d |\n", t, r1, r1 / ka, c1, r2, r2 / hs, c2, 1e6 / c2, err[k] + err[h]
		}
	}' "$RESULTS"
