#!/bin/bash
# SPDX-License-Identifier: MIT
# MariaDB entrypoint: on an empty data directory, initialise it and create
# the accounting database and its user from the environment (the passwords
# come from .env through compose; they never appear on a command line),
# then run the server in the foreground, logging to stderr.
set -euo pipefail

say() { echo "mariadb-entrypoint: $*"; }
datadir=/var/lib/mysql
install -d -o mysql -g mysql -m 0755 /run/mysqld

if [[ ${1:-} != mariadbd ]]; then
	exec "$@"
fi
shift

if [[ ! -d $datadir/mysql ]]; then
	: "${MARIADB_DATABASE:?set MARIADB_DATABASE}" "${MARIADB_USER:?set MARIADB_USER}"
	: "${MARIADB_PASSWORD:?set MARIADB_PASSWORD (in .env)}"
	say "initialising $datadir"
	# a new named volume takes the image's owner (mysql); a host directory
	# is never changed here: say what it needs instead
	if ! runuser -u mysql -- test -w "$datadir"; then
		say "$datadir is not writable by mysql (uid $(id -u mysql)): give it to that uid" >&2
		exit 1
	fi
	mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db \
		--auth-root-authentication-method=socket >/dev/null
	mariadbd --user=mysql --datadir="$datadir" --skip-networking --socket=/run/mysqld/init.sock &
	pid=$!
	for ((i = 0; i < 300; i++)); do
		mariadb-admin --socket=/run/mysqld/init.sock ping --silent >/dev/null 2>&1 && break
		sleep 0.1
	done
	# SQL on stdin: the passwords stay out of every process's argv
	q="'"
	sql_quote() { printf "'%s'" "${1//$q/$q$q}"; }
	{
		echo "SET SESSION sql_mode='NO_BACKSLASH_ESCAPES';"
		echo "CREATE DATABASE IF NOT EXISTS \`$MARIADB_DATABASE\`;"
		echo "CREATE USER '$MARIADB_USER'@'%' IDENTIFIED BY $(sql_quote "$MARIADB_PASSWORD");"
		echo "GRANT ALL ON \`$MARIADB_DATABASE\`.* TO '$MARIADB_USER'@'%';"
		if [[ -n ${MARIADB_ROOT_PASSWORD:-} ]]; then
			echo "CREATE USER 'root'@'%' IDENTIFIED BY $(sql_quote "$MARIADB_ROOT_PASSWORD");"
			echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
		fi
		echo "FLUSH PRIVILEGES;"
	} | mariadb --socket=/run/mysqld/init.sock -uroot
	kill "$pid"
	wait "$pid" || true
	say "database $MARIADB_DATABASE and user $MARIADB_USER created"
fi

exec mariadbd --user=mysql --datadir="$datadir" --bind-address=0.0.0.0 --skip-name-resolve \
	--log-error=/dev/stderr "$@"
