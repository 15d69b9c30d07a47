#!/bin/sh
# A throw-away PostgreSQL 15 cluster for the tests, so that the suite can run
# on PostgreSQL without touching a system cluster:
#   tools/pg-cluster.sh start DIR PORT   create (if missing) and start; print the URL
#   tools/pg-cluster.sh stop DIR         stop it (DIR stays; rm -rf DIR to forget it)
# The cluster listens on 127.0.0.1 only, trusts every local connection (no
# passwords: never expose it) and keeps fsync on, so that it behaves like
# production. It holds a database `tremplin_test`, which the unit tests WIPE
# (DROP SCHEMA public CASCADE) before each case. Use it as
#   TREMPLIN_TEST_PG=$(tools/pg-cluster.sh start /tmp/pgtest 55432) make unit
# initdb refuses to run as root, so as root the server runs as the `postgres`
# system user (Debian's postgresql package creates it) and DIR is given to it.
set -eu

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
DBNAME=tremplin_test

usage() {
	echo "usage: $0 start DIR PORT | stop DIR" >&2
	exit 2
}

# Run a server-side command as the cluster's owner.
as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

running() {
	as_owner "$PGBIN/pg_ctl" status -D "$1/data" >/dev/null 2>&1
}

# The port the running server listens on (4th line of postmaster.pid), so that
# a second `start` prints the right URL even if given another port.
running_port() {
	sed -n 4p "$1/data/postmaster.pid"
}

init_cluster() {
	dir=$1
	as_owner "$PGBIN/initdb" -D "$dir/data" -U postgres --auth=trust \
		--encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
	# Only local connections, all trusted; nothing from the network.
	cat >"$dir/data/pg_hba.conf" <<-EOF
	local all all trust
	host all all 127.0.0.1/32 trust
	host all all ::1/128 trust
	EOF
	# The socket lives in DIR: /var/run/postgresql may not exist or be ours.
	cat >>"$dir/data/postgresql.conf" <<-EOF
	listen_addresses = '127.0.0.1'
	unix_socket_directories = '$dir'
	EOF
}

start() {
	[ $# -eq 2 ] || usage
	mkdir -p "$1"
	dir=$(cd "$1" && pwd)
	port=$2
	if [ "$(id -u)" = 0 ]; then
		chown postgres:postgres "$dir"
	fi
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		init_cluster "$dir"
	fi
	if ! running "$dir"; then
		as_owner "$PGBIN/pg_ctl" start -D "$dir/data" -l "$dir/server.log" \
			-w -o "-p $port" >/dev/null
	fi
	port=$(running_port "$dir")
	if ! "$PGBIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAq \
		-c "SELECT 1 FROM pg_database WHERE datname = '$DBNAME'" | grep -q 1; then
		"$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$DBNAME"
	fi
	echo "postgres://postgres@127.0.0.1:$port/$DBNAME"
}

stop() {
	[ $# -eq 1 ] || usage
	[ -d "$1" ] || exit 0
	dir=$(cd "$1" && pwd)
	if [ -f "$dir/data/PG_VERSION" ] && running "$dir"; then
		as_owner "$PGBIN/pg_ctl" stop -D "$dir/data" -m fast -w >/dev/null
	fi
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
start) start "$@" ;;
stop) stop "$@" ;;
*) usage ;;
esac
