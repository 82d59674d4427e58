#!/usr/bin/env bash
# Makes sure the real backends the tests use are up: Redis on 6379,
# PostgreSQL on 5432 (database "test") and MariaDB on 3306 (root with an empty
# password, database "test"). Installs redis-server and mariadb-server when
# absent and starts whatever is stopped, with the commands this machine kind
# documents.
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
apt_updated=""
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}
wait_port() {
  for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 0.5; done
  echo "services: port $1 did not open" >&2; return 1
}

if ! port_open 6379; then
  command -v redis-server >/dev/null || apt_install redis-server
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_port 6379
fi
# The outage and cluster tests start their own redis-server on spare ports and use redis-cli.
command -v redis-server >/dev/null || apt_install redis-server
command -v redis-cli >/dev/null || apt_install redis-tools

if ! port_open 5432; then
  if ! ls /etc/postgresql >/dev/null 2>&1; then apt_install postgresql; fi
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start
  wait_port 5432
fi
if command -v psql >/dev/null; then
  psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 ||
    psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE test"
fi
if ! port_open 3306; then
  command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || apt_install mariadb-server
  # Its socket directory is made by the service manager, which does not run here.
  as_root mkdir -p /run/mysqld
  as_root chown mysql:mysql /run/mysqld 2>/dev/null || true
  as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  wait_port 3306
fi
if command -v mariadb >/dev/null; then
  # A fresh Debian install lets root in only through the socket (unix_socket);
  # the tests log in over TCP as root with an empty password, so that login is
  # created (through the socket) when it is missing.
  mariadb -h 127.0.0.1 -uroot -e 'SELECT 1' >/dev/null 2>&1 ||
    as_root mariadb -uroot -e "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
      GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION"
  as_root mariadb -uroot -e 'CREATE DATABASE IF NOT EXISTS test'
fi
# Browser tests drive Debian's Chromium (a downloaded browser cannot run here).
[ -x /usr/bin/chromium ] || apt_install chromium
echo "services: redis :6379, postgresql :5432, mariadb :3306 and /usr/bin/chromium are ready"
