#!/usr/bin/env bash
# Install pgvector into the local PostgreSQL server (for "proposte simili" over every proposal).
#
# Idempotent: nothing to do when the server's extension directory already has vector.control.
# Where apt has postgresql-NN-pgvector for the server's major version NN (Debian 13, or the PGDG
# repository), that binary package is installed. Debian 12 ships none for PostgreSQL 15, so the
# source package of Debian 13 (trixie; pgvector 0.8.0 builds against PostgreSQL 15 in ~20 s) is
# fetched through a source list and package lists of its own (the system's lists stay as they
# are) and built with the server's pg_config. OPTFLAGS="" keeps -march=native out, so the library
# runs on any machine of the architecture. Needs root; without it, consult still works (each
# process keeps an in-process index and logs one line saying so).
set -euo pipefail

SUITE="${PGVECTOR_SOURCE_SUITE:-trixie}"
major="${PG_MAJOR:-$(ls /usr/lib/postgresql | sort -n | tail -1)}"
control="/usr/share/postgresql/$major/extension/vector.control"
if [ -e "$control" ] && [ -z "${FORCE:-}" ]; then
  echo "pgvector: already installed for PostgreSQL $major ($control)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive

if apt-cache show "postgresql-$major-pgvector" >/dev/null 2>&1 ||
  { apt-get update -qq && apt-cache show "postgresql-$major-pgvector" >/dev/null 2>&1; }; then
  echo "pgvector: installing Debian's postgresql-$major-pgvector"
  apt-get install -y -qq "postgresql-$major-pgvector"
  exit 0
fi

echo "pgvector: no postgresql-$major-pgvector package; building Debian $SUITE's source package"
apt-get install -y -qq "postgresql-server-dev-$major" make gcc
work="$(mktemp -d /tmp/pgvector-build.XXXXXX)"
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"  # apt downloads as _apt
mkdir -p "$work/sources" "$work/lists/partial"
cat >"$work/sources/$SUITE-src.sources" <<SOURCES
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
own_lists=(-o "Dir::Etc::sourcelist=/dev/null" -o "Dir::Etc::sourceparts=$work/sources"
  -o "Dir::State::Lists=$work/lists")
apt-get "${own_lists[@]}" update -qq
(cd "$work" && apt-get "${own_lists[@]}" source --download-only pgvector)
tar -xzf "$work"/pgvector_*.orig.tar.gz -C "$work"
source_dir="$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'pgvector-*' | head -1)"
pg_config="/usr/lib/postgresql/$major/bin/pg_config"
make -C "$source_dir" PG_CONFIG="$pg_config" OPTFLAGS="" -j2 >/dev/null
make -C "$source_dir" PG_CONFIG="$pg_config" install >/dev/null
echo "pgvector: $(sed -n "s/^default_version = //p" "$control" | tr -d "'") installed for PostgreSQL $major"
