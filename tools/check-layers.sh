#!/bin/sh
# Keeps the layers of DESIGN.md and STYLE.md: the arrows point one way, and
# only one place includes each outside library. Run by `make test`.
set -u
cd "$(dirname "$0")/.."
fail=0

complain() {
	echo "layer check: $1"
	fail=1
}

# Which folders each layer may include from.
allowed() {
	case "$1" in
	core) echo "core" ;;
	db | view) echo "core $1" ;;
	auth) echo "core db auth" ;; # sessions and rate limits are stored
	http) echo "core http" ;;
	domain) echo "core db view auth domain" ;;
	web) echo "core db view auth domain http web" ;;
	esac
}

for f in $(find src -name '*.c' -o -name '*.h'); do
	layer=$(echo "$f" | cut -d/ -f2)
	case "$layer" in main.c) continue ;; esac
	ok=$(allowed "$layer")
	for inc in $(grep -o '^#include "[a-z]*/' "$f" | sed 's/#include "//; s#/##'); do
		case " $ok " in *" $inc "*) ;; *) complain "$f ($layer) includes $inc/" ;; esac
	done
done

only_in() { # header, the one place allowed
	for f in $(grep -rl "#include <$1>" src); do
		case "$f" in $2) ;; *) complain "$f includes <$1> (only $2 may)" ;; esac
	done
}
only_in microhttpd.h src/http/server.c
only_in sqlite3.h "src/db/*"
only_in libpq-fe.h "src/db/*"
only_in sodium.h "src/auth/*"
only_in cmark.h "src/view/*"
only_in curl/curl.h "src/core/*"

# Every .c file includes banned.h, last.
for f in $(find src -name '*.c'); do
	last=$(grep '^#include' "$f" | tail -1)
	[ "$last" = '#include "core/banned.h"' ] || complain "$f does not include core/banned.h last"
done

[ $fail -eq 0 ] && echo "layer check: ok"
exit $fail
