# bench/lib.sh — sourced by the bench scripts.

log() { printf '%s\n' "$*" >&2; }

# build_targets TARGET...: configure $BUILD (RelWithDebInfo) from $ROOT and
# build the targets, saying so on stderr.
build_targets() {
	log "== building $* in $BUILD (RelWithDebInfo)"
	cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build "$BUILD" -j2 --target "$@" >/dev/null
}

# start_daemon CONF DATA LOG [PREFIX...]: run $CHANJIAOD (under PREFIX, e.g.
# nice) on 127.0.0.1:0 with config CONF ("" for none) and data dir DATA,
# stderr to LOG; set CJ_PID and PORT once it listens, or print its log and
# exit 1.
start_daemon() {
	local conf=$1 data=$2 logf=$3
	shift 3
	: >"$logf"
	if [ -n "$conf" ]; then
		"$@" "$CHANJIAOD" -c "$conf" --listen 127.0.0.1:0 --data "$data" 2>"$logf" &
	else
		"$@" "$CHANJIAOD" --listen 127.0.0.1:0 --data "$data" 2>"$logf" &
	fi
	CJ_PID=$!
	PORT=
	for _ in $(seq 100); do
		PORT=$(sed -n 's/^chanjiaod: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$logf")
		[ -n "$PORT" ] && return 0
		kill -0 "$CJ_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "chanjiaod did not start:" >&2
	cat "$logf" >&2
	exit 1
}
