# Sourced by the suites that need PostgreSQL: sets MADOGUCHI_TEST_POSTGRES_URL to a server's
# maintenance database, installing and starting Debian's PostgreSQL if there is none.
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ -z "${MADOGUCHI_TEST_POSTGRES_URL:-}" ]; then
  if ! command -v pg_isready >/dev/null || ! pg_isready -q -h 127.0.0.1 -p 5432; then
    if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
      echo "installing PostgreSQL from Debian's packages"
      sudo_if_needed apt-get update -qq
      sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    version=$(ls /etc/postgresql | sort -n | tail -1)
    sudo_if_needed pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  # A server we did not configure for trust auth gets a password for the postgres user.
  if psql "postgres://postgres@127.0.0.1:5432/postgres" -c 'SELECT 1' >/dev/null 2>&1; then
    export MADOGUCHI_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:5432/postgres"
  else
    sudo_if_needed su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'madoguchi-test'\""
    export MADOGUCHI_TEST_POSTGRES_URL="postgres://postgres:madoguchi-test@127.0.0.1:5432/postgres"
  fi
fi
