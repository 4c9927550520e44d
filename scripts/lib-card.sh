# Sourced by the suites that need a card reader: installs pcscd, the PC/SC headers the agent
# links against and the virtual reader and card (Debian's vsmartcard-vpcd, python3-virtualsmartcard)
# when absent, and starts pcscd unless it runs. pcscd loads vpcd's reader from /etc/reader.conf.d.
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

card_packages="pcscd libpcsclite-dev pkgconf vsmartcard-vpcd python3-virtualsmartcard python3-pycryptodome"
# shellcheck disable=SC2086
if ! dpkg -s $card_packages >/dev/null 2>&1; then
  echo "installing pcscd and the virtual smart card from Debian's packages"
  sudo_if_needed apt-get update -qq
  # shellcheck disable=SC2086
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $card_packages >/dev/null
fi

if ! pgrep -x pcscd >/dev/null; then
  sudo_if_needed /usr/sbin/pcscd --foreground >/tmp/madoguchi-pcscd.log 2>&1 &
  for _ in $(seq 1 50); do
    [ -S /run/pcscd/pcscd.comm ] && break
    sleep 0.1
  done
fi
