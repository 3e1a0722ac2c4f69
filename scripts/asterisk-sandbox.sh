#!/usr/bin/env bash
# A real Asterisk (Debian sid) in a chroot, loaded with this project's configuration.
#
# Debian 12 has no asterisk package and sid must never enter the host's apt sources, so the
# sandbox is a debootstrapped sid root file system, cached outside the repository and rebuilt
# when missing. Asterisk runs inside it on loopback with a private configuration tree generated
# from the project's own example files (asterisk.conf.example, dialplans/*.conf): only paths,
# addresses and ports are substituted, so what the tests prove is what an administrator copies.
#
# Usage: scripts/asterisk-sandbox.sh build|start|stop|restart|status|cli [command…]|classic|config
#   build    make the chroot when missing, then start Asterisk (what `make asterisk-sandbox` runs)
#   start    (re)generate the configuration and start Asterisk; a running sandbox with the same
#            configuration is left alone, one with another configuration is restarted
#   stop     stop Asterisk and unmount everything; nothing is left running
#   status   exit 0 and print the ports when Asterisk runs, exit 3 when it does not
#   cli      the Asterisk console (`cli core show channels` runs one command)
#   classic  install the project into a virtualenv inside the chroot for the per-process AGI
#   config   only print the generated configuration directory (for inspection)
#
# Settings (environment):
#   IVR_SANDBOX_ROOT      chroot directory        (/var/cache/ivr-booking/asterisk-sid)
#   IVR_SANDBOX_INSTANCE  name of this Asterisk   (default); several instances with their own
#                         ports may run in the one chroot (the tests start one per session)
#   IVR_SANDBOX_SIP_PORT  SIP/UDP on 127.0.0.1    (5060)
#   IVR_SANDBOX_AMI_PORT  AMI on 127.0.0.1        (5038)
#   IVR_SANDBOX_RTP_START first RTP port          (10000; 100 ports are used)
#   IVR_SANDBOX_AGI_HOST  FastAGI server host     (127.0.0.1)
#   IVR_SANDBOX_AGI_PORT  FastAGI server port     (4573)
#   IVR_SANDBOX_MIRROR    Debian mirror           (http://deb.debian.org/debian)
#   IVR_SANDBOX_TRUNK     host:port of the carrier trunk's contact, where callbacks are dialled
#                         (the example's 192.0.2.10:5060; the tests put a SIPp callee there)
#   IVR_SANDBOX_ENV_FILE  file of KEY=value lines passed to Asterisk's environment (for the
#                         classic AGI process, which inherits it)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
ROOT=${IVR_SANDBOX_ROOT:-/var/cache/ivr-booking/asterisk-sid}
SIP_PORT=${IVR_SANDBOX_SIP_PORT:-5060}
AMI_PORT=${IVR_SANDBOX_AMI_PORT:-5038}
RTP_START=${IVR_SANDBOX_RTP_START:-10000}
RTP_END=$((RTP_START + 99))
INSTANCE=${IVR_SANDBOX_INSTANCE:-default}
[[ "$INSTANCE" =~ ^[A-Za-z0-9_.-]+$ ]] || { echo "asterisk-sandbox: bad instance name" >&2; exit 2; }
AGI_HOST=${IVR_SANDBOX_AGI_HOST:-127.0.0.1}
AGI_PORT=${IVR_SANDBOX_AGI_PORT:-4573}
MIRROR=${IVR_SANDBOX_MIRROR:-http://deb.debian.org/debian}
ENV_FILE=${IVR_SANDBOX_ENV_FILE:-}
TRUNK=${IVR_SANDBOX_TRUNK:-}
LANGUAGES=(cs en uk ru vi)
PACKAGES=(asterisk asterisk-core-sounds-en asterisk-moh-opsound-gsm python3 python3-venv)

# Inside the chroot
HOME_IN=/opt/ivr-booking          # everything of ours
INSTANCE_IN=$HOME_IN/instances/$INSTANCE
ETC_IN=$INSTANCE_IN/etc           # generated configuration
VAR_IN=$INSTANCE_IN/var           # run, log, spool, db
SRC_IN=$HOME_IN/src               # the repository, bind-mounted read-only (shared)
VENV_IN=$HOME_IN/venv             # the project for the classic AGI entry point
READY=$ROOT/.ivr-sandbox-ready    # written last by a successful build
PIDFILE=$ROOT$VAR_IN/run/asterisk.pid
HASHFILE=$ROOT$VAR_IN/config.sha256

say() { echo "asterisk-sandbox: $*" >&2; }
die() { say "error: $*"; exit 1; }

need_root() {
  [ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, chroot and mount need it)"
}

chroot_valid() {
  [ -f "$READY" ] && [ -x "$ROOT/usr/sbin/asterisk" ] \
    && chroot "$ROOT" test -d /usr/share/asterisk/sounds/en 2>/dev/null
}

build_chroot() {
  if chroot_valid; then
    say "chroot ready at $ROOT ($(cat "$READY"))"
    return
  fi
  command -v debootstrap >/dev/null || die "debootstrap is missing (apt-get install debootstrap)"
  local tmp="$ROOT.partial"
  say "building a Debian sid chroot at $ROOT (about 1–2 minutes)"
  unmount_all "$tmp"
  remove_tree "$tmp"
  mkdir -p "$(dirname "$ROOT")"
  say "debootstrap sid (minbase) from $MIRROR"
  debootstrap --variant=minbase sid "$tmp" "$MIRROR" >"$tmp.log" 2>&1 \
    || die "debootstrap failed, see $tmp.log"
  mount -t proc proc "$tmp/proc"
  # The mirror's sid Release file is past its Valid-Until date: apt must be told to accept it.
  say "installing ${PACKAGES[*]} inside the chroot"
  if ! { chroot "$tmp" apt-get -o Acquire::Check-Valid-Until=false update \
         && chroot "$tmp" env DEBIAN_FRONTEND=noninteractive apt-get \
              -o Acquire::Check-Valid-Until=false install -y --no-install-recommends \
              "${PACKAGES[@]}"; } >>"$tmp.log" 2>&1; then
    umount "$tmp/proc" || true
    die "apt-get inside the chroot failed, see $tmp.log"
  fi
  umount "$tmp/proc"
  chroot "$tmp" asterisk -V >"$tmp/.ivr-sandbox-ready"
  unmount_all "$ROOT"
  remove_tree "$ROOT"
  mv "$tmp" "$ROOT"
  rm -f "$tmp.log"
  say "chroot built: $(cat "$READY")"
}

is_mounted() { mountpoint -q "$1" 2>/dev/null; }

# rm -rf of a chroot with the repository still bind-mounted in it would delete the repository.
remove_tree() {
  [ -e "$1" ] || return 0
  if awk '{print $2}' /proc/mounts | grep -q "^$1/"; then
    die "$1 still has mounts inside (see /proc/mounts); not removing it"
  fi
  rm -rf "$1"
}

unmount_all() {
  local root=$1
  for m in "$root$SRC_IN" "$root/proc"; do
    if is_mounted "$m"; then umount "$m" || umount -l "$m"; fi
  done
}

# The pids of the processes whose root is the chroot (any instance's Asterisk, a classic AGI
# child), one a line.
chroot_processes() {
  local root proc
  root=$(readlink -f "$ROOT")
  for proc in /proc/[0-9]*; do
    if [ "$(readlink -f "$proc/root" 2>/dev/null)" = "$root" ]; then echo "${proc#/proc/}"; fi
  done
}

# The chroot is shared by every checkout on the machine, but its one source mount (prompts,
# the classic AGI's project) can show only one of them: a second checkout must not silently
# run against the first one's prompts. A bind mount shows its source's device and inode.
mount_all() {
  is_mounted "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
  mkdir -p "$ROOT$SRC_IN"
  if is_mounted "$ROOT$SRC_IN" \
    && [ "$(stat -c %d:%i "$ROOT$SRC_IN")" != "$(stat -c %d:%i "$REPO")" ]; then
    if [ -n "$(chroot_processes)" ]; then
      die "the sandbox at $ROOT is running with another checkout mounted" \
        "($(findmnt -n -o SOURCE "$ROOT$SRC_IN")), not $REPO; stop it there" \
        "('scripts/asterisk-sandbox.sh stop' in that checkout) or wait for its tests"
    fi
    say "remounting: the sandbox's sources were another checkout's"
    umount "$ROOT$SRC_IN"
  fi
  if ! is_mounted "$ROOT$SRC_IN"; then
    mount --bind "$REPO" "$ROOT$SRC_IN"
    mount -o remount,bind,ro "$ROOT$SRC_IN"
  fi
}

# The built prompts: Asterisk has no sounds-directory setting of its own (sounds live under
# astdatadir/sounds), so each language's `ivr` folder there links to build/sounds/<lang>/ivr.
link_prompts() {
  if [ ! -d "$REPO/build/sounds" ]; then
    say "warning: $REPO/build/sounds is missing; run 'make prompts' or the IVR prompts are silent"
  fi
  # Inside the chroot: sounds/en is an absolute symlink that only resolves there.
  for lang in "${LANGUAGES[@]}"; do
    chroot "$ROOT" sh -c "mkdir -p /usr/share/asterisk/sounds/$lang \
      && ln -sfn $SRC_IN/build/sounds/$lang/ivr /usr/share/asterisk/sounds/$lang/ivr"
  done
}

# Generate the private configuration tree from the project's example files. Only paths,
# addresses and ports change; every other line is the administrator's example verbatim.
generate_config() {
  local out=$1
  rm -rf "$out"
  mkdir -p "$out"
  sed -E \
    -e "s|^(astetcdir *=> *).*|\1$ETC_IN|" \
    -e "s|^(astrundir *=> *).*|\1$VAR_IN/run|" \
    -e "s|^(astlogdir *=> *).*|\1$VAR_IN/log|" \
    -e "s|^(astspooldir *=> *).*|\1$VAR_IN/spool|" \
    -e "s|^(astdbdir *=> *).*|\1$VAR_IN/db|" \
    -e "s|^(astcachedir *=> *).*|\1$VAR_IN/cache|" \
    "$REPO/asterisk.conf.example" >"$out/asterisk.conf"
  for f in "$REPO"/dialplans/*.conf; do
    cp "$f" "$out/$(basename "$f")"
  done
  sed -E -i "s|^bind *=.*|bind=127.0.0.1:$SIP_PORT|" "$out/pjsip.conf"
  if [ -n "$TRUNK" ]; then
    sed -E -i "s|^contact *= *sip:192\.0\.2\.10:5060 *$|contact = sip:$TRUNK|" "$out/pjsip.conf"
  fi
  sed -E -i -e "s|^port *=.*|port = $AMI_PORT|" -e "s|^bindaddr *=.*|bindaddr = 127.0.0.1|" \
    "$out/manager.conf"
  sed -E -i -e "s|^rtpstart *=.*|rtpstart=$RTP_START|" -e "s|^rtpend *=.*|rtpend=$RTP_END|" \
    "$out/rtp.conf"
  sed -E -i \
    -e "s|^(IVR_AGI_HOST *= *).*|\1$AGI_HOST|" \
    -e "s|^(IVR_AGI_PORT *= *).*|\1$AGI_PORT|" \
    -e "s|^(IVR_AGI_CLASSIC *= *).*|\1$VENV_IN/bin/ivr-agi-classic|" \
    "$out/extensions.conf"
  # Files Asterisk complains about when missing; empty is the documented default.
  for f in cdr.conf cel.conf acl.conf udptl.conf pjproject.conf pjsip_wizard.conf \
    pjsip_notify.conf features.conf ccss.conf statsd.conf; do
    [ -f "$out/$f" ] || : >"$out/$f"
  done
  [ -f "$out/modules.conf" ] || printf '[modules]\nautoload = yes\nnoload = chan_sip.so\n' \
    >"$out/modules.conf"
  { cat "$out"/*.conf; echo "$ENV_FILE"; if [ -n "$ENV_FILE" ]; then cat "$ENV_FILE"; fi; } \
    | sha256sum | cut -d' ' -f1 >"$out/.sha256"
}

asterisk_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid
  pid=$(cat "$PIDFILE")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # the process must be the chroot's asterisk, not a recycled pid
  [ "$(readlink -f "/proc/$pid/root")" = "$(readlink -f "$ROOT")" ] || return 1
  echo "$pid"
}

rx() { chroot "$ROOT" asterisk -C "$ETC_IN/asterisk.conf" -rx "$1"; }

start() {
  need_root
  chroot_valid || build_chroot
  mount_all
  link_prompts
  local staged="$ROOT$INSTANCE_IN/etc.new"
  generate_config "$staged"
  if pid=$(asterisk_pid); then
    if [ -f "$HASHFILE" ] && [ "$(cat "$HASHFILE")" = "$(cat "$staged/.sha256")" ]; then
      rm -rf "$staged"
      say "already running (pid $pid) with this configuration"
      status
      return
    fi
    say "configuration changed: restarting"
    stop_asterisk
  fi
  rm -rf "$ROOT$ETC_IN"
  mv "$staged" "$ROOT$ETC_IN"
  mkdir -p "$ROOT$VAR_IN"/{run,log,spool,db,cache} "$ROOT/var/lib/asterisk/keys"
  rm -f "$ROOT$VAR_IN/run/"*
  cp "$ROOT$ETC_IN/.sha256" "$HASHFILE"
  local envs=()
  if [ -n "$ENV_FILE" ]; then
    while IFS= read -r line; do
      [[ "$line" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] && envs+=("$line")
    done <"$ENV_FILE"
  fi
  say "starting Asterisk (SIP 127.0.0.1:$SIP_PORT, AMI 127.0.0.1:$AMI_PORT," \
    "FastAGI $AGI_HOST:$AGI_PORT)"
  setsid chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    "${envs[@]}" asterisk -f -C "$ETC_IN/asterisk.conf" \
    </dev/null >"$ROOT$VAR_IN/log/console.log" 2>&1 &
  local deadline=$((SECONDS + 60))
  until rx "core waitfullybooted" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      tail -n 30 "$ROOT$VAR_IN/log/console.log" >&2 || true
      die "Asterisk did not boot within 60 s (log: $ROOT$VAR_IN/log/console.log)"
    fi
    sleep 0.3
  done
  say "Asterisk is fully booted"
  status
}

stop_asterisk() {
  local pid
  pid=$(asterisk_pid) || return 0
  rx "core stop now" >/dev/null 2>&1 || kill "$pid"
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "Asterisk (pid $pid) ignores 'core stop now': killing it"
    kill -9 "$pid"
  fi
  rm -f "$PIDFILE"
}

other_instances_running() {
  local pidfile pid
  for pidfile in "$ROOT$HOME_IN"/instances/*/var/run/asterisk.pid; do
    [ -f "$pidfile" ] && [ "$pidfile" != "$PIDFILE" ] || continue
    pid=$(cat "$pidfile")
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null \
      && [ "$(readlink -f "/proc/$pid/root")" = "$(readlink -f "$ROOT")" ] && return 0
  done
  return 1
}

stop() {
  need_root
  [ -d "$ROOT" ] || { say "no chroot at $ROOT: nothing to stop"; return; }
  stop_asterisk
  if other_instances_running; then
    say "stopped instance $INSTANCE (other instances still run: mounts kept)"
    return
  fi
  # Any process still inside this chroot was started by this sandbox (a classic AGI child).
  for pid in $(chroot_processes); do
    say "killing leftover process $pid in the chroot"
    kill -9 "$pid" 2>/dev/null || true
  done
  unmount_all "$ROOT"
  say "stopped"
}

status() {
  local pid
  if pid=$(asterisk_pid); then
    echo "running instance=$INSTANCE pid=$pid sip=127.0.0.1:$SIP_PORT" \
      "ami=127.0.0.1:$AMI_PORT agi=$AGI_HOST:$AGI_PORT root=$ROOT"
    return 0
  fi
  echo "stopped instance=$INSTANCE root=$ROOT"
  return 3
}

cli() {
  need_root
  asterisk_pid >/dev/null || die "Asterisk is not running (scripts/asterisk-sandbox.sh start)"
  if [ $# -gt 0 ]; then rx "$*"; else chroot "$ROOT" asterisk -C "$ETC_IN/asterisk.conf" -r; fi
}

# The classic per-process AGI runs inside the chroot, so the project is installed there too:
# a copy of the work tree (pip writes into the source tree, which is mounted read-only).
classic() {
  need_root
  chroot_valid || build_chroot
  mount_all
  local copy=$ROOT$HOME_IN/classic-src
  say "installing the project into $VENV_IN inside the chroot"
  rm -rf "$copy"
  mkdir -p "$copy"
  tar -C "$REPO" --exclude=./.venv --exclude=./build --exclude=./.git \
    --exclude='*.egg-info' --exclude=__pycache__ -cf - . | tar -C "$copy" -xf -
  [ -x "$ROOT$VENV_IN/bin/pip" ] || chroot "$ROOT" python3 -m venv "$VENV_IN"
  # pip inside trusts what pip on the host trusts (a TLS-inspecting proxy's CA, if any): the
  # host's CA bundle is copied in; nothing else of the host's environment goes in.
  # (as PIP_CERT in the environment: pip's build-isolation subprocess inherits that, not --cert)
  local pip_env=(env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8)
  local host_ca=${IVR_SANDBOX_PIP_CERT:-${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}}
  if [ -r "$host_ca" ]; then
    cp "$host_ca" "$ROOT$HOME_IN/host-ca.crt"
    pip_env+=(PIP_CERT="$HOME_IN/host-ca.crt")
  fi
  chroot "$ROOT" "${pip_env[@]}" "$VENV_IN/bin/pip" install -q --disable-pip-version-check \
    "$HOME_IN/classic-src" >&2 || die "pip install inside the chroot failed"
  # a local directory of an unchanged version may count as installed: this copy's code wins
  chroot "$ROOT" "${pip_env[@]}" "$VENV_IN/bin/pip" install -q --disable-pip-version-check \
    --no-deps --force-reinstall "$HOME_IN/classic-src" >&2 \
    || die "pip install inside the chroot failed"
  [ -x "$ROOT$VENV_IN/bin/ivr-agi-classic" ] \
    || die "the project has no console script ivr-agi-classic"
  say "classic AGI entry point: $VENV_IN/bin/ivr-agi-classic"
}

cmd=${1:-}
shift || true
case "$cmd" in
  build) need_root; build_chroot; start ;;
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  cli) cli "$@" ;;
  classic) classic ;;
  config) need_root; generate_config "$ROOT$INSTANCE_IN/etc.preview"; echo "$ROOT$INSTANCE_IN/etc.preview" ;;
  *) echo "usage: $0 build|start|stop|restart|status|cli [command]|classic|config" >&2; exit 2 ;;
esac
