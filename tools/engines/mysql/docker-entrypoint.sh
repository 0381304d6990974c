#!/bin/bash
# Stands in for the mysql image's entrypoint in the engine tests, on MariaDB (tools/engines/mariadb.sh,
# bound at /opt/mariadb): on an empty data directory it initialises one with the root password, the
# database and the user the image's variables name (MYSQL_ROOT_PASSWORD, MYSQL_DATABASE, MYSQL_USER,
# MYSQL_PASSWORD), then runs the server with the image's configuration layout (conf.d included).
set -euo pipefail
: "${MYSQL_ROOT_PASSWORD:?the mysql image refuses to start without MYSQL_ROOT_PASSWORD}"
base=/opt/mariadb
data=/var/lib/mysql
cnf=/tmp/my.cnf
cat > "$cnf" <<CNF
[mysqld]
basedir=$base
datadir=$data
lc-messages-dir=$base/share/mysql
socket=/var/run/mysqld/mysqld.sock
port=3306
bind-address=0.0.0.0
[client]
socket=/var/run/mysqld/mysqld.sock
!includedir /etc/mysql/conf.d
CNF
if [ ! -d "$data/mysql" ]; then
  echo "initialising $data"
  "$base/bin/mariadb-install-db" --defaults-file="$cnf" --basedir="$base" --auth-root-authentication-method=normal --skip-test-db
  sql=/tmp/init.sql
  {
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '${MYSQL_ROOT_PASSWORD}';"
    # The server reads its --init-file one statement per line.
    echo "CREATE USER 'root'@'%' IDENTIFIED BY '${MYSQL_ROOT_PASSWORD}';"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    [ -n "${MYSQL_DATABASE:-}" ] && echo "CREATE DATABASE IF NOT EXISTS \`${MYSQL_DATABASE}\`;"
    if [ -n "${MYSQL_USER:-}" ]; then
      echo "CREATE USER '${MYSQL_USER}'@'%' IDENTIFIED BY '${MYSQL_PASSWORD:?MYSQL_USER needs MYSQL_PASSWORD}';"
      [ -n "${MYSQL_DATABASE:-}" ] && echo "GRANT ALL ON \`${MYSQL_DATABASE}\`.* TO '${MYSQL_USER}'@'%';"
    fi
  } > "$sql"
  exec "$base/sbin/mariadbd" --defaults-file="$cnf" --init-file="$sql"
fi
exec "$base/sbin/mariadbd" --defaults-file="$cnf"
